/**
 * Labels: the ground truth of a recording, one JSON object a line (FORMAT.md section "Labels"). Every label
 * has `t` (seconds from the recording's start), `kind` and `channel`; the other fields depend on the kind.
 */
import fs from "node:fs";
import readline from "node:readline";
import { RecordingError, shown } from "./errors.js";

export const LABEL_KINDS = [
  // gas
  "gas-crossing", // the recorded value reaches a set-point: an alarm is due within one sample period
  "gas-inrush", // fast CH4 rise (outburst, feeder): onset of the model
  "gas-accumulation", // slow CH4 rise (ventilation degraded)
  "toxic-release", // CO or H2S released (blast fumes, a heating) and ventilated away
  "o2-deficiency", // O2 displaced (blackdamp)
  "sensor-drift", // zero drift of a channel begins
  "fault-stuck", // the sensor output freezes
  "fault-dropout", // no data (empty cells)
  "fault-spike", // a single-sample spike
  // seismic
  "microseismic", // rock fracture event
  "blast", // production blast (known time)
  "machinery", // machinery running: noise, not an event
  "teleseism", // analyst pick on real data: a distant earthquake's arrival
] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

// Which kinds a seismic detector should trigger on: site/evaluation.ts SEISMIC_EVENT_KINDS.

export interface Label {
  t: number;
  kind: LabelKind;
  channel: string;
  /** Gas crossings: `A1` / `A2`; the set-point reached, its direction. */
  level?: string;
  setPoint?: number;
  direction?: "rising" | "falling";
  /** Events and faults: how long it lasts. */
  durationS?: number;
  /** Seismic ground truth, from the noise-free modelled waveform. */
  ppvMmPerS?: number;
  pgaMPerS2?: number;
  cornerHz?: number;
  /** Gas models: the peak concentration reached, in the channel's unit. */
  peak?: number;
  note?: string;
}

export function checkLabel(raw: unknown, where: string): Label {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new RecordingError("bad-label", where, `a label must be a JSON object, got ${shown(raw)}`, raw);
  }
  const o = raw as Record<string, unknown>;
  if (typeof o.t !== "number" || !Number.isFinite(o.t)) {
    throw new RecordingError(
      "bad-label",
      where,
      `t must be a finite number of seconds, got ${shown(o.t)}`,
      o.t,
    );
  }
  if (!LABEL_KINDS.includes(o.kind as LabelKind)) {
    throw new RecordingError(
      "bad-label",
      where,
      `unknown kind ${shown(o.kind)} (known: ${LABEL_KINDS.join(", ")})`,
      o.kind,
    );
  }
  if (typeof o.channel !== "string" || o.channel === "") {
    throw new RecordingError(
      "bad-label",
      where,
      `channel must be a non-empty string, got ${shown(o.channel)}`,
      o.channel,
    );
  }
  for (const k of ["setPoint", "durationS", "ppvMmPerS", "pgaMPerS2", "cornerHz", "peak"]) {
    if (k in o && (typeof o[k] !== "number" || !Number.isFinite(o[k]))) {
      throw new RecordingError("bad-label", where, `${k} must be a finite number, got ${shown(o[k])}`, o[k]);
    }
  }
  if ("direction" in o && o.direction !== "rising" && o.direction !== "falling") {
    throw new RecordingError(
      "bad-label",
      where,
      `direction must be rising or falling, got ${shown(o.direction)}`,
      o.direction,
    );
  }
  return o as unknown as Label;
}

/** Reads a labels file (labels are few: a list, sorted by t). */
export async function readLabels(file: string): Promise<Label[]> {
  try {
    await fs.promises.access(file, fs.constants.R_OK);
  } catch (e) {
    throw new RecordingError("io", file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`, file);
  }
  const lines = readline.createInterface({ input: fs.createReadStream(file, "utf8"), crlfDelay: Infinity });
  const out: Label[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new RecordingError("bad-label", `${file} line ${n}`, `not JSON: ${shown(line)}`, line);
    }
    out.push(checkLabel(raw, `${file} line ${n}`));
  }
  return out.sort((a, b) => a.t - b.t);
}

/** One line per label, keys in a fixed order, so the same labels give the same bytes. */
export function formatLabels(labels: readonly Label[]): string {
  return labels.map((l) => `${JSON.stringify(l)}\n`).join("");
}
