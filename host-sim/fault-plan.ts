/**
 * The run's plan: every random stream and every fault of a simulated run, drawn from the scenario seed here
 * and nowhere else (TigerBeetle's VOPR and FoundationDB's simulator work this way). A run is a pure function
 * of (scenario, seed): the same seed replays the same noise, identities, radio losses, jitter and faults.
 *
 * Streams. Each is a named fork of its parent (`fork(parent, name)`); the names are listed in FORKS with
 * the fork labels they have always had, so every stream, and every pinned figure, is what it was before
 * the names existed. Changing a label changes every run that uses the stream. The tree:
 *
 *   run seed (scenario `seed`, or --seed)
 *     run/node + i             node i: its node seed and recording seed (two draws), then
 *       node/broker-password     its MQTT password
 *     run/collector-password   the collector's MQTT password
 *     run/radio + r            the LoRa channel of region r (index in the firmware's REGIONS)
 *     run/faults + k           the faults drawn by the scenario's k-th `drawn` entry (planFaults)
 *   node seed (a SimNode)
 *     node/board                 the board's chip models (LoRa-E5 channel choice and joins), and
 *       board/adxl355              the accelerometer model's noise
 *     node/identity              EUI-64 and key
 *     node/gas-noise             O2 noise of a node with no recording
 *     node/quiet-ground          ground noise of a node with no recording
 *     node/mqtt-jitter           the MQTT link's reconnect jitter
 *     node/lorawan               the node's LoRaWAN path:
 *       lorawan/loss               its stand-in radio's losses
 *       lorawan/jitter             the LoRaWAN link's retry jitter
 *   recording seed (host-sim/recordings/synth; a node's recording in a run)
 *     recording/gas              gas sensor noise
 *     recording/accel            accelerometer stream, and
 *       accel/events               the rendered events' waveforms (labels and node source share it)
 *     recording/accel-noise      the node source's accelerometer noise (host-sim/sim/sources.ts)
 *     recording/random-scenario  a random synthetic scenario's events (synth/random.ts)
 *   console seed (tools/provision/sim-port.ts: a simulated node on the provisioning console)
 *     console/noise              its sensor noise
 *
 * Faults. A scenario pins faults (kind, time, duration, nodes) or lets the plan draw them: an entry of kind
 * `drawn` becomes `count` concrete faults, each with its kind, start, duration, node and parameters drawn
 * from the stream `run/faults + k` (k = the entry's index in `faults`), a fixed number of draws per fault so
 * that editing one entry does not move the others. `planFaults` returns the concrete list that the shards
 * apply and the result reports. The mechanisms stay with what they act on: the broker, the gateway and the
 * radio channel (host-sim/sim/shard.ts applies the plan), the chip models (their `inject` methods), the
 * flash model (a tear shaped by the seed it is given: host-sim/flash.ts `cutAtWrite`).
 *
 * No Node APIs and nothing but the PRNG: code bundled for XS (host-sim/node/sim-node.ts) imports this.
 */
import { Prng } from "./prng.js";

/** Every named stream and its fork label (see the tree above). */
export const FORKS = {
  "run/node": 1000,
  "run/collector-password": 99,
  "run/radio": 300,
  "run/faults": 500,
  "node/broker-password": 7,
  "node/board": 1,
  "board/adxl355": 0x355,
  "node/identity": 2,
  "node/gas-noise": 3,
  "node/quiet-ground": 4,
  "node/mqtt-jitter": 5,
  "node/lorawan": 77,
  "lorawan/loss": 1,
  "lorawan/jitter": 2,
  "recording/gas": 1,
  "recording/accel": 2,
  "accel/events": 1,
  "recording/accel-noise": 3,
  "recording/random-scenario": 100,
  "console/noise": 9,
} as const;

export type ForkName = keyof typeof FORKS;

/** The named child stream of `parent` (`index`: the n-th of a family, e.g. node n). */
export function fork(parent: Prng, name: ForkName, index = 0): Prng {
  return parent.fork(FORKS[name] + index);
}

/** The root stream of a seed (a run's, a node's, a recording's). */
export function root(seed: number): Prng {
  return new Prng(seed >>> 0);
}

/** Seeds of node `index` in a run: independent of every other node and of the shard it runs in. */
export function nodeSeeds(
  runSeed: number,
  index: number,
  recordingSeed: number | undefined,
): { node: number; recording: number; password: string } {
  const r = fork(root(runSeed), "run/node", index);
  const node = r.nextUint32();
  const recording = recordingSeed ?? r.nextUint32();
  const p = fork(r, "node/broker-password");
  let password = "";
  for (let i = 0; i < 4; i++) password += p.nextUint32().toString(16).padStart(8, "0");
  return { node, recording, password };
}

/** The collector's broker password for a run. */
export function collectorPassword(runSeed: number): string {
  return `c-${fork(root(runSeed), "run/collector-password").nextUint32().toString(16).padStart(8, "0")}-sim`;
}

/** The EUI-64 a SimNode takes from its seed: 70b3d57e + the first draw of its identity stream. */
export function euiOf(nodeSeed: number): string {
  return `70b3d57e${fork(root(nodeSeed), "node/identity").nextUint32().toString(16).padStart(8, "0")}`;
}

// ---- faults ---------------------------------------------------------------------------------------------

export const SENSORS = ["ch4", "cells", "accel"] as const;
export type SensorName = (typeof SENSORS)[number];
/** Fault modes each chip model can inject (host-sim/chips). */
export const SENSOR_MODES: Record<SensorName, readonly string[]> = {
  ch4: ["no-answer", "corrupt-checksum", "all-ff", "stuck"],
  cells: ["nack", "all-ff", "stuck"],
  accel: ["no-answer", "all-ff", "stuck-byte", "frozen-data"],
};

/** The fault kinds a scenario can pin. */
export const FAULT_KINDS = [
  "broker-outage",
  "gateway-down",
  "radio-loss",
  "power-cut",
  "sensor-fault",
  "clock-drift",
] as const;
/** The kinds the plan can draw (a clock drift is a property of the whole run: pin it). */
export const DRAWN_KINDS = [
  "broker-outage",
  "gateway-down",
  "radio-loss",
  "power-cut",
  "sensor-fault",
] as const;
export type DrawnKind = (typeof DRAWN_KINDS)[number];

export type PinnedFault =
  | { kind: "broker-outage"; atS: number; durationS: number }
  | { kind: "gateway-down"; atS: number; durationS: number }
  | { kind: "radio-loss"; atS: number; durationS: number; rate: number; nodes: string[] }
  | { kind: "power-cut"; atS: number; durationS: number; nodes: string[] }
  | {
      kind: "sensor-fault";
      atS: number;
      durationS: number;
      nodes: string[];
      sensor: SensorName;
      mode: string;
    }
  | { kind: "clock-drift"; ppm: number; nodes: string[] };

/** `count` faults for the plan to draw: kinds among `kinds`, on nodes among `nodes`, lasting min..max s. */
export interface DrawnFaults {
  kind: "drawn";
  count: number;
  kinds: DrawnKind[];
  nodes: string[];
  minDurationS: number;
  maxDurationS: number;
}

export type FaultSpec = PinnedFault | DrawnFaults;

/** What the plan needs to know of a node. */
export interface PlanNode {
  id: string;
  variant: "gas" | "vibration" | "combo";
  transport: "mqtt" | "lorawan" | "both";
}

/** The sensors a node variant has. */
export function sensorsOf(variant: PlanNode["variant"]): SensorName[] {
  return variant === "gas" ? ["ch4", "cells"] : variant === "vibration" ? ["accel"] : [...SENSORS];
}

/** The nodes among `ids` a drawn fault of `kind` can hit ([] for the site-wide kinds). */
export function candidates(kind: DrawnKind, ids: readonly string[], nodes: readonly PlanNode[]): PlanNode[] {
  const chosen = nodes.filter((n) => ids.includes(n.id));
  if (kind === "radio-loss") return chosen.filter((n) => n.transport !== "mqtt");
  return kind === "power-cut" || kind === "sensor-fault" ? chosen : [];
}

/** Whether a drawn fault of `kind` can happen among `ids` (gateway-down needs a LoRaWAN node somewhere). */
export function drawable(kind: DrawnKind, ids: readonly string[], nodes: readonly PlanNode[]): boolean {
  if (kind === "broker-outage") return true;
  if (kind === "gateway-down") return nodes.some((n) => n.transport !== "mqtt");
  return candidates(kind, ids, nodes).length > 0;
}

/** Milliseconds precision for drawn times, so a plan prints and replays exactly. */
const ms = (s: number): number => Math.round(s * 1000) / 1000;

/**
 * The run's concrete faults: pinned ones as given, each `drawn` entry replaced in place by its draws (see
 * the file comment). Same (faults, nodes, durationS, seed), same list.
 */
export function planFaults(
  faults: readonly FaultSpec[],
  nodes: readonly PlanNode[],
  durationS: number,
  seed: number,
): PinnedFault[] {
  const out: PinnedFault[] = [];
  faults.forEach((f, k) => {
    if (f.kind !== "drawn") {
      out.push(f);
      return;
    }
    const rng = fork(root(seed), "run/faults", k);
    const kinds = f.kinds.filter((kind) => drawable(kind, f.nodes, nodes));
    for (let i = 0; i < f.count; i++) {
      // Seven draws per fault whatever its kind.
      const kindDraw = rng.next();
      const lengthDraw = rng.next();
      const startDraw = rng.next();
      const nodeDraw = rng.next();
      const rateDraw = rng.next();
      const sensorDraw = rng.next();
      const modeDraw = rng.next();
      if (kinds.length === 0) continue;
      const kind = kinds[Math.floor(kindDraw * kinds.length)]!;
      const lengthS = ms(
        Math.min(durationS, f.minDurationS + (f.maxDurationS - f.minDurationS) * lengthDraw),
      );
      const atS = ms((durationS - lengthS) * startDraw);
      const pool = candidates(kind, f.nodes, nodes);
      const node = pool[Math.floor(nodeDraw * pool.length)];
      switch (kind) {
        case "broker-outage":
        case "gateway-down":
          out.push({ kind, atS, durationS: lengthS });
          break;
        case "radio-loss":
          out.push({
            kind,
            atS,
            durationS: lengthS,
            rate: (1 + Math.floor(rateDraw * 9)) / 10,
            nodes: [node!.id],
          });
          break;
        case "power-cut":
          out.push({ kind, atS, durationS: lengthS, nodes: [node!.id] });
          break;
        case "sensor-fault": {
          const sensors = sensorsOf(node!.variant);
          const sensor = sensors[Math.floor(sensorDraw * sensors.length)]!;
          const modes = SENSOR_MODES[sensor];
          const mode = modes[Math.floor(modeDraw * modes.length)]!;
          out.push({ kind, atS, durationS: lengthS, nodes: [node!.id], sensor, mode });
          break;
        }
      }
    }
  });
  return out;
}
