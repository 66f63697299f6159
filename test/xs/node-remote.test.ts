/**
 * The node alone on XS (test/xs/entries/node-remote.ts: runtime, sensing, protocol, drivers, outbox), its
 * host IO (clock, buses to the chip models, flash, key-value storage, link, MAC) reached through xsnap's
 * command channel (test/xs/entries/node-host.ts on the Node side). It behaves exactly as the same split node
 * in Node and as the all-in-Node simulated node, and its heap is measured from an XS snapshot
 * (XsWorker.heapFigures: live slots and chunk bytes) against the bundle evaluated before the node boots.
 */
import { afterAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { IdealLink } from "../../host-sim/node/ideal-link.js";
import { createSimNode } from "../../host-sim/node/sim-node.js";
import { NodeHostBridge, type NodeHostOptions, runRequest } from "./entries/node-host.js";
import { createRemoteNode, status } from "./entries/node-remote.js";
import { XsWorker } from "./harness.js";

const alarm = (t: number) => (t >= 30_000 && t < 90_000 ? 1.2 : 0.05);
const GAS: NodeHostOptions = { seed: 5, variant: "gas", sensorsWarm: true, sources: { ch4PctVol: alarm } };
const COMBO: NodeHostOptions = { ...GAS, variant: "combo", odrHz: 62.5 };
/** sizeof(txSlot) on a 32-bit XS build (ESP32): pointer 4 + id/flag/kind 4 + value 8 (xsAll.h struct sxSlot). */
const ESP32_SLOT_BYTES = 16;

const workers: XsWorker[] = [];
afterAll(async () => {
  for (const w of workers) await w.close().catch(() => {});
});

async function startXs(options: NodeHostOptions): Promise<{ xs: XsWorker; bridge: NodeHostBridge }> {
  const bridge = new NodeHostBridge(options);
  const xs = await XsWorker.start("test/xs/entries/node-remote.ts", {
    meteringLimit: 1e12,
    onHostCommand: bridge.handle,
  });
  workers.push(xs);
  return { xs, bridge };
}

function words(b: Uint8Array): number[] {
  return [...new Uint32Array(b.slice().buffer)];
}

describe("the node alone on XS, host IO through the command channel", () => {
  it("gives the same replies, host traffic and frames as in Node, and as the all-in-Node simulated node", async () => {
    const { xs, bridge } = await startXs(GAS);
    const nodeBridge = new NodeHostBridge(GAS);
    const local = createRemoteNode(
      (m) => nodeBridge.handle(new Uint8Array(m)).buffer as ArrayBuffer,
      nodeBridge.setup(),
    );
    expect(words((await xs.call(bridge.setupRequest())).reply)).toEqual(words(status(local)));
    for (const t of [45_000, 120_000, 300_000]) {
      const x = await xs.call(runRequest(t));
      local.runUntil(t);
      expect(words(x.reply)).toEqual(words(status(local)));
    }
    expect([...bridge.opCounts]).toEqual([...nodeBridge.opCounts]);
    expect(bridge.link.deliveredCount).toBe(nodeBridge.link.deliveredCount);
    const [, depth, errors, ch4Levels, frames] = words(status(local));
    expect(errors).toBe(0);
    expect(ch4Levels! & 4).toBe(4); // CH4 A2 went on at 30 s and stays latched until acknowledged
    // The same node with the runtime in the simulator's own process (host-sim/node/sim-node.ts).
    const clock = new VirtualClock();
    let link: IdealLink | undefined;
    const sim = createSimNode({
      ...GAS,
      clock,
      transports: () => {
        link = new IdealLink(clock, { record: false });
        return [link];
      },
    });
    clock.runUntil(300_000);
    expect(sim.runtime.builder.lastCounter + 1).toBe(frames);
    expect(sim.outbox.depth).toBe(depth);
    expect(link!.deliveredCount).toBe(bridge.link.deliveredCount);
    expect(bridge.sim.outputs!.history.map((h) => h.relay)).toEqual(sim.outputs!.history.map((h) => h.relay));
  });

  it("holds a combo node's heap within 64 KiB on the ESP32 after a simulated hour, flat after boot", async () => {
    const { xs, bridge } = await startXs(COMBO);
    const bundle = await xs.heapFigures();
    await xs.call(bridge.setupRequest());
    await xs.call(runRequest(120_000));
    const booted = await xs.heapFigures();
    await xs.call(runRequest(3_600_000));
    const hour = await xs.heapFigures();
    const end = words((await xs.call(runRequest(3_600_001))).reply);
    expect(end[0]).toBe(3600);
    expect(end[2]).toBe(0); // no task errors
    const slots = hour.slots - bundle.slots;
    const chunkBytes = hour.chunkBytes - bundle.chunkBytes;
    const hostBytes = slots * hour.slotBytes + chunkBytes;
    const esp32Bytes = slots * ESP32_SLOT_BYTES + chunkBytes;
    console.log(
      `node alone on XS after 1 h: +${slots} slots x ${hour.slotBytes} B + ${chunkBytes} B chunks = ` +
        `${(hostBytes / 1024).toFixed(1)} KiB on 64-bit xsnap; ${(esp32Bytes / 1024).toFixed(1)} KiB with ` +
        `${ESP32_SLOT_BYTES}-byte slots (ESP32); growth after boot ${hour.slots - booted.slots} slots, ` +
        `${hour.chunkBytes - booted.chunkBytes} chunk bytes; ${end[5]} host round trips`,
    );
    expect(hour.slotBytes).toBe(32);
    expect(Math.abs(hour.slots - booted.slots)).toBeLessThan(64);
    expect(Math.abs(hour.chunkBytes - booted.chunkBytes)).toBeLessThan(1024);
    expect(esp32Bytes).toBeLessThanOrEqual(64 * 1024);
  });
});
