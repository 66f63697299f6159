/**
 * One node of a fleet run: the spec's SimNode (real runtime, drivers, chip models, flash outbox) with its
 * recording, transports (MQTT over the gated client to the broker; LoRaWAN through the modem model and the
 * site's channel, gateway and network server, host-sim/radio/site.ts) and a probe that records what the
 * report needs: every frame built and every hand-over to a transport (the outbox tells its listeners:
 * firmware/node/outbox.ts OutboxListener), traces sampled on the virtual clock, the outbox depth.
 * The probe only reads node state, so it does not change what the node does.
 */
import type { Clock, TimerId } from "../../firmware/node/clock.js";
import type { OutboxListener } from "../../firmware/node/outbox.js";
import { MqttLink } from "../../firmware/node/runtime/mqtt-link.js";
import type { Transport } from "../../firmware/node/transport.js";
import { decodeFrame } from "../../protocol/decode.js";
import type { AlarmFrame, EventFrame } from "../../protocol/frames.js";
import { CHANNEL_NAMES, FrameType, LEVEL_NAMES } from "../../protocol/schema.js";
import type { LoraE5Model } from "../chips/lora-e5.js";
import type { VirtualClock } from "../clock.js";
import { fork, nodeSeeds, root } from "../fault-plan.js";
import type { HostMqttClient } from "../mqtt/client.js";
import { createSimNode, type SimNode } from "../node/sim-node.js";
import type { CollectorNode, SimCollector } from "./collector.js";
import { type LoRaWanSetup, lorawanFor, type RadioConditions, type RadioStats } from "./lorawan-link.js";
import type {
  AlarmLevelName,
  ChannelName,
  FrameRecord,
  FrameTypeName,
  GasTrace,
  NodeResult,
  SeismicEventRecord,
  Series,
  TransportName,
} from "./result.js";
import type { NodeSpec } from "./scenario.js";
import { type NodeRecording, nodeRecording } from "./sources.js";

const FRAME_NAMES: Record<number, FrameTypeName> = {
  [FrameType.Telemetry]: "telemetry",
  [FrameType.Alarm]: "alarm",
  [FrameType.Event]: "event",
  [FrameType.Status]: "status",
  [FrameType.Birth]: "birth",
  [FrameType.ConfigRefused]: "config-refused",
};
const LEVELS: Record<string, AlarmLevelName> = {
  clear: "clear",
  A1: "A1",
  A2: "A2",
  STEL: "stel",
  TWA: "twa",
  fault: "fault",
};

/** The node's own crystal: its timers run `ppm` fast (positive) or slow against true (virtual) time. */
export class DriftingClock implements Clock {
  readonly #base: VirtualClock;
  readonly #k: number;
  readonly #t0: number;
  constructor(base: VirtualClock, ppm: number) {
    this.#base = base;
    this.#k = 1 + ppm / 1e6;
    this.#t0 = base.now();
  }
  now(): number {
    return this.#t0 + (this.#base.now() - this.#t0) * this.#k;
  }
  setTimer(callback: () => void, delayMs: number, repeatMs?: number): TimerId {
    return this.#base.setTimer(
      callback,
      delayMs / this.#k,
      repeatMs === undefined ? undefined : repeatMs / this.#k,
    );
  }
  clearTimer(id: TimerId): void {
    this.#base.clearTimer(id);
  }
}

export interface FleetNodeSetup {
  spec: NodeSpec;
  index: number;
  runSeed: number;
  durationMs: number;
  traceEveryMs: number;
  clock: VirtualClock;
  site: string;
  /** MQTT: the gated client class and the broker's address. */
  Client: typeof HostMqttClient;
  brokerHost: string;
  brokerPort: number;
  collector: SimCollector;
  radio: RadioConditions;
  /** The site's real radio (channel, gateway, network server): the modem's network sink for a node. */
  radioLinkFor?: (eui: string, stats: RadioStats) => NonNullable<LoRaWanSetup["radioLink"]>;
  driftPpm: number;
}

interface Built {
  record: FrameRecord;
  bytes: Uint8Array;
}

export class FleetNode {
  readonly spec: NodeSpec;
  readonly node: SimNode;
  readonly recording: NodeRecording;
  readonly password: string;
  readonly modem: LoraE5Model | undefined;
  readonly radioStats: RadioStats = { transmissions: 0, lost: 0 };
  readonly #built = new Map<number, Built>();
  readonly #collected: CollectorNode;
  readonly #traces: { value: Series; truth: Series }[] = [];
  readonly #staLta: Series = { tMs: [], v: [] };
  readonly #outbox: Series = { tMs: [], v: [] };
  readonly #clock: VirtualClock;

  private constructor(s: FleetNodeSetup, recording: NodeRecording) {
    this.spec = s.spec;
    this.recording = recording;
    this.#clock = s.clock;
    const seeds = nodeSeeds(s.runSeed, s.index, s.spec.recordingSeed);
    this.password = seeds.password;
    const nodeClock: Clock = s.driftPpm !== 0 ? new DriftingClock(s.clock, s.driftPpm) : s.clock;
    const useMqtt = s.spec.transport !== "lorawan";
    const useLora = s.spec.transport !== "mqtt";
    let lora: ReturnType<typeof lorawanFor> | undefined;
    const probe: OutboxListener = {
      built: (id, frame, _priority, counter) => this.#builtFrame(frame, counter, id < 0),
      sent: (_id, counter, via) => this.#sent(counter, via as TransportName),
      acknowledged: () => {},
    };
    this.node = createSimNode({
      clock: s.clock,
      seed: seeds.node,
      variant: s.spec.variant,
      profile: s.spec.profile,
      location: s.spec.location,
      odrHz: s.spec.odrHz,
      sensorsWarm: true,
      sources: recording.sources,
      runtime: { clock: nodeClock, vibration: { staS: s.spec.staS, ltaS: s.spec.ltaS } },
      outboxListener: probe,
      // Called at every boot; the first call (inside createSimNode) also puts the modem on the board.
      transports: (n) => {
        const links: Transport[] = [];
        if (useMqtt) {
          const jitter = fork(n.prng, "node/mqtt-jitter");
          links.push(
            new MqttLink({
              Client: s.Client,
              clock: nodeClock,
              random: () => jitter.next(),
              host: s.brokerHost,
              port: s.brokerPort,
              site: s.site,
              nodeId: n.nodeIdHex,
              password: this.password,
            }),
          );
        }
        if (useLora) {
          lora ??= lorawanFor({
            node: n,
            nodeName: s.spec.id,
            clock: s.clock,
            nodeClock,
            region: s.spec.lorawan.region,
            dataRate: s.spec.lorawan.dataRate,
            radio: s.radio,
            prng: fork(root(seeds.node), "node/lorawan"),
            stats: this.radioStats,
            deliver: (bytes) => s.collector.collector.ingest(n.nodeIdHex, bytes, "lorawan", s.clock.now()),
            ...(s.radioLinkFor ? { radioLink: s.radioLinkFor(n.nodeIdHex, this.radioStats) } : {}),
          });
          links.push(lora.makeLink());
        }
        return links;
      },
    });
    this.modem = lora?.modem;
    this.#collected = {
      key: this.node.key,
      sentBefore: (counter) => this.#built.get(counter)?.record.sentMs[0],
      frames: new Map(),
      rejected: 0,
      premature: 0,
    };
    s.collector.watch(this.node.nodeIdHex, this.#collected);
    for (let c = 0; c < 4; c++) this.#traces.push({ value: { tMs: [], v: [] }, truth: { tMs: [], v: [] } });
  }

  static async create(s: FleetNodeSetup, recordingSeed: number): Promise<FleetNode> {
    const rec = await nodeRecording(s.spec, s.durationMs / 1000, recordingSeed);
    return new FleetNode(s, rec);
  }

  #builtFrame(frame: Uint8Array, counter: number, refused: boolean): void {
    const type = frame[0]! & 0x0f;
    const record: FrameRecord = {
      counter,
      type: FRAME_NAMES[type] ?? `type-${type}`,
      builtMs: this.#clock.now(),
      sentMs: [],
      deliveredMs: null,
      latencyMs: null,
      via: null,
      bytes: frame.length,
      duplicates: 0,
      lost: refused,
    };
    this.#built.set(counter, {
      record,
      bytes: type === FrameType.Alarm || type === FrameType.Event ? frame.slice() : EMPTY,
    });
  }

  #sent(counter: number, via: TransportName): void {
    const b = this.#built.get(counter);
    if (!b) return;
    b.record.sentMs.push(this.#clock.now());
    b.record.via = via;
  }

  /** One trace sample (the fleet runner calls this every traceEveryMs). */
  sample(): void {
    const now = this.#clock.now();
    const rt = this.node.runtime;
    const gas = rt.gas;
    if (gas) {
      for (let c = 0; c < 4; c++) {
        const p = gas.pipelines[c];
        if (!p) continue;
        const tr = this.#traces[c]!;
        tr.value.tMs.push(now);
        tr.value.v.push(rt.running && Number.isFinite(p.value) ? round(p.value) : null);
        tr.truth.tMs.push(now);
        tr.truth.v.push(round(this.recording.truth(c, now)));
      }
    }
    const vib = rt.vibration;
    if (vib) {
      this.#staLta.tMs.push(now);
      const r = vib.detector.lastRatio;
      this.#staLta.v.push(rt.running && Number.isFinite(r) ? round(r) : null);
    }
    this.#outbox.tMs.push(now);
    this.#outbox.v.push(this.node.outbox.depth);
  }

  get built(): number {
    return this.#built.size;
  }

  /** The node's part of the result, after the run. */
  result(traceEveryMs: number): NodeResult {
    const waiting = new Set<number>();
    for (const id of this.node.outbox.waitingIds()) waiting.add(this.node.outbox.counterOf(id));
    const frames: FrameRecord[] = [];
    const alarms: NodeResult["alarms"] = [];
    const events: SeismicEventRecord[] = [];
    for (const [counter, b] of [...this.#built.entries()].sort((a, z) => a[0] - z[0])) {
      const r = b.record;
      const got = this.#collected.frames.get(counter);
      if (got) {
        r.deliveredMs = got.deliveredMs;
        r.latencyMs = got.deliveredMs - r.builtMs;
        r.via = got.via;
        r.duplicates = got.duplicates;
        r.lost = false;
      } else r.lost = r.lost || !waiting.has(counter);
      frames.push(r);
      if (r.type === "alarm" || r.type === "event") {
        const f = decodeFrame(b.bytes).frame;
        if (f.type === FrameType.Alarm) {
          const a = f as AlarmFrame;
          alarms.push({
            channel: (CHANNEL_NAMES[a.channel] ?? "vibration") as ChannelName,
            level: LEVELS[LEVEL_NAMES[a.level] ?? "fault"] ?? "fault",
            counter,
            raisedMs: r.builtMs,
            deliveredMs: r.deliveredMs,
            value: a.value,
          });
        } else {
          const e = f as EventFrame;
          events.push({
            counter,
            builtMs: r.builtMs,
            deliveredMs: r.deliveredMs,
            onsetMs: r.builtMs - e.onsetAgoMs,
            durationMs: e.durationMs,
            ppvUmPerS: e.ppvUmPerS,
            pgaMilliG: e.pgaMilliG,
            dominantFreqDeciHz: e.dominantFreqDeciHz,
          });
        }
      }
    }
    const rt = this.node.runtime;
    const gasTraces: GasTrace[] = [];
    const names = ["ch4", "co", "o2", "h2s"] as const;
    for (let c = 0; c < 4; c++) {
      const p = rt.gas?.pipelines[c];
      if (!p) continue;
      gasTraces.push({
        channel: names[c],
        unit: p.unit,
        value: this.#traces[c]!.value,
        truth: this.#traces[c]!.truth,
        setPoints: this.recording.setPoints[names[c]] ?? [],
      });
    }
    const vib = rt.vibration;
    return {
      id: this.spec.id,
      eui: this.node.nodeIdHex,
      variant: this.spec.variant,
      location: this.spec.location,
      profile: this.spec.profile,
      transports: this.spec.transport === "both" ? ["mqtt", "lorawan"] : [this.spec.transport],
      boots: this.node.boots,
      taskErrors: rt.taskErrors,
      traces: {
        periodMs: traceEveryMs,
        gas: gasTraces,
        vibration: vib
          ? {
              staLta: this.#staLta,
              onThreshold: vib.detector.config.onThreshold,
              offThreshold: vib.detector.config.offThreshold,
              triggers: events.map((e) => ({ onMs: e.onsetMs, offMs: e.onsetMs + e.durationMs })),
            }
          : null,
      },
      alarms,
      events,
      frames,
      radio: this.modem ? this.#radio() : null,
      outbox: this.#outbox,
      outputs: this.node.outputs ? this.node.outputs.record(this.#clock.now()) : null,
      labels: this.recording.labels,
    };
  }

  #radio(): NonNullable<NodeResult["radio"]> {
    const ledger = this.modem!.ledger;
    const used = ledger.dutyCycleUsed();
    const worstBand = used.reduce((w, u, i) => (u > used[w]! ? i : w), 0);
    const perHour: number[] = [];
    for (const t of ledger.transmissions) {
      const h = Math.floor(t.startMs / 3_600_000);
      while (perHour.length <= h) perHour.push(0);
      perHour[h]! += t.airtimeMs;
    }
    return {
      region: ledger.region.name,
      dataRate: this.spec.lorawan.dataRate,
      transmissions: this.radioStats.transmissions,
      lostTransmissions: this.radioStats.lost,
      airtimeMs: round0(ledger.transmissions.reduce((s, t) => s + t.airtimeMs, 0)),
      maxDutyCyclePct: round0((used[worstBand] ?? 0) * 100),
      limitPct: round0((ledger.region.subBands[worstBand]?.dutyCycle ?? 0) * 100),
      airtimePerHourMs: perHour.map(round0),
      dutyCycleViolations: ledger.violations().length,
    };
  }
}

const EMPTY = new Uint8Array(0);

/** Six significant digits: traces are for plotting, and JSON stays small. */
function round(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  return Number(x.toPrecision(6));
}

function round0(x: number): number {
  return round(x) ?? 0;
}
