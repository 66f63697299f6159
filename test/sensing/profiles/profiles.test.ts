import { describe, expect, it } from "vitest";
import {
  GAS_NAMES,
  GAS_PROFILES,
  gasProfileNamed,
  resolveGasSettings,
  validateGasSettings,
} from "../../../firmware/sensing/gas/index.js";

describe("set-point profiles", () => {
  it("every built-in profile resolves and validates for every gas and location", () => {
    for (const p of GAS_PROFILES)
      for (const loc of p.locations)
        for (const gas of GAS_NAMES)
          expect(() => validateGasSettings(resolveGasSettings(p, gas, loc), gas)).not.toThrow();
  });

  it("us-msha-coal: CH4 1.0 % / 1.5 % at working places and returns (30 U.S.C. 863(h)(2), (i)), O2 19.5 % (863(b))", () => {
    for (const loc of ["face", "return"]) {
      const ch4 = resolveGasSettings("us-msha-coal", "ch4", loc);
      expect([ch4.a1?.value, ch4.a2?.value]).toEqual([1.0, 1.5]);
    }
    expect(resolveGasSettings("us-msha-coal", "o2", "face").a2?.value).toBe(19.5);
  });

  it("kz-ru-coal: toxic averages follow the current ACGIH TLVs (CO TWA 25; H2S TWA 1, STEL 5 since 2010)", () => {
    const co = resolveGasSettings("kz-ru-coal", "co", "face");
    const h2s = resolveGasSettings("kz-ru-coal", "h2s", "face");
    expect(co.twa?.value).toBe(25);
    expect([h2s.twa?.value, h2s.stel?.value]).toEqual([1, 5]);
    // The ceiling (A2, the MAC) sits above the 15-min average limit, so STEL can alarm before the ceiling.
    expect(h2s.stel!.value).toBeLessThan(h2s.a2!.value);
  });

  it("kz-ru-coal: CH4 limits depend on the location class", () => {
    const a2 = (loc: string) => resolveGasSettings("kz-ru-coal", "ch4", loc).a2?.value;
    expect([a2("intake"), a2("face"), a2("return"), a2("local"), a2("main-return")]).toEqual([
      0.5, 1, 1, 2, 0.75,
    ]);
    expect(resolveGasSettings("kz-ru-coal", "o2", "face").a2?.value).toBe(20);
  });

  it("A1 comes before A2 in the gas's direction, and every A2 is inside the measuring range", () => {
    for (const p of GAS_PROFILES)
      for (const loc of p.locations)
        for (const gas of GAS_NAMES) {
          const s = resolveGasSettings(p, gas, loc);
          if (!s.a1 || !s.a2) continue;
          if (s.direction === "rising") expect(s.a1.value).toBeLessThan(s.a2.value);
          else expect(s.a1.value).toBeGreaterThan(s.a2.value);
          expect(s.a2.value).toBeLessThan(s.rangeMax);
        }
  });

  it("every profile names its exposure standard", () => {
    for (const p of GAS_PROFILES) expect(p.exposureStandard.length).toBeGreaterThan(5);
  });

  it("unknown names fail with the name", () => {
    expect(() => gasProfileNamed("eu")).toThrow(
      /unknown gas profile "eu" \(known: kz-ru-coal, us-msha-coal\)/,
    );
    expect(() => resolveGasSettings("kz-ru-coal", "ch4", "shaft")).toThrow(/no location "shaft"/);
  });
});
