/**
 * A whole run: the scenario's nodes spread over shards (worker threads past one shard), the results
 * merged in node order, the expectations checked. `runFleet` is what the CLI, the tests and the bench call.
 * Nodes go to shards round-robin, LoRaWAN nodes all to shard 0 (shardGroups); a node's result does not
 * depend on its shard (shard.ts), so neither does the SimResult (apart from `timing`).
 */
import os from "node:os";
import { generatedCodecScript } from "../../site/network-server/codec.js";
import { planFaults } from "../fault-plan.js";
import { evaluate } from "./expectations.js";
import {
  type FaultRecord,
  type FleetTotals,
  type NodeResult,
  SIM_RESULT_FORMAT,
  type SimResult,
} from "./result.js";
import type { Scenario } from "./scenario.js";
import { runShard, type ShardResult } from "./shard.js";
import { runShardInWorker } from "./shard-pool.js";

export interface FleetOptions {
  scenario: Scenario;
  /** File name for the result (as the user gave it). */
  file: string;
  seed?: number;
  /** Shards (worker threads); default: 1 for up to 4 nodes, else min(cores, nodes / 2). 1 = in this thread. */
  shards?: number;
  brokerUrl?: string;
  /** Pace at this many times real time (undefined = max). */
  speed?: number;
  /** Fraction of virtual time done, 0..1 (for a progress bar). */
  onProgress?: (fraction: number) => void;
  /**
   * Run even a single shard in a worker thread (default: one shard runs in this thread). The bench uses it
   * to compare 1 and N shards under the same conditions (each worker starts and warms up its JIT cold).
   */
  workers?: boolean;
}

export function defaultShards(nodes: number): number {
  if (nodes <= 4) return 1;
  return Math.max(1, Math.min(os.availableParallelism(), Math.floor(nodes / 2)));
}

export async function runFleet(o: FleetOptions): Promise<SimResult> {
  const scenario = o.scenario;
  const seed = o.seed ?? scenario.seed;
  const n = scenario.nodes.length;
  // A shard left empty (every node on LoRaWAN, so in shard 0) is not started.
  const groups = shardGroups(scenario, Math.max(1, Math.min(o.shards ?? defaultShards(n), n))).filter(
    (g) => g.length > 0,
  );
  const shards = groups.length;
  const started = performance.now();
  const progress = groups.map(() => 0);
  const report = (k: number) => (done: number, total: number) => {
    progress[k] = total > 0 ? done / total : 1;
    o.onProgress?.(progress.reduce((a, b) => a + b, 0) / shards);
  };
  // Built here once: workers cannot build it, and in one thread it is cached anyway.
  const codecScript = scenario.nodes.some((s) => s.transport !== "mqtt")
    ? await generatedCodecScript()
    : undefined;
  const params = (k: number) => ({
    scenario,
    seed,
    indices: groups[k]!,
    shardIndex: k,
    brokerUrl: o.brokerUrl,
    ...(codecScript !== undefined ? { codecScript } : {}),
    ...(o.speed !== undefined ? { speed: o.speed } : {}),
  });
  let parts: ShardResult[];
  if (shards === 1 && !o.workers) parts = [await runShard({ ...params(0), onProgress: report(0) })];
  else parts = await Promise.all(groups.map((_, k) => runShardInWorker(params(k), report(k))));
  const wallMs = performance.now() - started;
  const nodes: NodeResult[] = parts
    .flatMap((p) => p.nodes)
    .sort((a, b) => a.index - b.index)
    .map((x) => x.result);
  const faults = faultRecords(scenario, seed);
  const expectations = evaluate(scenario.expect, nodes, faults);
  const durationMs = Math.round(scenario.durationS * 1000);
  return {
    format: SIM_RESULT_FORMAT,
    scenario: { name: scenario.name, file: o.file, description: scenario.description, durationMs },
    seed,
    site: scenario.site,
    broker: o.brokerUrl
      ? { kind: "external", url: o.brokerUrl }
      : { kind: "aedes", url: "mqtt://127.0.0.1 (in process)" },
    nodes,
    faults,
    expectations,
    passed: expectations.every((e) => e.passed),
    totals: totals(nodes),
    timing: {
      wallMs: Math.round(wallMs),
      speedup: Math.round((durationMs * n) / Math.max(1, wallMs)),
      shards,
    },
  };
}

/**
 * Node indices per shard. Every LoRaWAN node goes to shard 0: nodes on one channel interact (collisions,
 * the gateway's half-duplex and duty cycle), so they must share one channel model whatever the shard count;
 * MQTT-only nodes, which never affect each other, fill the shards round-robin (from shard 1 when there are
 * LoRaWAN nodes, so shard 0 is not loaded twice).
 */
export function shardGroups(scenario: Scenario, shards: number): number[][] {
  const groups: number[][] = Array.from({ length: shards }, () => []);
  const lora = scenario.nodes.some((s) => s.transport !== "mqtt");
  let next = lora && shards > 1 ? 1 : 0;
  scenario.nodes.forEach((spec, i) => {
    if (spec.transport !== "mqtt") groups[0]!.push(i);
    else {
      groups[next]!.push(i);
      next = (next + 1) % shards;
    }
  });
  return groups;
}

/** The run's faults (the scenario's pinned ones and those the plan drew from the seed), in time order. */
export function faultRecords(s: Scenario, seed: number): FaultRecord[] {
  const out = planFaults(s.faults, s.nodes, s.durationS, seed).map((f): FaultRecord => {
    if (f.kind === "clock-drift")
      return { kind: f.kind, nodes: f.nodes, atMs: 0, untilMs: null, detail: `${f.ppm} ppm` };
    const atMs = Math.round(f.atS * 1000);
    const untilMs = atMs + Math.round(f.durationS * 1000);
    const nodes = "nodes" in f ? f.nodes : [];
    const detail =
      f.kind === "radio-loss"
        ? `${Math.round(f.rate * 100)} % of transmissions lost`
        : f.kind === "sensor-fault"
          ? `${f.sensor}: ${f.mode}`
          : f.kind === "power-cut"
            ? "node off (RAM lost; flash, storage and chips kept)"
            : f.kind === "broker-outage"
              ? "broker down (sessions and retained messages kept)"
              : "gateway down (no uplink reaches the network)";
    return { kind: f.kind, nodes, atMs, untilMs, detail };
  });
  return out.sort((a, b) => a.atMs - b.atMs);
}

function totals(nodes: readonly NodeResult[]): FleetTotals {
  const t: FleetTotals = {
    nodes: nodes.length,
    framesBuilt: 0,
    framesDelivered: 0,
    framesLost: 0,
    framesPending: 0,
    duplicatesDropped: 0,
    alarmsRaised: 0,
    alarmsDelivered: 0,
  };
  for (const n of nodes) {
    for (const f of n.frames) {
      t.framesBuilt++;
      if (f.deliveredMs !== null) t.framesDelivered++;
      else if (f.lost) t.framesLost++;
      else t.framesPending++;
      t.duplicatesDropped += f.duplicates;
    }
    for (const a of n.alarms) {
      if (a.level === "clear") continue;
      t.alarmsRaised++;
      if (a.deliveredMs !== null) t.alarmsDelivered++;
    }
  }
  return t;
}
