import { describe, expect, it } from "vitest";
import {
  dataRate,
  EU868,
  maxAppPayloadBytes,
  RU864,
  regionByName,
  subBandIndex,
} from "../../protocol/lorawan-regions.js";

/** RP002-1.0.x EU863-870 / RU864-870 maximum payload tables, column N (as in LoRaMac-node's region headers). */
describe("LoRaWAN regional limits", () => {
  it("EU868 and RU864 payload limits per data rate", () => {
    for (const region of [EU868, RU864]) {
      expect([0, 1, 2, 3, 4, 5, 6].map((d) => maxAppPayloadBytes(region, d))).toEqual([
        51, 51, 51, 115, 242, 242, 242,
      ]);
    }
    expect([0, 1, 2, 3, 4, 5, 6].map((d) => maxAppPayloadBytes(EU868, d, true))).toEqual([
      51, 51, 51, 115, 222, 222, 222,
    ]);
    expect(dataRate(EU868, 0)).toMatchObject({ sf: 12, bandwidthHz: 125_000 });
    expect(dataRate(EU868, 6)).toMatchObject({ sf: 7, bandwidthHz: 250_000 });
  });

  it("duty-cycle sub-bands: EU868 default channels in the 1 % band, RX2 frequency in the 10 % band", () => {
    for (const hz of EU868.defaultChannelsHz)
      expect(EU868.subBands[subBandIndex(EU868, hz)]!.dutyCycle).toBe(0.01);
    expect(EU868.subBands[subBandIndex(EU868, 869_525_000)]!.dutyCycle).toBe(0.1);
    expect(EU868.subBands[subBandIndex(EU868, 868_950_000)]!.dutyCycle).toBe(0.001);
    expect(subBandIndex(EU868, 868_650_000)).toBe(-1); // the gap between h1.4 and h1.5
    for (const hz of RU864.defaultChannelsHz)
      expect(RU864.subBands[subBandIndex(RU864, hz)]!.dutyCycle).toBe(0.01);
  });

  it("bad names and data rates are refused with the value", () => {
    expect(() => regionByName("US915")).toThrow(/EU868, RU864, got "US915"/);
    expect(() => regionByName("toString")).toThrow(/got "toString"/);
    expect(() => dataRate(EU868, 7)).toThrow(/DR0\.\.DR6 \(LoRa\), got 7/);
    expect(() => dataRate(EU868, 1.5)).toThrow(/got 1\.5/);
  });
});
