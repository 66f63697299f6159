/**
 * One shard of a fleet run: a subset of the scenario's nodes on their own virtual clock, network gate,
 * collector and (by default) their own in-process aedes broker, with the run's whole fault plan
 * (host-sim/fault-plan.ts: the scenario's pinned faults and those drawn from the seed) applied to them. Nodes never talk to each other, and every node's seeds come from (run seed, node index), so a
 * node's result does not depend on which shard runs it or on how many shards there are (test/sim proves
 * it comparing 1 and 2 shards). With an external broker every shard connects to it.
 */

import { REGIONS } from "../../protocol/lorawan-regions.js";
import type { BrokerAccount } from "../../site/broker/acl.js";
import { AedesBroker } from "../../site/broker/broker.js";
import { loadGeneratedCodec, VmCodec } from "../../site/network-server/codec.js";
import { VirtualClock } from "../clock.js";
import {
  collectorPassword,
  euiOf,
  fork,
  nodeSeeds,
  type PinnedFault,
  planFaults,
  root,
} from "../fault-plan.js";
import { bindMqttClient, type HostMqttClient } from "../mqtt/client.js";
import { SiteRadio } from "../radio/site.js";
import { SimCollector } from "./collector.js";
import { FleetNode } from "./fleet-node.js";
import { RadioConditions, type RadioStats } from "./lorawan-link.js";
import { QuietGate } from "./quiet-gate.js";
import type { LabelRecord, NodeResult } from "./result.js";
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
  /**
   * The generated network-server codec script (radio/network-server-codec.ts generatedCodecScript), built
   * by the parent: a worker cannot build it (its bundle does not sit next to the sources). Undefined = the
   * shard builds it when it has LoRaWAN nodes.
   */
  codecScript?: string;
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
  /** The LoRaWAN side (gateway, channel, network server per region), when the shard has LoRaWAN nodes. */
  lorawan: LoRaWanSites | undefined;
  /** EUI of each node of this shard, by scenario node id. */
  euis: Map<string, string>;
  /** The shard's network gate: `gate.track(promise)` holds virtual time until the promise settles. */
  gate: QuietGate;
}

export interface ShardResult {
  nodes: { index: number; result: NodeResult }[];
  brokerUrl: string;
  stalls: string[];
}

export const COLLECTOR_USER = "collector";

/** Broker accounts for a run: one per node (user mw-<eui>), one collector. Deterministic per seed. */
export function accountsFor(scenario: Scenario, seed: number): BrokerAccount[] {
  const out: BrokerAccount[] = scenario.nodes.map((spec, i) => {
    const s = nodeSeeds(seed, i, spec.recordingSeed);
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
  const collector = new SimCollector();
  collector.connect({
    clock,
    Client,
    host,
    port,
    site: scenario.site,
    applicationId: null,
    // One session per shard and seed: shards on one external broker must not share a session.
    clientId: `collector-${seed}-${p.shardIndex}`,
    user: COLLECTOR_USER,
    password: collectorPassword(seed),
  });
  let lorawan: LoRaWanSites | undefined;
  const radio = new RadioConditions();
  const faults = planFaults(scenario.faults, scenario.nodes, scenario.durationS, seed);
  const drift = new Map<string, number>();
  for (const f of faults) if (f.kind === "clock-drift") for (const id of f.nodes) drift.set(id, f.ppm);
  const nodes: { index: number; fleet: FleetNode }[] = [];
  const cleanup = async (): Promise<void> => {
    collector.close();
    for (const r of lorawan?.sites ?? []) r.close();
    for (const n of nodes) if (n.fleet.node.runtime.running) n.fleet.node.shutdown();
    await gate.settle();
    if (broker) await broker.stop();
    if (lorawan) await lorawan.broker.stop();
  };
  try {
    lorawan = await startLoRaWan(p, clock, gate, Client, collector);
    const sites = lorawan;
    for (const index of p.indices) {
      const spec = scenario.nodes[index]!;
      const seeds = nodeSeeds(seed, index, spec.recordingSeed);
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
          ...(sites
            ? { radioLinkFor: (eui: string, stats: RadioStats) => sites.byEui.get(eui)!.link(eui, stats) }
            : {}),
          driftPpm: drift.get(spec.id) ?? 0,
        },
        seeds.recording,
      );
      if (fleet.node.nodeIdHex !== euiOf(seeds.node)) {
        throw new Error(`node ${spec.id}: EUI ${fleet.node.nodeIdHex} differs from its broker account`);
      }
      nodes.push({ index, fleet });
    }
    scheduleFaults(faults, clock, broker, radio, lorawan, nodes);
    p.probe?.({
      clock,
      Client,
      host,
      port,
      broker,
      accounts,
      collector,
      lorawan,
      euis: new Map(nodes.map((n) => [n.fleet.spec.id, n.fleet.node.nodeIdHex])),
      gate,
    });
    const sampleAll = (): void => {
      for (const n of nodes) n.fleet.sample();
    };
    sampleAll();
    clock.setTimer(sampleAll, traceEveryMs, traceEveryMs);
    await run(clock, gate, durationMs, p.onProgress, p.speed);
    const results = nodes.map((n) => ({ index: n.index, result: n.fleet.result(traceEveryMs) }));
    const latency = latencyLabels(scenario, results);
    const records = collector.records(latency.labels, latency.windowMs);
    for (const r of results) r.result.collector = records.get(r.result.eui)!;
    return {
      nodes: results,
      brokerUrl: p.brokerUrl ?? broker!.url,
      stalls: [...gate.stalls],
    };
  } finally {
    await cleanup();
  }
}

export interface LoRaWanSites {
  /** The network server's MQTT integration broker (in process; see startLoRaWan). */
  broker: AedesBroker;
  sites: SiteRadio[];
  byEui: Map<string, SiteRadio>;
}

/**
 * The LoRaWAN side of a shard, when it runs LoRaWAN nodes: per region one SiteRadio (gateway, channel,
 * network server with the generated codec) and the collector's second session, on the network server's
 * integration broker. That broker is a second in-process aedes on the same gate (real TCP, virtual time):
 * the site broker's ACL (site/broker/acl.ts) knows only minewatch/ topics, so on it the network server
 * could not publish application/... events nor the collector subscribe to them. fleet.ts puts every
 * LoRaWAN node in shard 0, so nodes that share the air share one channel whatever the shard count.
 */
async function startLoRaWan(
  p: ShardParams,
  clock: VirtualClock,
  gate: QuietGate,
  Client: typeof HostMqttClient,
  collector: SimCollector,
): Promise<LoRaWanSites | undefined> {
  const byRegion = new Map<string, { euis: string[]; names: Record<string, string> }>();
  for (const index of p.indices) {
    const spec = p.scenario.nodes[index]!;
    if (spec.transport === "mqtt") continue;
    const eui = euiOf(nodeSeeds(p.seed, index, spec.recordingSeed).node);
    let r = byRegion.get(spec.lorawan.region);
    if (!r) byRegion.set(spec.lorawan.region, (r = { euis: [], names: {} }));
    r.euis.push(eui);
    r.names[eui] = spec.id;
  }
  if (byRegion.size === 0) return undefined;
  const broker = await AedesBroker.start({ gate });
  const codec = p.codecScript !== undefined ? new VmCodec(p.codecScript) : await loadGeneratedCodec();
  const sites: SiteRadio[] = [];
  const byEui = new Map<string, SiteRadio>();
  for (const [region, r] of byRegion) {
    const site = new SiteRadio({
      clock,
      region: REGIONS[region]!,
      prng: fork(root(p.seed), "run/radio", Object.keys(REGIONS).indexOf(region)),
      devEuis: r.euis,
      deviceNames: r.names,
      codec,
      Client,
      host: broker.host,
      port: broker.port,
      clientId: `chirpstack-${p.seed}-${p.shardIndex}-${region}`,
    });
    sites.push(site);
    for (const eui of r.euis) byEui.set(eui, site);
  }
  collector.connect({
    clock,
    Client,
    host: broker.host,
    port: broker.port,
    site: null,
    applicationId: sites[0]!.server.applicationId,
    clientId: `collector-ns-${p.seed}-${p.shardIndex}`,
  });
  return { broker, sites, byEui };
}

/**
 * The labels the scenario's alarm-within expectations check, by node EUI, and the widest of their windows
 * (30 s when there is none): what the collector's own latency evaluation is run against.
 */
function latencyLabels(
  scenario: Scenario,
  results: readonly { result: NodeResult }[],
): { labels: Map<string, LabelRecord[]>; windowMs: number } {
  let windowMs = 0;
  const kinds = new Map<string, Set<string>>();
  for (const e of scenario.expect) {
    if (e.kind !== "alarm-within") continue;
    windowMs = Math.max(windowMs, e.withinS * 1000);
    for (const id of e.nodes) {
      const k = kinds.get(id) ?? new Set<string>();
      for (const l of e.labels) k.add(l);
      kinds.set(id, k);
    }
  }
  const labels = new Map<string, LabelRecord[]>();
  for (const { result: n } of results) {
    const k = kinds.get(n.id);
    labels.set(n.eui, k ? n.labels.filter((l) => k.has(l.kind)) : []);
  }
  return { labels, windowMs: windowMs > 0 ? windowMs : 30_000 };
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

/** Applies the run's fault plan (host-sim/fault-plan.ts planFaults) to this shard's site and nodes. */
function scheduleFaults(
  faults: readonly PinnedFault[],
  clock: VirtualClock,
  broker: AedesBroker | undefined,
  radio: RadioConditions,
  lorawan: LoRaWanSites | undefined,
  nodes: { index: number; fleet: FleetNode }[],
): void {
  const byId = new Map(nodes.map((n) => [n.fleet.spec.id, n.fleet]));
  const mine = (ids: string[]): FleetNode[] => ids.flatMap((id) => byId.get(id) ?? []);
  const lossRate = (ids: string[], rate: number | undefined): void => {
    for (const n of mine(ids)) {
      const eui = n.node.nodeIdHex;
      lorawan?.byEui.get(eui)?.setLossRate([eui], rate);
    }
  };
  const gatewayUp = (up: boolean): void => {
    radio.gatewayUp = up;
    for (const site of lorawan?.sites ?? []) site.setGatewayUp(up);
  };
  for (const f of faults) {
    const at = Math.round(f.kind === "clock-drift" ? 0 : f.atS * 1000);
    const until = f.kind === "clock-drift" ? at : at + Math.round(f.durationS * 1000);
    switch (f.kind) {
      case "broker-outage":
        if (!broker) throw new Error("broker-outage needs the in-process broker (no --broker)");
        // The network server's integration broker is the same site service: it goes down with it.
        clock.at(at, () => {
          void broker.stop();
          if (lorawan) void lorawan.broker.stop();
        });
        clock.at(until, () => {
          void broker.restart();
          if (lorawan) void lorawan.broker.restart();
        });
        break;
      case "gateway-down":
        clock.at(at, () => gatewayUp(false));
        clock.at(until, () => gatewayUp(true));
        break;
      case "radio-loss":
        clock.at(at, () => {
          for (const id of f.nodes) radio.lossRate.set(id, f.rate);
          lossRate(f.nodes, f.rate);
        });
        clock.at(until, () => {
          for (const id of f.nodes) radio.lossRate.delete(id);
          lossRate(f.nodes, undefined);
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
