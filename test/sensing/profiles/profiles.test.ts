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

  it("us-msha-coal: CH4 1.0 % / 1.5 % (30 CFR 75.323) and O2 19.5 % (75.321)", () => {
    const ch4 = resolveGasSettings("us-msha-coal", "ch4", "face");
    expect([ch4.a1?.value, ch4.a2?.value]).toEqual([1.0, 1.5]);
    expect(resolveGasSettings("us-msha-coal", "o2", "face").a2?.value).toBe(19.5);
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
