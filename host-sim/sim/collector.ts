/**
 * The simulation's collector: the real one (site/collector: FrameVerifier with its anti-replay window,
 * dedupe by counter and bytes per path, alarm view, latency against labels) on the shard's broker(s),
 * through its own MQTT session (persistent, QoS 1, the direct topics `minewatch/<site>/#` and the network
 * server's ChirpStack events `application/<appId>/device/+/event/up`). This file is only the adapter the
 * fleet needs on top: the collector's key store filled with the nodes of this shard, and per node a map of
 * delivered frames (the first valid copy's virtual arrival time and path, later copies counted as
 * duplicates), fed by the collector's `onIngest` hook.
 *
 * A copy counts as a delivery only after the node handed that counter to a transport (`sentBefore`): a
 * retained message left on an external broker by an earlier run (same seed, same bytes) cannot pass for
 * delivery. Reconnects back off 1, 2, 4, 4, ... s (each failed attempt is real TCP; a one-hour broker
 * outage at a fixed 1 s would cost thousands of them); after an outage the collector is back at most 4 s
 * after the broker.
 */

import { LEVEL_NAMES } from "../../protocol/schema.js";
import type { AlarmLabel } from "../../site/collector/alarms.js";
import { Collector, type CollectorResults, type IngestRecord } from "../../site/collector/collector.js";
import { startMqttCollector } from "../../site/collector/mqtt.js";
import type { MqttSession } from "../../site/collector/session.js";
import { KeyStore } from "../../site/collector/stores.js";
import type { VirtualClock } from "../clock.js";
import type { HostMqttClient } from "../mqtt/client.js";
import type { AlarmLevelName, CollectorRecord, LabelRecord, TransportName } from "./result.js";

const SEISMIC_KINDS = new Set(["microseismic", "blast", "teleseism"]);
const LEVELS: Record<string, AlarmLevelName> = { STEL: "stel", TWA: "twa" };
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 4000;

export interface CollectedCopy {
  deliveredMs: number;
  via: TransportName;
  duplicates: number;
}

export interface CollectorNode {
  key: Uint8Array;
  /** Virtual time the node first handed this (full) counter to a transport, or undefined. */
  sentBefore: (counter: number) => number | undefined;
  /** Delivered frames by full counter (as the collector's verifier resolved it). */
  readonly frames: Map<number, CollectedCopy>;
  /** Copies the collector rejected (bad MAC, malformed, replayed counter it no longer remembers). */
  rejected: number;
  /** Valid copies that arrived before the node had sent that counter (stale retained messages). */
  premature: number;
}

export interface CollectorConnection {
  clock: VirtualClock;
  Client: typeof HostMqttClient;
  host: string;
  port: number;
  /** Site whose direct topics to read; null = none (a broker carrying only network-server events). */
  site: string | null;
  /** Network-server application whose uplink events to read; null = none. */
  applicationId: string | null;
  clientId: string;
  user?: string;
  password?: string;
}

export class SimCollector {
  readonly nodes = new Map<string, CollectorNode>();
  readonly collector: Collector;
  /** Frames from nodes this collector does not watch (another shard's), counted only. */
  foreign = 0;
  readonly #keys = new KeyStore();
  readonly #sessions: MqttSession[] = [];

  constructor(windowSize?: number) {
    this.collector = new Collector({
      keys: this.#keys,
      recordFrames: false,
      ...(windowSize !== undefined ? { windowSize } : {}),
      onIngest: (r) => this.#onIngest(r),
    });
  }

  get connected(): boolean {
    return this.#sessions.length > 0 && this.#sessions.every((s) => s.connected);
  }

  watch(eui: string, node: CollectorNode): void {
    this.#keys.set(eui, node.key);
    this.nodes.set(eui, node);
  }

  /** Subscribes on one broker (call once per broker; each session reconnects by itself). */
  connect(o: CollectorConnection): MqttSession {
    const session = startMqttCollector({
      collector: this.collector,
      Client: o.Client,
      clock: o.clock,
      host: o.host,
      port: o.port,
      site: o.site,
      applicationId: o.applicationId,
      clientId: o.clientId,
      ...(o.user !== undefined ? { user: o.user } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      reconnectMs: RETRY_FIRST_MS,
      reconnectMaxMs: RETRY_MAX_MS,
    });
    this.#sessions.push(session);
    return session;
  }

  results(...args: Parameters<Collector["results"]>): CollectorResults {
    return this.collector.results(...args);
  }

  close(): void {
    for (const s of this.#sessions) s.close();
  }

  /**
   * Per watched node, the collector's latency against `labels` (by EUI: a recording's labels of the kinds
   * the scenario's alarm-within expectations check; gas crossings on their channel and level, seismic
   * labels on the vibration channel), evaluated in one pass so unexpected raises see every label.
   */
  records(
    labels: ReadonlyMap<string, readonly LabelRecord[]>,
    windowMs: number,
  ): Map<string, CollectorRecord> {
    const all: AlarmLabel[] = [];
    const source = new Map<AlarmLabel, LabelRecord>();
    for (const [nodeId, list] of labels) {
      for (const l of list) {
        const seismic = SEISMIC_KINDS.has(l.kind);
        const label: AlarmLabel = {
          nodeId,
          channel: seismic ? "vibration" : l.channel,
          onsetMs: l.tMs,
          kind: l.kind,
          ...(!seismic && l.level !== undefined ? { level: l.level } : {}),
        };
        all.push(label);
        source.set(label, l);
      }
    }
    const latency = this.collector.results(all, windowMs).latency!;
    const out = new Map<string, CollectorRecord>();
    for (const [nodeId, node] of this.nodes) {
      out.set(nodeId, {
        rejected: node.rejected,
        windowMs,
        alarmLatency: latency.matched
          .filter((m) => m.label.nodeId === nodeId)
          .map((m) => ({
            kind: m.label.kind,
            channel: String(m.label.channel),
            onsetMs: m.label.onsetMs,
            latencyMs: m.latencyMs,
            level: levelName(m.level),
            via: m.path,
          })),
        missing: latency.missing.filter((l) => l.nodeId === nodeId).map((l) => source.get(l)!),
        unexpectedRaises: latency.unexpected.filter((e) => e.nodeId === nodeId).length,
      });
    }
    return out;
  }

  #onIngest(r: IngestRecord): void {
    const node = this.nodes.get(r.nodeId);
    if (!node) {
      this.foreign++;
      return;
    }
    if (r.outcome === "held") return; // accepted later, when a second frame confirms its counter
    if (r.outcome === "rejected" || r.counter === undefined) {
      node.rejected++;
      return;
    }
    const sent = node.sentBefore(r.counter);
    if (sent === undefined || sent > r.atMs) {
      node.premature++;
      return;
    }
    const seen = node.frames.get(r.counter);
    if (seen) seen.duplicates++;
    else node.frames.set(r.counter, { deliveredMs: r.atMs, via: r.path, duplicates: 0 });
  }
}

function levelName(level: number): AlarmLevelName {
  const name = LEVEL_NAMES[level] ?? "fault";
  return LEVELS[name] ?? (name as AlarmLevelName);
}
