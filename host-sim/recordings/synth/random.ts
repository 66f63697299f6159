/**
 * A random but seeded scenario: events placed and sized from documented default rates and ranges. Every
 * number below is a default chosen to exercise the detectors across their range, not a measured mine rate.
 */
import { fork, root } from "../../fault-plan.js";
import type { Prng } from "../../prng.js";
import {
  ADXL355_NOISE_SD_M_PER_S2,
  DEFAULT_GAS,
  type GasEvent,
  type Scenario,
  type SeismicEvent,
  type SetPoint,
} from "./scenario.js";

export interface RandomOptions {
  name?: string;
  durationS: number;
  startUtc?: string;
  location?: Scenario["location"];
  gas?: boolean;
  seismic?: boolean;
  rateHz?: number;
  setPoints?: SetPoint[];
  /** Events per hour of recording (defaults in the code below). */
  microseismicPerHour?: number;
  gasEventsPerHour?: number;
  /** Blasts at these times (s); default: one at 40 % of the recording. */
  blastTimesS?: number[];
}

const between = (rng: Prng, lo: number, hi: number) => lo + (hi - lo) * rng.next();
const logBetween = (rng: Prng, lo: number, hi: number) => lo * (hi / lo) ** rng.next();

export function randomScenario(seed: number, o: RandomOptions): Scenario {
  const rng = fork(root(seed), "recording/random-scenario");
  const d = o.durationS;
  const s: Scenario = {
    name: o.name ?? `random-${seed}`,
    durationS: d,
    startUtc: o.startUtc ?? "2026-01-05T06:00:00.000Z",
    location: o.location ?? "face",
  };
  if (o.gas ?? true) {
    const events: GasEvent[] = [];
    const count = Math.max(1, Math.round(((o.gasEventsPerHour ?? 1) * d) / 3600));
    // One event per slot so that a labelled crossing belongs to one model (slots do not overlap).
    const slot = d / count;
    for (let k = 0; k < count; k++) {
      const t = Math.round(k * slot + between(rng, 0.05, 0.3) * slot);
      const left = (k + 1) * slot - t;
      const pick = rng.int(0, 8);
      if (pick <= 1) {
        const holdS = Math.round(Math.min(left * 0.3, between(rng, 120, 900)));
        events.push({
          kind: "gas-inrush",
          tS: t,
          channel: "ch4",
          peak: between(rng, 1.2, 4),
          riseTauS: between(rng, 5, 60),
          holdS,
          decayTauS: left * 0.1,
        });
      } else if (pick === 2) {
        const durationS = Math.round(Math.min(left * 0.5, between(rng, 1800, 7200)));
        events.push({
          kind: "gas-accumulation",
          tS: t,
          channel: "ch4",
          ratePerH: between(rng, 0.8, 3) * (3600 / Math.max(durationS, 1)),
          durationS,
          decayTauS: left * 0.1,
        });
      } else if (pick <= 4) {
        const co = rng.chance(0.6);
        const holdS = Math.round(Math.min(left * 0.3, between(rng, 300, 900)));
        events.push({
          kind: "toxic-release",
          tS: t,
          channel: co ? "co" : "h2s",
          peak: co ? between(rng, 30, 200) : between(rng, 5, 30),
          riseTauS: between(rng, 20, 120),
          holdS,
          decayTauS: left * 0.1,
        });
      } else if (pick === 5) {
        events.push({
          kind: "o2-deficiency",
          tS: t,
          channel: "o2",
          dropPctVol: between(rng, 1.5, 4),
          tauS: between(rng, 60, 300),
          holdS: Math.round(Math.min(left * 0.3, 600)),
        });
      } else if (pick === 6) {
        events.push({
          kind: "fault-stuck",
          tS: t,
          channel: rng.chance(0.5) ? "co" : "ch4",
          durationS: Math.round(Math.min(left * 0.5, between(rng, 300, 1800))),
        });
      } else if (pick === 7) {
        events.push({
          kind: "fault-dropout",
          tS: t,
          channel: rng.chance(0.5) ? "h2s" : "ch4",
          durationS: Math.round(Math.min(left * 0.5, between(rng, 30, 600))),
        });
      } else {
        events.push({ kind: "fault-spike", tS: t, channel: "ch4", delta: between(rng, 0.3, 3) });
      }
    }
    if (d >= 6 * 3600)
      events.push({ kind: "sensor-drift", tS: Math.round(d * 0.1), channel: "ch4", ratePerDay: 0.03 });
    s.gas = { ...DEFAULT_GAS, events, setPoints: o.setPoints ?? [] };
  }
  if (o.seismic ?? true) {
    const rateHz = o.rateHz ?? 500;
    const events: SeismicEvent[] = [];
    const n = Math.round(((o.microseismicPerHour ?? 6) * d) / 3600);
    for (let k = 0; k < n; k++) {
      events.push({
        kind: "microseismic",
        tS: Number(between(rng, 5, d - 5).toFixed(3)),
        pgaMPerS2: logBetween(rng, 0.03, 3),
        cornerHz: Math.min(rateHz / 5, logBetween(rng, 15, 150)),
        distanceM: between(rng, 30, 600),
        azimuthRad: between(rng, 0, 2 * Math.PI),
        dipRad: between(rng, -Math.PI / 2, Math.PI / 2),
      });
    }
    for (const t of o.blastTimesS ?? [Math.round(d * 0.4)]) {
      events.push({
        kind: "blast",
        tS: t,
        pgaMPerS2: between(rng, 1, 6),
        cornerHz: Math.min(rateHz / 5, between(rng, 20, 60)),
        holes: rng.int(6, 20),
        delayMs: 25,
      });
    }
    // Machinery: a fan all along and a drill for a third of the time (defaults).
    events.push({ kind: "machinery", tS: 0, durationS: d, fundamentalHz: 24.5, rmsMPerS2: 0.003 });
    events.push({
      kind: "machinery",
      tS: Math.round(d * 0.5),
      durationS: Math.round(d / 3),
      fundamentalHz: between(rng, 30, 60),
      rmsMPerS2: between(rng, 0.01, 0.03),
    });
    events.sort((a, b) => a.tS - b.tS);
    s.seismic = { rateHz, noiseSdMPerS2: ADXL355_NOISE_SD_M_PER_S2, events };
  }
  return s;
}
