/**
 * MiniSEED (SEED 2.4 data records) import through seisplotjs, streamed one record at a time: the file is
 * read in 64 KiB chunks, each record parsed and decompressed alone (never the whole file's trace).
 *
 * Time: a record's start is its BTime plus the microseconds of blockette 1001, plus the header's time
 * correction when activity flag bit 1 says it was not yet applied (SEED manual v2.4, fixed header fields 12
 * and 16, blockette 1001). seisplotjs's own DateTime rounds to the millisecond and ignores blockette 1001,
 * so the time is computed here from the parsed BTime fields.
 *
 * Gaps and overlaps, per channel, with the tolerance libmseed uses (half a sample period): a record that
 * starts later than the previous record's end + one period leaves a gap (reported as `gapBeforeS` on the
 * block and counted); samples of a record that overlap the previous one are dropped and counted; a record
 * that starts at or before the previous record's start is out of order and rejected (non-monotonic time).
 */
import fs from "node:fs";
import type * as Miniseed from "seisplotjs/src/miniseed";
import type { Channel, Unit } from "./channels.js";
import { RecordingError } from "./errors.js";
import { makeBlock, type SampleBlock, type SampleStream } from "./stream.js";

// seisplotjs declares itself with `export =`, which a namespace import cannot name under this tsconfig; the
// runtime module is plain ESM, so load it as one and type its `miniseed` namespace from the declarations.
const { miniseed } = (await import("seisplotjs")) as unknown as { miniseed: typeof Miniseed };

const CHUNK_BYTES = 1 << 16;
/** SEED 2.4 record lengths are powers of two from 2^7 to 2^16 (blockette 1000 field 5). */
const MIN_RECORD = 128;
const MAX_RECORD = 65536;
const DATA_QUALITY = new Set(["D", "R", "Q", "M"].map((c) => c.charCodeAt(0)));

export interface MseedRecord {
  index: number;
  byteOffset: number;
  code: string;
  startUtcMs: number;
  sampleRateHz: number;
  numSamples: number;
  record: Miniseed.DataRecord;
}

/** UTC ms of a record's first sample, to the microsecond. */
export function recordStartUtcMs(h: Miniseed.DataHeader): number {
  const b = h.startBTime;
  let ms = Date.UTC(b.year, 0, 1, b.hour, b.min, b.sec) + (b.jday - 1) * 86_400_000 + b.tenthMilli / 10;
  ms += b.microsecond / 1000;
  // Field 16 is in 0.0001 s; activity flag bit 1 = "time correction applied" (already in the BTime).
  if ((h.activityFlags & 0x02) === 0 && h.timeCorrection !== 0) ms += h.timeCorrection / 10;
  return ms;
}

/** Every record of a file, in file order, parsed but not decompressed. */
export async function* mseedRecords(file: string): AsyncGenerator<MseedRecord> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, "r");
  } catch (e) {
    throw new RecordingError("io", file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`, file);
  }
  try {
    let buf = new Uint8Array(CHUNK_BYTES * 2);
    let start = 0; // first unconsumed byte in buf
    let end = 0; // end of valid bytes in buf
    let fileOffset = 0; // file offset of buf[start]
    let eof = false;
    const fill = async (need: number): Promise<void> => {
      while (end - start < need && !eof) {
        if (start > 0) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        }
        if (buf.length - end < CHUNK_BYTES) {
          const bigger = new Uint8Array(buf.length * 2);
          bigger.set(buf.subarray(0, end));
          buf = bigger;
        }
        const { bytesRead } = await fh.read(buf, end, CHUNK_BYTES, null);
        if (bytesRead === 0) eof = true;
        end += bytesRead;
      }
    };
    for (let index = 0; ; index++) {
      await fill(MAX_RECORD);
      if (end === start) return;
      const where = `${file} record ${index} (byte ${fileOffset})`;
      const view = new DataView(buf.buffer, start, end - start);
      const quality = end - start > 6 ? view.getUint8(6) : 0;
      if (
        !DATA_QUALITY.has(quality) ||
        !/^[0-9 ]{6}$/.test(String.fromCharCode(...buf.subarray(start, start + 6)))
      ) {
        throw new RecordingError(
          index === 0 ? "unknown-format" : "bad-record",
          where,
          `not a MiniSEED data record (sequence ${JSON.stringify(String.fromCharCode(...buf.subarray(start, start + 6)))}, quality byte 0x${quality.toString(16)})`,
          quality,
        );
      }
      if (end - start < 48) {
        throw new RecordingError("bad-record", where, `truncated: ${end - start} bytes, a header needs 48`);
      }
      let header: Miniseed.DataHeader;
      try {
        header = miniseed.parseSingleDataRecordHeader(view);
      } catch (e) {
        throw new RecordingError("bad-record", where, `unreadable header: ${(e as Error).message}`);
      }
      const size = header.recordSize;
      if (!header.blocketteList.some((b: Miniseed.Blockette) => b.type === 1000)) {
        throw new RecordingError("bad-record", where, "no blockette 1000, so the record length is unknown");
      }
      if (size < MIN_RECORD || size > MAX_RECORD || (size & (size - 1)) !== 0) {
        throw new RecordingError(
          "bad-record",
          where,
          `record length ${size} is not a power of two in 128..65536`,
          size,
        );
      }
      if (end - start < size) {
        throw new RecordingError(
          "bad-record",
          where,
          `truncated: ${end - start} of ${size} bytes`,
          end - start,
        );
      }
      if (!(header.sampleRate > 0) || !Number.isFinite(header.sampleRate) || header.numSamples < 0) {
        throw new RecordingError(
          "bad-record",
          where,
          `sample rate ${header.sampleRate} Hz / ${header.numSamples} samples is not a data record`,
          header.sampleRate,
        );
      }
      const record = miniseed.parseSingleDataRecord(new DataView(buf.slice(start, start + size).buffer));
      yield {
        index,
        byteOffset: fileOffset,
        code: record.codes(),
        startUtcMs: recordStartUtcMs(header),
        sampleRateHz: header.sampleRate,
        numSamples: header.numSamples,
        record,
      };
      start += size;
      fileOffset += size;
    }
  } finally {
    await fh.close();
  }
}

export interface MseedStats {
  records: number;
  samples: number;
  gaps: number;
  overlaps: number;
  droppedSamples: number;
}

export interface MseedStream extends SampleStream {
  /** Filled in while `blocks()` runs; final when it has finished. */
  readonly stats: MseedStats;
}

export interface MseedOptions {
  /** Divide counts by this to get `unit` (e.g. a sensor's counts per m/s^2); default: keep counts. */
  countsPerUnit?: number;
  unit?: Unit;
  /** Rename the channel (default: its SEED code NET.STA.LOC.CHA). */
  name?: string;
  /** UTC ms of t = 0; default: the earliest record start in the file, floored to the millisecond. */
  startUtcMs?: number;
}

/** One stream per channel (SEED code) in the file; a first pass reads only the headers. */
export async function openMseed(file: string, options: MseedOptions = {}): Promise<MseedStream[]> {
  const first = new Map<string, { rateHz: number }>();
  let earliest = Number.POSITIVE_INFINITY;
  for await (const r of mseedRecords(file)) {
    if (!first.has(r.code)) first.set(r.code, { rateHz: r.sampleRateHz });
    earliest = Math.min(earliest, r.startUtcMs);
  }
  if (first.size === 0) throw new RecordingError("unknown-format", file, "empty file: no MiniSEED records");
  if (options.name !== undefined && first.size > 1) {
    throw new RecordingError(
      "bad-manifest",
      file,
      `a name can only be given to a one-channel file, this one has ${first.size}`,
    );
  }
  const startUtcMs = options.startUtcMs ?? Math.floor(earliest);
  return [...first].map(([code, { rateHz }]) => channelStream(file, code, rateHz, startUtcMs, options));
}

function channelStream(
  file: string,
  code: string,
  rateHz: number,
  startUtcMs: number,
  options: MseedOptions,
): MseedStream {
  const channel: Channel = { name: options.name ?? code, unit: options.unit ?? "counts" };
  const scale = 1 / (options.countsPerUnit ?? 1);
  const stats: MseedStats = { records: 0, samples: 0, gaps: 0, overlaps: 0, droppedSamples: 0 };
  let block = makeBlock(1, 1024);

  async function* blocks(): AsyncGenerator<SampleBlock> {
    Object.assign(stats, { records: 0, samples: 0, gaps: 0, overlaps: 0, droppedSamples: 0 });
    let prevStartS = Number.NEGATIVE_INFINITY;
    let lastS = Number.NEGATIVE_INFINITY;
    for await (const r of mseedRecords(file)) {
      if (r.code !== code) continue;
      const where = `${file} record ${r.index} (byte ${r.byteOffset})`;
      if (r.sampleRateHz !== rateHz) {
        // One stream, one rate: the detectors are configured for it (a rate change is a new recording).
        throw new RecordingError(
          "bad-record",
          where,
          `${code} changes sample rate from ${rateHz} to ${r.sampleRateHz} Hz`,
          r.sampleRateHz,
        );
      }
      const periodS = 1 / r.sampleRateHz;
      const t0S = (r.startUtcMs - startUtcMs) / 1000;
      if (!(t0S > prevStartS)) {
        const iso = new Date(r.startUtcMs).toISOString();
        throw new RecordingError(
          "non-monotonic-time",
          where,
          `${code} starts at ${iso}, not after the previous record`,
          iso,
        );
      }
      prevStartS = t0S;
      stats.records++;
      let samples: ArrayLike<number>;
      try {
        samples = r.record.decompress();
      } catch (e) {
        throw new RecordingError(
          "bad-record",
          where,
          `cannot decode (encoding ${r.record.header.encoding}): ${(e as Error).message}`,
        );
      }
      if (samples.length !== r.numSamples) {
        throw new RecordingError(
          "bad-record",
          where,
          `decoded ${samples.length} samples, header says ${r.numSamples}`,
          samples.length,
        );
      }
      if (block.tS.length < samples.length) block = makeBlock(1, samples.length);
      const misfitS = t0S - (lastS + periodS);
      block.gapBeforeS = 0;
      if (lastS !== Number.NEGATIVE_INFINITY && misfitS > periodS / 2) {
        stats.gaps++;
        block.gapBeforeS = misfitS;
      } else if (lastS !== Number.NEGATIVE_INFINITY && misfitS < -periodS / 2) {
        stats.overlaps++;
      }
      let n = 0;
      for (let i = 0; i < samples.length; i++) {
        const t = t0S + i * periodS;
        if (t <= lastS + periodS / 2) {
          stats.droppedSamples++;
          continue;
        }
        const x = samples[i]!;
        if (!Number.isFinite(x)) {
          throw new RecordingError("nan", where, `${code} sample ${i} of the record is ${x}`, x);
        }
        block.tS[n] = t;
        block.values[0]![n] = x * scale;
        n++;
      }
      block.count = n;
      block.firstPosition = r.index;
      stats.samples += n;
      if (n > 0) {
        lastS = block.tS[n - 1]!;
        yield block;
      }
    }
  }

  return { name: `${file} ${code}`, channels: [channel], startUtcMs, periodS: 1 / rateHz, stats, blocks };
}
