/**
 * What a synthetic recording contains: a list of modelled happenings with their parameters (FORMAT.md
 * section "Synthetic recordings" documents each model). A scenario plus a seed fully determines the samples.
 */
import type { GasChannel } from "../channels.js";

export type GasEvent =
  /** Fast CH4 rise (outburst, feeder): 1 - exp(-t/riseTauS) to `peak`, held, then exp(-t/decayTauS). */
  | {
      kind: "gas-inrush";
      tS: number;
      channel: GasChannel;
      peak: number;
      riseTauS: number;
      holdS: number;
      decayTauS: number;
    }
  /** Slow linear rise at `ratePerH` (unit/h) for `durationS` (ventilation degraded), then exponential decay. */
  | {
      kind: "gas-accumulation";
      tS: number;
      channel: GasChannel;
      ratePerH: number;
      durationS: number;
      decayTauS: number;
    }
  /** Toxic gas (CO, H2S) released and ventilated away: same shape as an inrush. */
  | {
      kind: "toxic-release";
      tS: number;
      channel: GasChannel;
      peak: number;
      riseTauS: number;
      holdS: number;
      decayTauS: number;
    }
  /** O2 displaced (blackdamp): O2 falls by `dropPctVol` with time constant `tauS`, recovers after `holdS`. */
  | { kind: "o2-deficiency"; tS: number; channel: "o2"; dropPctVol: number; tauS: number; holdS: number }
  /** Sensor zero drift: `ratePerDay` (unit/day) added from tS on. */
  | { kind: "sensor-drift"; tS: number; channel: GasChannel; ratePerDay: number }
  /** Sensor output frozen at its last value for `durationS`. */
  | { kind: "fault-stuck"; tS: number; channel: GasChannel; durationS: number }
  /** No data (empty cells) for `durationS`. */
  | { kind: "fault-dropout"; tS: number; channel: GasChannel; durationS: number }
  /** One sample off by `delta` (EMI, a knocked cable). */
  | { kind: "fault-spike"; tS: number; channel: GasChannel; delta: number };

export type SeismicEvent =
  /** Rock fracture: P then S wavelet at `cornerHz`, S peak acceleration `pgaMPerS2`, at `distanceM`. */
  | {
      kind: "microseismic";
      tS: number;
      pgaMPerS2: number;
      cornerHz: number;
      distanceM: number;
      azimuthRad: number;
      dipRad: number;
    }
  /** Production blast: `holes` wavelets fired `delayMs` apart, each up to `pgaMPerS2`. */
  | { kind: "blast"; tS: number; pgaMPerS2: number; cornerHz: number; holes: number; delayMs: number }
  /** A machine running: harmonics of `fundamentalHz` plus broadband noise, `rmsMPerS2` in total. */
  | { kind: "machinery"; tS: number; durationS: number; fundamentalHz: number; rmsMPerS2: number };

/** An alarm threshold the labeller marks crossings of (from a set-point profile). */
export interface SetPoint {
  channel: GasChannel;
  level: string;
  value: number;
  direction: "rising" | "falling";
  /** The value must come back by this much before a new crossing is labelled. */
  hysteresis: number;
}

export interface GasScenario {
  periodS: number;
  baseline: Record<GasChannel, number>;
  /** Sensor noise, one standard deviation, in each channel's unit. */
  noiseSd: Record<GasChannel, number>;
  /** Recorded resolution (values are rounded to it), in each channel's unit. */
  resolution: Record<GasChannel, number>;
  events: GasEvent[];
  setPoints: SetPoint[];
}

export interface SeismicScenario {
  rateHz: number;
  /** Accelerometer noise per axis, one standard deviation (m/s^2). */
  noiseSdMPerS2: number;
  events: SeismicEvent[];
}

export interface Scenario {
  name: string;
  durationS: number;
  startUtc: string;
  location: "intake" | "face" | "return" | "local";
  gas?: GasScenario;
  seismic?: SeismicScenario;
}

/**
 * Defaults describing the sensors the node carries. Noise and resolution are design defaults for a
 * recording, not rules: ADXL355 noise density 22.5 ug/sqrt(Hz) (ADXL354/355 datasheet Rev. D, Table 1) over a
 * 250 Hz bandwidth gives 22.5e-6 * 9.81 * sqrt(250) = 3.5e-3 m/s^2 rms per axis.
 */
export const DEFAULT_GAS: Omit<GasScenario, "events" | "setPoints"> = {
  periodS: 1,
  baseline: { ch4: 0.15, co: 2, o2: 20.9, h2s: 0 },
  noiseSd: { ch4: 0.01, co: 0.3, o2: 0.03, h2s: 0.1 },
  resolution: { ch4: 0.01, co: 0.1, o2: 0.01, h2s: 0.1 },
};
export const ADXL355_NOISE_SD_M_PER_S2 = 3.5e-3;
