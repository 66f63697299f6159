/**
 * Property: no sequence of sample values (NaN, +-Infinity, huge, negative, anything) makes a channel throw
 * or go silent. "Silent" = a sample that is not valid air leaves the channel Normal: after any run ending in
 * no data for noDataPeriods the NO_DATA fault must be on; an alarm that was on is never cleared by no data.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  GAS_NAMES,
  GasAlarm,
  GasChannelPipeline,
  GasFault,
  GasState,
  identityCalibration,
} from "../../../firmware/sensing/gas/index.js";

const value = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e308, -1e308),
  fc.double({ min: -1, max: 120, noNaN: true }),
);

describe("gas pipeline property: never throws, never silent", () => {
  for (const gas of GAS_NAMES) {
    it(`${gas}: arbitrary values and spacings`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), value), { minLength: 1, maxLength: 200 }),
          fc.constantFrom("kz-ru-coal", "us-msha-coal"),
          (samples, profile) => {
            const p = new GasChannelPipeline({
              gas,
              profile,
              location: "face",
              calibration: identityCalibration(0),
              periodMs: 1000,
              startMs: 0,
            });
            let t = 0;
            for (const [dt, v] of samples) {
              const before = p.alarms;
              t += dt;
              p.push(t, v);
              // Bits are consistent with the state.
              if (p.alarms !== 0) expect(p.state).toBe(GasState.Alarm);
              else if ((p.faults & ~GasFault.WARM_UP) !== 0) expect(p.state).toBe(GasState.Fault);
              if (!Number.isFinite(v)) {
                // No data never clears an alarm.
                expect(p.alarms & (GasAlarm.A1 | GasAlarm.A2 | GasAlarm.OVER_RANGE | GasAlarm.O2_HIGH)).toBe(
                  before & (GasAlarm.A1 | GasAlarm.A2 | GasAlarm.OVER_RANGE | GasAlarm.O2_HIGH),
                );
              }
              for (const x of [p.stel, p.twa, p.ratePerMin]) expect(Number.isNaN(x)).toBe(false);
            }
            // Three periods of silence always end in the no-data fault.
            p.check(t + 3000);
            expect(p.faults & GasFault.NO_DATA).toBeTruthy();
            expect(p.state).not.toBe(GasState.Normal);
          },
        ),
        { numRuns: 300, seed: 20240601 },
      );
    });
  }
});
