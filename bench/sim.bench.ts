/**
 * Simulator speed (issue 6): simulated time over wall time, as a ratio to real time.
 *
 * 1. One combo node (gas + vibration, MQTT to the in-process aedes broker) for a node-day on one core (one
 *    shard, this thread): goal >= 10,000x real time, i.e. a node-day in <= 8.64 s. Baseline in the same
 *    run: the same node-day with trace collection off (one trace sample for the whole run), so the table
 *    shows what the report's traces cost.
 * 2. A 100-node fleet (combo nodes) for 10 virtual minutes across the machine's cores (one shard per core,
 *    worker threads), against the same fleet in one shard, also in a worker thread (so that both start their
 *    workers and warm up their JIT alike). The figure is node-time: nodes x simulated time / wall time.
 *
 * Wall time includes each run's fixed costs (recording synthesis, broker start, worker start-up): what a
 * user waits for. The host is shared (other processes may run), so each figure is the best of `REPEATS`
 * runs, the least disturbed one. `npm run bench sim` runs only this file.
 */
import os from "node:os";
import { runFleet } from "../host-sim/sim/fleet.js";
import { parseScenario } from "../host-sim/sim/load.js";
import type { SimResult } from "../host-sim/sim/result.js";

const DAY_S = 86_400;
const FLEET_NODES = 100;
const FLEET_S = 600;
const GOAL_X = 10_000;
const REPEATS = 2;

function comboScenario(durationS: number, count: number, traceEveryS: number): string {
  return `name: bench
durationS: ${durationS}
traceEveryS: ${traceEveryS}
nodes:
  - id: c
    variant: combo
    location: face
    count: ${count}
expect:
  - { kind: no-frame-lost }
`;
}

interface Measured {
  wallMs: number;
  /** nodes x simulated ms / wall ms. */
  x: number;
  result: SimResult;
}

interface Case {
  text: string;
  shards: number;
  /** Run the shards in worker threads even when there is one. */
  workers: boolean;
  nodes: number;
  durationS: number;
}

async function once(c: Case): Promise<Measured> {
  const scenario = parseScenario(c.text, "bench.yaml");
  const t0 = performance.now();
  const result = await runFleet({
    scenario,
    file: "bench.yaml",
    seed: 1,
    shards: c.shards,
    workers: c.workers,
  });
  const wallMs = performance.now() - t0;
  if (!result.passed)
    throw new Error(`bench: the run failed its expectation (${result.expectations[0]?.reason})`);
  return { wallMs, x: (c.nodes * c.durationS * 1000) / wallMs, result };
}

/** Runs the cases in turn, `repeats` rounds (interleaved, so a busy spell hits both), best of each. */
async function measure(cases: Case[], repeats: number): Promise<Measured[]> {
  const best: (Measured | undefined)[] = cases.map(() => undefined);
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < cases.length; k++) {
      const m = await once(cases[k]!);
      if (!best[k] || m.wallMs < best[k]!.wallMs) best[k] = m;
    }
  }
  return best as Measured[];
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(" | ")} |`;
}

export async function run(): Promise<void> {
  const cores = os.availableParallelism();
  // Warm-up: the first run of a process pays JIT compilation; the node-day figures are for a warm simulator.
  await once({ text: comboScenario(600, 1, 2), shards: 1, workers: false, nodes: 1, durationS: 600 });
  const day = (traceEveryS: number): Case => ({
    text: comboScenario(DAY_S, 1, traceEveryS),
    shards: 1,
    workers: false,
    nodes: 1,
    durationS: DAY_S,
  });
  const [untraced, traced] = await measure([day(DAY_S), day(DAY_S / 600)], REPEATS);
  // The fleet: 1 shard and N shards both in worker threads, so both pay the same start-up and cold JIT.
  const shards = Math.max(2, cores);
  const fleet = (n: number): Case => ({
    text: comboScenario(FLEET_S, FLEET_NODES, 5),
    shards: n,
    workers: true,
    nodes: FLEET_NODES,
    durationS: FLEET_S,
  });
  const [one, many] = await measure([fleet(1), fleet(shards)], 1);
  if (JSON.stringify(one!.result.nodes) !== JSON.stringify(many!.result.nodes))
    throw new Error("bench: the fleet's result depends on the shard count");

  // Other processes on the host slow every figure down; the load average says how busy it was.
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
  console.log(
    `host: ${cores} cores (${os.cpus()[0]?.model ?? "unknown cpu"}), Node ${process.version}, load average ${load} (1 / 5 / 15 min) after the runs\n`,
  );
  console.log(row(["run", "simulated", "wall s", "x real time", "ratio"]));
  console.log(row(["---", "---", "---:", "---:", "---:"]));
  console.log(
    row([
      "combo node, traces off (baseline)",
      "1 node-day",
      (untraced!.wallMs / 1000).toFixed(2),
      Math.round(untraced!.x),
      "1.00",
    ]),
  );
  console.log(
    row([
      "combo node, traces every 144 s (as `minewatch sim`)",
      "1 node-day",
      (traced!.wallMs / 1000).toFixed(2),
      Math.round(traced!.x),
      (traced!.x / untraced!.x).toFixed(2),
    ]),
  );
  console.log(
    row([
      `goal (one core): ${GOAL_X}x, a node-day in ${((DAY_S * 1000) / GOAL_X / 1000).toFixed(2)} s`,
      "",
      "",
      "",
      `${(traced!.x / GOAL_X).toFixed(2)} of goal`,
    ]),
  );
  console.log(
    row([
      `${FLEET_NODES} combo nodes, 1 shard in a worker (baseline)`,
      `${FLEET_NODES} x ${FLEET_S} s`,
      (one!.wallMs / 1000).toFixed(2),
      Math.round(one!.x),
      "1.00",
    ]),
  );
  console.log(
    row([
      `${FLEET_NODES} combo nodes, ${shards} shards (worker threads)`,
      `${FLEET_NODES} x ${FLEET_S} s`,
      (many!.wallMs / 1000).toFixed(2),
      Math.round(many!.x),
      (many!.x / one!.x).toFixed(2),
    ]),
  );
  console.log(
    `\nx real time = nodes x simulated time / wall time; best of ${REPEATS} runs for the node-day. The fleet's node results are identical for 1 and ${shards} shards (checked above).`,
  );
}
