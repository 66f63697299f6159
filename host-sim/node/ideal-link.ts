/**
 * An ideal network link for simulated nodes: every frame handed to it is delivered to the far side and
 * acknowledged `latencyMs` later on the virtual clock, unless the link is down (`setUp(false)`: an outage),
 * in which case frames in flight are kept and delivered when it comes back, as a persistent MQTT session
 * would. The far side sees each frame once per send (a re-send after a reboot arrives again: the counter
 * inside lets the receiver drop it). Downlinks are injected with `downlink()`.
 * It stands in for the radio or broker where a test is about the runtime, not the network; the MQTT path
 * over a real broker is host-sim/mqtt + firmware/node/runtime/mqtt-link.ts. No Node APIs.
 */
import type { Transport, TransportCounters, TransportEvents } from "../../firmware/node/transport.js";
import type { VirtualClock } from "../clock.js";

export interface Delivered {
  atMs: number;
  frameType: number;
  bytes: Uint8Array;
}

export class IdealLink implements Transport {
  readonly name: string;
  readonly delivered: Delivered[] = [];
  readonly counters: TransportCounters = { txCount: 0, txFailCount: 0, rxCount: 0 };
  /** Frames taken and not yet acknowledged: [tag, frameType, bytes]. */
  #held: { tag: number; frameType: number; bytes: Uint8Array; timer: number }[] = [];
  #events: TransportEvents | undefined;
  #clock: VirtualClock;
  #latencyMs: number;
  #maxInFlight: number;
  #up: boolean;
  #running = false;

  /** Keep a copy of every delivered frame in `delivered` (default true; off for long heap measurements). */
  readonly record: boolean;
  /** Frames delivered (acknowledged). */
  deliveredCount = 0;

  constructor(
    clock: VirtualClock,
    options: { latencyMs?: number; maxInFlight?: number; up?: boolean; name?: string; record?: boolean } = {},
  ) {
    this.#clock = clock;
    this.record = options.record ?? true;
    this.#latencyMs = options.latencyMs ?? 5;
    this.#maxInFlight = options.maxInFlight ?? 8;
    this.#up = options.up ?? true;
    this.name = options.name ?? "mqtt";
  }

  attach(events: TransportEvents): void {
    this.#events = events;
  }

  start(): void {
    this.#running = true;
    if (this.#up) this.#events?.onConnection(true);
  }

  stop(): void {
    this.#running = false;
    for (const h of this.#held) if (h.timer >= 0) this.#clock.clearTimer(h.timer);
    this.#held = [];
  }

  get connected(): boolean {
    return this.#running && this.#up;
  }

  get canSend(): boolean {
    return this.connected && this.#held.length < this.#maxInFlight;
  }

  send(frameType: number, bytes: Uint8Array, tag: number): boolean {
    if (!this.canSend) return false;
    const h = { tag, frameType, bytes, timer: -1 };
    this.#held.push(h);
    this.counters.txCount++;
    this.#schedule(h);
    return true;
  }

  /** Takes the link down (frames in flight wait) or brings it back (they are delivered, then acked). */
  setUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    if (!up) {
      for (const h of this.#held) {
        if (h.timer >= 0) this.#clock.clearTimer(h.timer);
        h.timer = -1;
      }
      this.#events?.onConnection(false);
      return;
    }
    for (const h of this.#held) {
      this.counters.txCount++;
      this.counters.txFailCount++;
      this.#schedule(h);
    }
    if (this.#running) this.#events?.onConnection(true);
  }

  /** A downlink from the far side, arriving `latencyMs` from now. */
  downlink(frameType: number, bytes: Uint8Array): void {
    this.#clock.setTimer(() => {
      this.counters.rxCount++;
      this.#events?.onDownlink(frameType, bytes);
    }, this.#latencyMs);
  }

  #schedule(h: { tag: number; frameType: number; bytes: Uint8Array; timer: number }): void {
    h.timer = this.#clock.setTimer(() => {
      h.timer = -1;
      const i = this.#held.indexOf(h);
      if (i < 0) return;
      this.#held.splice(i, 1);
      this.deliveredCount++;
      if (this.record)
        this.delivered.push({ atMs: this.#clock.now(), frameType: h.frameType, bytes: h.bytes.slice() });
      this.#events?.onAck(h.tag);
    }, this.#latencyMs);
  }
}
