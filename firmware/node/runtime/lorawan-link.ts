/**
 * The LoRaWAN transport (firmware/node/transports/lorawan.ts, an AT-command modem) as a runtime Transport,
 * with minewatch's LoRaWAN delivery policy (protocol/SPEC.md "LoRaWAN delivery"):
 *
 * - Every frame goes up as a CONFIRMED uplink, and leaves the outbox only on the network's ACK
 *   (`onAck`). The modem's "Done" after an unconfirmed uplink only says the radio transmitted: nothing
 *   proves the frame arrived, and the protocol has no collector-ack downlink (its downlinks are config,
 *   alarm-ack, time-sync), so an unconfirmed frame could never be let go without risking a loss the
 *   budget forbids ("frames lost across radio loss: 0").
 * - A confirmed uplink the network did not acknowledge after the modem's NbTrials (AT+RETRY) comes back as
 *   `onFailed(tag, "no-ack")`: the link keeps the frame (the contract: a taken frame is held until its ack)
 *   and hands it to the modem again after RETRY_DELAY_MS, ahead of new frames (the transport orders its
 *   queue by priority: an alarm stays first). Meanwhile `canSend` is false, so the outbox holds the rest.
 *   It is retried until acknowledged; after a reboot the outbox sends it again with the same counter.
 * - The duty-cycle law and the payload limit stay the transport's business: a retry waits for the band.
 * Counters: txCount = uplinks handed to the modem (first sends and retries), txFailCount = confirmed
 * uplinks that ended without an ACK, rxCount = downlinks.
 * The one LoRaWAN adapter: firmware/main.ts (through transports-from-config.ts) and the simulator
 * (host-sim/sim/lorawan-link.ts) both use this class.
 */
import type { Clock, TimerId } from "../clock.js";
import type { Transport, TransportCounters, TransportEvents } from "../transport.js";
import { LoRaWanTransport, type LoRaWanTransportOptions } from "../transports/lorawan.js";

/** Pause after an unacknowledged confirmed uplink before it is handed to the modem again, ms. */
export const RETRY_DELAY_MS = 1000;
/** Frames the link hands to the modem queue at most (the transport's own queue holds 16 by default). */
const MAX_IN_MODEM = 8;

export type LoRaWanLinkOptions = Omit<
  LoRaWanTransportOptions,
  "onAck" | "onSent" | "onFailed" | "onDownlink" | "onJoin"
>;

export class LoRaWanLink implements Transport {
  readonly name = "lorawan";
  readonly lorawan: LoRaWanTransport;
  #events: TransportEvents | undefined;
  readonly #counters: TransportCounters = { txCount: 0, txFailCount: 0, rxCount: 0 };
  readonly #clock: Clock;
  /** Frames taken and not yet acknowledged, by tag (type and bytes: a retry sends the same bytes). */
  readonly #held = new Map<number, { frameType: number; bytes: Uint8Array }>();
  readonly #retry: number[] = [];
  #retryTimer: TimerId | undefined;
  readonly #retryTask: () => void;

  constructor(options: LoRaWanLinkOptions) {
    this.#clock = options.clock;
    this.#retryTask = () => {
      this.#retryTimer = undefined;
      this.#flushRetries();
    };
    this.lorawan = new LoRaWanTransport({
      ...options,
      onAck: (tag) => this.#onAck(tag),
      onFailed: (tag) => this.#onFailed(tag),
      onJoin: (joined) => this.#events?.onConnection(joined),
      onDownlink: (_fPort, bytes) => {
        this.#counters.rxCount++;
        // The frame's type is the low nibble of its first byte (protocol/SPEC.md "Frame layout").
        this.#events?.onDownlink(bytes[0]! & 0x0f, bytes);
      },
    });
  }

  attach(events: TransportEvents): void {
    this.#events = events;
  }

  start(): void {
    this.lorawan.start();
  }

  stop(): void {
    if (this.#retryTimer !== undefined) this.#clock.clearTimer(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#retry.length = 0;
    this.#held.clear();
    this.lorawan.stop();
  }

  get connected(): boolean {
    return this.lorawan.joined;
  }

  get canSend(): boolean {
    return this.lorawan.joined && this.#retry.length === 0 && this.lorawan.queued < MAX_IN_MODEM;
  }

  get counters(): TransportCounters {
    return this.#counters;
  }

  /** Unacknowledged frames this link holds (sent or waiting for a retry). */
  get holding(): number {
    return this.#held.size;
  }

  send(frameType: number, bytes: Uint8Array, tag: number): boolean {
    if (!this.canSend) return false;
    if (!this.lorawan.send(frameType, bytes, tag, true)) return false;
    this.#held.set(tag, { frameType, bytes });
    this.#counters.txCount++;
    return true;
  }

  #onAck(tag: number): void {
    if (!this.#held.delete(tag)) return;
    this.#events?.onAck(tag);
  }

  #onFailed(tag: number): void {
    if (!this.#held.has(tag)) return;
    this.#counters.txFailCount++;
    this.#retry.push(tag);
    if (this.#retryTimer === undefined)
      this.#retryTimer = this.#clock.setTimer(this.#retryTask, RETRY_DELAY_MS);
  }

  #flushRetries(): void {
    while (this.#retry.length > 0) {
      const tag = this.#retry[0]!;
      const h = this.#held.get(tag);
      if (h) {
        if (!this.lorawan.send(h.frameType, h.bytes, tag, true)) break;
        this.#counters.txCount++;
      }
      this.#retry.shift();
    }
    if (this.#retry.length > 0) this.#retryTimer = this.#clock.setTimer(this.#retryTask, RETRY_DELAY_MS);
    // The queue is open again: let the runtime pump what waited meanwhile.
    else this.#events?.onConnection(this.lorawan.joined);
  }
}
