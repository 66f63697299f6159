/**
 * Seeded synthetic 3-axis acceleration for the seismic tests. Bursts are defined in velocity and
 * differentiated analytically, so the true PPV, PGA and frequency of each are known in closed form:
 *   v(t) = V g(t) sin(2 pi f t),  g(t) = k e t exp(-k t)  (peaks at 1 when t = 1/k),
 *   a(t) = V (g'(t) sin(2 pi f t) + g(t) 2 pi f cos(2 pi f t)),  g'(t) = k e (1 - k t) exp(-k t).
 */
import { Prng } from "../../../host-sim/prng.js";

export interface Burst {
  /** Start time, s from the trace start. */
  startS: number;
  /** Peak velocity envelope per axis, m/s. */
  vx: number;
  vy: number;
  vz: number;
  freqHz: number;
  /** Envelope rate k, 1/s (envelope peaks at 1/k s, lasts ~10/k). */
  k: number;
}

export function burstAccel(b: Burst, tS: number, vAmp: number): number {
  const t = tS - b.startS;
  if (t < 0 || t > 20 / b.k) return 0;
  const w = 2 * Math.PI * b.freqHz;
  const ex = Math.exp(-b.k * t);
  const g = b.k * Math.E * t * ex;
  const dg = b.k * Math.E * (1 - b.k * t) * ex;
  return vAmp * (dg * Math.sin(w * t) + g * w * Math.cos(w * t));
}

export function burstVelocity(b: Burst, tS: number, vAmp: number): number {
  const t = tS - b.startS;
  if (t < 0 || t > 20 / b.k) return 0;
  return vAmp * b.k * Math.E * t * Math.exp(-b.k * t) * Math.sin(2 * Math.PI * b.freqHz * t);
}

export interface Trace {
  tMs: Float64Array;
  /** Interleaved x, y, z, m/s^2; z carries gravity. */
  xyz: Float64Array;
  count: number;
  rateHz: number;
}

/** `durationS` of gaussian noise (sd `noise` m/s^2 per axis) plus gravity on z plus the bursts. */
export function makeTrace(
  seed: number,
  rateHz: number,
  durationS: number,
  noise: number,
  bursts: Burst[],
): Trace {
  const p = new Prng(seed);
  const count = Math.round(durationS * rateHz);
  const tMs = new Float64Array(count);
  const xyz = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    const tS = i / rateHz;
    tMs[i] = tS * 1000;
    let x = p.gaussian(0, noise);
    let y = p.gaussian(0, noise);
    let z = 9.80665 + p.gaussian(0, noise);
    for (const b of bursts) {
      x += burstAccel(b, tS, b.vx);
      y += burstAccel(b, tS, b.vy);
      z += burstAccel(b, tS, b.vz);
    }
    xyz[3 * i] = x;
    xyz[3 * i + 1] = y;
    xyz[3 * i + 2] = z;
  }
  return { tMs, xyz, count, rateHz };
}

/** True peak |v| of a burst on one axis, by dense evaluation (100 points per cycle). */
export function truePpv(b: Burst, vAmp: number): number {
  let peak = 0;
  const step = 1 / (b.freqHz * 100);
  for (let t = 0; t < 20 / b.k; t += step)
    peak = Math.max(peak, Math.abs(burstVelocity(b, b.startS + t, vAmp)));
  return peak;
}

/** The detector's DC-removing high-pass re-done here (one-pole, RC/(RC+dt)) for independent checks. */
export function highPass(
  xs: Float64Array,
  stride: number,
  offset: number,
  count: number,
  rateHz: number,
  fcHz: number,
) {
  const rc = 1 / (2 * Math.PI * fcHz);
  const a = rc / (rc + 1 / rateHz);
  const out = new Float64Array(count);
  for (let i = 1; i < count; i++) {
    out[i] = a * (out[i - 1]! + xs[i * stride + offset]! - xs[(i - 1) * stride + offset]!);
  }
  return out;
}

/**
 * Noise plus, from `startS`, a vibration whose velocity grows exponentially, v = v0 e^(alpha t) sin(2 pi f t):
 * with alpha >= ~0.1 / s the recursive STA/LTA (LTA 5 s or 10 s) stays above an off threshold of 1.5, so
 * the trigger stays on: the way to hold the detector on its event path for a measurement.
 */
export function growingTrace(
  seed: number,
  rateHz: number,
  durationS: number,
  startS: number,
  v0MPerS: number,
  alphaPerS: number,
  freqHz: number,
): Trace {
  const t = makeTrace(seed, rateHz, durationS, 0.002, []);
  const w = 2 * Math.PI * freqHz;
  for (let i = Math.ceil(startS * rateHz); i < t.count; i++) {
    const s = i / rateHz - startS;
    const a = v0MPerS * Math.exp(alphaPerS * s) * (alphaPerS * Math.sin(w * s) + w * Math.cos(w * s));
    t.xyz[3 * i] = t.xyz[3 * i]! + a;
    t.xyz[3 * i + 1] = t.xyz[3 * i + 1]! + 0.7 * a;
    t.xyz[3 * i + 2] = t.xyz[3 * i + 2]! + 1.3 * a;
  }
  return t;
}
