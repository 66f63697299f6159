/**
 * LoRaWAN regional limits the transport enforces: data rates, maximum application payload per data rate,
 * duty-cycle sub-bands and default uplink channels.
 *
 * Sources:
 * - LoRaWAN Regional Parameters RP002-1.0.x, EU863-870 and RU864-870 sections: data-rate tables (DR0..DR5
 *   SF12..SF7 at 125 kHz, DR6 SF7 at 250 kHz, DR7 FSK 50 kbit/s) and "maximum payload size" tables, column N
 *   (the largest FRMPayload with no FOpts, not repeater compatible): 51, 51, 51, 115, 242, 242, 242, 242.
 *   The same figures are in Semtech's reference stack LoRaMac-node (src/mac/region/RegionEU868.h
 *   MaxPayloadOfDatarateEU868, RegionRU864.h MaxPayloadOfDatarateRU864). The repeater-compatible EU868 column
 *   is 222 for DR4..DR7; set `repeaterCompatible` when the network has repeaters.
 * - EU868 duty cycle: ETSI EN 300 220-2 / ERC Recommendation 70-03 annex 1 sub-bands as LoRaMac-node
 *   RegionEU868 applies them: 863-865 MHz 0.1 %, 865-868 MHz 1 %, 868.0-868.6 MHz 1 % (the three default
 *   channels 868.1/868.3/868.5 MHz), 868.7-869.2 MHz 0.1 %, 869.4-869.65 MHz 10 %, 869.7-870 MHz 1 %.
 * - RU864: default channels 868.9 and 869.1 MHz, one duty-cycle band of 1 % (LoRaMac-node RegionRU864.h
 *   RU864_BAND0, "Implementation according to LoRaWAN Specification v1.0.2"). To be confirmed against the
 *   RP002 RU864-870 text and the Russian SCRF (GKRCh) decision before a Russian deployment.
 * DR7 (FSK) is not offered: the modem driver sends LoRa only and the airtime formula is LoRa's.
 * Frozen tables, read-only at run time; runs on XS.
 */
import { CodedError } from "./errors.js";

/** A region or data rate this node does not know (code "bad-option", as the transport's options). */
export class RegionError extends CodedError<"bad-option"> {
  override readonly name: string = "RegionError";
}

export interface DataRate {
  readonly sf: number;
  readonly bandwidthHz: number;
  /** Largest application payload (FRMPayload, no FOpts), bytes: RP002 column N. */
  readonly maxAppPayloadBytes: number;
  /** The same with repeaters in the path (RP002 "repeater compatible" table). */
  readonly maxAppPayloadRepeaterBytes: number;
}

export interface SubBand {
  readonly minHz: number;
  readonly maxHz: number;
  /** Duty cycle as a fraction (0.01 = 1 %). */
  readonly dutyCycle: number;
}

export interface Region {
  /** Name as the LoRaWAN spec and the LoRa-E5 `AT+DR=<band>` command spell it. */
  readonly name: "EU868" | "RU864";
  readonly dataRates: readonly DataRate[];
  readonly subBands: readonly SubBand[];
  /** Default uplink channels, Hz (join and data until the network adds others). */
  readonly defaultChannelsHz: readonly number[];
}

const dr = (sf: number, bandwidthHz: number, max: number, maxRepeater: number): DataRate =>
  Object.freeze({ sf, bandwidthHz, maxAppPayloadBytes: max, maxAppPayloadRepeaterBytes: maxRepeater });

const EU_RU_DATA_RATES: readonly DataRate[] = Object.freeze([
  dr(12, 125_000, 51, 51),
  dr(11, 125_000, 51, 51),
  dr(10, 125_000, 51, 51),
  dr(9, 125_000, 115, 115),
  dr(8, 125_000, 242, 222),
  dr(7, 125_000, 242, 222),
  dr(7, 250_000, 242, 222),
]);

const band = (minHz: number, maxHz: number, dutyCycle: number): SubBand =>
  Object.freeze({ minHz, maxHz, dutyCycle });

export const EU868: Region = Object.freeze({
  name: "EU868",
  dataRates: EU_RU_DATA_RATES,
  subBands: Object.freeze([
    band(863_000_000, 865_000_000, 0.001),
    band(865_000_000, 868_000_000, 0.01),
    band(868_000_000, 868_600_000, 0.01),
    band(868_700_000, 869_200_000, 0.001),
    band(869_400_000, 869_650_000, 0.1),
    band(869_700_000, 870_000_000, 0.01),
  ]),
  defaultChannelsHz: Object.freeze([868_100_000, 868_300_000, 868_500_000]),
});

export const RU864: Region = Object.freeze({
  name: "RU864",
  dataRates: EU_RU_DATA_RATES,
  subBands: Object.freeze([band(864_000_000, 870_000_000, 0.01)]),
  defaultChannelsHz: Object.freeze([868_900_000, 869_100_000]),
});

export const REGIONS: Readonly<Record<string, Region>> = Object.freeze({ EU868, RU864 });

export function regionByName(name: string): Region {
  const r = Object.hasOwn(REGIONS, name) ? REGIONS[name] : undefined;
  if (!r) {
    throw new RegionError("bad-option", `LoRaWAN region must be one of EU868, RU864, got "${name}"`, name);
  }
  return r;
}

export function dataRate(region: Region, dataRateIndex: number): DataRate {
  const d = Number.isInteger(dataRateIndex) ? region.dataRates[dataRateIndex] : undefined;
  if (!d) {
    throw new RegionError(
      "bad-option",
      `${region.name} data rate must be DR0..DR${region.dataRates.length - 1} (LoRa), got ${dataRateIndex}`,
      dataRateIndex,
    );
  }
  return d;
}

/** Largest application payload at `dataRateIndex`, bytes. */
export function maxAppPayloadBytes(
  region: Region,
  dataRateIndex: number,
  repeaterCompatible = false,
): number {
  const d = dataRate(region, dataRateIndex);
  return repeaterCompatible ? d.maxAppPayloadRepeaterBytes : d.maxAppPayloadBytes;
}

/** Index of the sub-band holding `frequencyHz`, or -1 (a frequency outside every sub-band may not be used). */
export function subBandIndex(region: Region, frequencyHz: number): number {
  const bands = region.subBands;
  for (let i = 0; i < bands.length; i++) {
    const b = bands[i]!;
    if (frequencyHz >= b.minHz && frequencyHz <= b.maxHz) return i;
  }
  return -1;
}
