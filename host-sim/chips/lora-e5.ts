/**
 * Model of the Seeed LoRa-E5 / Wio-E5 LoRaWAN modem at its UART, as a SimBoard SerialPeer: it parses AT
 * commands byte by byte as the module does and answers with the module's lines and timing on the virtual
 * clock. Document: Seeed "LoRa-E5 AT Command Specification" V1.0 (RisingHF PS01509-derived; the facts are
 * listed in firmware/node/transports/lorawan/at-protocol.ts).
 *
 * Modelled:
 * - Lines end with LF (CR LF accepted), case-insensitive names, at most 528 characters (else ERROR(-21)),
 *   unknown commands ERROR(-10), bad parameters ERROR(-1); answers `+NAME: ...` CR LF after `replyDelayMs`.
 * - AT, AT+ID (query; set DevEui / AppEui: `AT+ID=DevEui,"hex"` answered `+ID: DevEui, xx:..:xx`),
 *   AT+KEY=APPKEY,"hex" (answered `+KEY: APPKEY HEX`; the key is write-only: no query), AT+MODE, AT+DR (band
 *   and DRn), AT+ADR, AT+PORT, AT+RETRY, AT+CLASS, AT+JOIN, AT+MSGHEX, AT+CMSGHEX. The identity written is
 *   kept (`devEui`, `appEui`, `appKey`) and a set drops the session (the module must join again).
 * - Join: the join-request goes out on a default channel (duty cycle charged); the outcome comes from the
 *   seeded PRNG (`joinSuccessProbability`) or `failNextJoins`; join-accept lines 5 s after the request
 *   (LoRaWAN JOIN_ACCEPT_DELAY1), a failure after 6 s (JOIN_ACCEPT_DELAY2) plus the RX2 window.
 * - Uplinks: refusals as the module words them (not joined, `Length error <max>` for the current data
 *   rate's RP002 limit, `No band in <ms>ms` when every default channel's sub-band is in its off-time, busy);
 *   otherwise `Start`, the transmission (airtime from the Semtech formula, charged to the DutyCycleLedger),
 *   the network sink called with each transmission that reaches the network, and for confirmed uplinks
 *   `Wait ACK`, up to NbTrials (AT+RETRY; < 2 means one) transmissions until an ACK, `ACK Received` or not,
 *   then `Done`. Downlinks queued with `queueDownlink` (or returned by the network sink) arrive in RX1
 *   (1 s after the uplink) as `PORT: p; RX: "HEX"` and `RXWIN1, RSSI .., SNR ..`.
 * Assumed (not in the documents found): the reply delay (5 ms), the exact set-command echoes (`+DR: DR5`
 * followed by the band line, as AT+DR's query prints), RSSI/SNR values, and that a retransmission waits
 * for its sub-band rather than failing.
 */
import {
  LORAWAN_UPLINK_OVERHEAD_BYTES,
  timeOnAirMs,
} from "../../firmware/node/transports/lorawan/airtime.js";
import { EU868, maxAppPayloadBytes, type Region, regionByName } from "../../protocol/lorawan-regions.js";
import type { SerialLine, SerialPeer, SimBoard } from "../board.js";
import type { VirtualClock } from "../clock.js";
import type { Prng } from "../prng.js";
import { JOIN_REQUEST_BYTES } from "../radio/airtime.js";
import { DutyCycleLedger } from "../radio/duty-cycle.js";

export const E5_MAX_COMMAND = 528;
const JOIN_ACCEPT_DELAY1_MS = 5000;
const JOIN_ACCEPT_DELAY2_MS = 6000;
const RECEIVE_DELAY1_MS = 1000;
const RECEIVE_DELAY2_MS = 2000;
/**
 * LoRaWAN 1.0.x ACK_TIMEOUT: a retransmission waits a random 1..3 s after the RX2 window (LoRaWAN 1.0.2
 * section 18.1 "ACK_TIMEOUT 2 +/- 1 s (random delay between 1 and 3 seconds)"). The randomness is what
 * separates two nodes whose first transmissions collided; drawn from the board's seeded PRNG.
 */
const ACK_TIMEOUT_MIN_MS = 1000;
const ACK_TIMEOUT_MAX_MS = 3000;
/** Time the RX2 window stays open waiting for a preamble (the model's assumption). */
const RX_WINDOW_MS = 50;

export interface LoraE5Uplink {
  bytes: Uint8Array;
  fPort: number;
  confirmed: boolean;
  dr: number;
  airtimeMs: number;
  frequencyHz: number;
  fCnt: number;
  /** Transmission number of this uplink (1 = first). */
  trial: number;
  /** Virtual time the transmission ended. */
  atMs: number;
}

export interface LoraE5NetworkReply {
  /** For a confirmed uplink: the network acknowledges (default true). */
  ack?: boolean;
  downlink?: { fPort: number; bytes: Uint8Array };
}

/** Where transmissions go (later: the radio channel model, gateway and network server). */
export type LoraE5Network = (uplink: LoraE5Uplink) => LoraE5NetworkReply | undefined;

export interface LoraE5ModelOptions {
  port: number;
  network?: LoraE5Network;
  /** Chance that a join succeeds; default 1. */
  joinSuccessProbability?: number;
  /** Chance that one transmission never reaches the network; default 0. */
  uplinkLossProbability?: number;
  replyDelayMs?: number;
  devEui?: string;
}

export class LoraE5Model implements SerialPeer {
  readonly #clock: VirtualClock;
  readonly #prng: Prng;
  readonly #o: LoraE5ModelOptions;
  #line: SerialLine | undefined;
  readonly #rx: number[] = [];
  #rxOverlong = false;
  #region: Region = EU868;
  ledger = new DutyCycleLedger(EU868);
  mode = "LWABP";
  dataRate = 0;
  fPort = 8;
  retry = 3;
  adr = true;
  joined = false;
  busy = false;
  fCnt = 0;
  /** The identity the module holds (hex, upper case, no separators); appKey undefined until written. */
  devEui: string;
  appEui = "8000000000000006";
  appKey: string | undefined;
  #failJoins = 0;
  #dropUplinks = 0;
  readonly #downlinks: { fPort: number; bytes: Uint8Array }[] = [];
  /** Every command line received, in order. */
  readonly commands: string[] = [];
  /** Every line sent to the node, with its virtual time. */
  readonly transcript: [number, string][] = [];

  constructor(board: SimBoard, options: LoraE5ModelOptions) {
    this.#clock = board.clock;
    this.#prng = board.prng;
    this.#o = options;
    this.devEui = (options.devEui ?? "2C:F7:F1:20:24:90:01:38").replace(/:/g, "").toUpperCase();
    board.attachSerial(options.port, this);
  }

  get region(): Region {
    return this.#region;
  }

  /** A downlink the network holds for this device; sent in RX1 after the next uplink. */
  queueDownlink(fPort: number, bytes: Uint8Array): void {
    this.#downlinks.push({ fPort, bytes: bytes.slice() });
  }

  /** The next `n` joins fail whatever the PRNG says. */
  failNextJoins(n: number): void {
    this.#failJoins += n;
  }

  /** The next `n` transmissions never reach the network. */
  dropNextUplinks(n: number): void {
    this.#dropUplinks += n;
  }

  connect(line: SerialLine): void {
    this.#line = line;
  }

  disconnect(): void {
    this.#line = undefined;
  }

  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === 0x0a) {
        const overlong = this.#rxOverlong;
        const text = String.fromCharCode(...this.#rx);
        this.#rx.length = 0;
        this.#rxOverlong = false;
        if (overlong) this.#reply(0, "+AT: ERROR(-21)");
        else if (text.length > 0) this.#command(text);
      } else if (b !== 0x0d) {
        if (this.#rx.length >= E5_MAX_COMMAND) this.#rxOverlong = true;
        else this.#rx.push(b);
      }
    }
  }

  /** Lines answering a command: after the module's reply delay (+ `delayMs`). */
  #reply(delayMs: number, ...lines: string[]): void {
    this.#replyAt(this.#clock.now() + (this.#o.replyDelayMs ?? 5) + delayMs, ...lines);
  }

  /** Lines caused by a radio event at `atMs` (join-accept, RX window, Done). */
  #replyAt(atMs: number, ...lines: string[]): void {
    this.#clock.at(atMs, () => {
      for (const l of lines) {
        this.transcript.push([this.#clock.now(), l]);
        this.#line?.send(Uint8Array.from(`${l}\r\n`, (c) => c.charCodeAt(0)));
      }
    });
  }

  #command(text: string) {
    this.commands.push(text);
    const m = /^AT(?:\+([A-Za-z0-9]+))?(?:(=)(.*)|\?)?$/i.exec(text.trim());
    if (!m) return this.#reply(0, "+AT: ERROR(-11)");
    const name = (m[1] ?? "AT").toUpperCase();
    const arg = m[2] ? m[3]!.trim() : undefined;
    const err = (n: number) => this.#reply(0, `+${name}: ERROR(${n})`);
    switch (name) {
      case "AT":
        return this.#reply(0, "+AT: OK");
      case "ID": {
        const colons = (h: string) => h.replace(/(..)(?!$)/g, "$1:");
        if (arg !== undefined) {
          const set = /^(DevEui|AppEui)\s*,\s*"?([0-9A-Fa-f:]+)"?$/i.exec(arg);
          const value = set ? set[2]!.replace(/:/g, "").toUpperCase() : "";
          if (!set || value.length !== 16) return err(-1);
          const which = set[1]!.toLowerCase() === "deveui" ? "DevEui" : "AppEui";
          if (which === "DevEui") this.devEui = value;
          else this.appEui = value;
          this.joined = false;
          return this.#reply(0, `+ID: ${which}, ${colons(value)}`);
        }
        return this.#reply(
          0,
          "+ID: DevAddr, 24:90:01:38",
          `+ID: DevEui, ${colons(this.devEui)}`,
          `+ID: AppEui, ${colons(this.appEui)}`,
        );
      }
      case "KEY": {
        const set = arg === undefined ? null : /^APPKEY\s*,\s*"?([0-9A-Fa-f]{32})"?$/i.exec(arg);
        if (!set) return err(-1);
        this.appKey = set[1]!.toUpperCase();
        this.joined = false;
        return this.#reply(0, `+KEY: APPKEY ${this.appKey}`);
      }
      case "MODE": {
        if (arg === undefined) return this.#reply(0, `+MODE: ${this.mode}`);
        const mode = arg.toUpperCase();
        if (mode !== "LWOTAA" && mode !== "LWABP" && mode !== "TEST") return err(-1);
        if (mode !== this.mode) this.joined = false;
        this.mode = mode;
        return this.#reply(0, `+MODE: ${mode}`);
      }
      case "DR": {
        if (arg === undefined) return this.#reply(0, `+DR: DR${this.dataRate}`, this.#drLine());
        const drm = /^DR(\d+)$/i.exec(arg);
        if (drm) {
          const n = Number(drm[1]);
          if (n >= this.#region.dataRates.length) return err(-1);
          this.dataRate = n;
          return this.#reply(0, `+DR: DR${n}`, this.#drLine());
        }
        try {
          this.#region = regionByName(arg.toUpperCase());
        } catch {
          return err(-1);
        }
        this.ledger = new DutyCycleLedger(this.#region);
        this.joined = false;
        return this.#reply(0, `+DR: ${this.#region.name}`);
      }
      case "ADR": {
        if (arg !== undefined && !/^(ON|OFF)$/i.test(arg)) return err(-1);
        if (arg !== undefined) this.adr = arg.toUpperCase() === "ON";
        return this.#reply(0, `+ADR: ${this.adr ? "ON" : "OFF"}`);
      }
      case "PORT":
      case "RETRY": {
        const max = name === "PORT" ? 255 : 254;
        const min = name === "PORT" ? 1 : 0;
        if (arg !== undefined) {
          const v = Number(arg);
          if (!/^\d+$/.test(arg) || v < min || v > max) return err(-1);
          if (name === "PORT") this.fPort = v;
          else this.retry = v;
        }
        return this.#reply(0, `+${name}: ${name === "PORT" ? this.fPort : this.retry}`);
      }
      case "CLASS":
        if (arg !== undefined && !/^[AC]$/i.test(arg)) return err(-1);
        return this.#reply(0, `+CLASS: ${(arg ?? "A").toUpperCase()}`);
      case "JOIN":
        return this.#join();
      case "MSGHEX":
      case "CMSGHEX":
        return this.#msg(name, arg, name === "CMSGHEX");
      default:
        return err(-10);
    }
  }

  #drLine(): string {
    const d = this.#region.dataRates[this.dataRate]!;
    return `+DR: ${this.#region.name} DR${this.dataRate}  SF${d.sf} BW${d.bandwidthHz / 1000}K `;
  }

  /** A default channel whose sub-band is free at `atMs`, or the time the earliest one frees up. */
  #channel(atMs: number): { frequencyHz?: number; freeAtMs: number } {
    const free = this.#region.defaultChannelsHz.filter((hz) => this.ledger.freeAtMs(hz) <= atMs);
    if (free.length > 0) return { frequencyHz: free[this.#prng.int(0, free.length - 1)]!, freeAtMs: atMs };
    return { freeAtMs: Math.min(...this.#region.defaultChannelsHz.map((hz) => this.ledger.freeAtMs(hz))) };
  }

  #airtime(phyBytes: number): number {
    return timeOnAirMs(phyBytes, this.#region.dataRates[this.dataRate]!);
  }

  #join() {
    if (this.mode !== "LWOTAA") return this.#reply(0, "+JOIN: Not in OTAA mode");
    if (this.busy) return this.#reply(0, "+JOIN: LoRaWAN modem is busy");
    if (this.joined) return this.#reply(0, "+JOIN: Joined already");
    this.busy = true;
    this.#reply(0, "+JOIN: Start", "+JOIN: NORMAL");
    const startAt = this.#clock.now() + (this.#o.replyDelayMs ?? 5);
    const ch = this.#channel(startAt);
    const txAt = ch.frequencyHz === undefined ? ch.freeAtMs : startAt;
    const freq = ch.frequencyHz ?? this.#channel(txAt).frequencyHz!;
    const airtimeMs = this.#airtime(JOIN_REQUEST_BYTES);
    this.ledger.record(txAt, airtimeMs, freq);
    const endAt = txAt + airtimeMs;
    let ok = this.#prng.chance(this.#o.joinSuccessProbability ?? 1);
    if (this.#failJoins > 0) {
      this.#failJoins--;
      ok = false;
    }
    if (ok) {
      this.#clock.at(endAt + JOIN_ACCEPT_DELAY1_MS, () => {
        this.joined = true;
        this.busy = false;
        this.fCnt = 0;
      });
      this.#replyAt(
        endAt + JOIN_ACCEPT_DELAY1_MS,
        "+JOIN: Network joined",
        "+JOIN: NetID 000024 DevAddr 48:00:00:01",
        "+JOIN: Done",
      );
    } else {
      this.#clock.at(endAt + JOIN_ACCEPT_DELAY2_MS + RX_WINDOW_MS, () => {
        this.busy = false;
      });
      this.#replyAt(endAt + JOIN_ACCEPT_DELAY2_MS + RX_WINDOW_MS, "+JOIN: Join failed", "+JOIN: Done");
    }
  }

  #msg(name: string, arg: string | undefined, confirmed: boolean) {
    const hex = (arg ?? "").replace(/^"(.*)"$/, "$1").replace(/ /g, "");
    if (arg === undefined || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) {
      return this.#reply(0, `+${name}: ERROR(-1)`);
    }
    if (this.busy) return this.#reply(0, `+${name}: LoRaWAN modem is busy`);
    if (!this.joined) return this.#reply(0, `+${name}: Please join network first`);
    const bytes = Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
    const max = maxAppPayloadBytes(this.#region, this.dataRate);
    if (bytes.length > max) return this.#reply(0, `+${name}: Length error ${max}`);
    const startAt = this.#clock.now() + (this.#o.replyDelayMs ?? 5);
    const ch = this.#channel(startAt);
    if (ch.frequencyHz === undefined) {
      return this.#reply(0, `+${name}: No band in ${Math.ceil(ch.freeAtMs - startAt)}ms`);
    }
    this.busy = true;
    const fCnt = this.fCnt++;
    this.#reply(0, ...(confirmed ? [`+${name}: Start`, `+${name}: Wait ACK`] : [`+${name}: Start`]));
    const trials = confirmed ? Math.max(1, this.retry) : 1;
    this.#transmit(name, bytes, confirmed, fCnt, 1, trials, startAt, ch.frequencyHz);
  }

  #transmit(
    name: string,
    bytes: Uint8Array,
    confirmed: boolean,
    fCnt: number,
    trial: number,
    trials: number,
    txAt: number,
    frequencyHz: number,
  ): void {
    const airtimeMs = this.#airtime(bytes.length + LORAWAN_UPLINK_OVERHEAD_BYTES);
    this.ledger.record(txAt, airtimeMs, frequencyHz);
    const endAt = txAt + airtimeMs;
    this.#clock.at(endAt, () => {
      let reply: LoraE5NetworkReply | undefined;
      let heard = !this.#prng.chance(this.#o.uplinkLossProbability ?? 0);
      if (this.#dropUplinks > 0) {
        this.#dropUplinks--;
        heard = false;
      }
      if (heard) {
        reply = this.#o.network?.({
          bytes: bytes.slice(),
          fPort: this.fPort,
          confirmed,
          dr: this.dataRate,
          airtimeMs,
          frequencyHz,
          fCnt,
          trial,
          atMs: endAt,
        });
      }
      const acked = heard && confirmed && reply?.ack !== false;
      const downlink = heard ? (reply?.downlink ?? this.#downlinks.shift()) : undefined;
      if (confirmed && !acked && trial < trials) {
        // No ACK: retransmit after the RX windows and a random ACK_TIMEOUT, when the sub-band allows.
        const ackTimeoutMs = this.#prng.int(ACK_TIMEOUT_MIN_MS, ACK_TIMEOUT_MAX_MS);
        const earliest = endAt + RECEIVE_DELAY2_MS + RX_WINDOW_MS + ackTimeoutMs;
        const ch = this.#channel(earliest);
        const at = ch.frequencyHz === undefined ? ch.freeAtMs : earliest;
        const freq = ch.frequencyHz ?? this.#channel(at).frequencyHz!;
        this.#clock.at(at, () => this.#transmit(name, bytes, confirmed, fCnt, trial + 1, trials, at, freq));
        return;
      }
      const lines: string[] = [];
      if (acked) lines.push(`+${name}: ACK Received`);
      let doneAt = endAt + RECEIVE_DELAY2_MS + RX_WINDOW_MS;
      if (downlink || acked) {
        // The answer (ACK and/or data) comes in RX1; its own airtime at the same data rate.
        const dlBytes = (downlink?.bytes.length ?? 0) + LORAWAN_UPLINK_OVERHEAD_BYTES - (downlink ? 0 : 1);
        doneAt = endAt + RECEIVE_DELAY1_MS + this.#airtime(dlBytes);
        if (downlink) lines.push(`+${name}: PORT: ${downlink.fPort}; RX: "${toHex(downlink.bytes)}"`);
        lines.push(
          `+${name}: RXWIN1, RSSI -${60 + this.#prng.int(0, 40)}, SNR ${(this.#prng.int(-50, 100) / 10).toFixed(1)}`,
        );
      }
      lines.push(`+${name}: Done`);
      this.#clock.at(doneAt, () => {
        this.busy = false;
      });
      this.#replyAt(doneAt, ...lines);
    });
  }
}

function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).toUpperCase().padStart(2, "0");
  return s;
}
