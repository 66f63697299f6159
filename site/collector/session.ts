/**
 * A host-side MQTT session on the virtual clock, for the collector and the network server's MQTT
 * integration: the gated ECMA-419 client (host-sim/mqtt/client.ts), so every arrival lands at a
 * deterministic virtual time (host-sim/net/gate.ts rule), with what a long-lived service needs on top:
 * a persistent session (CleanSession 0: the broker queues QoS 1 messages while it is away), subscriptions
 * renewed at each CONNACK, QoS 1 publishes kept until their PUBACK and re-sent with DUP after a reconnect
 * (MQTT 3.1.1 section 4.4), and a reconnect `reconnectMs` after any loss (a broker outage), backing off to
 * `reconnectMaxMs` while the broker stays away.
 */
import type { MqttClientClass, MqttClientLike, SiteClock } from "../ports.js";

export interface MqttSessionOptions {
  /** The gated client class (bindMqttClient(gate)). */
  Client: MqttClientClass;
  clock: SiteClock;
  host: string;
  port: number;
  clientId: string;
  user?: string;
  password?: string;
  /** Filters subscribed at QoS 1 after every CONNACK. */
  subscriptions: readonly string[];
  onMessage?: (topic: string, payload: Uint8Array, atMs: number) => void;
  /** Delay before the first reconnect after a loss (default 1000 ms). */
  reconnectMs?: number;
  /**
   * Each failed attempt doubles the delay up to this (default: reconnectMs, no back-off); a CONNACK resets
   * it. Every attempt is real TCP, so a one-hour outage at a fixed 1 s would cost thousands of them.
   */
  reconnectMaxMs?: number;
}

export interface MqttSessionCounters {
  connects: number;
  connectionLosses: number;
  received: number;
  published: number;
  resent: number;
  acked: number;
  /** Filters the broker refused (SUBACK 0x80). */
  refusedSubscriptions: number;
  lastError: string;
}

const CONNACK = 2;
const PUBLISH = 3;
const PUBACK = 4;
const SUBSCRIBE = 8;
const SUBACK = 9;

export class MqttSession {
  readonly counters: MqttSessionCounters = {
    connects: 0,
    connectionLosses: 0,
    received: 0,
    published: 0,
    resent: 0,
    acked: 0,
    refusedSubscriptions: 0,
    lastError: "",
  };
  readonly #o: MqttSessionOptions;
  #client: MqttClientLike | undefined;
  #connected = false;
  #running = true;
  #nextId = 0;
  #retryMs: number;
  /** QoS 1 publishes not yet acknowledged, by packet id, in send order. */
  #unacked = new Map<number, { topic: string; payload: Uint8Array; sent: boolean }>();

  constructor(options: MqttSessionOptions) {
    this.#o = options;
    this.#retryMs = options.reconnectMs ?? 1000;
    this.#connect();
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Publishes waiting for a PUBACK (or for the connection). */
  get inFlight(): number {
    return this.#unacked.size;
  }

  /** QoS 1 publish; kept and re-sent until the broker acknowledges it. */
  publish(topic: string, payload: Uint8Array): void {
    this.#nextId = (this.#nextId % 65535) + 1;
    const id = this.#nextId;
    const entry = { topic, payload, sent: false };
    this.#unacked.set(id, entry);
    this.counters.published++;
    if (this.#connected) this.#send(id, entry, false);
  }

  close(): void {
    this.#running = false;
    this.#connected = false;
    this.#client?.close();
    this.#client = undefined;
  }

  #send(id: number, entry: { topic: string; payload: Uint8Array; sent: boolean }, dup: boolean): void {
    this.#client!.write(entry.payload, {
      operation: PUBLISH,
      topic: entry.topic,
      QoS: 1,
      id,
      duplicate: dup,
    });
    if (dup) this.counters.resent++;
    entry.sent = true;
  }

  #connect(): void {
    if (!this.#running) return;
    const self = this;
    const o = this.#o;
    let topic = "";
    let parts: Uint8Array[] = [];
    this.#client = new o.Client({
      host: o.host,
      port: o.port,
      id: o.clientId,
      ...(o.user !== undefined ? { user: o.user } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      clean: false,
      keepalive: 0,
      onControl(m) {
        if (m.operation === CONNACK) self.#onConnack();
        else if (m.operation === PUBACK) {
          if (self.#unacked.delete(m.id)) self.counters.acked++;
        } else if (m.operation === SUBACK) {
          for (const code of m.payload ?? []) if (code === 0x80) self.counters.refusedSubscriptions++;
        }
      },
      onReadable(count, info) {
        if (info.topic !== undefined) {
          topic = info.topic;
          parts = [];
        }
        const chunk = this.read(count);
        if (chunk) parts.push(new Uint8Array(chunk));
        if (info.more) return;
        const payload = parts.length === 1 ? parts[0]! : concat(parts);
        self.counters.received++;
        o.onMessage?.(topic, payload, o.clock.now());
      },
      onError(reason) {
        self.#connected = false;
        self.counters.connectionLosses++;
        self.counters.lastError = reason?.message ?? "connection lost";
        if (!self.#running) return;
        o.clock.setTimer(() => self.#connect(), self.#retryMs);
        self.#retryMs = Math.min(Math.max(o.reconnectMaxMs ?? 0, o.reconnectMs ?? 1000), 2 * self.#retryMs);
      },
    });
  }

  #onConnack(): void {
    this.#connected = true;
    this.#retryMs = this.#o.reconnectMs ?? 1000;
    this.counters.connects++;
    const items = this.#o.subscriptions.map((topic) => ({ topic, QoS: 1 }));
    if (items.length > 0) this.#client!.write(null, { operation: SUBSCRIBE, items });
    // Everything not acknowledged goes (again), in its original order; a re-send carries DUP = 1.
    for (const [id, entry] of this.#unacked) this.#send(id, entry, entry.sent);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
