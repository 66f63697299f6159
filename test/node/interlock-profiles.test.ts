/**
 * Methane interlock levels as profile data: every location class of every built-in profile has a trip
 * level whose provenance is recorded (TRIP_PROVENANCE: one entry per number, the same value, none stale),
 * the levels resolve and validate, and bad data is refused naming the value.
 */
import { describe, expect, it } from "vitest";
import { GAS_PROFILES, KZ_RU_COAL, resolveCh4Trip } from "../../firmware/sensing/profiles/index.js";
import { TRIP_PROVENANCE } from "../../firmware/sensing/profiles/provenance.js";
import type { GasProfile } from "../../firmware/sensing/profiles/types.js";

function tripNumbers(p: GasProfile): Map<string, number> {
  const out = new Map<string, number>();
  for (const [loc, t] of Object.entries(p.ch4Interlock?.byLocation ?? {})) {
    out.set(`ch4Interlock.byLocation.${loc}.tripPctVol`, t.tripPctVol);
    out.set(`ch4Interlock.byLocation.${loc}.resetBelowPctVol`, t.resetBelowPctVol);
  }
  return out;
}

describe("CH4 interlock levels in the profiles", () => {
  for (const p of GAS_PROFILES) {
    it(`${p.name}: every location class has a trip level with a recorded source`, () => {
      for (const loc of p.locations) {
        const t = resolveCh4Trip(p, loc);
        expect(t.tripOnSensorFault).toBe(true);
        expect(t.resetBelowPctVol).toBeLessThanOrEqual(t.tripPctVol);
      }
      const numbers = tripNumbers(p);
      const entries = TRIP_PROVENANCE[p.name] ?? [];
      expect(new Set(entries.map((e) => e.path)).size).toBe(entries.length);
      for (const [path, value] of numbers) {
        const e = entries.find((x) => x.path === path);
        expect(e, `${p.name} ${path} has no provenance entry`).toBeDefined();
        expect(e!.value, path).toBe(value);
        if (e!.status === "confirmed") expect(e!.source).toMatch(/https?:\/\//);
      }
      for (const e of entries) expect(numbers.has(e.path), `stale ${e.path}`).toBe(true);
    });
  }

  it("us-msha-coal: 1.0 % at a working place, 1.5 % in a return, both reset below 1.0 % (30 U.S.C. 863(h)(2), (i)(2))", () => {
    expect(resolveCh4Trip("us-msha-coal", "face")).toMatchObject({ tripPctVol: 1.0, resetBelowPctVol: 1.0 });
    expect(resolveCh4Trip("us-msha-coal", "return")).toMatchObject({
      tripPctVol: 1.5,
      resetBelowPctVol: 1.0,
    });
    const confirmed = TRIP_PROVENANCE["us-msha-coal"]!.filter((e) => e.status === "confirmed").map(
      (e) => e.path,
    );
    expect(confirmed.sort()).toEqual([
      "ch4Interlock.byLocation.face.resetBelowPctVol",
      "ch4Interlock.byLocation.face.tripPctVol",
      "ch4Interlock.byLocation.return.resetBelowPctVol",
      "ch4Interlock.byLocation.return.tripPctVol",
    ]);
  });

  it("kz-ru-coal: the trip is the place's norm (its A2), and marked unconfirmed", () => {
    for (const loc of KZ_RU_COAL.locations) {
      expect(resolveCh4Trip(KZ_RU_COAL, loc).tripPctVol).toBe(KZ_RU_COAL.ch4ByLocation[loc]!.a2.value);
      const e = TRIP_PROVENANCE["kz-ru-coal"]!.find(
        (x) => x.path === `ch4Interlock.byLocation.${loc}.tripPctVol`,
      );
      expect(e?.status).toBe("unconfirmed");
    }
  });

  it("refuses a profile without levels, a reset point above the trip, and an unknown place, naming the value", () => {
    const none: GasProfile = { ...KZ_RU_COAL, name: "bare", ch4Interlock: undefined };
    expect(() => resolveCh4Trip(none, "face")).toThrow(/bare defines no CH4 interlock/);
    const bad: GasProfile = {
      ...KZ_RU_COAL,
      ch4Interlock: {
        tripOnSensorFault: true,
        byLocation: { face: { tripPctVol: 1, resetBelowPctVol: 1.2 } },
      },
    };
    try {
      resolveCh4Trip(bad, "face");
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "bad-config", value: 1.2 });
    }
    expect(() => resolveCh4Trip("kz-ru-coal", "shaft")).toThrow(/no location "shaft"/);
  });
});
