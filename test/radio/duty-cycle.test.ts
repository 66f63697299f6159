import { describe, expect, it } from "vitest";
import { DutyCycle } from "../../firmware/node/transports/lorawan/duty-cycle.js";
import { DutyCycleLedger } from "../../host-sim/radio/duty-cycle.js";
import { EU868, RU864, subBandIndex } from "../../protocol/lorawan-regions.js";

describe("duty-cycle accounting (ETSI EN 300 220-2: Toff = Ton/dc - Ton)", () => {
  it("node side: a 1 % sub-band is free again 100 x airtime after the start", () => {
    const d = new DutyCycle(EU868);
    const g1 = subBandIndex(EU868, 868_100_000);
    expect(d.waitMs(g1, 0)).toBe(0);
    d.record(g1, 1000, 46.336);
    expect(d.freeAtMs(g1)).toBeCloseTo(1000 + 4633.6, 9);
    expect(d.waitMs(g1, 2000)).toBeCloseTo(3633.6, 9);
    // Other sub-bands are untouched; the 0.1 % band needs 1000 x, the 10 % band 10 x.
    const g2 = subBandIndex(EU868, 868_800_000);
    const g3 = subBandIndex(EU868, 869_525_000);
    expect(d.waitMs(g2, 2000)).toBe(0);
    d.record(g2, 0, 10);
    d.record(g3, 0, 10);
    expect(d.freeAtMs(g2)).toBeCloseTo(10_000, 9);
    expect(d.freeAtMs(g3)).toBeCloseTo(100, 9);
    // The modem's own "No band in N ms" can only push the limit later.
    d.holdUntil(g1, 100);
    expect(d.freeAtMs(g1)).toBeCloseTo(5633.6, 9);
    d.holdUntil(g1, 9000);
    expect(d.freeAtMs(g1)).toBe(9000);
    expect(() => d.freeAtMs(99)).toThrow(/no sub-band 99/);
  });

  it("RU864: both default channels share one 1 % band", () => {
    expect(subBandIndex(RU864, 868_900_000)).toBe(subBandIndex(RU864, 869_100_000));
    const d = new DutyCycle(RU864);
    d.record(0, 0, 1155.072);
    expect(d.freeAtMs(0)).toBeCloseTo(115_507.2, 6);
  });

  it("simulator ledger: finds a transmission that starts inside the off-time, and none in a lawful log", () => {
    const lawful = new DutyCycleLedger(EU868);
    lawful.record(0, 100, 868_100_000);
    lawful.record(10_000, 100, 868_300_000); // same sub-band, exactly at 100 x airtime
    lawful.record(10_100, 100, 869_525_000); // another sub-band: independent
    expect(lawful.violations()).toEqual([]);
    const bad = new DutyCycleLedger(EU868);
    bad.record(0, 100, 868_100_000);
    bad.record(9_000, 100, 868_500_000);
    expect(bad.violations()).toEqual([
      { index: 1, subBand: subBandIndex(EU868, 868_100_000), startMs: 9000, allowedAtMs: 10_000 },
    ]);
    expect(lawful.airtimeBySubBandMs()[subBandIndex(EU868, 868_100_000)]).toBe(200);
    // Two 100 ms transmissions in an hour on the 1 % band use 200 / 3 600 000 of it.
    expect(lawful.dutyCycleUsed()[subBandIndex(EU868, 868_100_000)]).toBeCloseTo(200 / 3_600_000, 12);
    expect(() => lawful.record(0, 1, 900_000_000)).toThrow(/900000000 Hz is in no sub-band/);
  });
});
