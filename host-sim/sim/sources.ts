/**
 * A node's recording: the synthetic generator (host-sim/recordings/synth) run for the node's spec and seed,
 * turned into the value sources a SimNode's chip models read (functions of virtual time) and the labels
 * (ground truth) the expectations check against.
 *
 * Gas: the generator's 1 Hz stream is materialised (4 x 8 bytes a second: a node-day is 2.8 MB) and read
 * sample-and-hold, so the MIPEX / ADS1115 models see exactly the recorded values; the labels' set-point
 * crossings are those of the node's own profile and location (resolveGasSettings), so "an alarm within N s
 * of each labelled crossing" tests the set-points the node really runs. A dropout (NaN) holds the previous
 * value: the chip models cannot express "no data" (use a `sensor-fault` for that).
 * Acceleration: rendered on the fly at the ADXL355's ODR (a node-day at 1 kHz is never materialised):
 * seeded Gaussian noise (polar method) + the generator's rendered microseismic events and blasts (the same waveforms its
 * labels describe: same PRNG fork as synthesize()) + machinery tones, and gravity on z.
 */

import type { AccelSource } from "../chips/adxl355.js";
import { fork, root } from "../fault-plan.js";
import type { SimSources } from "../node/sim-node.js";
import type { Label } from "../recordings/labels.js";
import { profileSetPoints } from "../recordings/set-points.js";
import { synthesize } from "../recordings/synth/generate.js";
import { DEFAULT_GAS, type SetPoint, type Scenario as SynthScenario } from "../recordings/synth/scenario.js";
import { renderEvents } from "../recordings/synth/seismic.js";
import { holdAt, readRecordedGas, recordedLabels } from "./recorded-sources.js";
import type { LabelRecord, SetPointRecord } from "./result.js";
import { GAS_CHANNELS, type NodeSpec } from "./scenario.js";

const G_M_PER_S2 = 9.80665;

export interface NodeRecording {
  sources: SimSources;
  labels: LabelRecord[];
  /** The node's set-points per gas channel (for the report's plots). */
  setPoints: Partial<Record<(typeof GAS_CHANNELS)[number], SetPointRecord[]>>;
  /** Ground-truth gas value at a virtual time, per channel (NaN when the node has no gas sensors). */
  truth: (channel: number, tMs: number) => number;
}

function gasChannelsOf(spec: NodeSpec): (typeof GAS_CHANNELS)[number][] {
  return spec.variant === "vibration" ? [] : [...GAS_CHANNELS];
}

/** The node's A1 / A2 set-points (recordings/set-points.ts: what detect labels with, less O2 enrichment). */
function crossingRules(spec: NodeSpec): SetPoint[] {
  return profileSetPoints(spec.profile, spec.location, { channels: gasChannelsOf(spec), enrichment: false });
}

/** The same set-points per gas channel, for the report's plots. */
export function setPointsOf(spec: NodeSpec): NodeRecording["setPoints"] {
  const out: NodeRecording["setPoints"] = {};
  for (const ch of gasChannelsOf(spec)) out[ch] = [];
  for (const sp of crossingRules(spec)) {
    out[sp.channel]!.push({
      level: sp.level as SetPointRecord["level"],
      value: sp.value,
      direction: sp.direction,
      hysteresis: sp.hysteresis,
    });
  }
  return out;
}

export async function nodeRecording(spec: NodeSpec, durationS: number, seed: number): Promise<NodeRecording> {
  const setPoints = setPointsOf(spec);
  const synth: SynthScenario = {
    name: spec.id,
    durationS,
    startUtc: "2026-01-01T00:00:00.000Z",
    location: spec.location,
  };
  const recorded = spec.variant !== "vibration" && spec.recording !== undefined;
  if (spec.variant !== "vibration" && !recorded) {
    synth.gas = {
      ...DEFAULT_GAS,
      baseline: { ...DEFAULT_GAS.baseline, ...spec.gas.baseline },
      noiseSd: { ...DEFAULT_GAS.noiseSd, ...spec.gas.noiseSd },
      events: spec.gas.events,
      setPoints: crossingRules(spec),
    };
  }
  if (spec.variant !== "gas") {
    synth.seismic = {
      rateHz: spec.odrHz,
      noiseSdMPerS2: spec.seismic.noiseSdMPerS2,
      events: spec.seismic.events,
    };
  }
  const syn = await synthesize(synth, seed);
  const replayed = recorded ? await replayGas(spec) : undefined;
  const labels: LabelRecord[] = [...syn.labels, ...(replayed?.labels ?? [])].map((l: Label) => {
    const r: LabelRecord = { tMs: Math.round(l.t * 1000), kind: l.kind, channel: l.channel };
    if (l.level !== undefined) r.level = l.level;
    return r;
  });
  const sources: SimSources = {};
  let gasValues: Float64Array[] = [];
  const periodMs = (synth.gas?.periodS ?? 1) * 1000;
  if (syn.gas) {
    const n = Math.floor(durationS / synth.gas!.periodS);
    gasValues = GAS_CHANNELS.map(() => new Float64Array(Math.max(1, n)));
    let i = 0;
    for await (const b of syn.gas.blocks()) {
      for (let k = 0; k < b.count; k++, i++) {
        for (let c = 0; c < 4; c++) {
          const v = b.values[c]![k]!;
          gasValues[c]![i] = Number.isNaN(v)
            ? i > 0
              ? gasValues[c]![i - 1]!
              : synth.gas!.baseline[GAS_CHANNELS[c]!]
            : v;
        }
      }
    }
    const at = (c: number) => (tMs: number) => {
      const arr = gasValues[c]!;
      const i = Math.min(arr.length - 1, Math.max(0, Math.floor(tMs / periodMs)));
      return arr[i]!;
    };
    sources.ch4PctVol = at(0);
    sources.coPpm = at(1);
    sources.o2PctVol = at(2);
    sources.h2sPpm = at(3);
  }
  if (replayed) Object.assign(sources, replayed.sources);
  if (synth.seismic) sources.accel = accelSource(synth.seismic, seed);
  const truth = (channel: number, tMs: number): number => {
    if (replayed) return replayed.truth[channel]?.(tMs) ?? Number.NaN;
    const arr = gasValues[channel];
    if (!arr) return Number.NaN;
    return arr[Math.min(arr.length - 1, Math.max(0, Math.floor(tMs / periodMs)))]!;
  };
  return { sources, labels, setPoints, truth };
}

/** A recorded node's gas sources, ground truth and labels against its own set-points (recorded-sources.ts). */
async function replayGas(
  spec: NodeSpec,
): Promise<{ sources: SimSources; truth: Array<((tMs: number) => number) | undefined>; labels: Label[] }> {
  const g = await readRecordedGas(spec.recording!, `node ${spec.id} recording`);
  const truth = g.channels.map((c) => (c ? holdAt(c) : undefined));
  // A gas the recording lacks reads a clean-air baseline, so the node sees a healthy sensor there.
  const at = (c: number) => truth[c] ?? (() => DEFAULT_GAS.baseline[GAS_CHANNELS[c]!]);
  return {
    sources: { ch4PctVol: at(0), coPpm: at(1), o2PctVol: at(2), h2sPpm: at(3) },
    truth,
    labels: await recordedLabels(g, crossingRules(spec)),
  };
}

/** The synthetic acceleration as an ADXL355 source: noise + rendered events + machinery tones + gravity. */
function accelSource(s: NonNullable<SynthScenario["seismic"]>, seed: number): AccelSource {
  // Same fork as synthesize() -> accelStream -> renderEvents, so the waveforms are the labelled ones.
  const rendered = renderEvents(s, fork(fork(root(seed), "recording/accel"), "accel/events"));
  const noise = fork(root(seed), "recording/accel-noise");
  const sd = s.noiseSdMPerS2;
  // Standard normal deviates by Marsaglia's polar method, using both values of each pair: exact Gaussian
  // noise at about half the cost of Prng.gaussian (which draws a pair and keeps one, with a log, a sqrt and
  // a cos per value). The noise is drawn for every sample at the ODR, 5.4 million a node-day at 62.5 Hz:
  // it was the largest single cost of a combo node's simulation (profile: node --cpu-prof, 10.7 % self).
  let spare = 0;
  let haveSpare = false;
  const normal = (): number => {
    if (haveSpare) {
      haveSpare = false;
      return spare;
    }
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * noise.next() - 1;
      v = 2 * noise.next() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const m = Math.sqrt((-2 * Math.log(q)) / q);
    spare = v * m;
    haveSpare = true;
    return u * m;
  };
  const machines = s.events.filter((e) => e.kind === "machinery");
  const rate = s.rateHz;
  let next = 0;
  return (tMs, out) => {
    const i = Math.round((tMs * rate) / 1000);
    const t = i / rate;
    let ax = sd > 0 ? sd * normal() : 0;
    let ay = sd > 0 ? sd * normal() : 0;
    let az = sd > 0 ? sd * normal() : 0;
    for (let m = 0; m < machines.length; m++) {
      const e = machines[m]!;
      if (e.kind !== "machinery") continue;
      const dt = t - e.tS;
      if (dt < 0 || dt > e.durationS) continue;
      const ramp = Math.min(1, dt / 2, (e.durationS - dt) / 2);
      const w = 2 * Math.PI * e.fundamentalHz * t;
      const tone =
        ((ramp * e.rmsMPerS2) / 0.81) *
        (Math.sin(w) + 0.5 * Math.sin(2 * w + 1) + 0.25 * Math.sin(3 * w + 2));
      ax += tone;
      ay += 0.5 * tone;
      az += 0.3 * tone;
    }
    while (next < rendered.length && rendered[next]!.startIndex + rendered[next]!.axes[0]!.length <= i)
      next++;
    for (let r = next; r < rendered.length && rendered[r]!.startIndex <= i; r++) {
      const ev = rendered[r]!;
      const j = i - ev.startIndex;
      if (j < 0 || j >= ev.axes[0]!.length) continue;
      ax += ev.axes[0]![j]!;
      ay += ev.axes[1]![j]!;
      az += ev.axes[2]![j]!;
    }
    out[0] = ax;
    out[1] = ay;
    out[2] = az + G_M_PER_S2;
    return undefined;
  };
}
