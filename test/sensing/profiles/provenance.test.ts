/**
 * Every set-point in a built-in profile must say where it comes from (provenance.ts), and the entry must hold
 * the same number: changing a limit without updating its source status fails here. Numbers a profile takes
 * unchanged from common.ts are design defaults documented there; any override of them needs an entry.
 */
import { describe, expect, it } from "vitest";
import { GAS_NAMES, GAS_PROFILES } from "../../../firmware/sensing/gas/index.js";
import {
  CH4_DEFAULTS,
  CO_DEFAULTS,
  H2S_DEFAULTS,
  O2_DEFAULTS,
} from "../../../firmware/sensing/profiles/common.js";
import { PROVENANCE, type Provenance } from "../../../firmware/sensing/profiles/provenance.js";
import type { GasName, GasProfile, SetPoint } from "../../../firmware/sensing/profiles/types.js";

const DEFAULTS: Record<GasName, Record<string, unknown>> = {
  ch4: CH4_DEFAULTS,
  co: CO_DEFAULTS,
  o2: O2_DEFAULTS,
  h2s: H2S_DEFAULTS,
};
const SET_POINT_KEYS = ["a1", "a2", "enrichment", "stel", "twa", "rorPerMin"] as const;

/** Every number of a profile that is not a hysteresis or an unchanged common.ts default, by dotted path. */
function numbersOf(p: GasProfile): Map<string, number> {
  const out = new Map<string, number>();
  for (const loc of p.locations) {
    const lim = p.ch4ByLocation[loc];
    out.set(`ch4ByLocation.${loc}.a1.value`, lim.a1.value);
    out.set(`ch4ByLocation.${loc}.a2.value`, lim.a2.value);
  }
  for (const gas of GAS_NAMES) {
    const g = p.gases[gas] as unknown as Record<string, unknown>;
    for (const k of SET_POINT_KEYS) {
      const sp = g[k] as SetPoint | null;
      if (sp) out.set(`gases.${gas}.${k}.value`, sp.value);
    }
    for (const [k, dflt] of Object.entries(DEFAULTS[gas]))
      if (typeof g[k] === "number" && g[k] !== dflt) out.set(`gases.${gas}.${k}`, g[k] as number);
  }
  return out;
}

describe("set-point provenance", () => {
  it("every built-in profile has a provenance list", () => {
    expect(Object.keys(PROVENANCE).sort()).toEqual(GAS_PROFILES.map((p) => p.name).sort());
  });

  for (const p of GAS_PROFILES) {
    it(`${p.name}: every number has exactly one entry, with the same value, and no entry is stale`, () => {
      const numbers = numbersOf(p);
      const entries = PROVENANCE[p.name];
      const byPath = new Map<string, Provenance>();
      for (const e of entries) {
        expect(byPath.has(e.path), `duplicate entry ${e.path}`).toBe(false);
        byPath.set(e.path, e);
      }
      for (const [path, value] of numbers) {
        const e = byPath.get(path);
        expect(e, `${p.name} ${path} = ${value} has no provenance entry`).toBeDefined();
        expect(e?.value, `${p.name} ${path}`).toBe(value);
      }
      for (const e of entries) expect(numbers.has(e.path), `stale entry ${p.name} ${e.path}`).toBe(true);
    });
  }

  it("a confirmed or corrected number cites an address; an unconfirmed one says what was seen", () => {
    for (const entries of Object.values(PROVENANCE))
      for (const e of entries) {
        expect(["confirmed", "corrected", "unconfirmed", "default"]).toContain(e.status);
        if (e.status === "confirmed" || e.status === "corrected") expect(e.source).toMatch(/https?:\/\/\S+/);
        expect(e.source.length, e.path).toBeGreaterThan(5);
      }
  });

  it("every A2 of a profile that claims a rule is marked confirmed or unconfirmed, never passed off", () => {
    // The methane A2 of each location is the action the rule demands; a "default" there would mean a rule
    // number was invented. The one intended exception is us-msha-coal "local" (a mapping, labelled so).
    for (const [name, entries] of Object.entries(PROVENANCE))
      for (const e of entries)
        if (/^ch4ByLocation\.[^.]+\.a2\.value$/.test(e.path) && e.status === "default")
          expect(`${name} ${e.path}`).toBe("us-msha-coal ch4ByLocation.local.a2.value");
  });

  it("the statute-confirmed US numbers: 1.0 / 1.5 % at working places and returns, O2 19.5 %", () => {
    const us = PROVENANCE["us-msha-coal"];
    const confirmed = (path: string) => us.find((e) => e.path === path && e.status === "confirmed")?.value;
    expect([confirmed("ch4ByLocation.face.a1.value"), confirmed("ch4ByLocation.face.a2.value")]).toEqual([
      1, 1.5,
    ]);
    expect([confirmed("ch4ByLocation.return.a1.value"), confirmed("ch4ByLocation.return.a2.value")]).toEqual([
      1, 1.5,
    ]);
    expect(confirmed("gases.o2.a2.value")).toBe(19.5);
  });
});
