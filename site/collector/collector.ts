/**
 * The collector: where every frame from the fleet ends, by either path:
 *  - direct MQTT: `minewatch/<site>/<nodeId>/up/<frame>`, the payload is the frame (protocol/SPEC-mqtt.md);
 *  - LoRaWAN: the network server's ChirpStack-shaped event on `application/<appId>/device/<devEui>/event/up`,
 *    whose `data` (base64) is the frame; DevEUI = node id. The codec's `object` is not trusted: the network
 *    server holds no node keys, so the collector decodes and verifies the bytes itself.
 * Each frame is verified with protocol's FrameVerifier (MAC under the node's key, then the counter against the
 * replay window), then decoded. A frame whose counter was already accepted is a DUPLICATE when the collector
 * accepted exactly those bytes before (the same frame by the other path, a QoS 1 re-send, a LoRaWAN
 * retransmission): dropped and counted per path. Any other used counter (a replay the collector does not
 * remember, e.g. from before a restart) is rejected as "replayed-counter". Rejects are counted by reason (the
 * ProtocolError code, or unknown-node / bad-topic / bad-event) and logged with their message. The highest
 * accepted counter per node goes to the CounterStore at once and is restored at start, so a restarted
 * collector never accepts an old frame again.
 */
import { type FrameMac, FrameVerifier, type ResyncOptions } from "../../protocol/auth.js";
import { MINEWATCH_FPORT } from "../../protocol/codec.js";
import { ProtocolError } from "../../protocol/errors.js";
import type { AlarmFrame, ConfigRefusedFrame, Frame } from "../../protocol/frames.js";
import { CONFIG_PARAMS, ConfigRefusal, FrameType, specForType } from "../../protocol/schema.js";
import { parseTopic, STATE_OFFLINE, STATE_ONLINE } from "../../protocol/topics.js";
import { nobleFrameMac } from "../frame-mac.js";
import { fromBase64, parseApplicationTopic } from "../network-server/chirpstack.js";
import type { AlarmEvent, SecurityEvent } from "./alarms.js";
import {
  type AlarmLabel,
  type AlarmState,
  AlarmView,
  evaluateLatency,
  type FramePath,
  type LatencyResult,
} from "./alarms.js";
import { type CounterStore, type KeyStore, MemoryCounterStore } from "./stores.js";

/** "held": the MAC matched a counter far from the node's known one; accepted once a second frame confirms it. */
export type IngestOutcome = "accepted" | "duplicate" | "rejected" | "held";

export interface CollectorOptions {
  keys: KeyStore;
  mac?: FrameMac;
  counters?: CounterStore;
  /** Replay window (FrameVerifier windowSize); also how many recent frames per node are remembered for dedupe. */
  windowSize?: number;
  /**
   * Counter resynchronisation (protocol/auth.ts): an empty or restored collector, or a gap of more than
   * `maxStep` frames, holds a frame until a second one confirms its counter. Default on; false turns it off.
   */
  resync?: ResyncOptions | false;
  /** Keep every accepted frame in `frames` (default true; off for long benchmarks). */
  recordFrames?: boolean;
  /**
   * Called with the outcome of every frame that names a node (not for bad topics or bad events); `counter`
   * is the frame's counter when verification got that far (accepted, duplicate, replayed-counter), else
   * undefined. The simulator uses it for per-frame delivery times and duplicate counts.
   */
  onIngest?: (record: IngestRecord) => void;
}

export interface IngestRecord {
  nodeId: string;
  counter: number | undefined;
  outcome: IngestOutcome;
  /** The reject reason (ProtocolError code or unknown-node); "" unless rejected. */
  reason: string;
  path: FramePath;
  atMs: number;
}

export interface AcceptedFrame {
  atMs: number;
  nodeId: string;
  counter: number;
  type: string;
  path: FramePath;
}

export interface Reject {
  atMs: number;
  nodeId: string;
  path: FramePath;
  reason: string;
  message: string;
}

/** A node refused a config downlink (its config-refused frame): what and why. */
export interface ConfigRefusalRecord {
  atMs: number;
  nodeId: string;
  counter: number;
  /** Revision of the refused config. */
  revision: number;
  /** Config parameter id (255: none named) and its name ("" when none or unknown). */
  param: number;
  paramName: string;
  /** ConfigRefusal code and its name (protocol/schema.ts). */
  reason: number;
  reasonName: string;
  /** The refused raw parameter value. */
  value: number;
}

const REFUSAL_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [ConfigRefusal.SensorRange]: "sensor-range",
  [ConfigRefusal.LooserThanProfile]: "looser-than-profile",
  [ConfigRefusal.O2NormalAir]: "o2-normal-air",
  [ConfigRefusal.A1AfterA2]: "a1-after-a2",
  [ConfigRefusal.Schema]: "schema",
  [ConfigRefusal.Other]: "other",
});

export interface CollectorResults {
  framesByPath: Record<FramePath, number>;
  acceptedByPath: Record<FramePath, number>;
  duplicatesByPath: Record<FramePath, number>;
  /** Frames held until a second frame confirmed their counter (each is accepted later, or never). */
  heldByPath: Record<FramePath, number>;
  accepted: number;
  duplicates: number;
  rejects: Record<string, number>;
  rejectLog: Reject[];
  /** Messages on topics the collector does not read. */
  ignored: number;
  nodes: { nodeId: string; lastCounter: number | undefined; state: string | undefined }[];
  alarms: AlarmEvent[];
  activeAlarms: AlarmState[];
  /** Bad MACs and counter resynchronisations, per node (AlarmView.security). */
  security: SecurityEvent[];
  /** Config downlinks the nodes refused, what and why (config-refused frames), oldest first. */
  configRefusals: ConfigRefusalRecord[];
  latency?: LatencyResult;
}

const REJECT_LOG_MAX = 1000;

export class Collector {
  readonly alarms = new AlarmView();
  readonly frames: AcceptedFrame[] = [];
  readonly configRefusals: ConfigRefusalRecord[] = [];
  readonly #keys: KeyStore;
  readonly #verifier: FrameVerifier;
  readonly #counters: CounterStore;
  readonly #window: number;
  readonly #record: boolean;
  readonly #onIngest: ((record: IngestRecord) => void) | undefined;
  /** Per node: counter -> bytes of recently accepted frames, insertion-ordered (oldest evicted). */
  readonly #recent = new Map<string, Map<number, Uint8Array>>();
  readonly #states = new Map<string, string>();
  readonly #framesByPath: Record<FramePath, number> = { mqtt: 0, lorawan: 0 };
  readonly #acceptedByPath: Record<FramePath, number> = { mqtt: 0, lorawan: 0 };
  readonly #duplicatesByPath: Record<FramePath, number> = { mqtt: 0, lorawan: 0 };
  readonly #heldByPath: Record<FramePath, number> = { mqtt: 0, lorawan: 0 };
  readonly #rejects: Record<string, number> = {};
  readonly #rejectLog: Reject[] = [];
  #ignored = 0;

  constructor(options: CollectorOptions) {
    this.#keys = options.keys;
    this.#window = options.windowSize ?? 256;
    this.#verifier = new FrameVerifier(options.mac ?? nobleFrameMac, (id) => this.#keys.get(id), {
      windowSize: this.#window,
      ...(options.resync === false ? {} : { resync: options.resync ?? {} }),
    });
    this.#counters = options.counters ?? new MemoryCounterStore();
    this.#record = options.recordFrames ?? true;
    this.#onIngest = options.onIngest;
    for (const [nodeId, counter] of Object.entries(this.#counters.load()))
      this.#verifier.restore(nodeId, counter);
  }

  lastCounter(nodeId: string): number | undefined {
    return this.#verifier.lastCounter(nodeId);
  }

  /** Any MQTT message from the broker, dispatched by topic. */
  onMqttMessage(topic: string, payload: Uint8Array, atMs: number): IngestOutcome | undefined {
    if (topic.startsWith("minewatch/")) {
      let t: ReturnType<typeof parseTopic>;
      try {
        t = parseTopic(topic);
      } catch (e) {
        this.#reject(atMs, "", "mqtt", "bad-topic", (e as Error).message);
        return "rejected";
      }
      if (t.kind === "state") {
        // Only nodes the site holds a key for are tracked: a state message names any id it likes.
        if (!this.#keys.has(t.nodeId)) {
          this.#reject(
            atMs,
            t.nodeId,
            "mqtt",
            "unknown-node",
            `state message from node ${t.nodeId}, which has no key`,
          );
          return "rejected";
        }
        const text = new TextDecoder().decode(payload);
        if (text === STATE_ONLINE || text === STATE_OFFLINE) this.#states.set(t.nodeId, text);
        return undefined;
      }
      if (t.kind !== "up") {
        this.#ignored++;
        return undefined;
      }
      return this.ingest(t.nodeId, payload, "mqtt", atMs);
    }
    const app = parseApplicationTopic(topic);
    if (app && app.kind === "event" && app.name === "up")
      return this.#chirpstackUp(app.devEui, payload, atMs);
    this.#ignored++;
    return undefined;
  }

  /** One frame from `nodeId` by `path`, received at virtual time `atMs`. */
  ingest(nodeId: string, bytes: Uint8Array, path: FramePath, atMs: number): IngestOutcome {
    this.#framesByPath[path]++;
    if (!this.#keys.has(nodeId)) {
      this.#reject(atMs, nodeId, path, "unknown-node", `no key for node ${nodeId}`);
      this.#onIngest?.({
        nodeId,
        counter: undefined,
        outcome: "rejected",
        reason: "unknown-node",
        path,
        atMs,
      });
      return "rejected";
    }
    let counter: number;
    let frame: ReturnType<FrameVerifier["verify"]>["frame"];
    try {
      ({ counter, frame } = this.#verifier.verify(nodeId, bytes));
    } catch (e) {
      const err = e as ProtocolError;
      if (err instanceof ProtocolError && err.code === "held") {
        this.#heldByPath[path]++;
        this.#onIngest?.({ nodeId, counter: err.value as number, outcome: "held", reason: "", path, atMs });
        return "held";
      }
      if (err instanceof ProtocolError && err.code === "bad-mac") this.#badMac(nodeId, atMs, err.message);
      if (
        err instanceof ProtocolError &&
        err.code === "replayed-counter" &&
        this.#seen(nodeId, err.value, bytes)
      ) {
        this.#duplicatesByPath[path]++;
        this.#onIngest?.({
          nodeId,
          counter: err.value as number,
          outcome: "duplicate",
          reason: "",
          path,
          atMs,
        });
        return "duplicate";
      }
      const reason = err instanceof ProtocolError ? err.code : "internal";
      this.#reject(atMs, nodeId, path, reason, err.message);
      const counter =
        err instanceof ProtocolError && err.code === "replayed-counter" && typeof err.value === "number"
          ? err.value
          : undefined;
      this.#onIngest?.({ nodeId, counter, outcome: "rejected", reason, path, atMs });
      return "rejected";
    }
    const released = this.#verifier.takeReleased(nodeId);
    if (released.length > 0) {
      this.alarms.security.push({
        nodeId,
        kind: "counter-resync",
        count: Math.max(counter, ...released.map((r) => r.counter)),
        atMs,
        message: `node ${nodeId}: counter resynchronised to ${counter} (held frame ${released
          .map((r) => r.counter)
          .join(", ")} confirmed)`,
      });
      for (const r of released) this.#accepted(nodeId, r.counter, r.frame, r.bytes, path, atMs);
    }
    this.#accepted(nodeId, counter, frame, bytes, path, atMs);
    return "accepted";
  }

  /** Bad MACs raise a security event at the 1st, 2nd, 4th, 8th, ... from a node. */
  #badMac(nodeId: string, atMs: number, message: string): void {
    const n = this.#verifier.badMacCount(nodeId);
    if ((n & (n - 1)) !== 0) return;
    this.alarms.security.push({
      nodeId,
      kind: "bad-mac",
      count: n,
      atMs,
      message: `node ${nodeId}: ${n} frame${n === 1 ? "" : "s"} with a bad MAC (last: ${message})`,
    });
  }

  #accepted(
    nodeId: string,
    counter: number,
    frame: Frame,
    bytes: Uint8Array,
    path: FramePath,
    atMs: number,
  ): void {
    this.#remember(nodeId, counter, bytes);
    const highest = this.#verifier.lastCounter(nodeId)!;
    if (highest === counter) this.#counters.save(nodeId, counter);
    this.#acceptedByPath[path]++;
    if (this.#record) {
      this.frames.push({
        atMs,
        nodeId,
        counter,
        type: specForType(frame.type)?.name ?? String(frame.type),
        path,
      });
    }
    if (frame.type === FrameType.Alarm) this.alarms.apply(nodeId, counter, frame as AlarmFrame, atMs, path);
    if (frame.type === FrameType.ConfigRefused && this.configRefusals.length < REJECT_LOG_MAX) {
      const f = frame as ConfigRefusedFrame;
      this.configRefusals.push({
        atMs,
        nodeId,
        counter,
        revision: f.revision,
        param: f.param,
        paramName: CONFIG_PARAMS[f.param]?.name ?? "",
        reason: f.reason,
        reasonName: REFUSAL_NAMES[f.reason] ?? `reason-${f.reason}`,
        value: f.value,
      });
    }
    this.#onIngest?.({ nodeId, counter, outcome: "accepted", reason: "", path, atMs });
  }

  /** Everything the report needs; `labels` adds the latency evaluation (window `windowMs`). */
  results(labels?: readonly AlarmLabel[], windowMs = 30_000): CollectorResults {
    const sum = (r: Record<FramePath, number>): number => r.mqtt + r.lorawan;
    const nodes = new Set<string>([...this.#recent.keys(), ...this.#states.keys()]);
    return {
      framesByPath: { ...this.#framesByPath },
      acceptedByPath: { ...this.#acceptedByPath },
      duplicatesByPath: { ...this.#duplicatesByPath },
      heldByPath: { ...this.#heldByPath },
      accepted: sum(this.#acceptedByPath),
      duplicates: sum(this.#duplicatesByPath),
      rejects: { ...this.#rejects },
      rejectLog: this.#rejectLog.slice(),
      ignored: this.#ignored,
      nodes: [...nodes].sort().map((nodeId) => ({
        nodeId,
        lastCounter: this.#verifier.lastCounter(nodeId),
        state: this.#states.get(nodeId),
      })),
      alarms: this.alarms.events.slice(),
      activeAlarms: this.alarms.active(),
      security: this.alarms.security.slice(),
      configRefusals: this.configRefusals.slice(),
      ...(labels ? { latency: evaluateLatency(this.alarms.events, labels, windowMs) } : {}),
    };
  }

  #chirpstackUp(devEui: string, payload: Uint8Array, atMs: number): IngestOutcome {
    let body: { deviceInfo?: { devEui?: unknown }; data?: unknown; fPort?: unknown };
    try {
      body = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      this.#framesByPath.lorawan++;
      this.#reject(atMs, devEui, "lorawan", "bad-event", `uplink event for ${devEui} is not JSON`);
      return "rejected";
    }
    const problem =
      body?.deviceInfo?.devEui !== devEui
        ? `deviceInfo.devEui ${String(body?.deviceInfo?.devEui)} does not match the topic's ${devEui}`
        : body.fPort !== MINEWATCH_FPORT
          ? `fPort ${String(body.fPort)} is not minewatch's ${MINEWATCH_FPORT}`
          : fromBase64(body.data) === undefined
            ? `data is not base64: ${String(body.data)}`
            : undefined;
    if (problem) {
      this.#framesByPath.lorawan++;
      this.#reject(atMs, devEui, "lorawan", "bad-event", problem);
      return "rejected";
    }
    return this.ingest(devEui, fromBase64(body.data)!, "lorawan", atMs);
  }

  #remember(nodeId: string, counter: number, bytes: Uint8Array): void {
    let m = this.#recent.get(nodeId);
    if (!m) {
      m = new Map();
      this.#recent.set(nodeId, m);
    }
    m.set(counter, bytes.slice());
    if (m.size > this.#window) m.delete(m.keys().next().value!);
  }

  /** Did the collector accept exactly these bytes under this counter (a duplicate, not a replay it forgot)? */
  #seen(nodeId: string, counter: unknown, bytes: Uint8Array): boolean {
    const prev = typeof counter === "number" ? this.#recent.get(nodeId)?.get(counter) : undefined;
    if (!prev || prev.length !== bytes.length) return false;
    for (let i = 0; i < prev.length; i++) if (prev[i] !== bytes[i]) return false;
    return true;
  }

  #reject(atMs: number, nodeId: string, path: FramePath, reason: string, message: string): void {
    this.#rejects[reason] = (this.#rejects[reason] ?? 0) + 1;
    if (this.#rejectLog.length < REJECT_LOG_MAX)
      this.#rejectLog.push({ atMs, nodeId, path, reason, message });
  }
}
