/**
 * The simulation's collector (a minimal stand-in until host-sim/collector lands): it subscribes to the
 * site on the broker like the control room's service does (persistent session, QoS 1, reconnect every
 * second on the virtual clock), and takes LoRaWAN frames from the network server stand-in. Each frame is
 * decoded, its MAC verified with the node's key, and deduplicated on the node's counter; the first copy's
 * virtual arrival time is the frame's delivery time. Reconnects back off 1, 2, 4, 4, ... s (each failed
 * attempt is real TCP, so a broker outage of an hour would otherwise cost thousands of attempts); after an
 * outage the collector is back at most 4 s after the broker.
 *
 * A copy is accepted only after the node has handed that counter to a transport (`sentBefore`): a retained
 * message left on an external broker by an earlier run (same seed, same bytes) cannot pass for delivery.
 */
import { macMatches } from "../../protocol/auth.js";
import { decodeFrame } from "../../protocol/decode.js";
import { parseTopic, siteFilter } from "../../protocol/topics.js";
import type { VirtualClock } from "../clock.js";
import { nobleFrameMac } from "../crypto/frame-mac.js";
import type { HostMqttClient } from "../mqtt/client.js";
import type { TransportName } from "./result.js";

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 4000;

export interface CollectedCopy {
  deliveredMs: number;
  via: TransportName;
  duplicates: number;
}

export interface CollectorNode {
  key: Uint8Array;
  /** Virtual time the node first handed this counter (low 16 bits) to a transport, or undefined. */
  sentBefore: (counterLow16: number) => number | undefined;
  /** Delivered frames by counter low 16 bits. */
  readonly frames: Map<number, CollectedCopy>;
  rejected: number;
}

export interface CollectorOptions {
  clock: VirtualClock;
  Client: typeof HostMqttClient;
  host: string;
  port: number;
  site: string;
  clientId: string;
  user: string;
  password: string;
}

export class SimCollector {
  readonly nodes = new Map<string, CollectorNode>();
  /** Messages from nodes this collector does not watch (another shard's), counted only. */
  foreign = 0;
  connected = false;
  #o: CollectorOptions | undefined;
  #client: HostMqttClient | undefined;
  #running = true;
  #clock: VirtualClock;
  #retryMs = RETRY_FIRST_MS;

  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  watch(eui: string, node: CollectorNode): void {
    this.nodes.set(eui, node);
  }

  /** Subscribes to the site over MQTT (call once; reconnects by itself). */
  connect(o: CollectorOptions): void {
    this.#o = o;
    this.#connect();
  }

  #connect(): void {
    const o = this.#o;
    if (!this.#running || !o) return;
    const self = this;
    let chunks: Uint8Array[] = [];
    let topic = "";
    this.#client = new o.Client({
      host: o.host,
      port: o.port,
      id: o.clientId,
      user: o.user,
      password: o.password,
      clean: false,
      keepalive: 0,
      onControl(m) {
        if (m.operation === 2) {
          self.connected = true;
          self.#retryMs = RETRY_FIRST_MS;
          this.write(null, { operation: 8, items: [{ topic: siteFilter(o.site), QoS: 1 }] });
        }
      },
      onReadable(count, info) {
        if (info.topic) {
          topic = info.topic;
          chunks = [];
        }
        chunks.push(new Uint8Array(this.read(count) ?? new ArrayBuffer(0)));
        if (!info.more) self.#fromMqtt(topic, concat(chunks));
      },
      onError() {
        self.connected = false;
        if (!self.#running) return;
        self.#clock.setTimer(() => self.#connect(), self.#retryMs);
        self.#retryMs = Math.min(RETRY_MAX_MS, 2 * self.#retryMs);
      },
    });
  }

  #fromMqtt(topic: string, bytes: Uint8Array): void {
    let t: ReturnType<typeof parseTopic>;
    try {
      t = parseTopic(topic);
    } catch {
      return;
    }
    if (t.kind !== "up") return;
    this.ingest(t.nodeId, bytes, "mqtt");
  }

  /** A frame from `eui` reached the collector now (MQTT or the LoRaWAN network server). */
  ingest(eui: string, bytes: Uint8Array, via: TransportName): void {
    const node = this.nodes.get(eui);
    if (!node) {
      this.foreign++;
      return;
    }
    const now = this.#clock.now();
    let counter: number;
    try {
      const d = decodeFrame(bytes);
      counter = d.counterLow16;
      if (counter < 0 || !macMatches(bytes, counter, node.key, nobleFrameMac)) {
        node.rejected++;
        return;
      }
    } catch {
      node.rejected++;
      return;
    }
    const sent = node.sentBefore(counter);
    if (sent === undefined || sent > now) {
      node.rejected++;
      return;
    }
    const seen = node.frames.get(counter);
    if (seen) seen.duplicates++;
    else node.frames.set(counter, { deliveredMs: now, via, duplicates: 0 });
  }

  close(): void {
    this.#running = false;
    this.#client?.close();
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
