import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RecordingError } from "../../host-sim/recordings/errors.js";
import { mseedRecords, openMseed } from "../../host-sim/recordings/mseed.js";
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
    expect(stream.stats).toEqual({ records: 36, samples: 4200, gaps: 0, overlaps: 0, droppedSamples: 0 });
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

  it("reads float32 records and rejects a NaN sample naming the record", async () => {
    const good = await collect(writeTmp("float.mseed", [floatRecord([0.5, -1.25, 2], 100)]));
    expect(good.stream.channels[0]!.name).toBe("XX.TEST..HNZ");
    expect(good.x).toEqual([0.5, -1.25, 2]);
    expect(good.t).toEqual([0, 0.01, 0.02]);
    const file = writeTmp("nan.mseed", [floatRecord([0.5, Number.NaN, 2], 100)]);
    await expect(collect(file)).rejects.toMatchObject({ code: "nan" });
    await expect(collect(file)).rejects.toThrow(
      `${file} record 0 (byte 0): XX.TEST..HNZ sample 1 of the record is NaN`,
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

  it("rejects garbage, truncation and an empty file with the file, record and problem", async () => {
    const junk = writeTmp("junk.mseed", [
      new TextEncoder().encode("this is not seismic data at all, not even close......"),
    ]);
    await expect(openMseed(junk)).rejects.toMatchObject({ code: "unknown-format" });
    await expect(openMseed(junk)).rejects.toThrow(
      /junk\.mseed record 0 \(byte 0\): not a MiniSEED data record/,
    );
    const cut = writeTmp("cut.mseed", [record(0), record(1).subarray(0, 300)]);
    await expect(openMseed(cut)).rejects.toThrow(
      /cut\.mseed record 1 \(byte 512\): truncated: 300 of 512 bytes/,
    );
    const empty = writeTmp("empty.mseed", []);
    await expect(openMseed(empty)).rejects.toBeInstanceOf(RecordingError);
    await expect(openMseed(path.join(tmp, "absent.mseed"))).rejects.toMatchObject({ code: "io" });
  });
});
