/**
 * The `detect` command, run as users run it: the real CLI in a child process (bin/minewatch.js).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSynthetic } from "../../host-sim/recordings/synth/generate.js";
import { randomScenario } from "../../host-sim/recordings/synth/random.js";
import { parseArgs } from "../../tools/cli/detect.js";
import { CliError } from "../../tools/cli/errors.js";

const root = path.resolve(import.meta.dirname, "../..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-detect-"));
const BAD = "test/fixtures/recordings/bad";
// The real recording lives in shared/data beside the repository (../shared/data/README.md).
const REAL = path.resolve(import.meta.dirname, "../../../shared/data/iu-cola-lhz-2010-02-27.mseed");

/**
 * bin/minewatch.js once tools/cli/commands.ts registers `detect`; until then an equivalent launcher that
 * registers it first and calls the same main().
 */
function launcher(): string {
  if (fs.readFileSync(path.join(root, "tools/cli/commands.ts"), "utf8").includes('"detect"')) {
    return path.join(root, "bin/minewatch.js");
  }
  const file = path.join(tmp, "launch.mjs");
  const url = (p: string) => JSON.stringify(`file://${path.join(root, p)}`);
  fs.writeFileSync(
    file,
    `const { register } = await import(${url("node_modules/tsx/dist/esm/api/index.mjs")});
register({ tsconfig: ${JSON.stringify(path.join(root, "tsconfig.json"))} });
const { main, registerCommand } = await import(${url("tools/cli/main.ts")});
registerCommand("detect", "detect", async () => (await import(${url("tools/cli/detect.ts")})).command);
process.exitCode = await main(process.argv.slice(2));
`,
  );
  return file;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
let bin = "";
function detect(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, "detect", ...args],
      { cwd: root, maxBuffer: 1 << 26 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

beforeAll(() => {
  bin = launcher();
  const parts = fs.readFileSync(REAL);
  fs.writeFileSync(path.join(tmp, "text.mseed"), "t_s,az_m_per_s2\n0,1\n");
  const swapped = Buffer.concat([
    parts.subarray(0, 1024),
    parts.subarray(1536, 2048),
    parts.subarray(1024, 1536),
  ]);
  fs.writeFileSync(path.join(tmp, "swapped.mseed"), swapped);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.concurrent("minewatch detect: bad input exits 2 with one line naming the place and the problem", () => {
  it.each([
    [`${BAD}/nan.csv`, `${BAD}/nan.csv line 3: ch4_pct_vol is NaN`],
    [`${BAD}/non-monotonic.csv`, `${BAD}/non-monotonic.csv line 4: t_s 1 does not increase`],
    [`${BAD}/no-time.csv`, `${BAD}/no-time.csv line 1: first column must be t_s`],
    [`${BAD}/unknown.txt`, `${BAD}/unknown.txt: unknown format`],
    [
      `${BAD}/bad-location.json`,
      `${BAD}/bad-location.json: location must be one of intake|face|return|local, got "roof"`,
    ],
    [
      "@swapped.mseed",
      "swapped.mseed record 3 (byte 1536): IU.COLA.00.LHZ starts at 2010-02-27T06:54:57.069Z, not after the previous record",
    ],
  ])("%s", async (target, message) => {
    const file = target.startsWith("@") ? path.join(tmp, target.slice(1)) : target;
    const r = await detect(file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`minewatch detect: `);
    expect(lines[0]).toContain(message);
  });

  it("a detector setting the seismic pipeline refuses (LTA not longer than STA)", async () => {
    const r = await detect("--lta", "0.01", REAL);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("ltaS");
  });
});

describe("detect options", () => {
  it("parses the documented options", () => {
    const a = parseArgs([
      "rec",
      "--json",
      "--evaluate",
      "--location",
      "return",
      "--profile",
      "us-msha-coal",
      "--sta",
      "0.1",
    ]);
    expect(a).toMatchObject({
      target: "rec",
      json: true,
      evaluate: true,
      location: "return",
      profile: "us-msha-coal",
    });
    expect(a.seismic).toEqual({ staS: 0.1 });
  });

  it.each([
    [["--location", "roof", "r"], '--location must be one of intake|face|return|local, got "roof"'],
    [["--sta", "-1", "r"], '--sta needs a number > 0, got "-1"'],
    [["--on", "x", "r"], '--on needs a number > 0, got "x"'],
    [["--method", "fancy", "r"], '--method must be recursive or classic, got "fancy"'],
    [["--frobnicate", "r"], 'unknown option "--frobnicate" (see minewatch detect --help)'],
    [["--profile"], "--profile needs a value"],
    // Profile names are checked even when the recording has no channel of that kind.
    [["--profile", "mars-base", "r"], '--profile: unknown gas profile "mars-base" (known: kz-ru-coal'],
    [["--ppv-profile", "x", "r"], '--ppv-profile: unknown PPV limit profile "x" (known: usbm-ri8507'],
    [[], "no recording given"],
    [["a", "b"], "one recording at a time, got 2: a b"],
  ])("rejects %j", (args, message) => {
    expect(() => parseArgs(args)).toThrow(CliError);
    expect(() => parseArgs(args)).toThrow(message);
  });
});

describe.concurrent("minewatch detect on recordings", () => {
  it("prints the real trace's events as JSON lines and finds every labelled wave group (--evaluate)", async () => {
    const r = await detect("test/fixtures/recordings/iu-cola", "--evaluate", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const events = lines.filter((l) => l.kind === "event");
    expect(events.length).toBeGreaterThan(0);
    for (const l of events) {
      // Counts are not m/s^2: PPV and PGA are present but null, the unit says why.
      expect(l).toMatchObject({
        channel: "IU.COLA.00.LHZ",
        unit: "counts",
        ppvMmPerS: null,
        pgaMPerS2: null,
      });
      expect(l.t).toBeGreaterThanOrEqual(0);
      expect(l.t).toBeLessThan(4200);
      expect(l.staLtaPeak).toBeGreaterThanOrEqual(4);
    }
    expect(lines.at(-1)).toMatchObject({ kind: "evaluation-seismic", labelled: 3, recall: 1 });
  });

  it("prints gas alarms and faults of the gas fixture as JSON lines; every labelled crossing in time", async () => {
    const r = await detect("test/fixtures/recordings/gas-face", "--json", "--evaluate");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual({ t: 130, kind: "alarm", channel: "ch4", level: "A1", value: 0.85 });
    expect(lines).toContainEqual({ t: 702, kind: "fault", channel: "h2s", level: "no-data" });
    for (const l of lines.slice(0, -1)) expect(Object.keys(l).slice(0, 3)).toEqual(["t", "kind", "channel"]);
    expect(lines.at(-1)).toEqual({
      kind: "evaluation-gas",
      crossings: 7,
      alarmedInTime: 7,
      periodS: 1,
      worstLatencyS: 0,
    });
  });

  it("exits 1 when a labelled crossing is not alarmed in time, and 2 for an unknown profile", async () => {
    const labels = path.join(tmp, "late.jsonl");
    fs.writeFileSync(labels, '{"t":20,"kind":"gas-crossing","channel":"ch4","level":"A2","setPoint":1}\n');
    const missed = await detect("test/fixtures/recordings/gas-face", "--evaluate", "--labels", labels);
    expect(missed.code).toBe(1);
    expect(missed.stdout).toContain("# gas: 0 of 1 labelled crossings alarmed within one sample period");
    expect(missed.stdout).toContain("MISSED ch4 A2 at 20 s (latency 113)");
    const bad = await detect("test/fixtures/recordings/gas-face", "--profile", "mars-base");
    expect(bad.code).toBe(2);
    expect(bad.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain('unknown gas profile "mars-base" (known: kz-ru-coal, us-msha-coal)');
  });

  it("reports synthetic vibration events with PPV and PGA in units, and evaluates them", async () => {
    const dir = path.join(tmp, "vib");
    await writeSynthetic(
      dir,
      randomScenario(11, { durationS: 300, rateHz: 500, gas: false, microseismicPerHour: 120 }),
      11,
    );
    const r = await detect(dir, "--json", "--evaluate");
    expect(r.stderr).toBe("");
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const events = lines.filter((l) => l.kind === "event");
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.channel).toBe("accel");
      expect(e.ppvMmPerS).toBeGreaterThan(0);
      expect(e.pgaMPerS2).toBeGreaterThan(0);
      expect(["below", "warning", "exceeds"]).toContain(e.class);
    }
    const q = lines.find((l) => l.kind === "evaluation-seismic");
    expect(q.labelled).toBe(11); // 10 microseismic + 1 blast
    expect(q.recall).toBeGreaterThan(0.5);
    const human = await detect(dir);
    expect(human.stdout).toMatch(/^# seismic accel: 150000 samples, 300\.0 s at 500\.0 Hz/);
    expect(human.stdout).toMatch(/event {8}accel {2}PPV [\d.]+ mm\/s {2}PGA [\d.]+ m\/s\^2/);
  });
});
