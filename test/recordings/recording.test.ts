import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkLabel, formatLabels, readLabels } from "../../host-sim/recordings/labels.js";
import { openRecording } from "../../host-sim/recordings/recording.js";

// The real recording lives in shared/data beside the repository (../shared/data/README.md).
const REAL = path.resolve(import.meta.dirname, "../../../shared/data/iu-cola-lhz-2010-02-27.mseed");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-rec-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
const manifest = (o: object) => JSON.stringify({ format: "minewatch-recording/1", ...o });

describe("opening recordings", () => {
  it("opens a directory: gas CSV, MiniSEED with a scale, labels; the manifest's start aligns both", async () => {
    write("dir/gas.csv", "t_s,ch4_pct_vol\n0,0.2\n1,0.3\n");
    fs.copyFileSync(REAL, path.join(tmp, "dir/z.mseed"));
    write(
      "dir/labels.jsonl",
      '{"t":5,"kind":"teleseism","channel":"az"}\n\n{"t":1,"kind":"gas-crossing","channel":"ch4","level":"A1"}\n',
    );
    write(
      "dir/recording.json",
      manifest({
        startUtc: "2010-02-27T06:49:00.000Z",
        location: "return",
        streams: [{ file: "gas.csv" }, { file: "z.mseed", name: "az", unit: "m_per_s2", countsPerUnit: 1e6 }],
        labels: "labels.jsonl",
      }),
    );
    const rec = await openRecording(path.join(tmp, "dir"));
    expect(rec.manifest?.location).toBe("return");
    expect(rec.streams.map((s) => s.channels)).toEqual([
      [{ name: "ch4", unit: "pct_vol" }],
      [{ name: "az", unit: "m_per_s2" }],
    ]);
    expect(rec.streams.map((s) => s.startUtcMs)).toEqual([
      Date.UTC(2010, 1, 27, 6, 49),
      Date.UTC(2010, 1, 27, 6, 49),
    ]);
    const blocks = rec.streams[1]!.blocks()[Symbol.asyncIterator]();
    const first = await blocks.next();
    await blocks.return?.(); // close the file now, not when the garbage collector finds the handle
    expect(first.value!.tS[0]).toBeCloseTo(60.069539, 5); // 06:50:00.069539 is 60.07 s after the manifest's start
    expect(first.value!.values[0]![0]).toBeCloseTo(-0.231946, 12);
    expect(rec.labels.map((l) => l.t)).toEqual([1, 5]); // sorted by time
  });

  it("opens a single CSV or MiniSEED file, telling them apart by content when the extension says nothing", async () => {
    expect((await openRecording(REAL)).streams).toHaveLength(1);
    const csv = write("plain.dat", "t_s,co_ppm\n0,1\n");
    expect((await openRecording(csv)).streams[0]!.channels).toEqual([{ name: "co", unit: "ppm" }]);
    const ms = path.join(tmp, "trace.bin");
    fs.copyFileSync(REAL, ms);
    expect((await openRecording(ms)).streams[0]!.channels[0]!.name).toBe("IU.COLA.00.LHZ");
  });

  it.each([
    [{ format: "other/1", streams: [] }, 'format must be "minewatch-recording/1", got "other/1"'],
    [{ streams: [] }, "streams must list at least one file"],
    [{ streams: [{ file: "" }] }, 'streams[0]: file must be a file name, got ""'],
    [
      { streams: [{ file: "a.csv", unit: "g" }] },
      'streams[0]: unit must be one of m_per_s2|pct_vol|counts|ppm, got "g"',
    ],
    [
      { streams: [{ file: "a.mseed", countsPerUnit: 0 }] },
      "streams[0]: countsPerUnit must be a finite number > 0, got 0",
    ],
    [
      { streams: [{ file: "a.csv" }], startUtc: "yesterday" },
      'startUtc must be an ISO 8601 UTC time, got "yesterday"',
    ],
    [
      { streams: [{ file: "a.csv" }], location: "roof" },
      'location must be one of intake|face|return|local, got "roof"',
    ],
  ])("rejects manifest %j", async (fields, message) => {
    const text = "format" in fields ? JSON.stringify(fields) : manifest(fields);
    const file = write(`m${Math.abs(JSON.stringify(fields).length)}-${message.length}.json`, text);
    await expect(openRecording(file)).rejects.toMatchObject({ code: "bad-manifest" });
    await expect(openRecording(file)).rejects.toThrow(message);
  });

  it("rejects a manifest whose CSV says another start time, and a file that is neither format", async () => {
    write("clash/gas.csv", "# start_utc: 2026-01-01T00:00:00Z\nt_s,ch4_pct_vol\n0,0.2\n");
    write(
      "clash/recording.json",
      manifest({ startUtc: "2026-01-02T00:00:00Z", streams: [{ file: "gas.csv" }] }),
    );
    await expect(openRecording(path.join(tmp, "clash"))).rejects.toThrow(
      "differs from the manifest's startUtc",
    );
    const junk = write("junk.bin", "\x00\x01\x02 nothing here");
    await expect(openRecording(junk)).rejects.toMatchObject({ code: "unknown-format" });
  });
});

describe("labels", () => {
  it("round-trips through JSON lines", async () => {
    const labels = [
      {
        t: 3.5,
        kind: "blast" as const,
        channel: "accel",
        durationS: 0.6,
        pgaMPerS2: 4.1,
        ppvMmPerS: 12.5,
        cornerHz: 40,
      },
      {
        t: 10,
        kind: "gas-crossing" as const,
        channel: "o2",
        level: "A1",
        setPoint: 19.5,
        direction: "falling" as const,
      },
    ];
    const file = write("l.jsonl", formatLabels(labels));
    expect(await readLabels(file)).toEqual(labels);
  });

  it.each([
    [[1, 2], "a label must be a JSON object"],
    [{ t: "5", kind: "blast", channel: "a" }, 't must be a finite number of seconds, got "5"'],
    [{ t: 5, kind: "quake", channel: "a" }, 'unknown kind "quake"'],
    [{ t: 5, kind: "blast", channel: "" }, 'channel must be a non-empty string, got ""'],
    [{ t: 5, kind: "blast", channel: "a", ppvMmPerS: "big" }, 'ppvMmPerS must be a finite number, got "big"'],
    [
      { t: 5, kind: "gas-crossing", channel: "a", direction: "up" },
      'direction must be rising or falling, got "up"',
    ],
  ])("rejects %j", (raw, message) => {
    expect(() => checkLabel(raw, "x.jsonl line 3")).toThrow(`x.jsonl line 3: ${message}`);
  });

  it("names the line of a label that is not JSON", async () => {
    const file = write("bad.jsonl", '{"t":1,"kind":"blast","channel":"a"}\n{"t":2,\n');
    await expect(readLabels(file)).rejects.toThrow(`${file} line 2: not JSON`);
  });
});
