/**
 * Synthetic recordings: a scenario and a seed in, streams and labels out (or a recording directory on disk,
 * FORMAT.md). Same scenario and seed, same bytes: every random draw comes from host-sim/prng.ts, with one
 * forked stream per channel group so the gas samples do not depend on whether acceleration is generated.
 */
import fs from "node:fs";
import path from "node:path";
import { fork, root as rootOf } from "../../fault-plan.js";
import { writeCsv } from "../csv.js";
import { formatLabels, type Label } from "../labels.js";
import { FORMAT_ID, MANIFEST, type Manifest } from "../recording.js";
import type { SampleStream } from "../stream.js";
import { crossingLabels, gasEventLabels, gasStream } from "./gas.js";
import type { Scenario } from "./scenario.js";
import { accelStream, machineryLabels, renderEvents, seismicLabel } from "./seismic.js";

export interface Synthetic {
  gas: SampleStream | undefined;
  accel: SampleStream | undefined;
  labels: Label[];
}

export async function synthesize(scenario: Scenario, seed: number): Promise<Synthetic> {
  const root = rootOf(seed);
  const startUtcMs = Date.parse(scenario.startUtc);
  const labels: Label[] = [];
  let gas: SampleStream | undefined;
  let accel: SampleStream | undefined;
  if (scenario.gas) {
    const g = scenario.gas;
    gas = {
      ...gasStream("synthetic gas", g, scenario.durationS, () => fork(root, "recording/gas")),
      startUtcMs,
    };
    labels.push(...gasEventLabels(g), ...(await crossingLabels(gas, g)));
  }
  if (scenario.seismic) {
    const s = scenario.seismic;
    accel = {
      ...accelStream("synthetic accel", s, scenario.durationS, () => fork(root, "recording/accel")),
      startUtcMs,
    };
    // The same fork as accelStream's renderEvents, so the labels describe exactly the rendered waveforms.
    const events = fork(fork(root, "recording/accel"), "accel/events");
    for (const r of renderEvents(s, events)) labels.push(seismicLabel(r, s.rateHz));
    labels.push(...machineryLabels(s));
  }
  labels.sort((a, b) => a.t - b.t || a.kind.localeCompare(b.kind) || a.channel.localeCompare(b.channel));
  return { gas, accel, labels };
}

/** Writes `dir/recording.json`, `gas.csv`, `accel.csv`, `labels.jsonl`; returns the manifest. */
export async function writeSynthetic(dir: string, scenario: Scenario, seed: number): Promise<Manifest> {
  const syn = await synthesize(scenario, seed);
  await fs.promises.mkdir(dir, { recursive: true });
  const manifest: Manifest = {
    format: FORMAT_ID,
    description: `synthetic recording "${scenario.name}" (host-sim/recordings/synth), seed ${seed}`,
    startUtc: scenario.startUtc,
    location: scenario.location,
    streams: [],
    labels: "labels.jsonl",
    generator: { seed, scenario },
  };
  if (syn.gas) {
    await writeCsv(path.join(dir, "gas.csv"), syn.gas);
    manifest.streams.push({ file: "gas.csv" });
  }
  if (syn.accel) {
    await writeCsv(path.join(dir, "accel.csv"), syn.accel);
    manifest.streams.push({ file: "accel.csv" });
  }
  await fs.promises.writeFile(path.join(dir, "labels.jsonl"), formatLabels(syn.labels));
  await fs.promises.writeFile(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
