/**
 * `minewatch sim`: options, exit codes (0 pass, 1 an expectation failed and is named with the replay
 * command, 2 bad scenario or option in one line), --json output, --report writing report.json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseScenario } from "../../host-sim/sim/load.js";
import { CliError } from "../../tools/cli/errors.js";
import {
  command,
  DEFAULT_REPORT_DIR,
  parseSimArgs,
  progressBar,
  progressBarFor,
  reportDirOf,
} from "../../tools/cli/sim.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mw-sim-cli-"));
afterEach(() => vi.restoreAllMocks());

function capture(): { out: () => string } {
  let text = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  return { out: () => text };
}

async function cliError(argv: string[]): Promise<CliError> {
  try {
    await command.run(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return e as CliError;
  }
  throw new Error("expected a CliError");
}

const SHORT = `name: short
durationS: 150
nodes:
  - id: face-1
    variant: gas
    gas:
      events:
        - { kind: gas-inrush, tS: 40, channel: ch4, peak: 1.8, riseTauS: 5, holdS: 60, decayTauS: 20 }
expect:
  - { kind: alarm-within, withinS: WITHIN }
  - { kind: no-frame-lost }
`;

describe("minewatch sim", () => {
  it("parses its options and refuses bad ones in one line", async () => {
    expect(parseSimArgs([])).toMatchObject({ scenario: "demo", json: false });
    expect(parseSimArgs(["x.yaml", "--seed", "42", "--speed", "max", "--json"])).toMatchObject({
      scenario: "x.yaml",
      seed: 42,
      speed: undefined,
      json: true,
    });
    expect(parseSimArgs(["--speed", "50"]).speed).toBe(50);
    for (const [argv, msg] of [
      [["--seed", "-1"], '--seed must be an integer 0..4294967295, got "-1"'],
      [["--seed"], "--seed needs a value"],
      [["--seed", "1.5"], '--seed must be an integer 0..4294967295, got "1.5"'],
      [["--speed", "fast"], '--speed must be "max" or a factor > 0, got "fast"'],
      [["--broker", "http://x:1"], '--broker: broker URL must be mqtt://host:port, got "http://x:1"'],
      [["--frobnicate"], 'unknown option "--frobnicate" (see minewatch sim --help)'],
    ] as const) {
      const e = await cliError([...argv]);
      expect(e.exitCode).toBe(2);
      expect(e.message).toContain(msg);
    }
  });

  it("exit 2 with file, field and problem for a bad scenario file", async () => {
    const file = path.join(tmp, "bad.yaml");
    fs.writeFileSync(file, SHORT.replace("variant: gas", "variant: gsa").replace("WITHIN", "5"));
    const e = await cliError([file]);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(`${file}: nodes[0].variant: must be one of gas, vibration, combo, got "gsa"`);
  });

  it("exit 2 in one line for a recording that is not one, an odrHz given as a number, .nan (issue 14 item 9)", async () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const recorded = (target: string) =>
      `name: r\ndurationS: 60\nnodes:\n  - { id: a, variant: gas, recording: ${target} }\n`;
    const cases: [string, string][] = [
      [
        recorded(path.join(root, "package.json")),
        `nodes[0].recording: ${path.join(root, "package.json")}: format must be "minewatch-recording/1"`,
      ],
      [recorded(path.join(root, "README.md")), `nodes[0].recording: ${path.join(root, "README.md")} line`],
      [recorded(path.join(root, "tools")), "nodes[0].recording: "],
      [
        SHORT.replace("variant: gas", "variant: vibration\n    odrHz: 120").replace(
          / {4}gas:[\s\S]*?expect:/,
          "expect:",
        ),
        "nodes[0].odrHz: must be one of 62.5, 125, 250, 500, 1000 (Hz), got 120",
      ],
      [SHORT.replace("WITHIN", ".nan"), "expect[0].withinS: must be a finite number, got NaN"],
      [SHORT.replace("WITHIN", ".inf"), "expect[0].withinS: must be a finite number, got Infinity"],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const file = path.join(tmp, `bad-${i}.yaml`);
      fs.writeFileSync(file, text);
      const e = await cliError([file, "--no-report"]);
      expect(e.exitCode, `case ${i}`).toBe(2);
      expect(e.message, `case ${i}`).toContain(`${file}: ${message}`);
      expect(e.message.split("\n"), `case ${i}`).toHaveLength(1);
    }
  });

  it("odrHz: 125 (a number in YAML) is accepted (issue 14 item 9: it was compared as a string)", () => {
    const text = "name: o\ndurationS: 60\nnodes:\n  - { id: v, variant: vibration, odrHz: 125 }\n";
    expect(parseScenario(text, "o.yaml").nodes[0]!.odrHz).toBe(125);
    expect(parseScenario(text.replace("125", "62.5"), "o.yaml").nodes[0]!.odrHz).toBe(62.5);
    expect(parseScenario(text.replace(", odrHz: 125", ""), "o.yaml").nodes[0]!.odrHz).toBe(62.5);
  });

  it("exit 0 and a summary when every expectation holds; --report writes report.json", async () => {
    const file = path.join(tmp, "ok.yaml");
    fs.writeFileSync(file, SHORT.replace("WITHIN", "10"));
    const out = capture();
    const dir = path.join(tmp, "report");
    expect(await command.run([file, "--seed", "3", "--report", dir])).toBe(0);
    expect(out.out()).toContain("seed 3");
    expect(out.out()).toContain("PASS alarm-within 10 s");
    const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
    expect(report.seed).toBe(3);
    expect(report.nodes[0].alarms.length).toBeGreaterThan(0);
  });

  it("exit 1 naming the failed expectation and the replay command; --json prints only the result", async () => {
    const file = path.join(tmp, "strict.yaml");
    // An alarm cannot reach the collector within 1 ms of the crossing (poll period, filter, network).
    fs.writeFileSync(file, SHORT.replace("WITHIN", "0.001"));
    let out = capture();
    expect(await command.run([file, "--seed", "8", "--no-report"])).toBe(1);
    expect(out.out()).toContain("FAIL alarm-within 0.001 s");
    expect(out.out()).toContain(`replay with: npx minewatch sim ${file} --seed 8`);
    vi.restoreAllMocks();
    out = capture();
    expect(await command.run([file, "--seed", "8", "--json"])).toBe(1);
    const result = JSON.parse(out.out());
    expect(result.passed).toBe(false);
    expect(result.expectations[0]).toMatchObject({ name: "alarm-within 0.001 s", passed: false });
  });

  it("writes the report to minewatch-report/ by default; not with --json or --no-report; a bad dir is exit 2", async () => {
    expect(reportDirOf(parseSimArgs([]))).toBe(DEFAULT_REPORT_DIR);
    expect(reportDirOf(parseSimArgs(["--json"]))).toBeUndefined();
    expect(reportDirOf(parseSimArgs(["--no-report"]))).toBeUndefined();
    expect(reportDirOf(parseSimArgs(["--json", "--report", "r"]))).toBe("r");
    const file = path.join(tmp, "default-report.yaml");
    fs.writeFileSync(file, SHORT.replace("WITHIN", "10"));
    const cwd = process.cwd();
    const dir = fs.mkdtempSync(path.join(tmp, "cwd-"));
    process.chdir(dir);
    try {
      const out = capture();
      expect(await command.run([file])).toBe(0);
      expect(out.out()).toContain(`wrote ${path.join(DEFAULT_REPORT_DIR, "report.html")}`);
      expect(fs.readFileSync(path.join(dir, DEFAULT_REPORT_DIR, "report.html"), "utf8")).toContain("<svg");
    } finally {
      process.chdir(cwd);
    }
    const notADir = path.join(tmp, "not-a-dir");
    fs.writeFileSync(notADir, "x");
    capture();
    const e = await cliError([file, "--report", notADir]);
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(`--report: report: `);
    expect(e.message).toContain(JSON.stringify(notADir));
  });

  describe("progress bar", () => {
    const stream = (isTTY: boolean) => {
      const writes: string[] = [];
      return { isTTY, columns: 100, writes, write: (t: string) => writes.push(t) };
    };

    it("draws on a terminal after the first half second: percent, pace and time left, then erases itself", () => {
      const s = stream(true);
      let wall = 0;
      const bar = progressBar("sim demo", 600_000, s, () => wall);
      wall = 100;
      bar.update(0.05);
      expect(s.writes).toEqual([]); // a short run prints no bar
      wall = 1000;
      bar.update(0.25);
      // 150 s of virtual time in 1 s of wall time; 3 s left at that pace.
      const line = s.writes.at(-1)!;
      expect(line.startsWith("\r") && line.endsWith("\x1b[K")).toBe(true);
      expect(line.slice(1, -3)).toMatch(/^sim demo \[#+-+\] 25% 150x real time, 3 s left$/);
      bar.update(0.25);
      expect(s.writes.length).toBe(1); // unchanged line: not redrawn
      bar.done();
      expect(s.writes.at(-1)).toBe("\r\x1b[K");
    });

    it("stays quiet when stderr is not a terminal", () => {
      const s = stream(false);
      let wall = 0;
      const bar = progressBar("sim demo", 600_000, s, () => wall);
      wall = 5000;
      bar.update(0.5);
      bar.done();
      expect(s.writes).toEqual([]);
    });

    it("is never drawn with --json, even on a terminal; without it the command's bar draws", () => {
      const s = stream(true);
      const json = progressBarFor(parseSimArgs(["--json"]), "demo", 600_000, s, () => 1000, 0);
      json.update(0.5);
      json.done();
      expect(s.writes).toEqual([]);
      const plain = progressBarFor(parseSimArgs([]), "demo", 600_000, s, () => 1000, 0);
      plain.update(0.5);
      expect(s.writes.at(-1)).toContain("sim demo [");
    });
  });
});
