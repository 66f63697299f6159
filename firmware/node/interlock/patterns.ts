/**
 * Beacon and sounder patterns a person at the node can tell apart, driven as plain on/off digital outputs
 * (the beacon is a flasher-less lamp stack, the sounder a self-oscillating piezo/electronic sounder that
 * sounds while powered, so no PWM is needed: the tone is the sounder's own, the pattern is ours).
 *
 * | annunciation | beacon                               | sounder                                 |
 * | ------------ | ------------------------------------ | --------------------------------------- |
 * | danger       | 2.5 Hz flash (200 ms on / 200 ms off) | continuous                              |
 * | warning      | 1 Hz flash (500 ms on / 500 ms off)   | 500 ms beep every 2 s                   |
 * | fault        | double blink (2 x 100 ms) every 4 s   | 200 ms chirp every 10 s                 |
 * | none         | off                                   | off                                     |
 *
 * Why these: the sounder alone separates them (continuous / slow beeps / a rare chirp), for a person who
 * cannot see the beacon, and the beacon alone separates them by rate, for one who cannot hear it in the
 * noise of a face; the fault patterns are sparse so that they never read as an alarm; the beacon's fastest
 * rate stays below 3 Hz (flashing above it is avoided for photosensitive epilepsy). DEFAULT timings: design
 * choices. No mining rule read here fixes them, and the standards on danger signals (ISO 7731 auditory,
 * EN 842 visual) were not read; a site may have its own signal code and should replace these tables. Danger = an A2 or STEL alarm on any
 * channel, or a gas trip latched; warning = an A1 or TWA alarm; fault = a sensor or relay fault, or a trip
 * latched on a fault. The most severe wins.
 *
 * A pattern is a period and on-intervals inside it; `levelAt` is a few comparisons, no allocation.
 */
import { deepFreeze } from "../../../protocol/freeze.js";
export const Annunciation = Object.freeze({ None: 0, Fault: 1, Warning: 2, Danger: 3 });
export type AnnunciationCode = (typeof Annunciation)[keyof typeof Annunciation];
export const ANNUNCIATION_NAMES = ["none", "fault", "warning", "danger"] as const;

export interface Pattern {
  readonly periodMs: number;
  /** [onFromMs, onUntilMs) pairs within the period, ascending. */
  readonly onMs: readonly number[];
}

const OFF: Pattern = Object.freeze({ periodMs: 1000, onMs: Object.freeze([]) });

/** Beacon pattern per Annunciation code. */
export const BEACON: readonly Pattern[] = Object.freeze([
  OFF,
  Object.freeze({ periodMs: 4000, onMs: Object.freeze([0, 100, 200, 300]) }),
  Object.freeze({ periodMs: 1000, onMs: Object.freeze([0, 500]) }),
  Object.freeze({ periodMs: 400, onMs: Object.freeze([0, 200]) }),
]);

/** Sounder pattern per Annunciation code. */
export const SOUNDER: readonly Pattern[] = Object.freeze([
  OFF,
  Object.freeze({ periodMs: 10_000, onMs: Object.freeze([0, 200]) }),
  Object.freeze({ periodMs: 2000, onMs: Object.freeze([0, 500]) }),
  Object.freeze({ periodMs: 1000, onMs: Object.freeze([0, 1000]) }),
]);

/** Output level of `pattern` at `sinceStartMs` after the pattern started (0 or 1). */
export function levelAt(pattern: Pattern, sinceStartMs: number): 0 | 1 {
  const on = pattern.onMs;
  if (on.length === 0) return 0;
  const phase = sinceStartMs % pattern.periodMs;
  for (let i = 0; i + 1 < on.length; i += 2) if (phase >= on[i]! && phase < on[i + 1]!) return 1;
  return 0;
}

/** Slot of the pattern clock: every pattern edge above is a multiple of it. */
export const PATTERN_STEP_MS = 100;

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(ANNUNCIATION_NAMES);
