/**
 * The real trace the seismic tests run on: ../shared/data/iu-cola-lhz-2010-02-27.mseed (IU.COLA.00.LHZ,
 * 1 sample/s, Steim-2; the hour after the M8.8 Maule earthquake of 2010-02-27 06:34 UTC). Decoded here with
 * seisplotjs, independently of the product's importer (host-sim/recordings), so the check does not lean
 * on the code under test.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as Miniseed from "seisplotjs/src/miniseed";

// seisplotjs declares itself with `export =`, which a static namespace import cannot name under this
// tsconfig; a dynamic import gives the same module object.
const { miniseed } = (await import("seisplotjs")) as unknown as { miniseed: typeof Miniseed };

const here = path.dirname(fileURLToPath(import.meta.url));
export const COLA_MSEED = path.resolve(here, "../../../../shared/data/iu-cola-lhz-2010-02-27.mseed");

export interface RealTrace {
  /** Counts, float64, in time order. */
  counts: Float64Array;
  sampleRateHz: number;
  /** Epoch ms of the first sample. */
  startMs: number;
}

let cached: RealTrace | undefined;

export function loadColaTrace(): RealTrace {
  if (cached) return cached;
  const bytes = fs.readFileSync(COLA_MSEED);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const records = miniseed.parseDataRecords(ab as ArrayBuffer);
  const values: number[] = [];
  let startMs = Number.NaN;
  let rate = Number.NaN;
  let expectedNextMs = Number.NaN;
  for (const r of records) {
    const h = r.header;
    const t0 = h.startTime.toMillis();
    if (Number.isNaN(startMs)) {
      startMs = t0;
      rate = h.sampleRate;
    } else if (Math.abs(t0 - expectedNextMs) > 500 / rate) {
      throw new Error(`COLA trace: record at ${h.startTime.toISO()} does not follow the previous one`);
    }
    const d = r.decompress();
    for (let i = 0; i < d.length; i++) values.push(d[i]!);
    expectedNextMs = t0 + (d.length * 1000) / rate;
  }
  cached = { counts: Float64Array.from(values), sampleRateHz: rate, startMs };
  return cached;
}
