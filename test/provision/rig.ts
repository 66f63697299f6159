/**
 * Test rig for the field-tech flows: a temporary state directory with a registry and simulated nodes, node.yaml
 * texts, and one-call wrappers that open the node's port, run a flow and always close it (so each call is one
 * CLI run against the persisted simulated node, as a tech's would be).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bumpTest, calibrate, type GasFlowOutcome, type Guide } from "../../tools/provision/gas-test.js";
import type { KeySet } from "../../tools/provision/keys.js";
import { parseNodeConfig } from "../../tools/provision/node-config.js";
import { type NodePort, openPort } from "../../tools/provision/port.js";
import { type ProvisionResult, provision } from "../../tools/provision/provision.js";
import { readRegistry } from "../../tools/provision/registry.js";
import {
  readSimState,
  SIM_FACTORY_SECRET,
  type SimState,
  simStatePath,
} from "../../tools/provision/sim-port.js";

export const FACE_YAML = `site: karaganda-lenina
level: "-420 m"
location: face
profile: kz-ru-coal
setpoints:
  ch4: { a1: 0.7 }
`;

export function rig() {
  const dir = mkdtempSync(path.join(tmpdir(), "minewatch-provision-"));
  const simDir = path.join(dir, "sim");
  const registryFile = path.join(dir, "registry.jsonl");
  const keysDir = path.join(dir, "keys");
  const asked: string[] = [];
  const guide: Guide = { ask: async (s) => void asked.push(s), say: () => {} };
  const common = {
    secret: SIM_FACTORY_SECRET,
    registryFile,
    tech: "test-tech",
    now: () => new Date("2026-11-25T08:00:00Z"),
  };

  async function onPort<T>(
    name: string,
    work: (p: NodePort) => Promise<T>,
    o: { create?: boolean; faults?: string[] } = {},
  ) {
    const port = await openPort(`sim:${name}`, {
      simDir,
      create: o.create ?? false,
      simFaults: o.faults ?? [],
    });
    try {
      return await work(port);
    } finally {
      await port.close();
    }
  }

  return {
    dir,
    simDir,
    registryFile,
    keysDir,
    asked,
    guide,
    common,
    onPort,
    records: () => readRegistry(registryFile).records,
    state: (name: string): SimState => readSimState(simStatePath(simDir, name)),
    setState(name: string, change: (s: SimState) => void): void {
      const s = readSimState(simStatePath(simDir, name));
      change(s);
      writeFileSync(simStatePath(simDir, name), JSON.stringify(s));
    },
    provision(
      name: string,
      yaml = FACE_YAML,
      o: {
        override?: string;
        keys?: KeySet;
        newKeys?: boolean;
        faults?: string[];
        secret?: string;
        at?: string;
      } = {},
    ): Promise<ProvisionResult> {
      return onPort(
        name,
        (port) =>
          provision(port, {
            ...common,
            ...(o.secret ? { secret: o.secret } : {}),
            ...(o.at ? { now: () => new Date(o.at!) } : {}),
            configFile: "node.yaml",
            config: parseNodeConfig(yaml),
            override: o.override,
            keys: o.keys,
            keysFile: o.keys ? "keys.json" : undefined,
            newKeys: o.newKeys ?? false,
            keysDir,
            say: () => {},
          }),
        { create: true, faults: o.faults ?? [] },
      );
    },
    bump(
      name: string,
      gas: "CH4" | "CO" | "O2" | "H2S",
      applied: number,
      at?: string,
      resetInterlock = false,
    ): Promise<GasFlowOutcome> {
      return onPort(name, (port) =>
        bumpTest(port, {
          ...common,
          ...(at ? { now: () => new Date(at) } : {}),
          gas,
          applied,
          guide,
          resetInterlock,
        }),
      );
    },
    calibrate(
      name: string,
      gas: "CH4" | "CO" | "O2" | "H2S",
      mode: "zero" | "span",
      applied = 0,
      at?: string,
    ) {
      return onPort(name, (port) =>
        calibrate(port, { ...common, ...(at ? { now: () => new Date(at) } : {}), gas, mode, applied, guide }),
      );
    },
    /** The provisioning record bytes the node holds now (through its console, as a tool sees them). */
    heldConfig(name: string): Promise<Uint8Array> {
      return onPort(name, (port) => port.run(port.client.readConfig()));
    },
    readText: (file: string) => readFileSync(file, "utf8"),
  };
}
