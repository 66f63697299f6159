/**
 * Synthetic 3-axis acceleration: accelerometer noise, machinery, microseismic events and blasts, summed.
 *
 * Event wavelet (Brune-like): the particle velocity is a decaying oscillation at the source's corner
 * frequency fc,
 *   v(t) = (t / tau) * exp(1 - t / tau) * sin(2 pi fc t),  tau = 1 / (pi fc)
 * so the envelope peaks one tau after onset and the energy sits at fc, the corner of Brune's (1970)
 * omega-squared spectrum; the acceleration is its exact derivative (the ground ends at rest), scaled to the
 * event's peak acceleration. A microseismic event is a P wavelet (half the S amplitude, along the ray) then an
 * S wavelet (perpendicular), the S-P delay set by the distance (vp 6000 m/s, vs 3500 m/s: hard rock, a
 * default). A blast is `holes` wavelets fired `delayMs` apart with +-10 % delay scatter and random amplitudes
 * (60..100 %), in random directions. Machinery: harmonics 1, 2, 3 of the fundamental (amplitude 1, 1/2, 1/4)
 * plus as much broadband noise, ramped on and off over 2 s.
 */

import { fork } from "../../fault-plan.js";
import type { Prng } from "../../prng.js";
import { ACCEL_AXES } from "../channels.js";
import type { Label } from "../labels.js";
import { makeBlock, type SampleBlock, type SampleStream } from "../stream.js";
import type { SeismicEvent, SeismicScenario } from "./scenario.js";

const VP_M_PER_S = 6000;
const VS_M_PER_S = 3500;
/** Wavelets are cut where the envelope is below 1e-4 of its peak: (t/tau) e^(1-t/tau) < 1e-4 at t > 14 tau. */
const WAVELET_TAUS = 14;
const RESOLUTION_M_PER_S2 = 1e-5;

/** A rendered event: its acceleration per axis from onset, at the stream's rate, noise-free. */
export interface RenderedEvent {
  event: SeismicEvent;
  startIndex: number;
  axes: Float64Array[];
}

function addWavelet(
  axes: Float64Array[],
  rateHz: number,
  at: number,
  fc: number,
  pga: number,
  dir: number[],
): void {
  const tau = 1 / (Math.PI * fc);
  const w = 2 * Math.PI * fc;
  const n = Math.ceil(WAVELET_TAUS * tau * rateHz);
  const i0 = Math.round(at * rateHz);
  // Acceleration is the exact derivative of the velocity wavelet, so the ground comes back to rest (no
  // velocity step left after the event, as in a real accelerogram); scaled so that its peak is `pga`.
  const accel = new Float64Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rateHz;
    const e = Math.exp(1 - t / tau);
    accel[i] = ((1 - t / tau) / tau) * e * Math.sin(w * t) + (t / tau) * e * w * Math.cos(w * t);
    peak = Math.max(peak, Math.abs(accel[i]!));
  }
  const scale = peak > 0 ? pga / peak : 0;
  for (let i = 0; i < n && i0 + i < axes[0]!.length; i++) {
    for (let a = 0; a < 3; a++) axes[a]![i0 + i]! += accel[i]! * scale * dir[a]!;
  }
}

function unit(rng: Prng): number[] {
  const z = rng.next() * 2 - 1;
  const phi = rng.next() * 2 * Math.PI;
  const r = Math.sqrt(1 - z * z);
  return [r * Math.cos(phi), r * Math.sin(phi), z];
}

/** Renders every microseismic event and blast (machinery is generated on the fly: it can last hours). */
export function renderEvents(scenario: SeismicScenario, rng: Prng): RenderedEvent[] {
  const out: RenderedEvent[] = [];
  const rate = scenario.rateHz;
  for (const e of scenario.events) {
    if (e.kind === "machinery") continue;
    const tau = 1 / (Math.PI * e.cornerHz);
    const spanS =
      e.kind === "blast" ? (e.holes * e.delayMs * 1.1) / 1000 + WAVELET_TAUS * tau : WAVELET_TAUS * tau;
    const spS = e.kind === "microseismic" ? e.distanceM / VS_M_PER_S - e.distanceM / VP_M_PER_S : 0;
    const axes = [0, 1, 2].map(() => new Float64Array(Math.ceil((spanS + spS) * rate) + 1));
    if (e.kind === "microseismic") {
      const ray = [
        Math.cos(e.dipRad) * Math.cos(e.azimuthRad),
        Math.cos(e.dipRad) * Math.sin(e.azimuthRad),
        Math.sin(e.dipRad),
      ];
      const across = [-Math.sin(e.azimuthRad), Math.cos(e.azimuthRad), 0];
      addWavelet(axes, rate, 0, e.cornerHz, e.pgaMPerS2 / 2, ray);
      addWavelet(axes, rate, spS, e.cornerHz, e.pgaMPerS2, across);
    } else {
      for (let h = 0; h < e.holes; h++) {
        const at = (h * e.delayMs * (1 + 0.1 * (rng.next() * 2 - 1))) / 1000;
        addWavelet(axes, rate, at, e.cornerHz, e.pgaMPerS2 * (0.6 + 0.4 * rng.next()), unit(rng));
      }
    }
    out.push({ event: e, startIndex: Math.round(e.tS * rate), axes });
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** Ground-truth label of a rendered event: PGA and PPV per the worst axis, from the noise-free waveform. */
export function seismicLabel(r: RenderedEvent, rateHz: number): Label {
  let pga = 0;
  let ppv = 0;
  for (const axis of r.axes) {
    let v = 0;
    for (const a of axis) {
      pga = Math.max(pga, Math.abs(a));
      v += a / rateHz; // rectangle-rule integration: fine at >= 10 samples per cycle
      ppv = Math.max(ppv, Math.abs(v));
    }
  }
  const e = r.event as Exclude<SeismicEvent, { kind: "machinery" }>;
  return {
    t: r.startIndex / rateHz,
    kind: e.kind,
    channel: "accel",
    durationS: r.axes[0]!.length / rateHz,
    pgaMPerS2: round6(pga),
    ppvMmPerS: round6(ppv * 1000),
    cornerHz: e.cornerHz,
  };
}

function round6(x: number): number {
  return Number(x.toPrecision(6));
}

export function machineryLabels(scenario: SeismicScenario): Label[] {
  return scenario.events
    .filter((e) => e.kind === "machinery")
    .map((e) => ({ t: e.tS, kind: "machinery", channel: "accel", durationS: e.durationS }));
}

export function accelStream(
  name: string,
  scenario: SeismicScenario,
  durationS: number,
  prng: () => Prng,
): SampleStream {
  const channels = ACCEL_AXES.map((a) => ({ name: a, unit: "m_per_s2" }) as const);
  const rate = scenario.rateHz;
  const n = Math.floor(durationS * rate);
  const machines = scenario.events.filter((e) => e.kind === "machinery");

  async function* blocks(): AsyncGenerator<SampleBlock> {
    const rng = prng();
    const rendered = renderEvents(scenario, fork(rng, "accel/events"));
    const block = makeBlock(3, 4096);
    let next = 0; // first rendered event that may still be running
    for (let i = 0; i < n; i++) {
      const k = block.count;
      if (k === 0) block.firstPosition = i;
      const t = i / rate;
      block.tS[k] = t;
      let mx = 0;
      let my = 0;
      let mz = 0;
      // Broadband power adds: sensor noise and every running machine's broadband share in one draw per axis.
      let variance = scenario.noiseSdMPerS2 * scenario.noiseSdMPerS2;
      for (const m of machines) {
        const dt = t - m.tS;
        if (dt < 0 || dt > m.durationS) continue;
        const ramp = Math.min(1, dt / 2, (m.durationS - dt) / 2);
        // rms of harmonics 1, 1/2, 1/4 is sqrt((1 + 1/4 + 1/16) / 2) = 0.81 of the first; broadband takes as much.
        const h = (ramp * m.rmsMPerS2) / Math.SQRT2 / 0.81;
        const w = 2 * Math.PI * m.fundamentalHz * t;
        const tone = h * (Math.sin(w) + 0.5 * Math.sin(2 * w + 1) + 0.25 * Math.sin(3 * w + 2));
        const bb = (ramp * m.rmsMPerS2) / Math.SQRT2;
        variance += bb * bb;
        mx += tone;
        my += 0.5 * tone;
        mz += 0.3 * tone;
      }
      const sd = Math.sqrt(variance);
      let ax = rng.gaussian(0, sd) + mx;
      let ay = rng.gaussian(0, sd) + my;
      let az = rng.gaussian(0, sd) + mz;
      while (next < rendered.length && rendered[next]!.startIndex + rendered[next]!.axes[0]!.length <= i)
        next++;
      for (let r = next; r < rendered.length && rendered[r]!.startIndex <= i; r++) {
        const ev = rendered[r]!;
        const j = i - ev.startIndex;
        if (j >= ev.axes[0]!.length) continue;
        ax += ev.axes[0]![j]!;
        ay += ev.axes[1]![j]!;
        az += ev.axes[2]![j]!;
      }
      block.values[0]![k] = q(ax);
      block.values[1]![k] = q(ay);
      block.values[2]![k] = q(az);
      block.count = k + 1;
      if (block.count === block.tS.length) {
        yield block;
        block.count = 0;
      }
    }
    if (block.count > 0) yield block;
  }
  return { name, channels, startUtcMs: undefined, periodS: 1 / rate, blocks };
}

/** Recorded resolution 1e-5 m/s^2 (finer than the ADXL355's 3.9 ug = 3.8e-5 m/s^2 LSB at +-2 g). */
function q(x: number): number {
  return Math.round(x / RESOLUTION_M_PER_S2) / 1e5;
}
