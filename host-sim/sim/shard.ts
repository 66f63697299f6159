/**
 * One shard of a fleet run: a subset of the scenario's nodes on their own virtual clock, network gate,
 * collector and (by default) their own in-process aedes broker, with the whole fault timeline applied to
 * them. Nodes never talk to each other, and every node's seeds come from (run seed, node index), so a
 * node's result does not depend on which shard runs it or on how many shards there are (test/sim proves
 * it comparing 1 and 2 shards). With an external broker every shard connects to it.
 */

import { VirtualClock } from "../clock.js";
import type { BrokerAccount } from "../mqtt/acl.js";
import { AedesBroker } from "../mqtt/broker.js";
import { bindMqttClient, type HostMqttClient } from "../mqtt/client.js";
import { Prng } from "../prng.js";
import { SimCollector } from "./collector.js";
import { FleetNode, nodeSeeds } from "./fleet-node.js";
import { RadioConditions } from "./lorawan-link.js";
import { QuietGate } from "./quiet-gate.js";
import type { NodeResult } from "./result.js";
import type { Scenario } from "./scenario.js";

export interface ShardParams {
  scenario: Scenario;
  seed: number;
  /** Indices (into scenario.nodes) this shard runs. */
  indices: number[];
  shardIndex: number;
  /** mqtt://host:port of an external broker; undefined = in-process aedes. */
  brokerUrl: string | undefined;
  /** Pace virtual time at this many times real time; undefined = as fast as possible. */
  speed?: number;
  /** Called now and then with (virtual ms done, virtual ms total). */
  onProgress?: (doneMs: number, totalMs: number) => void;
  /**
   * Tests only, in-thread shards only (a function cannot reach a worker): called once the shard is set up
   * and before virtual time starts, with the shard's broker path, to schedule extra clients on its clock
   * (e.g. a node's stolen credentials publishing on another node's topic: test/e2e/sim-acl.test.ts).
   */
  probe?: (shard: ShardProbe) => void;
}

export interface ShardProbe {
  clock: VirtualClock;
  /** The gated MQTT client class every node and the collector of this shard use. */
  Client: typeof HostMqttClient;
  host: string;
  port: number;
  /** The in-process broker (undefined with an external one). */
  broker: AedesBroker | undefined;
  accounts: BrokerAccount[];
  collector: SimCollector;
  /** EUI of each node of this shard, by scenario node id. */
  euis: Map<string, string>;
}

export interface ShardResult {
  nodes: { index: number; result: NodeResult }[];
  brokerUrl: string;
  stalls: string[];
}

export const COLLECTOR_USER = "collector";

/** The EUI-64 SimNode derives from its seed (sim-node.ts: 70b3d57e + the first draw of fork 2). */
export function euiOf(nodeSeed: number): string {
  return `70b3d57e${new Prng(nodeSeed >>> 0).fork(2).nextUint32().toString(16).padStart(8, "0")}`;
}

/** Broker accounts for a run: one per node (user mw-<eui>), one collector. Deterministic per seed. */
export function accountsFor(scenario: Scenario, seed: number): BrokerAccount[] {
  const out: BrokerAccount[] = scenario.nodes.map((spec, i) => {
    const s = nodeSeeds(seed, i, spec);
    const eui = euiOf(s.node);
    return { role: "node", user: `mw-${eui}`, password: s.password, site: scenario.site, nodeId: eui };
  });
  out.push({
    role: "collector",
    user: COLLECTOR_USER,
    password: collectorPassword(seed),
    site: scenario.site,
  });
  return out;
}

export function collectorPassword(seed: number): string {
  return `c-${new Prng(seed >>> 0).fork(99).nextUint32().toString(16).padStart(8, "0")}-sim`;
}

export function parseBrokerUrl(url: string): { host: string; port: number } {
  const m = /^mqtt:\/\/([^/:]+):(\d{1,5})\/?$/.exec(url);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new RangeError(`broker URL must be mqtt://host:port, got "${url}"`);
  }
  return { host: m[1]!, port };
}

export async function runShard(p: ShardParams): Promise<ShardResult> {
  const { scenario, seed } = p;
  const clock = new VirtualClock();
  const gate = new QuietGate(clock, { latencyMs: 5 });
  const Client = bindMqttClient(gate);
  const accounts = accountsFor(scenario, seed);
  let broker: AedesBroker | undefined;
  let host: string;
  let port: number;
  if (p.brokerUrl) ({ host, port } = parseBrokerUrl(p.brokerUrl));
  else {
    broker = await AedesBroker.start({ accounts, gate });
    host = broker.host;
    port = broker.port;
  }
  const durationMs = Math.round(scenario.durationS * 1000);
  const traceEveryMs = Math.round(scenario.traceEveryS * 1000);
  const collector = new SimCollector(clock);
  collector.connect({
    clock,
    Client,
    host,
    port,
    site: scenario.site,
    // One session per shard and seed: shards on one external broker must not share a session.
    clientId: `collector-${seed}-${p.shardIndex}`,
    user: COLLECTOR_USER,
    password: collectorPassword(seed),
  });
  const radio = new RadioConditions();
  const drift = new Map<string, number>();
  for (const f of scenario.faults)
    if (f.kind === "clock-drift") for (const id of f.nodes) drift.set(id, f.ppm);
  const nodes: { index: number; fleet: FleetNode }[] = [];
  const cleanup = async (): Promise<void> => {
    collector.close();
    for (const n of nodes) if (n.fleet.node.runtime.running) n.fleet.node.shutdown();
    await gate.settle();
    if (broker) await broker.stop();
  };
  try {
    for (const index of p.indices) {
      const spec = scenario.nodes[index]!;
      const seeds = nodeSeeds(seed, index, spec);
      const fleet = await FleetNode.create(
        {
          spec,
          index,
          runSeed: seed,
          durationMs,
          traceEveryMs,
          clock,
          site: scenario.site,
          Client,
          brokerHost: host,
          brokerPort: port,
          collector,
          radio,
          driftPpm: drift.get(spec.id) ?? 0,
        },
        seeds.recording,
      );
      if (fleet.node.nodeIdHex !== euiOf(seeds.node)) {
        throw new Error(`node ${spec.id}: EUI ${fleet.node.nodeIdHex} differs from its broker account`);
      }
      nodes.push({ index, fleet });
    }
    scheduleFaults(scenario, clock, broker, radio, nodes);
    p.probe?.({
      clock,
      Client,
      host,
      port,
      broker,
      accounts,
      collector,
      euis: new Map(nodes.map((n) => [n.fleet.spec.id, n.fleet.node.nodeIdHex])),
    });
    const sampleAll = (): void => {
      for (const n of nodes) n.fleet.sample();
    };
    sampleAll();
    clock.setTimer(sampleAll, traceEveryMs, traceEveryMs);
    await run(clock, gate, durationMs, p.onProgress, p.speed);
    return {
      nodes: nodes.map((n) => ({ index: n.index, result: n.fleet.result(traceEveryMs) })),
      brokerUrl: p.brokerUrl ?? broker!.url,
      stalls: [...gate.stalls],
    };
  } finally {
    await cleanup();
  }
}

/**
 * runVirtual (net/run.ts) with two changes: it settles only when the last step touched the network
 * (quiet-gate.ts), and it reports progress every 2^14 steps.
 */
async function run(
  clock: VirtualClock,
  gate: QuietGate,
  untilMs: number,
  onProgress: ((doneMs: number, totalMs: number) => void) | undefined,
  speed: number | undefined,
): Promise<void> {
  let steps = 0;
  const wall0 = performance.now();
  for (;;) {
    if (!gate.quiet) await gate.settle();
    const next = clock.peek();
    if (next === undefined || next > untilMs) break;
    // --speed: wall-clock pacing only; what happens at each virtual instant is unchanged.
    if (speed !== undefined) {
      const aheadMs = next / speed - (performance.now() - wall0);
      if (aheadMs > 1) {
        await new Promise((r) => setTimeout(r, Math.min(aheadMs, 200)));
        onProgress?.(clock.now(), untilMs);
        continue;
      }
    }
    clock.step();
    if (onProgress && (++steps & 0x3fff) === 0) onProgress(clock.now(), untilMs);
  }
  await gate.settle();
  clock.runUntil(untilMs);
  onProgress?.(untilMs, untilMs);
}

function scheduleFaults(
  scenario: Scenario,
  clock: VirtualClock,
  broker: AedesBroker | undefined,
  radio: RadioConditions,
  nodes: { index: number; fleet: FleetNode }[],
): void {
  const byId = new Map(nodes.map((n) => [n.fleet.spec.id, n.fleet]));
  const mine = (ids: string[]): FleetNode[] => ids.flatMap((id) => byId.get(id) ?? []);
  for (const f of scenario.faults) {
    const at = Math.round(f.kind === "clock-drift" ? 0 : f.atS * 1000);
    const until = f.kind === "clock-drift" ? at : at + Math.round(f.durationS * 1000);
    switch (f.kind) {
      case "broker-outage":
        if (!broker) throw new Error("broker-outage needs the in-process broker (no --broker)");
        clock.at(at, () => void broker.stop());
        clock.at(until, () => void broker.restart());
        break;
      case "gateway-down":
        clock.at(at, () => {
          radio.gatewayUp = false;
        });
        clock.at(until, () => {
          radio.gatewayUp = true;
        });
        break;
      case "radio-loss":
        clock.at(at, () => {
          for (const id of f.nodes) radio.lossRate.set(id, f.rate);
        });
        clock.at(until, () => {
          for (const id of f.nodes) radio.lossRate.delete(id);
        });
        break;
      case "power-cut":
        for (const n of mine(f.nodes)) {
          clock.at(at, () => n.node.shutdown());
          clock.at(until, () => {
            n.node.flash.reboot();
            n.node.boot();
          });
        }
        break;
      case "sensor-fault":
        for (const n of mine(f.nodes)) {
          clock.at(at, () => injectSensorFault(n, f.sensor, f.mode));
          clock.at(until, () => injectSensorFault(n, f.sensor, undefined));
        }
        break;
      case "clock-drift":
        break; // applied when the node is built (its runtime's clock)
    }
  }
}

function injectSensorFault(n: FleetNode, sensor: string, mode: string | undefined): void {
  const node = n.node;
  if (sensor === "ch4") {
    node.mipex?.inject(
      mode === undefined
        ? undefined
        : mode === "stuck"
          ? { kind: "stuck", byte: 0x55 }
          : ({ kind: mode } as never),
    );
  } else if (sensor === "cells") {
    node.adc?.inject(
      mode === undefined
        ? undefined
        : mode === "stuck"
          ? { kind: "stuck", byte: 0x55 }
          : ({ kind: mode } as never),
    );
  } else {
    node.accel?.setFault(
      mode === undefined
        ? { kind: "none" }
        : mode === "stuck-byte"
          ? { kind: "stuck-byte", value: 0x55 }
          : ({ kind: mode } as never),
    );
  }
}
