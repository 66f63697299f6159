/**
 * Replays acceleration (or raw seismometer) streams through the firmware's seismic detector
 * (firmware/sensing/seismic, the same code the node runs) and turns its Final event records into findings.
 */
import {
  EventFlag,
  ppvClassName,
  type SeismicConfig,
  SeismicDetector,
  SeismicEvent,
  SeismicSummary,
} from "../../../firmware/sensing/seismic/index.js";
import { RecordingError } from "../errors.js";
import type { Finding } from "../findings.js";
import type { SampleBlock, SampleStream } from "../stream.js";

export interface SeismicOverrides {
  staS?: number;
  ltaS?: number;
  onThreshold?: number;
  offThreshold?: number;
  method?: "recursive" | "classic";
  ppvProfile?: string;
}

/**
 * detect's defaults (design defaults, tuned on nothing but stated here): for mine vibration (>= 50 Hz) the
 * seismic API's own example, STA 0.05 s / LTA 5 s, on 4 / off 1.5, pre 0.5 s / post 1 s, high-pass 0.2 Hz.
 * For slow broadband channels (< 50 Hz, e.g. the 1 sps LHZ test trace) the windows scale to 100 samples of
 * LTA and 5 of STA, and the high-pass corner to rate / 100 so that 20 s surface waves survive it.
 */
export function defaultSeismicConfig(rateHz: number, o: SeismicOverrides = {}): SeismicConfig {
  const slow = rateHz < 50;
  const c: SeismicConfig = {
    sampleRateHz: rateHz,
    staS: o.staS ?? (slow ? 5 / rateHz : 0.05),
    ltaS: o.ltaS ?? (slow ? 100 / rateHz : 5),
    onThreshold: o.onThreshold ?? 4,
    offThreshold: o.offThreshold ?? 1.5,
    preEventMs: slow ? 10_000 / rateHz : 500,
    postEventMs: slow ? 20_000 / rateHz : 1000,
    highPassHz: Math.min(0.2, rateHz / 100),
    maxEventMs: slow ? 600_000 : 60_000,
  };
  if (o.method !== undefined) c.method = o.method;
  if (o.ppvProfile !== undefined) c.ppvProfile = o.ppvProfile;
  return c;
}

/**
 * Largest magnitude a sample may have (issue 14 item 9): beyond it the detector's squares and sums overflow
 * to Infinity and NaN, and no sensor reads it anyway. Acceleration: 10,000 m/s^2 (about 1,000 g; the node's
 * ADXL355 reads to 8 g, shock accelerometers for blasting to some hundreds of g). Raw counts: 2^31, a 32-bit
 * digitizer's full scale.
 */
export const SAMPLE_LIMIT = { m_per_s2: 10_000, counts: 2 ** 31 } as const;

/** Where each stream channel goes: index of the x, y, z axis in the block, or -1 (fed as 0). */
interface AxisMap {
  x: number;
  y: number;
  z: number;
}

export class SeismicReplay {
  readonly stream: SampleStream;
  readonly detector: SeismicDetector;
  readonly channel: string;
  readonly unit: string | undefined;
  samples = 0;
  firstS = Number.NaN;
  lastS = Number.NaN;
  skipped = 0;
  #axes: AxisMap;
  #limit: number;
  #periodS: number;
  #ev = new SeismicEvent();
  #sum = new SeismicSummary();
  #out: Finding[];

  constructor(
    stream: SampleStream,
    axes: AxisMap,
    rateHz: number,
    overrides: SeismicOverrides,
    out: Finding[],
  ) {
    this.stream = stream;
    this.#axes = axes;
    this.#out = out;
    const raw = stream.channels.some((c) => c.unit === "counts");
    this.unit = raw ? "counts" : undefined;
    this.#limit = raw ? SAMPLE_LIMIT.counts : SAMPLE_LIMIT.m_per_s2;
    this.#periodS = 1 / rateHz;
    const names = stream.channels.map((c) => c.name);
    this.channel = names.every((n) => n === "ax" || n === "ay" || n === "az") ? "accel" : names.join("+");
    this.detector = new SeismicDetector(defaultSeismicConfig(rateHz, overrides));
  }

  feed(b: SampleBlock): void {
    const { x, y, z } = this.#axes;
    const vx = x >= 0 ? b.values[x]! : undefined;
    const vy = y >= 0 ? b.values[y]! : undefined;
    const vz = z >= 0 ? b.values[z]! : undefined;
    for (let i = 0; i < b.count; i++) {
      const ax = vx ? vx[i]! : 0;
      const ay = vy ? vy[i]! : 0;
      const az = vz ? vz[i]! : 0;
      // An empty cell is no data: the sample is left out, and the detector sees the time step; a step over
      // 1.5 periods (rows or records missing, empty cells) is reported as a gap (MiniSEED: libmseed's tolerance).
      if (Number.isNaN(ax) || Number.isNaN(ay) || Number.isNaN(az)) {
        this.skipped++;
        continue;
      }
      const t = b.tS[i]!;
      const limit = this.#limit;
      if (!(Math.abs(ax) <= limit && Math.abs(ay) <= limit && Math.abs(az) <= limit)) this.#absurd(b, i);
      if (this.samples === 0) this.firstS = t;
      else if (t - this.lastS > 1.5 * this.#periodS) {
        this.#out.push({
          t: this.lastS + this.#periodS,
          kind: "gap",
          channel: this.channel,
          durationS: t - this.lastS - this.#periodS,
        });
      }
      this.lastS = t;
      this.samples++;
      if (this.detector.push(t * 1000, ax, ay, az) !== 0) this.#drain();
    }
  }

  /** Refuses a sample beyond SAMPLE_LIMIT, naming the stream, the time and the axis. */
  #absurd(b: SampleBlock, i: number): never {
    const { x, y, z } = this.#axes;
    const raw = this.unit === "counts";
    const unit = raw ? "counts" : "m/s^2";
    for (const c of [x, y, z]) {
      const v = c >= 0 ? b.values[c]![i]! : 0;
      if (Math.abs(v) <= this.#limit) continue;
      const name = this.stream.channels[c]!.name;
      const why = raw
        ? "a 32-bit digitizer's full scale"
        : "about 1000 g: no accelerometer a node carries reads it";
      throw new RecordingError(
        "bad-value",
        `${this.stream.name} at t = ${b.tS[i]!} s`,
        `${name} is ${v} ${unit}, beyond +-${this.#limit} ${unit} (${why})`,
        v,
      );
    }
    throw new Error("unreachable: no axis beyond the limit");
  }

  finish(): void {
    if (this.samples > 0) this.detector.flush();
    this.#drain();
  }

  #drain(): void {
    const ev = this.#ev;
    while (this.detector.takeEvent(ev)) {
      if (ev.phase !== 2) continue; // EventPhase.Final: the one line per event
      const raw = this.unit === "counts";
      const f: Finding = {
        t: ev.onsetMs / 1000,
        kind: "event",
        channel: this.channel,
        durationS: ev.durationMs / 1000,
        pgaMPerS2: raw ? null : ev.pgaMPerS2,
        ppvMmPerS: raw ? null : ev.ppvMmPerS,
        dominantHz: ev.dominantFreqHz,
        staLtaPeak: ev.staLtaPeak,
      };
      if (!raw) f.class = ppvClassName(ev.ppvClass);
      else f.unit = "counts";
      if (ev.flags & EventFlag.Truncated) f.level = "truncated";
      this.#out.push(f);
    }
    while (this.detector.takeSummary(this.#sum)) {
      // Telemetry summaries are the node's business; detect reports events only.
    }
  }
}
