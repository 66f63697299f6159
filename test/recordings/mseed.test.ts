import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RecordingError } from "../../host-sim/recordings/errors.js";
import { type MseedStream, mseedRecords, openMseed } from "../../host-sim/recordings/mseed.js";
import { decodeSteim2Record } from "./steim2-reference.js";

// The real recording lives in shared/data beside the repository (../shared/data/README.md).
const REAL = path.resolve(import.meta.dirname, "../../../shared/data/iu-cola-lhz-2010-02-27.mseed");
const RECORD = 512;
const real = new Uint8Array(fs.readFileSync(REAL));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-mseed-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function record(i: number): Uint8Array {
  return real.slice(i * RECORD, (i + 1) * RECORD);
}
function writeTmp(name: string, parts: Uint8Array[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, Buffer.concat(parts));
  return file;
}
/** Rewrites a record's BTime (SEED fixed header field 8) to `utcMs`, keeping 0.1 ms precision. */
function setStart(rec: Uint8Array, utcMs: number): Uint8Array {
  const out = rec.slice();
  const v = new DataView(out.buffer);
  const d = new Date(utcMs);
  v.setUint16(20, d.getUTCFullYear());
  v.setUint16(22, Math.floor((utcMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1);
  v.setUint8(24, d.getUTCHours());
  v.setUint8(25, d.getUTCMinutes());
  v.setUint8(26, d.getUTCSeconds());
  v.setUint16(28, Math.round((utcMs % 1000) * 10));
  return out;
}
async function collect(file: string) {
  const [s] = await openMseed(file);
  const t: number[] = [];
  const x: number[] = [];
  const gaps: number[] = [];
  for await (const b of s!.blocks()) {
    if (b.gapBeforeS > 0) gaps.push(b.gapBeforeS);
    for (let i = 0; i < b.count; i++) {
      t.push(b.tS[i]!);
      x.push(b.values[0]![i]!);
    }
  }
  return { stream: s!, t, x, gaps };
}

/** A SEED 2.4 record written from the manual: fixed header, blockette 1000, IEEE float32 big-endian data. */
function floatRecord(values: number[], rateHz: number, channel = "HNZ"): Uint8Array {
  const rec = new Uint8Array(512);
  const v = new DataView(rec.buffer);
  const ascii = (at: number, text: string) => rec.set(new TextEncoder().encode(text), at);
  ascii(0, "000001D ");
  ascii(8, "TEST   ");
  ascii(15, channel);
  ascii(18, "XX");
  v.setUint16(20, 2026); // BTime: 2026 day 5, 06:00:00.0000
  v.setUint16(22, 5);
  v.setUint8(24, 6);
  v.setUint16(30, values.length);
  v.setInt16(32, rateHz); // sample rate factor (Hz), multiplier 1
  v.setInt16(34, 1);
  v.setUint8(39, 1); // one blockette
  v.setUint16(44, 64); // data offset
  v.setUint16(46, 48); // first blockette
  v.setUint16(48, 1000);
  v.setUint8(52, 4); // encoding 4: IEEE float32
  v.setUint8(53, 1); // big-endian
  v.setUint8(54, 9); // 2^9 = 512 bytes
  for (const [i, x] of values.entries()) v.setFloat32(64 + 4 * i, x);
  return rec;
}

interface RecordSpec {
  values?: number[];
  /** Header sample count (default: values.length). */
  n?: number;
  encoding?: number;
  factor?: number;
  multiplier?: number;
  littleEndian?: boolean;
  /** Fixed header field 14. */
  blockettes?: number;
  firstBlockette?: number;
  blocketteType?: number;
  dataOffset?: number;
  exponent?: number;
  channel?: string;
}

/** A record from the SEED 2.4 manual with every field settable (float32 data unless told otherwise). */
function seedRecord(o: RecordSpec = {}): Uint8Array {
  const values = o.values ?? [];
  const le = o.littleEndian ?? false;
  const e = o.exponent ?? 9;
  const size = 2 ** (e >= 7 && e <= 16 ? e : 9); // an impossible length is written into blockette 1000 only
  const rec = new Uint8Array(size);
  const v = new DataView(rec.buffer);
  const ascii = (at: number, text: string) => rec.set(new TextEncoder().encode(text), at);
  ascii(0, "000001D ");
  ascii(8, "TEST   ");
  ascii(15, o.channel ?? "HNZ");
  ascii(18, "XX");
  v.setUint16(20, 2026, le);
  v.setUint16(22, 5, le);
  v.setUint8(24, 6);
  v.setUint16(30, o.n ?? values.length, le);
  v.setInt16(32, o.factor ?? 100, le);
  v.setInt16(34, o.multiplier ?? 1, le);
  v.setUint8(39, o.blockettes ?? 1);
  v.setUint16(44, o.dataOffset ?? 64, le);
  v.setUint16(46, o.firstBlockette ?? 48, le);
  v.setUint16(48, o.blocketteType ?? 1000, le);
  v.setUint8(52, o.encoding ?? 4);
  v.setUint8(53, le ? 0 : 1);
  v.setUint8(54, o.exponent ?? 9);
  for (const [i, x] of values.entries()) v.setFloat32(64 + 4 * i, x, le);
  return rec;
}

/** A 64 KiB Steim-1 record of `n` samples all equal to `x` (every difference 0: four a word). */
function steim1Constant(n: number, x: number): Uint8Array {
  const rec = seedRecord({ n, encoding: 10, exponent: 16 });
  const v = new DataView(rec.buffer);
  for (let frame = 0; (frame + 1) * 64 <= rec.length - 64; frame++) {
    const at = 64 + frame * 64;
    let nibbles = 0;
    for (let w = frame === 0 ? 3 : 1; w < 16; w++) nibbles |= 1 << (30 - 2 * w); // 01: four 8-bit differences
    v.setUint32(at, nibbles >>> 0);
    if (frame === 0) {
      v.setInt32(at + 4, x); // X0
      v.setInt32(at + 8, x); // Xn
    }
  }
  return rec;
}

async function openWarned(file: string) {
  const warnings: string[] = [];
  const streams = await openMseed(file, { warn: (m) => warnings.push(m) });
  const x: number[][] = [];
  for (const s of streams) {
    const mine: number[] = [];
    for await (const b of s.blocks()) for (let i = 0; i < b.count; i++) mine.push(b.values[0]![i]!);
    x.push(mine);
  }
  return { streams, x, warnings };
}

const reference = Array.from({ length: real.length / RECORD }, (_, i) => decodeSteim2Record(record(i)));

describe("MiniSEED import (real IU.COLA.00.LHZ file)", () => {
  it("reads the 36 records with their headers", async () => {
    const headers = [];
    for await (const r of mseedRecords(REAL)) headers.push(r);
    expect(headers).toHaveLength(36);
    expect(headers.every((r) => r.code === "IU.COLA.00.LHZ" && r.sampleRateHz === 1)).toBe(true);
    // BTime 2010 day 58 (27 Feb) 06:50:00.0695 plus blockette 1001's 39 us.
    expect(headers[0]!.startUtcMs).toBeCloseTo(Date.UTC(2010, 1, 27, 6, 50, 0) + 69.539, 6);
    expect(headers.map((r) => r.numSamples)).toEqual(reference.map((r) => r.numSamples));
  });

  it("streams 4200 samples equal to an independent Steim-2 decode, one block per record", async () => {
    const { stream, t, x, gaps } = await collect(REAL);
    expect(stream.channels).toEqual([{ name: "IU.COLA.00.LHZ", unit: "counts" }]);
    expect(stream.startUtcMs).toBe(Date.UTC(2010, 1, 27, 6, 50, 0) + 69);
    expect(x).toHaveLength(4200);
    expect(x).toEqual(reference.flatMap((r) => [...r.samples]));
    expect(x.slice(0, 3)).toEqual([-231946, -228438, -223155]);
    expect(t[0]).toBeCloseTo(0.000539, 6); // float64 epoch ms: sub-microsecond rounding
    expect(t[4199]).toBeCloseTo(4199.000539, 5); // record starts jitter by a few us (blockette 1001)
    expect(gaps).toEqual([]);
    expect(stream.stats).toEqual({
      records: 36,
      samples: 4200,
      gaps: 0,
      overlaps: 0,
      droppedSamples: 0,
      nanSamples: 0,
    });
  });

  it("reports a gap where a record is missing, with its length", async () => {
    const parts = reference.map((_, i) => record(i)).filter((_, i) => i !== 5);
    const { stream, x, gaps } = await collect(writeTmp("gap.mseed", parts));
    expect(stream.stats.gaps).toBe(1);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toBeCloseTo(reference[5]!.numSamples, 3);
    expect(x).toHaveLength(4200 - reference[5]!.numSamples);
  });

  it("drops and counts samples of a record that overlaps the previous one", async () => {
    const headers = [];
    for await (const r of mseedRecords(REAL)) headers.push(r);
    const parts = reference.map((_, i) => record(i));
    parts[6] = setStart(parts[6]!, headers[6]!.startUtcMs - 3000); // starts 3 s (3 samples) early
    const { stream, t } = await collect(writeTmp("overlap.mseed", parts));
    expect(stream.stats.overlaps).toBe(1);
    expect(stream.stats.droppedSamples).toBe(3);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
  });

  it("rejects records out of time order, naming the record", async () => {
    const parts = reference.map((_, i) => record(i));
    [parts[3], parts[4]] = [parts[4]!, parts[3]!];
    const file = writeTmp("swapped.mseed", parts);
    await expect(collect(file)).rejects.toMatchObject({
      code: "non-monotonic-time",
      where: `${file} record 4 (byte 2048)`,
    });
  });

  it("splits a two-channel file into two streams", async () => {
    const lhn = reference.map((_, i) => {
      const r = record(i);
      r.set([0x4c, 0x48, 0x4e], 15); // channel code LHN (fixed header field 6)
      return r;
    });
    const file = writeTmp("two.mseed", [...reference.map((_, i) => record(i)), ...lhn]);
    const streams = await openMseed(file);
    expect(streams.map((s) => s.channels[0]!.name)).toEqual(["IU.COLA.00.LHZ", "IU.COLA.00.LHN"]);
    for (const s of streams) {
      let n = 0;
      for await (const b of s.blocks()) n += b.count;
      expect(n).toBe(4200);
    }
  });

  it("scales counts to a unit when told how", async () => {
    const [s] = await openMseed(REAL, { countsPerUnit: 1000, unit: "m_per_s2", name: "az" });
    const it = s!.blocks()[Symbol.asyncIterator]();
    const first = (await it.next()).value!;
    expect(s!.channels[0]).toEqual({ name: "az", unit: "m_per_s2" });
    expect(first.values[0]![0]).toBeCloseTo(-231.946, 9);
    await it.return?.(undefined);
  });

  it("reads float32 records and rejects an infinite sample naming the record", async () => {
    const good = await collect(writeTmp("float.mseed", [floatRecord([0.5, -1.25, 2], 100)]));
    expect(good.stream.channels[0]!.name).toBe("XX.TEST..HNZ");
    expect(good.x).toEqual([0.5, -1.25, 2]);
    expect(good.t).toEqual([0, 0.01, 0.02]);
    const file = writeTmp("inf.mseed", [floatRecord([0.5, Number.NEGATIVE_INFINITY, 2], 100)]);
    await expect(collect(file)).rejects.toMatchObject({ code: "nan" });
    await expect(collect(file)).rejects.toThrow(
      `${file} record 0 (byte 0): XX.TEST..HNZ sample 1 of the record is -Infinity`,
    );
  });

  it("rejects a channel whose sample rate changes", async () => {
    const second = floatRecord([1, 2], 50);
    new DataView(second.buffer).setUint8(26, 1); // starts 1 s later
    const file = writeTmp("rates.mseed", [floatRecord([0.5, -1.25, 2], 100), second]);
    await expect(collect(file)).rejects.toThrow(
      `${file} record 1 (byte 512): XX.TEST..HNZ changes sample rate from 100 to 50 Hz`,
    );
  });

  it("rejects garbage and an empty file with the file, record and problem", async () => {
    const junk = writeTmp("junk.mseed", [
      new TextEncoder().encode("this is not seismic data at all, not even close......"),
    ]);
    await expect(openMseed(junk)).rejects.toMatchObject({ code: "unknown-format" });
    await expect(openMseed(junk)).rejects.toThrow(
      /junk\.mseed record 0 \(byte 0\): not a MiniSEED data record/,
    );
    const empty = writeTmp("empty.mseed", []);
    await expect(openMseed(empty)).rejects.toBeInstanceOf(RecordingError);
    await expect(openMseed(path.join(tmp, "absent.mseed"))).rejects.toMatchObject({ code: "io" });
  });
});

describe("hostile MiniSEED (issue 14 item 8): one line naming the record, or read with a warning as libmseed does", () => {
  it("refuses a sample rate of 0 for a record with samples (it was read as 10 kHz)", async () => {
    const file = writeTmp("rate0.mseed", [seedRecord({ values: [1, 2, 3], factor: 0 })]);
    await expect(openMseed(file)).rejects.toThrow(
      `${file} record 0 (byte 0): sample rate 0 Hz (factor 0, multiplier 1) for 3 samples: a data record needs a rate > 0`,
    );
  });

  it("reads the sample count unsigned: a Steim-1 record of 40000 samples", async () => {
    const { x, warnings } = await openWarned(writeTmp("big.mseed", [steim1Constant(40_000, 7)]));
    expect(x[0]).toHaveLength(40_000);
    expect(x[0]!.every((v) => v === 7)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it("skips ASCII text records (encoding 0) with one warning, and refuses a file of text only", async () => {
    const log = seedRecord({ n: 11, encoding: 0, channel: "LOG" });
    log.set(new TextEncoder().encode("hello world"), 64);
    const file = writeTmp("log.mseed", [log, seedRecord({ values: [1, 2, 3] }), log]);
    const { streams, x, warnings } = await openWarned(file);
    expect(streams.map((s) => s.channels[0]!.name)).toEqual(["XX.TEST..HNZ"]);
    expect(x).toEqual([[1, 2, 3]]);
    expect(warnings).toEqual([
      `${file}: XX.TEST..LOG: 2 records of ASCII text (encoding 0: log messages, not samples) skipped`,
    ]);
    const only = writeTmp("log-only.mseed", [log]);
    await expect(openMseed(only)).rejects.toThrow(
      `${only}: no MiniSEED data records: only ASCII text records (encoding 0)`,
    );
  });

  it("reads little-endian headers (byte order from the start year and day), blockette 100 included", async () => {
    const le = seedRecord({ values: [0.5, -1.25, 2], littleEndian: true, blockettes: 2 });
    const v = new DataView(le.buffer);
    // Blockette 1000 at 48 points to a blockette 100 at 56 (rate 250 Hz as a float), data at 72.
    v.setUint16(50, 56, true);
    v.setUint16(56, 100, true);
    v.setFloat32(60, 250, true);
    v.setUint16(44, 72, true);
    for (const [i, x] of [0.5, -1.25, 2].entries()) v.setFloat32(72 + 4 * i, x, true);
    const { streams, x, warnings } = await openWarned(writeTmp("le.mseed", [le]));
    expect(x).toEqual([[0.5, -1.25, 2]]);
    expect(streams[0]!.periodS).toBe(1 / 250);
    expect(warnings).toEqual([]);
    const nonsense = seedRecord({ values: [1] });
    new DataView(nonsense.buffer).setUint16(20, 3000);
    const file = writeTmp("no-date.mseed", [nonsense]);
    await expect(openMseed(file)).rejects.toThrow(
      `${file} record 0 (byte 0): start time (bytes 20-23) is year 3000 day 5, or 47115 day 1280 little-endian: not a date in either byte order`,
    );
  });

  it("reads NaN samples as no data and says how many, once", async () => {
    const file = writeTmp("nan.mseed", [
      floatRecord([0.5, Number.NaN, 2], 100),
      setStart(floatRecord([Number.NaN, 1], 100), Date.UTC(2026, 0, 5, 6, 0, 1)),
    ]);
    const { streams, x, warnings } = await openWarned(file);
    expect(x[0]).toEqual([0.5, Number.NaN, 2, Number.NaN, 1]);
    expect((streams[0] as MseedStream).stats.nanSamples).toBe(2);
    expect(warnings).toEqual([
      `${file}: XX.TEST..HNZ: 2 NaN samples read as no data (the first: record 0 (byte 0) sample 1)`,
    ]);
  });

  it("reads the complete records of a file whose last record is truncated, with one warning", async () => {
    const file = writeTmp("cut.mseed", [record(0), record(1), record(2).subarray(0, 300)]);
    const { x, warnings } = await openWarned(file);
    expect(x[0]).toEqual([...reference[0]!.samples, ...reference[1]!.samples]);
    expect(warnings).toEqual([
      `${file} record 2 (byte 1024): last record truncated (300 of 512 bytes): read the 2 complete records before it`,
    ]);
    const short = writeTmp("short.mseed", [record(0).subarray(0, 300)]);
    await expect(openMseed(short)).rejects.toThrow(
      `${short} record 0 (byte 0): truncated: 300 of 512 bytes, no complete record`,
    );
    const stub = writeTmp("stub.mseed", [record(0), record(1).subarray(0, 20)]);
    expect((await openWarned(stub)).warnings).toEqual([
      `${stub} record 1 (byte 512): last record truncated (20 of at least 48 bytes): read the 1 complete record before it`,
    ]);
  });

  it("reads a record whose blockette count disagrees with its chain, with a warning (libmseed does)", async () => {
    for (const count of [0, 5, 255]) {
      const file = writeTmp(`count${count}.mseed`, [seedRecord({ values: [1, 2], blockettes: count })]);
      const { x, warnings } = await openWarned(file);
      expect(x).toEqual([[1, 2]]);
      expect(warnings).toEqual([
        `${file}: XX.TEST..HNZ: the fixed header counts ${count} blockettes, the chain has 1`,
      ]);
    }
  });

  it.each([
    [{ blocketteType: 999 }, "no blockette 1000, so the record length is unknown"],
    [{ firstBlockette: 600 }, "blockette 1 at byte 600 is beyond the record's 512 bytes"],
    [
      { firstBlockette: 20 },
      "blockette 1 at byte 20 overlaps the fixed header or blockette 0 (ends at byte 48)",
    ],
    [{ dataOffset: 9000 }, "data offset 9000 is outside the record's data area (bytes 56..511)"],
    [{ dataOffset: 20 }, "data offset 20 is outside the record's data area (bytes 56..511)"],
    [{ dataOffset: 504 }, "3 samples of 4 bytes do not fit in the record's 8 data bytes"],
    [{ exponent: 6 }, "record length 2^6 (blockette 1000) is not a power of two in 128..65536"],
    [{ exponent: 40 }, "record length 2^40 (blockette 1000) is not a power of two in 128..65536"],
  ] as [RecordSpec, string][])("refuses %j in one line", async (spec, message) => {
    const file = writeTmp(`bad-${Object.keys(spec)[0]}-${Object.values(spec)[0]}.mseed`, [
      seedRecord({ values: [1, 2, 3], ...spec }),
    ]);
    const e = await openMseed(file).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RecordingError);
    expect((e as Error).message).toBe(`${file} record 0 (byte 0): ${message}`);
  });

  it("answers 500 records with random header bytes by reading them or by a RecordingError, never another error", async () => {
    let seed = 14;
    const random = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const file = path.join(tmp, "mutant.mseed");
    const others: unknown[] = [];
    for (let i = 0; i < 500; i++) {
      const rec = i % 2 === 0 ? record(i % 36) : floatRecord([1, 2, 3], 100);
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++)
        rec[Math.floor(random() * 72)] = Math.floor(random() * 256);
      fs.writeFileSync(file, rec);
      try {
        await openWarned(file);
      } catch (e) {
        if (!(e instanceof RecordingError)) others.push(e);
      }
    }
    expect(others).toEqual([]);
  });

  it("refuses a blockette chain that points backwards (a loop)", async () => {
    const rec = seedRecord({ values: [1] });
    new DataView(rec.buffer).setUint16(50, 48); // blockette 1000's next: itself
    const file = writeTmp("loop.mseed", [rec]);
    await expect(openMseed(file)).rejects.toThrow(
      `${file} record 0 (byte 0): blockette 1 (type 1000) at byte 48 points to the next at byte 48, inside itself or before it`,
    );
  });
});
