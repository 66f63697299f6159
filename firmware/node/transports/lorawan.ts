/**
 * The node's LoRaWAN transport through a UART AT-command modem (Seeed LoRa-E5, driver in lorawan/lora-e5.ts).
 *
 * - Joins by OTAA at start (DevEUI / JoinEUI / AppKey from `keys`, written to the modem before each join;
 *   one not given stays as the modem holds it), with
 *   exponential backoff and jitter between failed joins (equal jitter, reconnect-backoff.ts): a fleet that
 *   lost its gateway does not rejoin in lockstep.
 * - Frames are opaque bytes sent on one FPort (10, protocol/SPEC.md) at a fixed data rate (ADR off: the
 *   payload limit must be known when a frame is accepted). A frame larger than the data rate's maximum
 *   application payload (RP002-1.0.x, protocol/lorawan-regions.ts) is refused at `send` with LoRaWanError
 *   "too-large" naming the size and the limit: it is never cut, and the runtime may split it or use MQTT.
 * - Priority: alarms first, then events, then the rest, oldest first within a class. A confirmed uplink
 *   reports `onAck` when the network's ACK arrives (only then may the outbox drop the frame); an unconfirmed
 *   one reports `onSent` (left the radio, nothing more). `send`'s default confirms alarms only, but the
 *   node's delivery policy (protocol/SPEC.md "LoRaWAN delivery", runtime/lorawan-link.ts) confirms every
 *   frame: with no collector-ack downlink in the protocol, `onSent` could never release a frame safely.
 *   A confirmed uplink that got no ACK after the modem's NbTrials (AT+RETRY) is handed back through
 *   `onFailed(tag, "no-ack")`; the link still holds it and re-submits it.
 * - Duty cycle: the airtime of every uplink (Semtech formula, lorawan/airtime.ts, PHY payload = frame + 13
 *   bytes of LoRaWAN overhead) is charged to the sub-band of the region's default channels, and the next
 *   uplink is held back until the sub-band's off-time has passed (ETSI EN 300 220-2: Toff = Ton/dc - Ton).
 *   Alarms jump the queue but never the law: an alarm waits for the off-time like any frame. We do not move
 *   alarms to the 10 % sub-band (869.4-869.65 MHz): LoRaWAN uses it for RX2 downlinks, the default channel
 *   plan has no uplink channel there, and a channel the network did not configure would not be heard. The
 *   modem keeps its own accounting too; its "No band in N ms" refusal holds the queue for N ms.
 * No allocation per frame: a fixed slot table, timers bound once.
 */
import {
  type DataRate,
  dataRate,
  type Region,
  regionByName,
  subBandIndex,
} from "../../../protocol/lorawan-regions.js";
import { FrameType } from "../../../protocol/schema.js";
import type { Clock, TimerId } from "../clock.js";
import { JOIN_REQUEST_BYTES, LORAWAN_UPLINK_OVERHEAD_BYTES, timeOnAirMs } from "./lorawan/airtime.js";
import { DutyCycle } from "./lorawan/duty-cycle.js";
import { LoRaWanError } from "./lorawan/errors.js";
import {
  checkOtaaKeys,
  E5_MAX_SEND_BYTES,
  E5_RESULT_NAMES,
  E5Op,
  type E5OpCode,
  type E5OtaaKeys,
  E5Result,
  type E5ResultCode,
  LoraE5,
  type LoraE5Options,
} from "./lorawan/lora-e5.js";
import { type BackoffPolicy, backoffDelayMs } from "./reconnect-backoff.js";

export { LoRaWanError } from "./lorawan/errors.js";
export type { E5OtaaKeys } from "./lorawan/lora-e5.js";

export interface LoRaWanTransportOptions {
  serial: LoraE5Options["serial"];
  clock: Clock;
  /** Uniform in [0, 1): the seeded PRNG in the simulator, the hardware RNG on the board. */
  random: () => number;
  region: "EU868" | "RU864";
  /** OTAA identity written to the modem before joining (lorawan/lora-e5.ts E5OtaaKeys). */
  keys?: E5OtaaKeys;
  /** Data-rate index (DR0..DR6), fixed; default DR0 (longest range, 51-byte limit). */
  dataRate?: number;
  /** Default 10 (protocol/SPEC.md). */
  fPort?: number;
  /** Transmissions of a confirmed uplink before the modem gives up (AT+RETRY), 1..15; default 4. */
  confirmedTrials?: number;
  /** Use RP002's repeater-compatible payload limits. Default false. */
  repeaterCompatible?: boolean;
  /** Delay between failed joins; default 15 s doubling to 10 min, equal jitter. */
  joinBackoff?: BackoffPolicy;
  /** Default 20 s (join-accept arrives 5-6 s after a join-request, plus the request's airtime). */
  joinTimeoutMs?: number;
  /** Frames held at most; default 16. */
  maxQueued?: number;
  onAck?: (tag: number) => void;
  onSent?: (tag: number) => void;
  onFailed?: (tag: number, reason: string, value: number) => void;
  onDownlink?: (fPort: number, bytes: Uint8Array) => void;
  onJoin?: (joined: boolean) => void;
}

export interface LoRaWanStats {
  joinAttempts: number;
  joins: number;
  /** Uplinks handed to the modem that it transmitted (each trial of a confirmed uplink counts once). */
  uplinks: number;
  acked: number;
  noAck: number;
  sent: number;
  downlinks: number;
  /** Sends the modem refused with "No band" (our accounting was behind the modem's). */
  modemNoBand: number;
  timeouts: number;
  /** Airtime charged, ms. */
  airtimeMs: number;
}

const FREE = 0;
const QUEUED = 1;
const SENDING = 2;
const DEFAULT_JOIN_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 15_000, maxMs: 600_000 });
/** LoRaWAN 1.0.x class A: RX1 opens 1 s after the uplink, RX2 after 2 s; ACK_TIMEOUT 2 +- 1 s. */
const RX_WINDOWS_AND_ACK_TIMEOUT_MS = 2000 + 3000;
const RETRY_SOON_MS = 1000;

function priority(frameType: number): number {
  return frameType === FrameType.Alarm ? 0 : frameType === FrameType.Event ? 1 : 2;
}

export class LoRaWanTransport {
  readonly stats: LoRaWanStats = {
    joinAttempts: 0,
    joins: 0,
    uplinks: 0,
    acked: 0,
    noAck: 0,
    sent: 0,
    downlinks: 0,
    modemNoBand: 0,
    timeouts: 0,
    airtimeMs: 0,
  };
  readonly region: Region;
  readonly dataRate: number;
  readonly #dr: DataRate;
  readonly #o: LoRaWanTransportOptions;
  readonly #fPort: number;
  readonly #trials: number;
  readonly #joinBackoff: BackoffPolicy;
  readonly #joinTimeoutMs: number;
  readonly #dutyCycle: DutyCycle;
  readonly #band: number;
  readonly #modem: LoraE5;
  #maxPayloadBytes: number;

  #running = false;
  #configured = false;
  #joined = false;
  #joinAttempt = 0;
  #timer: TimerId | undefined;
  #timerAtMs = 0;
  readonly #timerFired = () => {
    this.#timer = undefined; // fired: never clear a timer that has already run (Moddable frees it)
    this.#wake();
  };

  readonly #bytes: (Uint8Array | undefined)[];
  readonly #tag: Float64Array;
  readonly #order: Float64Array;
  readonly #prio: Uint8Array;
  readonly #confirmed: Uint8Array;
  readonly #state: Uint8Array;
  #orderSeq = 0;
  #sending = -1;
  #sendAirtimeMs = 0;

  constructor(options: LoRaWanTransportOptions) {
    const o = options;
    if (!o?.clock || typeof o.random !== "function") {
      throw new LoRaWanError("bad-option", "LoRaWAN transport: clock and random are required", o?.clock);
    }
    this.region = regionByName(o.region);
    checkOtaaKeys(o.keys);
    this.dataRate = o.dataRate ?? 0;
    this.#dr = dataRate(this.region, this.dataRate);
    this.#fPort = checkInt("fPort", o.fPort ?? 10, 1, 223); // LoRaWAN 1.0.x: 224..255 are reserved
    this.#trials = checkInt("confirmedTrials", o.confirmedTrials ?? 4, 1, 15);
    this.#joinTimeoutMs = checkInt("joinTimeoutMs", o.joinTimeoutMs ?? 20_000, 1000, 600_000);
    const slots = checkInt("maxQueued", o.maxQueued ?? 16, 1, 1024);
    this.#joinBackoff = o.joinBackoff ?? DEFAULT_JOIN_BACKOFF;
    if (!(this.#joinBackoff.initialMs >= 1 && this.#joinBackoff.maxMs >= this.#joinBackoff.initialMs)) {
      throw new LoRaWanError(
        "bad-option",
        "LoRaWAN transport: joinBackoff needs 1 <= initialMs <= maxMs",
        o.joinBackoff,
      );
    }
    const limit = o.repeaterCompatible ? this.#dr.maxAppPayloadRepeaterBytes : this.#dr.maxAppPayloadBytes;
    this.#maxPayloadBytes = Math.min(limit, E5_MAX_SEND_BYTES);
    this.#dutyCycle = new DutyCycle(this.region);
    this.#band = subBandIndex(this.region, this.region.defaultChannelsHz[0]!);
    for (const hz of this.region.defaultChannelsHz) {
      // One sub-band for all default channels makes the hold-back exact whichever channel the modem picks.
      if (subBandIndex(this.region, hz) !== this.#band) {
        throw new LoRaWanError("bad-option", `${this.region.name}: default channels span sub-bands`, hz);
      }
    }
    this.#o = o;
    this.#bytes = new Array(slots).fill(undefined);
    this.#tag = new Float64Array(slots);
    this.#order = new Float64Array(slots);
    this.#prio = new Uint8Array(slots);
    this.#confirmed = new Uint8Array(slots);
    this.#state = new Uint8Array(slots);
    this.#modem = new LoraE5({
      serial: o.serial,
      clock: o.clock,
      onResult: (op, result, value) => this.#result(op, result, value),
      onTxStart: () => this.#txStart(),
      onDownlink: (port, bytes) => {
        this.stats.downlinks++;
        this.#o.onDownlink?.(port, bytes);
      },
    });
  }

  /** Largest frame `send` accepts at the current data rate, bytes. */
  get maxPayloadBytes(): number {
    return this.#maxPayloadBytes;
  }

  get joined(): boolean {
    return this.#joined;
  }

  get queued(): number {
    let n = 0;
    for (let i = 0; i < this.#state.length; i++) if (this.#state[i] !== FREE) n++;
    return n;
  }

  /** Time before which the duty cycle forbids the next uplink. */
  get nextUplinkAtMs(): number {
    return this.#dutyCycle.freeAtMs(this.#band);
  }

  /** Time on air of a frame of `sizeBytes` at the current data rate, ms. */
  airtimeMs(sizeBytes: number): number {
    return timeOnAirMs(sizeBytes + LORAWAN_UPLINK_OVERHEAD_BYTES, this.#dr);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#wake();
  }

  /**
   * Queues a frame. Throws LoRaWanError "too-large" if it exceeds the data rate's payload limit (never cut),
   * "bad-frame" if it is not a non-empty Uint8Array. Returns false if the queue is full. `bytes` is held by
   * reference until onAck / onSent / onFailed for `tag`.
   */
  send(
    frameType: number,
    bytes: Uint8Array,
    tag: number,
    confirmed = frameType === FrameType.Alarm,
  ): boolean {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw new LoRaWanError("bad-frame", "LoRaWAN send: frame must be a non-empty Uint8Array", bytes);
    }
    if (bytes.length > this.#maxPayloadBytes) {
      throw new LoRaWanError(
        "too-large",
        `LoRaWAN send: frame of ${bytes.length} bytes exceeds the ${this.#maxPayloadBytes}-byte limit of ` +
          `${this.region.name} DR${this.dataRate}`,
        { sizeBytes: bytes.length, limitBytes: this.#maxPayloadBytes, dataRate: this.dataRate },
      );
    }
    let slot = -1;
    for (let i = 0; i < this.#state.length; i++) {
      if (this.#state[i] === FREE) {
        slot = i;
        break;
      }
    }
    if (slot < 0) return false;
    this.#bytes[slot] = bytes;
    this.#tag[slot] = tag;
    this.#order[slot] = this.#orderSeq++;
    this.#prio[slot] = priority(frameType);
    this.#confirmed[slot] = confirmed ? 1 : 0;
    this.#state[slot] = QUEUED;
    if (this.#running && this.#modem.op === E5Op.None) this.#wake();
    return true;
  }

  stop(): void {
    this.#running = false;
    this.#clearTimer();
    this.#modem.close();
  }

  #wake(): void {
    this.#clearTimer();
    if (!this.#running || this.#modem.op !== E5Op.None) return;
    if (!this.#configured) {
      this.#modem.configure(this.region.name, this.dataRate, this.#fPort, this.#trials, this.#o.keys);
      return;
    }
    const now = this.#o.clock.now();
    const wait = this.#dutyCycle.waitMs(this.#band, now);
    if (!this.#joined) {
      // A join-request is a transmission like any other: it waits for the band (LoRaWAN 1.0.x section 7
      // join back-off is then met too: at 1 % a node cannot exceed 36 s of airtime per hour).
      if (wait > 0) {
        this.#wakeAt(now + wait);
        return;
      }
      this.stats.joinAttempts++;
      this.#modem.join(this.#joinTimeoutMs);
      return;
    }
    const slot = this.#next();
    if (slot < 0) return;
    if (wait > 0) {
      this.#wakeAt(now + wait);
      return;
    }
    const bytes = this.#bytes[slot]!;
    const confirmed = this.#confirmed[slot] === 1;
    this.#state[slot] = SENDING;
    this.#sending = slot;
    this.#sendAirtimeMs = this.airtimeMs(bytes.length);
    const trials = confirmed ? this.#trials : 1;
    const timeoutMs = trials * (this.#sendAirtimeMs + RX_WINDOWS_AND_ACK_TIMEOUT_MS) + 5000;
    this.#modem.send(bytes, bytes.length, confirmed, timeoutMs);
  }

  #next(): number {
    let best = -1;
    for (let i = 0; i < this.#state.length; i++) {
      if (this.#state[i] !== QUEUED) continue;
      if (
        best < 0 ||
        this.#prio[i]! < this.#prio[best]! ||
        (this.#prio[i] === this.#prio[best] && this.#order[i]! < this.#order[best]!)
      ) {
        best = i;
      }
    }
    return best;
  }

  #txStart(): void {
    // "Start": the modem is about to transmit; charge the airtime now (a little late, so conservative).
    const now = this.#o.clock.now();
    if (this.#modem.op === E5Op.Join) {
      // The join-request counts against the same sub-band (the modem sends it on a default channel).
      const joinMs = timeOnAirMs(JOIN_REQUEST_BYTES, this.#dr);
      this.#dutyCycle.record(this.#band, now, joinMs);
      this.stats.airtimeMs += joinMs;
      return;
    }
    this.#dutyCycle.record(this.#band, now, this.#sendAirtimeMs);
    this.stats.uplinks++;
    this.stats.airtimeMs += this.#sendAirtimeMs;
  }

  #result(op: E5OpCode, result: E5ResultCode, value: number): void {
    if (!this.#running) return;
    const now = this.#o.clock.now();
    if (op === E5Op.Configure) {
      if (result === E5Result.Ok) {
        this.#configured = true;
        this.#wake();
      } else {
        this.#retryJoinLater(now);
      }
      return;
    }
    if (op === E5Op.Join) {
      if (result === E5Result.Joined) {
        this.#joined = true;
        this.#joinAttempt = 0;
        this.stats.joins++;
        this.#o.onJoin?.(true);
        this.#wake();
      } else {
        if (result === E5Result.Timeout) this.#configured = false;
        this.#retryJoinLater(now);
      }
      return;
    }
    const slot = this.#sending;
    this.#sending = -1;
    if (slot < 0) return;
    const tag = this.#tag[slot]!;
    switch (result) {
      case E5Result.Acked:
        this.stats.acked++;
        this.#free(slot);
        this.#o.onAck?.(tag);
        break;
      case E5Result.Sent:
        this.stats.sent++;
        this.#free(slot);
        this.#o.onSent?.(tag);
        break;
      case E5Result.NoAck: {
        // Every trial went on air: charge the ones after the first ("Start" charged the first).
        const extra = (this.#trials - 1) * this.#sendAirtimeMs;
        this.#dutyCycle.record(this.#band, now - extra, extra + this.#sendAirtimeMs);
        this.stats.airtimeMs += extra;
        this.stats.uplinks += this.#trials - 1;
        this.stats.noAck++;
        this.#free(slot);
        this.#o.onFailed?.(tag, "no-ack", this.#trials);
        break;
      }
      case E5Result.LengthError:
        // The modem's limit is lower than the table's (it changed data rate): refuse, never cut.
        if (value > 0 && value < this.#maxPayloadBytes) this.#maxPayloadBytes = value;
        this.#free(slot);
        this.#o.onFailed?.(tag, "too-large", value);
        break;
      case E5Result.NoBand:
        this.stats.modemNoBand++;
        this.#dutyCycle.holdUntil(this.#band, now + value);
        this.#state[slot] = QUEUED;
        break;
      case E5Result.NotJoined:
        this.#joined = false;
        this.#o.onJoin?.(false);
        this.#state[slot] = QUEUED;
        break;
      case E5Result.Busy:
      case E5Result.NoFreeChannel:
        this.#state[slot] = QUEUED;
        this.#wakeAt(now + RETRY_SOON_MS);
        return;
      case E5Result.Timeout:
        // Modem state unknown: re-run the configuration; the frame stays queued (a duplicate is possible
        // if the modem did send it: the frame counter lets the collector drop it).
        this.stats.timeouts++;
        this.#configured = false;
        this.#state[slot] = QUEUED;
        this.#wakeAt(now + RETRY_SOON_MS);
        return;
      default:
        this.#free(slot);
        this.#o.onFailed?.(tag, E5_RESULT_NAMES[result] ?? "modem-error", value);
    }
    this.#wake();
  }

  #retryJoinLater(now: number): void {
    const delay = backoffDelayMs(this.#joinAttempt++, this.#joinBackoff, this.#o.random);
    this.#wakeAt(now + delay);
  }

  #free(slot: number): void {
    this.#state[slot] = FREE;
    this.#bytes[slot] = undefined;
  }

  #wakeAt(atMs: number): void {
    if (this.#timer !== undefined) {
      if (this.#timerAtMs <= atMs) return;
      this.#o.clock.clearTimer(this.#timer);
    }
    const now = this.#o.clock.now();
    this.#timerAtMs = atMs;
    this.#timer = this.#o.clock.setTimer(this.#timerFired, atMs > now ? atMs - now : 0);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      this.#o.clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
  }
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LoRaWanError(
      "bad-option",
      `LoRaWAN transport: ${name} must be an integer ${min}..${max}, got ${value}`,
      value,
    );
  }
  return value;
}
