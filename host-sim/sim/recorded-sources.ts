/**
 * A node that replays a recorded gas stream (a recording directory, manifest or CSV file:
 * host-sim/recordings/FORMAT.md) instead of the synthetic generator: what a test engineer does with a shift
 * logged by a real detector. The gas values are read sample-and-hold by their own time column, so the chip
 * models see exactly the recorded values at the recorded instants; after the recording ends the last value
 * holds. A dropout (empty cell) holds the previous value: the chip models cannot express "no data" (use a
 * `sensor-fault` fault for that).
 *
 * Labels: the gas set-point crossings are computed from the recorded values against THIS node's profile and
 * location (as for synthetic nodes), so "an alarm within N s of each crossing" tests the set-points the node
 * really runs, whatever set-points the recording's own labels were written for; the recording's other labels
 * (events, faults) are kept as they are. A `fault-spike` label marks a sample that neither crosses nor re-arms.
 * Acceleration stays synthetic (the node's `seismic` section): recorded acceleration is replayed through
 * `minewatch detect`, whose pipeline has no chip-model rate to match.
 */
import { type GasChannel, GAS_CHANNELS as REC_GAS } from "../recordings/channels.js";
import { RecordingError } from "../recordings/errors.js";
import type { Label } from "../recordings/labels.js";
import { openRecording } from "../recordings/recording.js";
import { makeBlock, type SampleStream } from "../recordings/stream.js";
import { crossingLabels } from "../recordings/synth/gas.js";
import type { GasEvent, SetPoint } from "../recordings/synth/scenario.js";
import { ScenarioError } from "./errors.js";

/** One gas channel as recorded: times (ms) and values, NaN-free (dropouts hold the previous value). */
export interface RecordedGas {
  /** Per GAS_CHANNELS index (ch4, co, o2, h2s): undefined when the recording lacks that gas. */
  channels: Array<{ tMs: Float64Array; v: Float64Array } | undefined>;
  labels: Label[];
  durationS: number;
}

/** Reads every gas stream of `file` into memory (a node-day at 1 Hz is 4 x 86,400 samples: 2.8 MB). */
export async function readRecordedGas(file: string, nodeField: string): Promise<RecordedGas> {
  try {
    return await readGas(await openRecording(file), file, nodeField);
  } catch (e) {
    // Not a recording (a README, package.json, a folder without recording.json) or a bad row in one.
    if (e instanceof RecordingError) throw new ScenarioError("io", file, nodeField, e.message, file);
    throw e;
  }
}

async function readGas(
  rec: Awaited<ReturnType<typeof openRecording>>,
  file: string,
  nodeField: string,
): Promise<RecordedGas> {
  const times: number[][] = REC_GAS.map(() => []);
  const values: number[][] = REC_GAS.map(() => []);
  let endS = 0;
  for (const stream of rec.streams) {
    const cols = stream.channels.map((c) =>
      c.unit !== "counts" && (REC_GAS as string[]).includes(c.name)
        ? REC_GAS.indexOf(c.name as GasChannel)
        : -1,
    );
    if (cols.every((c) => c < 0)) continue;
    for await (const b of stream.blocks()) {
      for (let i = 0; i < b.count; i++) {
        const t = b.tS[i]!;
        endS = Math.max(endS, t);
        cols.forEach((g, k) => {
          if (g < 0) return;
          const v = b.values[k]![i]!;
          const prev = values[g]!;
          if (Number.isNaN(v) && prev.length === 0) return; // nothing to hold yet
          times[g]!.push(t * 1000);
          prev.push(Number.isNaN(v) ? prev[prev.length - 1]! : v);
        });
      }
    }
  }
  if (times.every((t) => t.length === 0))
    throw new ScenarioError(
      "bad-field",
      file,
      nodeField,
      "the recording has no gas stream (ch4, co, o2, h2s)",
      file,
    );
  return {
    channels: REC_GAS.map((_, g) =>
      times[g]!.length ? { tMs: Float64Array.from(times[g]!), v: Float64Array.from(values[g]!) } : undefined,
    ),
    labels: rec.labels,
    durationS: endS,
  };
}

/** Sample-and-hold lookup by virtual time; before the first sample, the first value. */
export function holdAt(ch: { tMs: Float64Array; v: Float64Array }): (tMs: number) => number {
  let i = 0;
  return (tMs) => {
    // Virtual time moves forward: walk on from the last index (from the start if time went back).
    if (i > 0 && ch.tMs[i]! > tMs) i = 0;
    while (i + 1 < ch.tMs.length && ch.tMs[i + 1]! <= tMs) i++;
    return ch.v[i]!;
  };
}

/**
 * Crossing labels of the recorded values against `setPoints` (the node's own), plus the recording's
 * non-crossing labels. Uses the generator's crossing rule (crossingLabels) over a 1-sample-per-step
 * stream of the channels at the union of their time stamps.
 */
export async function recordedLabels(g: RecordedGas, setPoints: SetPoint[]): Promise<Label[]> {
  const stamps = [...new Set(g.channels.flatMap((c) => (c ? [...c.tMs] : [])))].sort((a, b) => a - b);
  const holds = g.channels.map((c) => (c ? holdAt(c) : () => Number.NaN));
  const block = makeBlock(REC_GAS.length, 1);
  const stream: SampleStream = {
    name: "recording",
    channels: REC_GAS.map((name) => ({ name, unit: name === "co" || name === "h2s" ? "ppm" : "pct_vol" })),
    startUtcMs: undefined,
    periodS: undefined,
    async *blocks() {
      for (const t of stamps) {
        block.count = 1;
        block.tS[0] = t / 1000;
        for (let c = 0; c < REC_GAS.length; c++) block.values[c]![0] = holds[c]!(t);
        yield block;
      }
    },
  };
  // Spikes as the generator marks them: by sample index at the stream's period (1 step per stamp here).
  const spikes: GasEvent[] = g.labels
    .filter((l) => l.kind === "fault-spike")
    .map(
      (l) =>
        ({
          kind: "fault-spike",
          tS: stamps.findIndex((t) => t >= l.t * 1000),
          channel: l.channel as GasChannel,
          delta: 0,
        }) as GasEvent,
    );
  const crossings = await crossingLabels(stream, {
    periodS: 1,
    baseline: { ch4: 0, co: 0, o2: 0, h2s: 0 },
    noiseSd: { ch4: 0, co: 0, o2: 0, h2s: 0 },
    resolution: { ch4: 0, co: 0, o2: 0, h2s: 0 },
    events: spikes,
    setPoints,
  });
  return [...g.labels.filter((l) => l.kind !== "gas-crossing"), ...crossings].sort((a, b) => a.t - b.t);
}
