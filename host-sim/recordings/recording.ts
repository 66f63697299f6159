/**
 * Opening a recording: a directory holding `recording.json`, a manifest file, or a single CSV or MiniSEED
 * file (FORMAT.md). The result names every stream and the labels, but reads no samples yet.
 */
import fs from "node:fs";
import path from "node:path";
import { UNITS, type Unit } from "./channels.js";
import { openCsv } from "./csv.js";
import { RecordingError, shown } from "./errors.js";
import { type Label, readLabels } from "./labels.js";
import { type MseedOptions, openMseed } from "./mseed.js";
import type { SampleStream } from "./stream.js";

export const MANIFEST = "recording.json";
export const FORMAT_ID = "minewatch-recording/1";
export const LOCATIONS = ["intake", "face", "return", "local"] as const;
export type Location = (typeof LOCATIONS)[number];

export interface StreamEntry {
  file: string;
  /** MiniSEED only: channel name, unit and scale (default: SEED code, counts, 1). */
  name?: string;
  unit?: Unit;
  countsPerUnit?: number;
}

export interface Manifest {
  format: typeof FORMAT_ID;
  description?: string;
  startUtc?: string;
  location?: Location;
  profile?: string;
  streams: StreamEntry[];
  labels?: string;
  /** Provenance of synthetic recordings: the generator's scenario and seed. */
  generator?: unknown;
}

export interface Recording {
  path: string;
  manifest: Manifest | undefined;
  streams: SampleStream[];
  labels: Label[];
}

const MSEED_EXT = /\.(mseed|miniseed|ms)$/i;

export interface OpenOptions {
  /** Told, once each, what a reader read past with a warning (MiniSEED: mseed.ts `MseedOptions.warn`). */
  warn?: (message: string) => void;
}

/** Opens whatever `target` names; throws RecordingError for anything it cannot read. */
export async function openRecording(target: string, options: OpenOptions = {}): Promise<Recording> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(target);
  } catch (e) {
    throw new RecordingError("io", target, `cannot open: ${(e as NodeJS.ErrnoException).code ?? e}`, target);
  }
  if (stat.isDirectory()) return openManifest(path.join(target, MANIFEST), options);
  if (/\.json$/i.test(target)) return openManifest(target, options);
  return { path: target, manifest: undefined, streams: await openDataFile(target, {}, options), labels: [] };
}

async function sniff(file: string): Promise<"csv" | "mseed" | undefined> {
  const fh = await fs.promises.open(file, "r");
  try {
    const head = new Uint8Array(64);
    const { bytesRead } = await fh.read(head, 0, 64, 0);
    const text = String.fromCharCode(...head.subarray(0, bytesRead));
    if (/^[0-9 ]{6}[DRQM]/.test(text)) return "mseed";
    if (/^(#|t_s[,\r\n])/.test(text)) return "csv";
    return undefined;
  } finally {
    await fh.close();
  }
}

async function openDataFile(
  file: string,
  entry: Omit<StreamEntry, "file">,
  options: OpenOptions,
  startUtcMs?: number,
): Promise<SampleStream[]> {
  let kind: "csv" | "mseed" | undefined;
  if (/\.csv$/i.test(file)) kind = "csv";
  else if (MSEED_EXT.test(file)) kind = "mseed";
  else {
    try {
      kind = await sniff(file);
    } catch (e) {
      throw new RecordingError("io", file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`, file);
    }
  }
  if (kind === "csv") {
    const csv = await openCsv(file);
    if (startUtcMs !== undefined && csv.startUtcMs !== undefined && csv.startUtcMs !== startUtcMs) {
      const iso = new Date(csv.startUtcMs).toISOString();
      throw new RecordingError(
        "bad-manifest",
        file,
        `start_utc ${iso} differs from the manifest's startUtc`,
        iso,
      );
    }
    return [startUtcMs === undefined ? csv : { ...csv, startUtcMs }];
  }
  if (kind === "mseed") {
    const o: MseedOptions = {};
    if (options.warn !== undefined) o.warn = options.warn;
    if (startUtcMs !== undefined) o.startUtcMs = startUtcMs;
    if (entry.name !== undefined) o.name = entry.name;
    if (entry.unit !== undefined) o.unit = entry.unit;
    if (entry.countsPerUnit !== undefined) o.countsPerUnit = entry.countsPerUnit;
    return openMseed(file, o);
  }
  throw new RecordingError(
    "unknown-format",
    file,
    "unknown format: not CSV (.csv, header t_s,...), MiniSEED (.mseed) or a recording directory / manifest (.json)",
    path.extname(file),
  );
}

function bad(where: string, problem: string, value: unknown): never {
  throw new RecordingError("bad-manifest", where, problem, value);
}

export async function openManifest(file: string, options: OpenOptions = {}): Promise<Recording> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, "utf8");
  } catch (e) {
    throw new RecordingError("io", file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`, file);
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new RecordingError("bad-manifest", file, `not JSON: ${(e as Error).message}`);
  }
  if (typeof m !== "object" || m === null) bad(file, "the manifest must be a JSON object", m);
  if (m.format !== FORMAT_ID)
    bad(file, `format must be ${shown(FORMAT_ID)}, got ${shown(m.format)}`, m.format);
  if (m.location !== undefined && !LOCATIONS.includes(m.location)) {
    bad(file, `location must be one of ${LOCATIONS.join("|")}, got ${shown(m.location)}`, m.location);
  }
  if (!Array.isArray(m.streams) || m.streams.length === 0)
    bad(file, "streams must list at least one file", m.streams);
  let startUtcMs: number | undefined;
  if (m.startUtc !== undefined) {
    startUtcMs = Date.parse(m.startUtc);
    if (
      typeof m.startUtc !== "string" ||
      !/^\d{4}-\d\d-\d\dT/.test(m.startUtc) ||
      !Number.isFinite(startUtcMs)
    ) {
      bad(file, `startUtc must be an ISO 8601 UTC time, got ${shown(m.startUtc)}`, m.startUtc);
    }
  }
  const dir = path.dirname(file);
  const streams: SampleStream[] = [];
  for (const [i, s] of m.streams.entries()) {
    const at = `${file} streams[${i}]`;
    if (typeof s?.file !== "string" || s.file === "")
      bad(at, `file must be a file name, got ${shown(s?.file)}`, s?.file);
    if (s.unit !== undefined && !UNITS.includes(s.unit))
      bad(at, `unit must be one of ${UNITS.join("|")}, got ${shown(s.unit)}`, s.unit);
    if (s.countsPerUnit !== undefined && !(s.countsPerUnit > 0 && Number.isFinite(s.countsPerUnit))) {
      bad(at, `countsPerUnit must be a finite number > 0, got ${shown(s.countsPerUnit)}`, s.countsPerUnit);
    }
    streams.push(...(await openDataFile(path.join(dir, s.file), s, options, startUtcMs)));
  }
  const labels = m.labels === undefined ? [] : await readLabels(path.join(dir, m.labels));
  return { path: file, manifest: m, streams, labels };
}
