/**
 * LoRa time on air: Semtech AN1200.13 "LoRa Modem Designer's Guide" section 4 and the SX1276/77/78/79
 * datasheet rev. 7 section 4.1.1.7 ("Time on air"):
 *
 *   Tsym          = 2^SF / BW
 *   Tpreamble     = (Npreamble + 4.25) * Tsym
 *   payloadSymbNb = 8 + max(ceil((8 PL - 4 SF + 28 + 16 CRC - 20 IH) / (4 (SF - 2 DE))) * (CR + 4), 0)
 *   Tpacket       = Tpreamble + payloadSymbNb * Tsym
 *
 * PL = PHY payload bytes, CRC = 1 when the payload CRC is on, IH = 1 for implicit header, DE = 1 when low
 * data-rate optimisation is on, CR = 1..4 for coding rate 4/5..4/8. LoRaWAN uplinks use an explicit header,
 * CRC on, CR 4/5, 8 preamble symbols (RP002-1.0.x section 2 "physical layer"), and LDRO is mandated when the
 * symbol time reaches 16 ms (SX1276 datasheet 4.1.1.6), i.e. SF11 and SF12 at 125 kHz ("auto" below).
 * Pure arithmetic, no allocation: runs on XS in the node (duty-cycle hold-back) and in the simulator.
 */
import { LoRaWanError } from "./errors.js";

export interface LoRaPhy {
  /** Spreading factor 6..12. */
  sf: number;
  /** Bandwidth in Hz: 125000, 250000 or 500000 (7800..500000 accepted). */
  bandwidthHz: number;
  /** Coding rate denominator minus 4: 1 = 4/5 ... 4 = 4/8. Default 1. */
  codingRate?: number;
  /** Programmed preamble symbols. Default 8. */
  preambleSymbols?: number;
  /** Explicit header (LoRaWAN). Default true. */
  explicitHeader?: boolean;
  /** Payload CRC on (LoRaWAN uplinks). Default true. */
  crc?: boolean;
  /** Low data-rate optimisation; "auto" (default) = on when the symbol time is >= 16 ms. */
  lowDataRateOptimize?: boolean | "auto";
}

/** Symbol time in ms. */
export function symbolTimeMs(sf: number, bandwidthHz: number): number {
  return (2 ** sf * 1000) / bandwidthHz;
}

/** Number of payload symbols (incl. the 8 header symbols) of a `payloadBytes` PHY payload. */
export function payloadSymbols(payloadBytes: number, phy: LoRaPhy): number {
  const sf = phy.sf;
  const cr = phy.codingRate ?? 1;
  const ih = phy.explicitHeader === false ? 1 : 0;
  const crc = phy.crc === false ? 0 : 1;
  const ldro = phy.lowDataRateOptimize ?? "auto";
  const de = (ldro === "auto" ? symbolTimeMs(sf, phy.bandwidthHz) >= 16 : ldro) ? 1 : 0;
  const num = 8 * payloadBytes - 4 * sf + 28 + 16 * crc - 20 * ih;
  const den = 4 * (sf - 2 * de);
  const blocks = Math.ceil(num / den);
  return 8 + Math.max(blocks, 0) * (cr + 4);
}

/** Time on air in ms of one LoRa packet with a PHY payload of `payloadBytes`. */
export function timeOnAirMs(payloadBytes: number, phy: LoRaPhy): number {
  checkPhy(payloadBytes, phy);
  const tSym = symbolTimeMs(phy.sf, phy.bandwidthHz);
  const preamble = ((phy.preambleSymbols ?? 8) + 4.25) * tSym;
  return preamble + payloadSymbols(payloadBytes, phy) * tSym;
}

/**
 * LoRaWAN MAC overhead around the application payload of an uplink with no FOpts: MHDR (1) + FHDR (DevAddr 4,
 * FCtrl 1, FCnt 2) + FPort (1) + MIC (4) = 13 bytes (LoRaWAN 1.0.x section 4).
 */
export const LORAWAN_UPLINK_OVERHEAD_BYTES = 13;

/** A LoRaWAN 1.0.x join-request: MHDR 1, JoinEUI 8, DevEUI 8, DevNonce 2, MIC 4 = 23 bytes (section 6.2.4). */
export const JOIN_REQUEST_BYTES = 23;

function checkPhy(payloadBytes: number, phy: LoRaPhy): void {
  if (!Number.isInteger(payloadBytes) || payloadBytes < 0 || payloadBytes > 255) {
    throw new LoRaWanError(
      "bad-option",
      `LoRa payload must be 0..255 bytes, got ${payloadBytes}`,
      payloadBytes,
    );
  }
  if (!phy || !Number.isInteger(phy.sf) || phy.sf < 6 || phy.sf > 12) {
    throw new LoRaWanError("bad-option", `LoRa spreading factor must be 6..12, got ${phy?.sf}`, phy?.sf);
  }
  if (!(phy.bandwidthHz >= 7800 && phy.bandwidthHz <= 500_000)) {
    throw new LoRaWanError(
      "bad-option",
      `LoRa bandwidth must be 7800..500000 Hz, got ${phy.bandwidthHz}`,
      phy.bandwidthHz,
    );
  }
  const cr = phy.codingRate ?? 1;
  if (!Number.isInteger(cr) || cr < 1 || cr > 4) {
    throw new LoRaWanError("bad-option", `LoRa coding rate must be 1..4 (4/5..4/8), got ${cr}`, cr);
  }
}
