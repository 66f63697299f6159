/**
 * The node's MQTT transport over an injected ECMA-419 `embedded:network/mqtt/client` class (on the board
 * `device.network.mqtt.io` with `device.network.mqtt` as extra options; in the simulator host-sim's
 * bindMqttClient(gate)). Layout and rules: protocol/SPEC-mqtt.md.
 *
 * - Uplink frames go out as QoS 1 PUBLISH on minewatch/<site>/<nodeId>/up/<frame>; birth and status
 *   retained. A frame is "acknowledged" (onAck(tag)) only on its PUBACK: the outbox deletes a frame then
 *   and not before (MQTT 3.1.1 section 4.3.2: PUBACK means the broker owns the message).
 * - Frames not acknowledged when the connection drops stay here and are re-sent after reconnect with their
 *   original packet id and DUP set (MQTT-4.4.0-1; the session is persistent, clean = false), alarms first.
 * - Last will: retained "offline" QoS 1 on .../state; "online" retained on every connect.
 * - Downlinks: subscribed QoS 1 to .../down/+; delivered as (frame type, bytes).
 * - Reconnect: exponential backoff with jitter (reconnect-backoff.ts), randomness from `random`, time
 *   from the injected Clock; a connect that gets no CONNACK within connectTimeoutMs is abandoned.
 * - Keep-alive is the client's job (ECMA-419: "Transmit keep alive message if configured"); we pass it.
 * Frame bytes are opaque here and are held by reference until acknowledged (the caller must not reuse a
 * buffer before its onAck). Nothing is allocated per frame: fixed slot tables, one reused write options
 * object, topics built once.
 */

import { FRAME_SPECS, FrameType } from "../../../protocol/schema.js";
import {
  checkNodeId,
  checkSite,
  downFilter,
  RETAINED_UP_TYPES,
  STATE_OFFLINE,
  STATE_ONLINE,
  stateTopic,
  TOPIC_ROOT,
  upTopic,
} from "../../../protocol/topics.js";
import type { Clock, TimerId } from "../clock.js";
import { MqttTransportError } from "./mqtt-error.js";
import { type BackoffPolicy, backoffDelayMs, checkBackoff, DEFAULT_BACKOFF } from "./reconnect-backoff.js";

// MQTT 3.1.1 section 2.2.1 control packet types (also the ECMA-419 class's static properties).
const CONNACK = 2;
const PUBACK = 4;
const SUBSCRIBE = 8;
const SUBACK = 9;
const DISCONNECT = 14;

/** Largest fixed header + packet id + topic length prefix of a PUBLISH (section 3.3): 1 + 4 + 2 + 2. */
const PUBLISH_OVERHEAD = 9;

/** What the transport needs of the ECMA-419 client instance. */
export interface MqttClientLike {
  write(data: ArrayBuffer | ArrayBufferView | null, options?: object): number;
  read(count: number): ArrayBuffer | undefined;
  close(): void;
}

/** The ECMA-419 client class (constructor). Callback shapes follow Moddable's implementation. */
export type MqttClientClass = new (options: MqttClientOptions) => MqttClientLike;

export interface MqttClientOptions {
  host: string;
  port: number;
  id: string;
  user?: string;
  password?: string;
  clean: boolean;
  keepalive: number;
  keepAlive: number;
  will: { topic: string; message: string; QoS: number; retain: boolean };
  onControl: (a: unknown, b?: unknown) => void;
  onReadable: (count: number, options: { more: boolean; topic?: string; byteLength?: number }) => void;
  onWritable: (count: number) => void;
  onError: (reason?: unknown) => void;
  [extra: string]: unknown;
}

export interface MqttTransportOptions {
  Client: MqttClientClass;
  /** Spread into the client's options first: on the board `device.network.mqtt` (dns, socket). */
  clientOptions?: Record<string, unknown>;
  clock: Clock;
  /** Uniform in [0, 1): the seeded PRNG in the simulator, the hardware RNG on the board. */
  random: () => number;
  host: string;
  port?: number;
  site: string;
  /** EUI-64, 16 lowercase hex digits. */
  nodeId: string;
  /** Default `mw-<nodeId>`; the broker requires user name = client id for node accounts. */
  clientId?: string;
  user?: string;
  password?: string;
  /** Default 60 s. */
  keepAliveMs?: number;
  /** Default 30 s (Moddable's client uses the same bound for its TCP connect). */
  connectTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Frames held awaiting PUBACK at most; default 16. */
  maxInFlight?: number;
  onAck?: (tag: number) => void;
  onDownlink?: (frameType: number, bytes: Uint8Array) => void;
  onConnection?: (connected: boolean) => void;
}

/** Counters, updated in place (read them any time; nothing is allocated to report them). */
export interface MqttStats {
  /** Frames written for the first time. */
  published: number;
  /** Frames written again after a reconnect (DUP). */
  resent: number;
  /** Frames acknowledged by PUBACK (each once). */
  acked: number;
  /** Connects that succeeded after the first one. */
  reconnects: number;
  connectAttempts: number;
  connectFailures: number;
  downlinks: number;
  /** Downlinks on a topic we do not know (dropped). */
  downlinksIgnored: number;
  /** SUBACK 0x80: the broker refused our downlink subscription (an ACL problem). */
  subscribeRefused: number;
}

const FREE = 0;
const QUEUED = 1;
const SENT = 2;

export class MqttTransport {
  readonly stats: MqttStats = {
    published: 0,
    resent: 0,
    acked: 0,
    reconnects: 0,
    connectAttempts: 0,
    connectFailures: 0,
    downlinks: 0,
    downlinksIgnored: 0,
    subscribeRefused: 0,
  };
  /** Why the last connection failed or dropped ("" if never). */
  lastError = "";

  #o: MqttTransportOptions;
  #backoff: BackoffPolicy;
  #port: number;
  #clientId: string;
  #keepAliveMs: number;
  #connectTimeoutMs: number;
  #upTopics: string[] = [];
  /** 1 at the index of each retained uplink frame type. */
  #retained = new Uint8Array(16);
  #stateTopic: string;
  #downFilter: string;
  #downPrefix: string;
  #online: Uint8Array;
  #offline: Uint8Array;

  #client: MqttClientLike | undefined;
  #connected = false;
  #everConnected = false;
  #running = false;
  #attempt = 0;
  #writable = 0;
  #retryTimer: TimerId | undefined;
  #connectTimer: TimerId | undefined;
  #needState = false;
  #needSubscribe = false;
  #nextPacketId = 0;
  #orderSeq = 0;

  // Slot table, preallocated (maxInFlight entries).
  #bytes: (Uint8Array | undefined)[];
  #tag: Float64Array;
  #order: Float64Array;
  #type: Uint8Array;
  #state: Uint8Array;
  #packetId: Uint16Array;
  #dup: Uint8Array;
  #pub = { topic: "", QoS: 1, retain: false, id: 0, duplicate: false };

  // Downlink being read (fragments).
  #rxType = -1;
  #rxBuf: Uint8Array | undefined;
  #rxHave = 0;

  constructor(options: MqttTransportOptions) {
    const o = options;
    if (typeof o?.Client !== "function") {
      throw new MqttTransportError(
        "bad-option",
        "MQTT transport: Client must be the MQTT client class",
        o?.Client,
      );
    }
    if (typeof o.host !== "string" || o.host.length === 0) {
      throw new MqttTransportError(
        "bad-option",
        `MQTT transport: host must be a non-empty string, got ${o.host}`,
        o.host,
      );
    }
    this.#port = checkInt("port", o.port ?? 1883, 1, 65535);
    this.#keepAliveMs = checkInt("keepAliveMs", o.keepAliveMs ?? 60_000, 0, 65_535_000);
    this.#connectTimeoutMs = checkInt("connectTimeoutMs", o.connectTimeoutMs ?? 30_000, 100, 600_000);
    const slots = checkInt("maxInFlight", o.maxInFlight ?? 16, 1, 1024);
    this.#backoff = checkBackoff(o.backoff ?? DEFAULT_BACKOFF);
    checkSite(o.site);
    checkNodeId(o.nodeId);
    this.#o = o;
    this.#clientId = o.clientId ?? `mw-${o.nodeId}`;
    for (const spec of FRAME_SPECS) {
      if (spec.direction === "up") this.#upTopics[spec.type] = upTopic(o.site, o.nodeId, spec.type);
    }
    for (const type of RETAINED_UP_TYPES) this.#retained[type] = 1;
    this.#stateTopic = stateTopic(o.site, o.nodeId);
    this.#downFilter = downFilter(o.site, o.nodeId);
    this.#downPrefix = `${TOPIC_ROOT}/${o.site}/${o.nodeId}/down/`;
    this.#online = ascii(STATE_ONLINE);
    this.#offline = ascii(STATE_OFFLINE);
    this.#bytes = new Array(slots).fill(undefined);
    this.#tag = new Float64Array(slots);
    this.#order = new Float64Array(slots);
    this.#type = new Uint8Array(slots);
    this.#state = new Uint8Array(slots);
    this.#packetId = new Uint16Array(slots);
    this.#dup = new Uint8Array(slots);
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Frames held (queued or awaiting PUBACK). */
  get inFlight(): number {
    let n = 0;
    for (let i = 0; i < this.#state.length; i++) if (this.#state[i] !== FREE) n++;
    return n;
  }

  /** True when `send` would accept a frame. */
  get canSend(): boolean {
    return this.#freeSlot() >= 0;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  /**
   * Takes an uplink frame; `tag` comes back through onAck on its PUBACK. Returns false (frame not taken)
   * when maxInFlight frames are held: offer it again after the next onAck.
   */
  send(frameType: number, bytes: Uint8Array, tag: number): boolean {
    if (this.#upTopics[frameType] === undefined) {
      throw new MqttTransportError(
        "bad-frame-type",
        `MQTT transport: frame type ${frameType} is not an uplink`,
        frameType,
      );
    }
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw new MqttTransportError(
        "bad-frame",
        "MQTT transport: a frame must be a non-empty Uint8Array",
        bytes,
      );
    }
    const i = this.#freeSlot();
    if (i < 0) return false;
    this.#bytes[i] = bytes;
    this.#tag[i] = tag;
    this.#type[i] = frameType;
    this.#order[i] = this.#orderSeq++;
    this.#state[i] = QUEUED;
    this.#packetId[i] = 0;
    this.#dup[i] = 0;
    this.#pump();
    return true;
  }

  /** Clean shutdown: "offline" retained, DISCONNECT (so the broker does not fire the will), close. */
  stop(): void {
    this.#running = false;
    this.#clearTimers();
    const c = this.#client;
    const wasConnected = this.#connected;
    if (c && wasConnected) {
      try {
        this.#pub.topic = this.#stateTopic;
        this.#pub.QoS = 0;
        this.#pub.retain = true;
        this.#pub.id = 0;
        this.#pub.duplicate = false;
        c.write(this.#offline, this.#pub);
        c.write(null, { operation: DISCONNECT });
      } catch {
        // closing anyway
      }
    }
    this.#drop();
    if (wasConnected) this.#o.onConnection?.(false);
  }

  #connect(): void {
    this.#retryTimer = undefined;
    if (!this.#running) return;
    this.stats.connectAttempts++;
    const o = this.#o;
    const options: MqttClientOptions = {
      ...o.clientOptions,
      host: o.host,
      port: this.#port,
      id: this.#clientId,
      user: o.user ?? this.#clientId,
      clean: false,
      // Moddable's implementation reads `keepalive`; @moddable/typings spells it `keepAlive`.
      keepalive: this.#keepAliveMs,
      keepAlive: this.#keepAliveMs,
      will: { topic: this.#stateTopic, message: STATE_OFFLINE, QoS: 1, retain: true },
      onControl: (a, b) => this.#onControl((typeof a === "number" ? b : a) as ControlLike),
      onReadable: (count, info) => this.#onReadable(count, info),
      onWritable: (count) => this.#onWritable(count),
      onError: (reason) => this.#lost(reason),
    };
    if (o.password !== undefined) options.password = o.password;
    this.#connectTimer = this.#o.clock.setTimer(() => {
      this.#connectTimer = undefined;
      if (!this.#connected) this.#lost("connect timeout");
    }, this.#connectTimeoutMs);
    try {
      this.#client = new o.Client(options);
    } catch (e) {
      this.#lost(e);
    }
  }

  #onControl(msg: ControlLike | undefined): void {
    if (!msg) return;
    switch (msg.operation) {
      case CONNACK:
        if (msg.returnCode) {
          this.#lost(`connection refused, return code ${msg.returnCode}`);
          return;
        }
        this.#connected = true;
        if (this.#connectTimer !== undefined) this.#o.clock.clearTimer(this.#connectTimer);
        this.#connectTimer = undefined;
        if (this.#everConnected) this.stats.reconnects++;
        this.#everConnected = true;
        this.#attempt = 0;
        this.#needState = true;
        this.#needSubscribe = true;
        this.#o.onConnection?.(true);
        this.#pump();
        return;
      case PUBACK:
        this.#acked(msg.id ?? 0);
        return;
      case SUBACK: {
        const granted = msg.payload?.[0];
        if (granted === 0x80) {
          this.stats.subscribeRefused++;
          this.lastError = `downlink subscription refused: ${this.#downFilter}`;
        }
        return;
      }
    }
  }

  #acked(id: number): void {
    const s = this.#state;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === SENT && this.#packetId[i] === id) {
        const tag = this.#tag[i]!;
        s[i] = FREE;
        this.#bytes[i] = undefined;
        this.stats.acked++;
        this.#o.onAck?.(tag);
        this.#pump();
        return;
      }
    }
  }

  #onWritable(count: number): void {
    this.#writable = count;
    this.#pump();
  }

  #onReadable(count: number, info: { more: boolean; topic?: string; byteLength?: number }): void {
    const c = this.#client;
    if (!c) return;
    if (info.topic !== undefined) {
      this.#rxType = this.#downType(info.topic);
      this.#rxBuf = this.#rxType >= 0 ? new Uint8Array(info.byteLength ?? count) : undefined;
      this.#rxHave = 0;
    }
    const chunk = c.read(count);
    const buf = this.#rxBuf;
    if (buf && chunk) {
      const n = Math.min(chunk.byteLength, buf.length - this.#rxHave);
      buf.set(new Uint8Array(chunk, 0, n), this.#rxHave);
      this.#rxHave += n;
    }
    if (info.more) return;
    if (buf && this.#rxHave === buf.length) {
      this.stats.downlinks++;
      this.#o.onDownlink?.(this.#rxType, buf);
    } else {
      this.stats.downlinksIgnored++;
    }
    this.#rxBuf = undefined;
    this.#rxType = -1;
  }

  #downType(topic: string): number {
    if (!topic.startsWith(this.#downPrefix)) return -1;
    const name = topic.slice(this.#downPrefix.length);
    for (const spec of FRAME_SPECS) if (spec.direction === "down" && spec.name === name) return spec.type;
    return -1;
  }

  /** Writes whatever is due while the client says there is room: state, subscription, alarms, the rest. */
  #pump(): void {
    const c = this.#client;
    if (!c || !this.#connected) return;
    try {
      if (this.#needState) {
        if (!this.#fits(this.#stateTopic, this.#online.length)) return;
        this.#publish(c, this.#stateTopic, this.#online, true, this.#newPacketId(), false);
        this.#needState = false;
      }
      if (this.#needSubscribe) {
        if (this.#writable < PUBLISH_OVERHEAD + this.#downFilter.length + 1) return;
        this.#writable = c.write(null, {
          operation: SUBSCRIBE,
          id: this.#newPacketId(),
          items: [{ topic: this.#downFilter, QoS: 1 }],
        });
        this.#needSubscribe = false;
      }
      for (;;) {
        const i = this.#nextQueued();
        if (i < 0) return;
        const bytes = this.#bytes[i]!;
        const topic = this.#upTopics[this.#type[i]!]!;
        if (!this.#fits(topic, bytes.length)) return;
        if (this.#packetId[i] === 0) this.#packetId[i] = this.#newPacketId();
        const dup = this.#dup[i] === 1;
        this.#publish(c, topic, bytes, this.#retained[this.#type[i]!] === 1, this.#packetId[i]!, dup);
        this.#state[i] = SENT;
        this.#dup[i] = 1;
        if (dup) this.stats.resent++;
        else this.stats.published++;
      }
    } catch (e) {
      this.#lost(e);
    }
  }

  #fits(topic: string, payloadBytes: number): boolean {
    return PUBLISH_OVERHEAD + topic.length + payloadBytes <= this.#writable;
  }

  #publish(
    c: MqttClientLike,
    topic: string,
    bytes: Uint8Array,
    retain: boolean,
    id: number,
    dup: boolean,
  ): void {
    const p = this.#pub;
    p.topic = topic;
    p.QoS = 1;
    p.retain = retain;
    p.id = id;
    p.duplicate = dup;
    this.#writable = c.write(bytes, p);
  }

  /** Next frame to write: alarms first (the alarm policy: an alarm goes ahead of everything), then in order. */
  #nextQueued(): number {
    let best = -1;
    let bestAlarm = false;
    const s = this.#state;
    for (let i = 0; i < s.length; i++) {
      if (s[i] !== QUEUED) continue;
      const alarm = this.#type[i] === FrameType.Alarm;
      if (
        best < 0 ||
        (alarm && !bestAlarm) ||
        (alarm === bestAlarm && this.#order[i]! < this.#order[best]!)
      ) {
        best = i;
        bestAlarm = alarm;
      }
    }
    return best;
  }

  #freeSlot(): number {
    const s = this.#state;
    for (let i = 0; i < s.length; i++) if (s[i] === FREE) return i;
    return -1;
  }

  /** Packet ids 1..65535, skipping any still held by a frame awaiting PUBACK (MQTT 3.1.1 section 2.3.1). */
  #newPacketId(): number {
    for (;;) {
      this.#nextPacketId = (this.#nextPacketId % 65535) + 1;
      let used = false;
      for (let i = 0; i < this.#state.length; i++) {
        if (this.#state[i] !== FREE && this.#packetId[i] === this.#nextPacketId) used = true;
      }
      if (!used) return this.#nextPacketId;
    }
  }

  /** The connection failed or dropped: keep the frames, back off, try again. */
  #lost(reason: unknown): void {
    const wasConnected = this.#connected;
    if (!wasConnected) this.stats.connectFailures++;
    this.lastError = describe(reason);
    this.#drop();
    if (wasConnected) this.#o.onConnection?.(false);
    if (!this.#running) return;
    this.#clearTimers();
    const delay = backoffDelayMs(this.#attempt, this.#backoff, this.#o.random);
    this.#attempt++;
    this.#retryTimer = this.#o.clock.setTimer(() => this.#connect(), delay);
  }

  #drop(): void {
    if (this.#connectTimer !== undefined) this.#o.clock.clearTimer(this.#connectTimer);
    this.#connectTimer = undefined;
    const c = this.#client;
    this.#client = undefined;
    this.#connected = false;
    this.#writable = 0;
    this.#rxBuf = undefined;
    for (let i = 0; i < this.#state.length; i++) if (this.#state[i] === SENT) this.#state[i] = QUEUED;
    try {
      c?.close();
    } catch {
      // already closed by the client itself
    }
  }

  #clearTimers(): void {
    if (this.#retryTimer !== undefined) this.#o.clock.clearTimer(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}

interface ControlLike {
  operation: number;
  id?: number;
  returnCode?: number;
  payload?: ArrayLike<number>;
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MqttTransportError(
      "bad-option",
      `MQTT transport: ${name} must be an integer ${min}..${max}, got ${value}`,
      value,
    );
  }
  return value;
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

function describe(reason: unknown): string {
  if (typeof reason === "string") return reason;
  if (reason && typeof (reason as { message?: unknown }).message === "string")
    return (reason as Error).message;
  return "connection lost";
}
