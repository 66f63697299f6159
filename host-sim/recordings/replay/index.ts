/**
 * Runs a recording through the sensing pipelines: each stream's channels are routed by name and unit (gas
 * channels to the gas pipeline, acceleration axes and raw seismometer channels to the seismic detector),
 * block by block, so memory stays bounded whatever the recording's length. Returns the findings in time
 * order and what was replayed.
 */
import { GAS_CHANNEL_UNITS, quantityOf } from "../channels.js";
import { RecordingError } from "../errors.js";
import type { Finding } from "../findings.js";
import type { Location, Recording } from "../recording.js";
import type { SampleStream } from "../stream.js";
import { type GasPort, type GasPortOptions, GasReplay } from "./gas.js";
import { resolvedProfile } from "./gas-port.js";
import { type SeismicOverrides, SeismicReplay } from "./seismic.js";

export interface ReplayOptions {
  profile?: string;
  location?: Location;
  seismic?: SeismicOverrides;
  /** Unit tests only: a stand-in for the gas pipeline (default: firmware/sensing/gas via gas-port.ts). */
  gasPort?: (o: GasPortOptions) => GasPort;
}

export interface ReplayedStream {
  name: string;
  pipeline: "gas" | "seismic";
  channel: string;
  samples: number;
  durationS: number;
  periodS: number;
  /** Gas streams: the set-point profile and location class the pipeline ran with. */
  profile?: string;
  location?: string;
}

export interface ReplayResult {
  findings: Finding[];
  streams: ReplayedStream[];
}

const AXIS = { ax: 0, ay: 1, az: 2 } as const;

/**
 * Sample period of a stream: declared, or measured (CSV) from its first samples, so that rows missing early
 * on (a gap) do not stretch the period.
 */
async function periodOf(stream: SampleStream): Promise<number> {
  if (stream.periodS !== undefined) return stream.periodS;
  for await (const b of stream.blocks()) {
    if (b.count < 2) break;
    // The first step, unless a later one is clearly shorter (then the first step was a gap).
    let periodS = b.tS[1]! - b.tS[0]!;
    for (let i = 2; i < Math.min(b.count, PERIOD_PROBE); i++) {
      const step = b.tS[i]! - b.tS[i - 1]!;
      if (step < periodS / 1.5) periodS = step;
    }
    return periodS;
  }
  throw new RecordingError("missing-column", stream.name, "fewer than two samples: no sample rate", 0);
}

const PERIOD_PROBE = 64;

/**
 * Sample rates a pipeline can make sense of. Gas: at least one sample per 15 minutes (the STEL window), at
 * most 100 Hz (gas cells respond in seconds). Seismic: the detector's own range (firmware/sensing/seismic
 * config: sampleRateHz 0.01..10000).
 */
const RATE_RANGE = {
  gas: { minHz: 1 / 900, maxHz: 100, why: "one sample per 15 min to 100 Hz" },
  seismic: { minHz: 0.01, maxHz: 10_000, why: "0.01 to 10000 Hz" },
} as const;

function checkRate(stream: SampleStream, pipeline: "gas" | "seismic", periodS: number): void {
  const rateHz = 1 / periodS;
  const r = RATE_RANGE[pipeline];
  if (rateHz >= r.minHz && rateHz <= r.maxHz) return;
  const step = stream.periodS === undefined ? ` (t_s step ${Number(periodS.toPrecision(6))} s)` : "";
  throw new RecordingError(
    "bad-value",
    stream.name,
    `sample rate ${Number(rateHz.toPrecision(6))} Hz${step} is outside what the ${pipeline} pipeline takes: ${r.why}`,
    rateHz,
  );
}

/** Replays every stream; profile and location default to the recording manifest's. */
export async function replay(recording: Recording, given: ReplayOptions = {}): Promise<ReplayResult> {
  const options: ReplayOptions = { ...given };
  options.profile ??= recording.manifest?.profile;
  options.location ??= recording.manifest?.location;
  const findings: Finding[] = [];
  const streams: ReplayedStream[] = [];
  for (const stream of recording.streams) {
    const gas = stream.channels.filter((c) => quantityOf(c.unit) === "gas");
    const accel = stream.channels.filter((c) => quantityOf(c.unit) === "acceleration");
    const raw = stream.channels.filter((c) => quantityOf(c.unit) === "raw");
    for (const c of gas) {
      const unit = GAS_CHANNEL_UNITS[c.name as keyof typeof GAS_CHANNEL_UNITS];
      if (unit === undefined) {
        throw new RecordingError(
          "bad-column",
          stream.name,
          `gas channel ${c.name}_${c.unit} is not one the gas pipeline knows (ch4, co, o2, h2s)`,
          c.name,
        );
      }
      if (unit !== c.unit) {
        throw new RecordingError(
          "bad-column",
          stream.name,
          `${c.name} must be recorded in ${unit}, not ${c.unit}`,
          c.unit,
        );
      }
    }
    for (const c of accel) {
      if (!(c.name in AXIS)) {
        throw new RecordingError(
          "bad-column",
          stream.name,
          `acceleration channel ${c.name} is not an axis (ax, ay, az)`,
          c.name,
        );
      }
    }
    if (raw.length > 0 && (gas.length > 0 || accel.length > 0 || raw.length > 1)) {
      throw new RecordingError(
        "bad-column",
        stream.name,
        "a counts channel must be alone in its stream (one seismometer component)",
        raw[0]!.name,
      );
    }
    const periodS = await periodOf(stream);
    if (gas.length > 0) checkRate(stream, "gas", periodS);
    if (accel.length > 0 || raw.length > 0) checkRate(stream, "seismic", periodS);
    const g = gas.length > 0 ? new GasReplay(stream, periodS, options, findings, options.gasPort) : undefined;
    let s: SeismicReplay | undefined;
    if (accel.length > 0 || raw.length > 0) {
      const idx = (name: string) => stream.channels.findIndex((c) => c.name === name);
      const axes =
        raw.length > 0
          ? { x: -1, y: -1, z: idx(raw[0]!.name) }
          : { x: idx("ax"), y: idx("ay"), z: idx("az") };
      s = new SeismicReplay(stream, axes, 1 / periodS, options.seismic ?? {}, findings);
    }
    for await (const b of stream.blocks()) {
      g?.feed(b);
      s?.feed(b);
    }
    if (g) {
      g.finish();
      streams.push({
        name: stream.name,
        pipeline: "gas",
        channel: gas.map((c) => c.name).join("+"),
        samples: g.samples,
        durationS: g.durationS,
        periodS,
        ...(options.gasPort ? {} : resolvedProfile(options.profile, options.location)),
      });
    }
    if (s) {
      s.finish();
      const durationS = s.samples > 0 ? s.lastS - s.firstS + periodS : 0;
      streams.push({
        name: stream.name,
        pipeline: "seismic",
        channel: s.channel,
        samples: s.samples,
        durationS,
        periodS,
      });
    }
  }
  findings.sort((a, b) => a.t - b.t || a.channel.localeCompare(b.channel));
  return { findings, streams };
}
