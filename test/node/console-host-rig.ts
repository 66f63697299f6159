/**
 * Test rig for the runtime's console host: a simulated gas node (real runtime, drivers, chip models,
 * key-value storage) with the provisioning secret a factory would have stored, and provisioning records
 * made for it. Shared by test/node/console-host.test.ts and test/e2e/console-sim.test.ts.
 */
import { KEY_SECRET } from "../../firmware/node/console/provisioning.js";
import type { KeyValueStore } from "../../firmware/node/storage.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { createSimNode, type SimNode, type SimNodeOptions } from "../../host-sim/node/sim-node.js";
import { copyConfig, Param } from "../../protocol/config-record.js";
import {
  emptyRecord,
  encodeProvisioning,
  type ProvisioningRecord,
} from "../../protocol/provisioning-record.js";

export const SECRET = "s3cret-pass";
const enc = new TextEncoder();

export function simNode(options: Partial<SimNodeOptions> = {}): { clock: VirtualClock; node: SimNode } {
  const clock = new VirtualClock(0);
  const node = createSimNode({ clock, seed: 11, variant: "gas", sensorsWarm: true, ...options });
  // What the factory does before the node leaves it: without a secret the console refuses every write.
  node.storage.write(KEY_SECRET, enc.encode(SECRET).buffer as ArrayBuffer);
  return { clock, node };
}

/** A valid record for `node` (kz-ru-coal face, its own id and running config), edited by `edit`. */
export function recordFor(node: SimNode, edit?: (r: ProvisioningRecord) => void): Uint8Array {
  const r = emptyRecord(node.nodeId, copyConfig(node.runtime.config));
  r.profile = "kz-ru-coal";
  r.location = "face";
  r.site = "zhezkazgan-7";
  r.level = "-340";
  edit?.(r);
  return encodeProvisioning(r);
}

/** A stricter CH4 A1 than the face profile's 0.8 %vol (allowed: stricter, never looser). */
export function withCh4A1(centiPctVol: number): (r: ProvisioningRecord) => void {
  return (r) => {
    r.config.params[Param.ch4A1CentiPctVol] = centiPctVol;
  };
}

/**
 * Key-value storage that loses power: after `writesLeft` more writes, the next write stores only the
 * first half of its bytes (a torn NVS write) and throws, and so does every write after it.
 */
export class PowerCutStore implements KeyValueStore {
  readonly inner: KeyValueStore;
  writesLeft = Number.POSITIVE_INFINITY;
  cuts = 0;
  constructor(inner: KeyValueStore) {
    this.inner = inner;
  }
  read(key: string): string | ArrayBuffer | undefined {
    return this.inner.read(key);
  }
  write(key: string, value: ArrayBuffer): void {
    if (this.writesLeft <= 0) {
      if (this.cuts++ === 0) this.inner.write(key, value.slice(0, value.byteLength >> 1));
      throw new Error(`power cut while writing "${key}"`);
    }
    this.writesLeft--;
    this.inner.write(key, value);
  }
  delete(key: string): void {
    this.inner.delete(key);
  }
}
