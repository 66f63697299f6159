/**
 * A LoRaWAN gateway in the channel model: an identity, an up/down switch (the "gateway down" fault), its own
 * transmitter with its own duty-cycle ledger, and the packet counters ChirpStack's gateway stats carry
 * (rxPacketsReceived, rxPacketsReceivedOk, txPacketsEmitted: chirpstack api/proto/gw/gw.proto GatewayStats).
 *
 * Why the gateway has a transmitter model at all: every ACK and downlink is a transmission by the gateway
 * in RX1 on the uplink's channel, so (1) it is charged to the gateway's duty cycle (EU868 868.0-868.6 MHz:
 * 1 %, ETSI EN 300 220-2 as RP002 applies it; a busy gateway runs out and must stay silent), and (2) a
 * concentrator is half-duplex: while it transmits it hears nothing (Semtech SX1301/SX1302 reference design:
 * one shared antenna, TX blanks RX), so an uplink overlapping a downlink is lost at that gateway.
 */
import type { Region } from "../../protocol/lorawan-regions.js";
import { RadioError } from "./channel.js";
import { DutyCycleLedger } from "./duty-cycle.js";

export interface GatewayOptions {
  /** Gateway EUI-64 as 16 lowercase hex digits (ChirpStack's gatewayId). */
  id: string;
  region: Region;
  /** Conducted transmit power plus antenna gain, dBm EIRP. Default 14 (RP002 EU868 default max EIRP is 16). */
  txPowerDbm?: number;
  /** Starts down (a gateway that fails from the start). Default up. */
  up?: boolean;
}

export type GatewayTxResult = "sent" | "gateway-down" | "duty-cycle";

export interface GatewayCounters {
  rxPacketsReceived: number;
  rxPacketsReceivedOk: number;
  txPacketsEmitted: number;
  /** Downlinks the gateway could not emit because its sub-band was in its off-time. */
  txRefusedDutyCycle: number;
}

const EUI = /^[0-9a-f]{16}$/;

export class Gateway {
  readonly id: string;
  readonly region: Region;
  readonly txPowerDbm: number;
  readonly ledger: DutyCycleLedger;
  readonly counters: GatewayCounters = {
    rxPacketsReceived: 0,
    rxPacketsReceivedOk: 0,
    txPacketsEmitted: 0,
    txRefusedDutyCycle: 0,
  };
  #up: boolean;
  /** Emitted transmissions as [startMs, endMs) pairs, oldest first (half-duplex check). */
  #txWindows: number[] = [];

  constructor(options: GatewayOptions) {
    if (typeof options.id !== "string" || !EUI.test(options.id)) {
      throw new RadioError(
        "bad-gateway",
        `gateway id "${options.id}" must be 16 lowercase hex digits`,
        options.id,
      );
    }
    const power = options.txPowerDbm ?? 14;
    if (!Number.isFinite(power) || power < -10 || power > 30) {
      throw new RadioError(
        "bad-option",
        `gateway ${options.id}: txPowerDbm must be -10..30, got ${power}`,
        power,
      );
    }
    this.id = options.id;
    this.region = options.region;
    this.txPowerDbm = power;
    this.ledger = new DutyCycleLedger(options.region);
    this.#up = options.up ?? true;
  }

  get up(): boolean {
    return this.#up;
  }

  /** The "gateway down" fault and its end. */
  setUp(up: boolean): void {
    this.#up = up;
  }

  /** True when the gateway is emitting at any instant of [startMs, endMs). */
  transmittingDuring(startMs: number, endMs: number): boolean {
    const w = this.#txWindows;
    for (let i = 0; i < w.length; i += 2) {
      if (w[i]! < endMs && startMs < w[i + 1]!) return true;
    }
    return false;
  }

  /**
   * Emits a downlink of `airtimeMs` at `startMs` on `frequencyHz` when the gateway is up and its sub-band is
   * free (a real gateway refuses such a downlink: ChirpStack TxAckStatus DUTY_CYCLE_OVERFLOW).
   */
  transmit(startMs: number, airtimeMs: number, frequencyHz: number): GatewayTxResult {
    if (!this.#up) return "gateway-down";
    if (this.ledger.freeAtMs(frequencyHz) > startMs + 1e-3) {
      this.counters.txRefusedDutyCycle++;
      return "duty-cycle";
    }
    this.ledger.record(startMs, airtimeMs, frequencyHz);
    this.#txWindows.push(startMs, startMs + airtimeMs);
    this.counters.txPacketsEmitted++;
    return "sent";
  }

  /** Forgets emitted windows that ended before `beforeMs` (keeps the half-duplex check short). */
  prune(beforeMs: number): void {
    const w = this.#txWindows;
    let n = 0;
    while (n < w.length && w[n + 1]! < beforeMs) n += 2;
    if (n > 0) w.splice(0, n);
  }
}
