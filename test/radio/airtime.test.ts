import { describe, expect, it } from "vitest";
import {
  JOIN_REQUEST_BYTES,
  lorawanUplinkAirtimeMs,
  payloadSymbols,
  symbolTimeMs,
  timeOnAirMs,
} from "../../host-sim/radio/airtime.js";
import { EU868, RU864 } from "../../protocol/lorawan-regions.js";

/**
 * Published reference values for the Semtech formula (AN1200.13, SX1276 datasheet 4.1.1.7):
 * - T. Telkamp's "LoRa airtime" sheet (docs.google.com/spreadsheets/d/1voGAtQAjC1qBmaVuP1ApNKs1ekgUjavHuVQIXyYSvNc,
 *   formulas from AN1200.13): SF9, BW 125 kHz, CR 4/5, 8 preamble symbols, explicit header, LDRO off, 13 bytes
 *   (a LoRaWAN uplink with an empty application payload): Tsym 4.096 ms, Tpreamble 50.176 ms,
 *   payloadSymbNb 28, Tpacket 164.864 ms.
 * - RF Wireless World "LoRaWAN Airtime calculator" example 1: SF7, BW 125 kHz, CR 4/5, 8 preamble symbols,
 *   10 bytes, header on, LDRO off: preamble 12.544 ms, header + payload 28.672 ms, packet 41.216 ms.
 *   Example 2: SF11, same otherwise, LDRO on: preamble 200.704 ms, header + payload 376.832 ms, packet
 *   577.536 ms.
 */
describe("LoRa time on air (Semtech formula)", () => {
  it("matches the AN1200.13 sheet for SF9 / 13 bytes", () => {
    const phy = { sf: 9, bandwidthHz: 125_000, lowDataRateOptimize: false } as const;
    expect(symbolTimeMs(9, 125_000)).toBeCloseTo(4.096, 9);
    expect(payloadSymbols(13, phy)).toBe(28);
    expect(timeOnAirMs(13, phy)).toBeCloseTo(164.864, 9);
  });

  it("matches the RF Wireless World examples (SF7 LDRO off, SF11 LDRO on)", () => {
    expect(timeOnAirMs(10, { sf: 7, bandwidthHz: 125_000 })).toBeCloseTo(41.216, 9);
    expect(timeOnAirMs(10, { sf: 11, bandwidthHz: 125_000, lowDataRateOptimize: true })).toBeCloseTo(
      577.536,
      9,
    );
  });

  it("turns LDRO on by itself exactly where the symbol time reaches 16 ms (SF11/SF12 at 125 kHz)", () => {
    expect(timeOnAirMs(10, { sf: 11, bandwidthHz: 125_000 })).toBeCloseTo(577.536, 9);
    expect(symbolTimeMs(11, 125_000)).toBeGreaterThanOrEqual(16);
    expect(symbolTimeMs(10, 125_000)).toBeLessThan(16);
    expect(symbolTimeMs(11, 250_000)).toBeLessThan(16);
    // LDRO off at SF11 would be shorter: the auto choice is really applied.
    expect(timeOnAirMs(10, { sf: 11, bandwidthHz: 125_000, lowDataRateOptimize: false })).toBeLessThan(
      577.536,
    );
  });

  it("payload symbols grow in steps of (CR + 4) and never fall below 8", () => {
    const phy = { sf: 7, bandwidthHz: 125_000 };
    expect(payloadSymbols(0, { ...phy, crc: false, explicitHeader: false })).toBe(8); // max(..., 0): the 8 header symbols only
    for (let pl = 1; pl < 255; pl++) {
      const step = payloadSymbols(pl, phy) - payloadSymbols(pl - 1, phy);
      expect(step === 0 || step === 5).toBe(true);
    }
    expect(payloadSymbols(13, { ...phy, codingRate: 4 }) - 8).toBe(((payloadSymbols(13, phy) - 8) / 5) * 8);
  });

  it("LoRaWAN uplinks: 13 bytes of overhead, the data rate's SF and bandwidth", () => {
    expect(lorawanUplinkAirtimeMs(EU868, 3, 0)).toBeCloseTo(164.864, 9); // DR3 = SF9 BW125
    expect(lorawanUplinkAirtimeMs(RU864, 3, 0)).toBeCloseTo(164.864, 9);
    // DR6 (SF7, 250 kHz) is half of DR5's symbol time: the same symbol count in half the time.
    expect(lorawanUplinkAirtimeMs(EU868, 6, 24)).toBeCloseTo(lorawanUplinkAirtimeMs(EU868, 5, 24) / 2, 9);
    expect(JOIN_REQUEST_BYTES).toBe(23);
  });

  it("refuses impossible radio settings with the value named", () => {
    expect(() => timeOnAirMs(256, { sf: 7, bandwidthHz: 125_000 })).toThrow(/0\.\.255 bytes, got 256/);
    expect(() => timeOnAirMs(10, { sf: 13, bandwidthHz: 125_000 })).toThrow(/6\.\.12, got 13/);
    expect(() => timeOnAirMs(10, { sf: 7, bandwidthHz: 1_000_000 })).toThrow(/got 1000000/);
    expect(() => timeOnAirMs(10, { sf: 7, bandwidthHz: 125_000, codingRate: 5 })).toThrow(/got 5/);
  });
});
