/**
 * MiniSEED (SEED 2.4 data records) import, streamed one record at a time: the file is read in 64 KiB
 * chunks, each record parsed and decompressed alone (never the whole file's trace). The fixed header and
 * blockettes are parsed and checked here (`parseMseedHeader`: byte order from the start year and day as
 * libmseed finds it, the sample count unsigned, every offset inside the record); seisplotjs's codecs decode
 * the data (Steim-1, Steim-2, integers, floats).
 *
 * Time: a record's start is its BTime plus the microseconds of blockette 1001 (signed), plus the header's
 * time correction when activity flag bit 1 says it was not yet applied (SEED manual v2.4, fixed header
 * fields 12 and 16, blockette 1001).
 *
 * Read as libmseed reads them, with a warning (`MseedOptions.warn`): a last record cut short (the complete
 * records before it are read), ASCII text records (encoding 0, e.g. a LOG channel: skipped), NaN samples
 * (no data, as an empty CSV cell), a blockette count that disagrees with the chain, unknown blockettes.
 * Refused with one line naming the record: a rate of 0 for a record with samples, offsets outside the
 * record, a start time that is no date in either byte order, an infinite sample.
 *
 * Gaps and overlaps, per channel, with the tolerance libmseed uses (half a sample period): a record that
 * starts later than the previous record's end + one period leaves a gap (reported as `gapBeforeS` on the
 * block and counted); samples of a record that overlap the previous one are dropped and counted; a record
 * that starts at or before the previous record's start is out of order and rejected (non-monotonic time).
 */
import fs from "node:fs";
import type * as Seedcodec from "seisplotjs/src/seedcodec";
import type { Channel, Unit } from "./channels.js";
import { RecordingError } from "./errors.js";
import { makeBlock, type SampleBlock, type SampleStream } from "./stream.js";

// seisplotjs declares itself with `export =`, which a namespace import cannot name under this tsconfig; the
// runtime module is plain ESM, so load it as one and type its `seedcodec` namespace from the declarations.
const { seedcodec } = (await import("seisplotjs")) as unknown as { seedcodec: typeof Seedcodec };

const CHUNK_BYTES = 1 << 16;
/** SEED 2.4 record lengths are powers of two from 2^7 to 2^16 (blockette 1000 field 5). */
const MIN_RECORD = 128;
const MAX_RECORD = 65536;
const HEADER_BYTES = 48;
const DATA_QUALITY = new Set(["D", "R", "Q", "M"].map((c) => c.charCodeAt(0)));
/** Encoding 0 (blockette 1000 field 3): ASCII text, e.g. a station's LOG channel. Not samples. */
export const TEXT_ENCODING = 0;
/** Bytes per sample of the fixed-width encodings: int16, int32, float32, float64. */
const SAMPLE_BYTES: Record<number, number> = { 1: 2, 3: 4, 4: 4, 5: 8 };
/**
 * Fixed lengths of the SEED 2.4 data-record blockettes (manual, chapter 8); 2000 (opaque data) carries its
 * own length. A blockette not listed here is read past (with a warning) through its next-blockette offset.
 */
const BLOCKETTE_BYTES: Record<number, number> = {
  100: 12,
  200: 52,
  201: 60,
  300: 60,
  310: 60,
  320: 64,
  390: 28,
  395: 16,
  400: 16,
  405: 6,
  500: 200,
  1000: 8,
  1001: 8,
};

/** One record's fixed header and blockettes, parsed and checked (never the data). */
export interface MseedHeader {
  code: string;
  /** UTC ms of the first sample, to the microsecond. */
  startUtcMs: number;
  /** Blockette 100's rate when present, else the header's factor and multiplier; 0 when it has none. */
  sampleRateHz: number;
  /** Field 7, unsigned (SEED: UWORD), so 32768..65535 samples read as such. */
  numSamples: number;
  encoding: number;
  recordSize: number;
  dataOffset: number;
  /** Byte order of the fixed header and blockettes, found from the start year and day as libmseed does. */
  littleEndian: boolean;
  /** Byte order of the data (blockette 1000 field 4). */
  dataLittleEndian: boolean;
  /** What is odd but readable (libmseed warns and reads): a blockette count that disagrees, an unknown type. */
  oddities: string[];
}

export interface MseedRecord extends MseedHeader {
  index: number;
  byteOffset: number;
  /** Decodes the record's samples (throws RecordingError). */
  decode(): ArrayLike<number>;
}

/** Where the fixed header's bytes read as a date: libmseed's MS_ISVALIDYEARDAY. */
function validYearDay(year: number, day: number): boolean {
  return year >= 1900 && year <= 2100 && day >= 1 && day <= 366;
}

function text(bytes: Uint8Array, from: number, length: number): string {
  let out = "";
  for (let i = from; i < from + length; i++)
    if (bytes[i]! > 31 && bytes[i]! < 127) out += String.fromCharCode(bytes[i]!);
  return out.trim();
}

/**
 * SEED sample rate from fixed header fields 10 and 11 (manual, chapter 8: a positive factor is samples per
 * second, a negative one seconds per sample; the multiplier likewise multiplies or divides); 0 when either is 0.
 */
export function seedSampleRate(factor: number, multiplier: number): number {
  if (factor === 0 || multiplier === 0) return 0;
  const f = factor > 0 ? factor : -1 / factor;
  return multiplier > 0 ? f * multiplier : f / -multiplier;
}

/**
 * Parses and checks one record's fixed header and blockette chain from `bytes` (the record's first bytes:
 * at least 48, at most the record). Everything the reader relies on is checked here, so a hostile record is
 * refused with one line naming the field, never read past its end.
 */
export function parseMseedHeader(bytes: Uint8Array, where: string): MseedHeader {
  const bad = (problem: string, value?: unknown): never => {
    throw new RecordingError("bad-record", where, problem, value);
  };
  if (bytes.length < HEADER_BYTES) bad(`truncated: ${bytes.length} bytes, a header needs ${HEADER_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const yearBE = view.getUint16(20);
  const dayBE = view.getUint16(22);
  let le = false;
  if (!validYearDay(yearBE, dayBE)) {
    if (validYearDay(view.getUint16(20, true), view.getUint16(22, true))) le = true;
    else
      bad(
        `start time (bytes 20-23) is year ${yearBE} day ${dayBE}, or ${view.getUint16(20, true)} day ${view.getUint16(22, true)} little-endian: not a date in either byte order`,
        yearBE,
      );
  }
  const year = view.getUint16(20, le);
  const day = view.getUint16(22, le);
  const hour = view.getUint8(24);
  const min = view.getUint8(25);
  const sec = view.getUint8(26);
  const tenthMilli = view.getUint16(28, le);
  if (hour > 23 || min > 59 || sec > 60 || tenthMilli > 9999) {
    bad(`start time ${hour}:${min}:${sec}.${tenthMilli} (0.0001 s) is not a time of day`, hour);
  }
  const numSamples = view.getUint16(30, le);
  const factor = view.getInt16(32, le);
  const multiplier = view.getInt16(34, le);
  const activityFlags = view.getUint8(36);
  const declaredBlockettes = view.getUint8(39);
  const timeCorrection = view.getInt32(40, le);
  const dataOffset = view.getUint16(44, le);
  const oddities: string[] = [];

  // The blockette chain, followed by its next-blockette offsets as libmseed does (field 14's count is only
  // compared). Offsets must move forward past the previous blockette, so the walk ends.
  let offset = view.getUint16(46, le);
  let end = HEADER_BYTES;
  let count = 0;
  let b1000: { encoding: number; wordOrder: number; exponent: number } | undefined;
  let b100Rate: number | undefined;
  let microsecond = 0;
  while (offset !== 0) {
    const n = count + 1;
    if (offset < end)
      bad(
        `blockette ${n} at byte ${offset} overlaps the fixed header or blockette ${count} (ends at byte ${end})`,
        offset,
      );
    if (offset + 4 > bytes.length)
      bad(`blockette ${n} at byte ${offset} is beyond the record's ${bytes.length} bytes`, offset);
    const type = view.getUint16(offset, le);
    const next = view.getUint16(offset + 2, le);
    let length = BLOCKETTE_BYTES[type];
    if (type === 2000 && offset + 6 <= bytes.length) length = view.getUint16(offset + 4, le);
    if (length === undefined) {
      oddities.push(`unknown blockette type ${type} at byte ${offset} read past`);
      length = 4;
    }
    if (length < 4)
      bad(`blockette ${n} (type ${type}) at byte ${offset} says it is ${length} bytes long`, length);
    if (offset + length > bytes.length)
      bad(
        `blockette ${n} (type ${type}, ${length} bytes) at byte ${offset} runs past the record's ${bytes.length} bytes`,
        type,
      );
    if (type === 1000) {
      b1000 = {
        encoding: view.getUint8(offset + 4),
        wordOrder: view.getUint8(offset + 5),
        exponent: view.getUint8(offset + 6),
      };
    } else if (type === 100) {
      b100Rate = view.getFloat32(offset + 4, le);
    } else if (type === 1001) {
      microsecond = view.getInt8(offset + 5); // -50..+49 us, signed
    }
    end = offset + length;
    count = n;
    if (next !== 0 && next < end)
      bad(
        `blockette ${n} (type ${type}) at byte ${offset} points to the next at byte ${next}, inside itself or before it`,
        next,
      );
    offset = next;
  }
  if (count !== declaredBlockettes) {
    oddities.push(`the fixed header counts ${declaredBlockettes} blockettes, the chain has ${count}`);
  }
  if (b1000 === undefined) bad("no blockette 1000, so the record length is unknown");
  const { encoding, wordOrder, exponent } = b1000!;
  const recordSize = exponent < 31 ? 2 ** exponent : 0;
  if (recordSize < MIN_RECORD || recordSize > MAX_RECORD) {
    bad(`record length 2^${exponent} (blockette 1000) is not a power of two in 128..65536`, exponent);
  }
  if (end > recordSize) bad(`blockettes end at byte ${end}, past the record's ${recordSize} bytes`, end);
  if (wordOrder > 1)
    bad(`blockette 1000 word order ${wordOrder} is neither 0 (little-endian) nor 1 (big-endian)`, wordOrder);
  let sampleRateHz = seedSampleRate(factor, multiplier);
  if (b100Rate !== undefined) sampleRateHz = b100Rate;
  if (numSamples > 0) {
    if (!(sampleRateHz > 0 && Number.isFinite(sampleRateHz))) {
      bad(
        `sample rate ${sampleRateHz} Hz (factor ${factor}, multiplier ${multiplier}${b100Rate !== undefined ? ", blockette 100" : ""}) for ${numSamples} samples: a data record needs a rate > 0`,
        sampleRateHz,
      );
    }
    if (dataOffset < end || dataOffset >= recordSize) {
      bad(
        `data offset ${dataOffset} is outside the record's data area (bytes ${end}..${recordSize - 1})`,
        dataOffset,
      );
    }
    const width = SAMPLE_BYTES[encoding];
    if (width !== undefined && numSamples * width > recordSize - dataOffset) {
      bad(
        `${numSamples} samples of ${width} bytes do not fit in the record's ${recordSize - dataOffset} data bytes`,
        numSamples,
      );
    }
  }
  let startUtcMs =
    Date.UTC(year, 0, 1, hour, min, sec) + (day - 1) * 86_400_000 + tenthMilli / 10 + microsecond / 1000;
  // Field 16 is in 0.0001 s; activity flag bit 1 = "time correction applied" (already in the BTime).
  if ((activityFlags & 0x02) === 0 && timeCorrection !== 0) startUtcMs += timeCorrection / 10;
  const code = [text(bytes, 18, 2), text(bytes, 8, 5), text(bytes, 13, 2), text(bytes, 15, 3)].join(".");
  return {
    code,
    startUtcMs,
    sampleRateHz,
    numSamples,
    encoding,
    recordSize,
    dataOffset,
    littleEndian: le,
    dataLittleEndian: wordOrder === 0,
    oddities,
  };
}

/**
 * Every record of a file, in file order, header parsed and checked, data not yet decoded. A last record cut
 * short (a copy interrupted, a logger's power lost) ends the file with a warning, as libmseed and ObsPy read
 * it: the complete records before it are read. Records without samples (SEED's event, calibration and
 * timing-only records) carry nothing to replay and are passed over.
 */
export async function* mseedRecords(
  file: string,
  warn: (message: string) => void = () => {},
): AsyncGenerator<MseedRecord> {
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
      const avail = end - start;
      if (avail === 0) return;
      const where = `${file} record ${index} (byte ${fileOffset})`;
      const head = buf.subarray(start, start + Math.min(avail, 7));
      const sequence = String.fromCharCode(...head.subarray(0, 6));
      const quality = head.length > 6 ? head[6]! : undefined;
      // A short tail at the end of the file that starts like a record is a record cut short.
      const looksLikeRecord =
        /^[0-9 ]*$/.test(sequence) && (quality === undefined || DATA_QUALITY.has(quality));
      if (!looksLikeRecord) {
        throw new RecordingError(
          index === 0 ? "unknown-format" : "bad-record",
          where,
          `not a MiniSEED data record (sequence ${JSON.stringify(sequence)}, quality byte 0x${(quality ?? 0).toString(16)})`,
          quality,
        );
      }
      const cut = (size: number | undefined) => {
        const of = `${avail} of ${size ?? "at least 48"} bytes`;
        // A file cut inside its first record holds nothing to read: that is an error, not a warning.
        if (index === 0)
          throw new RecordingError("bad-record", where, `truncated: ${of}, no complete record`);
        warn(
          `${where}: last record truncated (${of}): read the ${index} complete record${index === 1 ? "" : "s"} before it`,
        );
      };
      if (avail < HEADER_BYTES) {
        cut(undefined);
        return;
      }
      const header = parseMseedHeader(buf.subarray(start, start + Math.min(avail, MAX_RECORD)), where);
      const size = header.recordSize;
      if (avail < size) {
        cut(size);
        return;
      }
      for (const o of header.oddities) warn(`${file}: ${header.code}: ${o}`);
      if (header.numSamples > 0) {
        const bytes = buf.slice(start + header.dataOffset, start + size);
        yield {
          ...header,
          index,
          byteOffset: fileOffset,
          decode: () => {
            try {
              return seedcodec.decompress(
                header.encoding,
                new DataView(bytes.buffer),
                header.numSamples,
                header.dataLittleEndian,
              );
            } catch (e) {
              throw new RecordingError(
                "bad-record",
                where,
                `cannot decode (encoding ${header.encoding}): ${(e as Error).message}`,
                header.encoding,
              );
            }
          },
        };
      }
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
  /** NaN samples (float encodings), read as no data. */
  nanSamples: number;
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
  /**
   * Told, once each, what the reader read past as libmseed does (a truncated last record, text records, NaN
   * samples, an odd blockette chain); one line, `<file ...>: <what>`. Default: nothing is said.
   */
  warn?: (message: string) => void;
}

/** One stream per channel (SEED code) in the file; a first pass reads only the headers. */
export async function openMseed(file: string, options: MseedOptions = {}): Promise<MseedStream[]> {
  const said = new Set<string>();
  const warn = (message: string) => {
    if (said.has(message)) return;
    said.add(message);
    options.warn?.(message);
  };
  const first = new Map<string, { rateHz: number }>();
  const textRecords = new Map<string, number>();
  let earliest = Number.POSITIVE_INFINITY;
  for await (const r of mseedRecords(file, warn)) {
    if (r.encoding === TEXT_ENCODING) {
      textRecords.set(r.code, (textRecords.get(r.code) ?? 0) + 1);
      continue;
    }
    if (!first.has(r.code)) first.set(r.code, { rateHz: r.sampleRateHz });
    earliest = Math.min(earliest, r.startUtcMs);
  }
  for (const [code, n] of textRecords) {
    warn(
      `${file}: ${code}: ${n} record${n === 1 ? "" : "s"} of ASCII text (encoding 0: log messages, not samples) skipped`,
    );
  }
  if (first.size === 0) {
    const only = textRecords.size > 0 ? ": only ASCII text records (encoding 0)" : "";
    throw new RecordingError("unknown-format", file, `no MiniSEED data records${only}`);
  }
  if (options.name !== undefined && first.size > 1) {
    throw new RecordingError(
      "bad-manifest",
      file,
      `a name can only be given to a one-channel file, this one has ${first.size}`,
    );
  }
  const startUtcMs = options.startUtcMs ?? Math.floor(earliest);
  return [...first].map(([code, { rateHz }]) => channelStream(file, code, rateHz, startUtcMs, options, warn));
}

function channelStream(
  file: string,
  code: string,
  rateHz: number,
  startUtcMs: number,
  options: MseedOptions,
  warn: (message: string) => void,
): MseedStream {
  const channel: Channel = { name: options.name ?? code, unit: options.unit ?? "counts" };
  const scale = 1 / (options.countsPerUnit ?? 1);
  const zero = { records: 0, samples: 0, gaps: 0, overlaps: 0, droppedSamples: 0, nanSamples: 0 };
  const stats: MseedStats = { ...zero };
  let block = makeBlock(1, 1024);

  async function* blocks(): AsyncGenerator<SampleBlock> {
    Object.assign(stats, zero);
    let firstNan = "";
    let prevStartS = Number.NEGATIVE_INFINITY;
    let lastS = Number.NEGATIVE_INFINITY;
    for await (const r of mseedRecords(file, warn)) {
      if (r.code !== code || r.encoding === TEXT_ENCODING) continue;
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
      const samples = r.decode();
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
        if (Number.isNaN(x)) {
          // libmseed and ObsPy read a NaN float sample; here it is what an empty CSV cell is: no data.
          stats.nanSamples++;
          if (firstNan === "") firstNan = `record ${r.index} (byte ${r.byteOffset}) sample ${i}`;
        } else if (!Number.isFinite(x)) {
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
    if (stats.nanSamples > 0) {
      const n = stats.nanSamples;
      warn(`${file}: ${code}: ${n} NaN sample${n === 1 ? "" : "s"} read as no data (the first: ${firstNan})`);
    }
  }

  return { name: `${file} ${code}`, channels: [channel], startUtcMs, periodS: 1 / rateHz, stats, blocks };
}
