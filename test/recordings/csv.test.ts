import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openCsv, writeCsv } from "../../host-sim/recordings/csv.js";
import { openMseed } from "../../host-sim/recordings/mseed.js";
import type { SampleStream } from "../../host-sim/recordings/stream.js";

const BAD = "test/fixtures/recordings/bad";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-csv-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function readAll(s: SampleStream): Promise<{ t: number[]; v: number[][] }> {
  const t: number[] = [];
  const v: number[][] = s.channels.map(() => []);
  for await (const b of s.blocks()) {
    for (let i = 0; i < b.count; i++) {
      t.push(b.tS[i]!);
      for (let c = 0; c < v.length; c++) v[c]!.push(b.values[c]![i]!);
    }
  }
  return { t, v };
}

describe("CSV recordings", () => {
  it("reads metadata, header units and rows; an empty cell is no data", async () => {
    const file = path.join(tmp, "gas.csv");
    fs.writeFileSync(
      file,
      "# start_utc: 2026-03-01T08:00:00.000Z\n# any other comment\nt_s,ch4_pct_vol,co_ppm\n0,0.25,3\n1,,4\n2.5,1.5e0,\n",
    );
    const s = await openCsv(file);
    expect(s.startUtcMs).toBe(Date.UTC(2026, 2, 1, 8));
    expect(s.channels).toEqual([
      { name: "ch4", unit: "pct_vol" },
      { name: "co", unit: "ppm" },
    ]);
    const { t, v } = await readAll(s);
    expect(t).toEqual([0, 1, 2.5]);
    expect(v[0]).toEqual([0.25, Number.NaN, 1.5]);
    expect(v[1]).toEqual([3, 4, Number.NaN]);
  });

  it("reads a header that starts with a UTF-8 byte order mark", async () => {
    const file = path.join(tmp, "bom.csv");
    fs.writeFileSync(file, "\uFEFFt_s,o2_pct_vol\r\n0,20.9\r\n1,20.8\r\n");
    const { t, v } = await readAll(await openCsv(file));
    expect(t).toEqual([0, 1]);
    expect(v[0]).toEqual([20.9, 20.8]);
  });

  it("reads a 10^5-column header in linear work, and still finds a repeated channel (issue 14 item 8)", async () => {
    // The repeat check was a scan of the channels so far: 5 x 10^9 comparisons here, about 90 s, past the
    // test's timeout. A header of n columns must cost O(n).
    const n = 100_000;
    const names = Array.from({ length: n }, (_, i) => `c${i}_counts`);
    const file = path.join(tmp, "wide.csv");
    fs.writeFileSync(file, `t_s,${names.join(",")}\n0,${new Array(n).fill("1").join(",")}\n`);
    const s = await openCsv(file);
    expect(s.channels).toHaveLength(n);
    expect(s.channels[n - 1]).toEqual({ name: `c${n - 1}`, unit: "counts" });
    const repeated = path.join(tmp, "wide-repeat.csv");
    fs.writeFileSync(repeated, `t_s,${names.join(",")},c0_ppm\n`);
    await expect(openCsv(repeated)).rejects.toThrow(`${repeated} line 1: column "c0_ppm" repeats channel c0`);
  });

  it("streams in bounded blocks that reuse the same arrays", async () => {
    const file = path.join(tmp, "long.csv");
    const rows = 50_000;
    let text = "t_s,az_m_per_s2\n";
    for (let i = 0; i < rows; i++) text += `${i / 1000},${(i % 7) - 3}\n`;
    fs.writeFileSync(file, text);
    const s = await openCsv(file, 1000);
    const arrays = new Set<Float64Array>();
    let n = 0;
    let sum = 0;
    for await (const b of s.blocks()) {
      expect(b.count).toBeLessThanOrEqual(1000);
      arrays.add(b.tS);
      for (let i = 0; i < b.count; i++) sum += b.values[0]![i]!;
      n += b.count;
    }
    expect(n).toBe(rows);
    expect(arrays.size).toBe(1);
    let expected = 0;
    for (let i = 0; i < rows; i++) expected += (i % 7) - 3;
    expect(sum).toBe(expected);
  });

  it("exports MiniSEED to CSV and reads back the same samples and start time", async () => {
    const [ms] = await openMseed(
      path.resolve(import.meta.dirname, "../../../shared/data/iu-cola-lhz-2010-02-27.mseed"),
    );
    const file = path.join(tmp, "cola.csv");
    expect(await writeCsv(file, ms!)).toBe(4200);
    expect(fs.readFileSync(file, "utf8").split("\n").slice(0, 2)).toEqual([
      "# start_utc: 2010-02-27T06:50:00.069Z",
      "t_s,IU.COLA.00.LHZ_counts",
    ]);
    const back = await openCsv(file);
    expect(back.startUtcMs).toBe(ms!.startUtcMs);
    const a = await readAll(ms!);
    const b = await readAll(back);
    expect(b.t).toEqual(a.t);
    expect(b.v).toEqual(a.v);
  });

  it.each([
    ["nan.csv", "nan", "line 3: ch4_pct_vol is NaN"],
    ["non-monotonic.csv", "non-monotonic-time", "line 4: t_s 1 does not increase (previous 1)"],
    ["no-time.csv", "missing-column", 'line 1: first column must be t_s, got "time"'],
    ["bad-unit.csv", "bad-column", 'line 1: column "ch4_percent" is not <channel>_<unit>'],
    ["short-row.csv", "missing-column", "line 3: 2 fields, the header has 3"],
    ["not-number.csv", "bad-value", 'line 3: ch4_pct_vol is not a number: "0x10"'],
  ])("rejects %s (%s) naming the file and line", async (name, code, message) => {
    const file = `${BAD}/${name}`;
    const run = async () => readAll(await openCsv(file));
    await expect(run()).rejects.toMatchObject({ code });
    await expect(run()).rejects.toThrow(`${file} ${message}`);
  });
});
