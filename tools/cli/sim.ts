/**
 * `minewatch sim [scenario] [--seed N] [--speed max|<factor>] [--broker URL] [--report DIR | --no-report]
 * [--json] [--shards N]`: runs a scenario (default: the demo) through a fleet of simulated nodes, checks its
 * expectations and writes the report (default: ./minewatch-report/, as the README's first command says;
 * none with --json unless --report is given). Prints the seed first, so a failing run replays exactly with --seed. Exit 0 when every
 * expectation holds, 1 when one fails (named), 2 on a bad scenario file or option (one line: file, field,
 * problem).
 */
import { ReportError, writeReport } from "../../host-sim/report/index.js";
import { ScenarioError } from "../../host-sim/sim/errors.js";
import { runFleet } from "../../host-sim/sim/fleet.js";
import { DEMO_SCENARIO, loadScenario, shippedScenarios } from "../../host-sim/sim/load.js";
import { readRecordedGas } from "../../host-sim/sim/recorded-sources.js";
import type { SimResult } from "../../host-sim/sim/result.js";
import type { Scenario } from "../../host-sim/sim/scenario.js";
import { parseBrokerUrl } from "../../host-sim/sim/shard.js";
import { parseCommandArgs } from "./args.js";
import { CliError } from "./errors.js";
import type { Command } from "./main.js";

export interface SimArgs {
  scenario: string;
  seed: number | undefined;
  speed: number | undefined;
  broker: string | undefined;
  report: string | undefined;
  /** --no-report: write no report (by default one goes to DEFAULT_REPORT_DIR). */
  noReport: boolean;
  json: boolean;
  shards: number | undefined;
}

const SIM_OPTIONS = {
  seed: { type: "string" },
  speed: { type: "string" },
  broker: { type: "string" },
  report: { type: "string" },
  "no-report": { type: "boolean" },
  json: { type: "boolean" },
  shards: { type: "string" },
} as const;

export function parseSimArgs(argv: string[]): SimArgs {
  const { values: v, positionals } = parseCommandArgs("sim", argv, SIM_OPTIONS);
  const a: SimArgs = {
    scenario: DEMO_SCENARIO,
    seed: undefined,
    speed: undefined,
    broker: undefined,
    report: v.report,
    noReport: v["no-report"] === true,
    json: v.json === true,
    shards: undefined,
  };
  if (v.seed !== undefined) {
    const n = Number(v.seed);
    if (!/^\d+$/.test(v.seed) || n > 0xffffffff)
      throw new CliError(`--seed must be an integer 0..4294967295, got "${v.seed}"`);
    a.seed = n;
  }
  if (v.speed !== undefined && v.speed !== "max") {
    const n = Number(v.speed);
    if (!(n > 0) || !Number.isFinite(n))
      throw new CliError(`--speed must be "max" or a factor > 0, got "${v.speed}"`);
    a.speed = n;
  }
  if (v.broker !== undefined) {
    try {
      parseBrokerUrl(v.broker);
    } catch (e) {
      throw new CliError(`--broker: ${(e as Error).message}`);
    }
    a.broker = v.broker;
  }
  if (v.shards !== undefined) {
    const n = Number(v.shards);
    if (!Number.isInteger(n) || n < 1 || n > 256)
      throw new CliError(`--shards must be an integer 1..256, got "${v.shards}"`);
    a.shards = n;
  }
  if (positionals.length > 1)
    throw new CliError(`one scenario at a time, got ${positionals.length}: ${positionals.join(" ")}`);
  if (positionals[0]) a.scenario = positionals[0];
  return a;
}

/** Where the progress bar draws: stderr, or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  /** Fraction of virtual time done, 0..1. */
  update(fraction: number): void;
  /** Erases the bar (the summary follows on stdout). */
  done(): void;
}

const QUIET_BAR: ProgressBar = { update: () => {}, done: () => {} };

/**
 * A one-line progress bar on a terminal, redrawn in place: percent of virtual time done, simulated time
 * over wall time so far, and the time left at that pace. Nothing when the stream is not a terminal (a
 * pipe, a file, CI logs) and nothing for the first `afterMs` of wall time, so a short run prints no bar.
 */
export function progressBar(
  label: string,
  virtualMs: number,
  stream: ProgressStream = process.stderr,
  wallNow: () => number = () => performance.now(),
  afterMs = 500,
): ProgressBar {
  if (!stream.isTTY) return QUIET_BAR;
  const wall0 = wallNow();
  let last = "";
  let drawn = false;
  return {
    update(f) {
      const fraction = Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0));
      const elapsedMs = wallNow() - wall0;
      if (elapsedMs < afterMs || fraction <= 0) return;
      const pct = Math.floor(fraction * 100);
      const speed = Math.round((fraction * virtualMs) / Math.max(1, elapsedMs));
      const leftS = Math.ceil((elapsedMs * (1 - fraction)) / fraction / 1000);
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - label.length - 40));
      const fill = Math.round((pct / 100) * width);
      const line = `${label} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${pct}% ${speed}x real time, ${leftS} s left`;
      if (line === last) return;
      last = line;
      drawn = true;
      stream.write(`\r${line}\x1b[K`);
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}

/** The bar is for a person watching a terminal: never with --json (machine-readable output only). */
export function progressBarFor(
  a: Pick<SimArgs, "json">,
  name: string,
  virtualMs: number,
  stream: ProgressStream = process.stderr,
  wallNow: () => number = () => performance.now(),
  afterMs = 500,
): ProgressBar {
  return a.json ? QUIET_BAR : progressBar(`sim ${name}`, virtualMs, stream, wallNow, afterMs);
}

/** Where `minewatch sim` writes its report when no --report is given (the README's first command). */
export const DEFAULT_REPORT_DIR = "minewatch-report";

/** report.json and the self-contained report.html (host-sim/report); a bad directory is bad input. */
async function writeReportFiles(result: SimResult, dir: string): Promise<string[]> {
  try {
    const p = await writeReport(result, dir);
    return [p.jsonPath, p.htmlPath];
  } catch (e) {
    if (e instanceof ReportError) throw new CliError(`--report: ${e.message}`, 2);
    throw e;
  }
}

/** The report directory of a run: --report DIR, else the default unless --json or --no-report. */
export function reportDirOf(a: Pick<SimArgs, "report" | "json" | "noReport">): string | undefined {
  if (a.report !== undefined) return a.report;
  return a.json || a.noReport ? undefined : DEFAULT_REPORT_DIR;
}

export function formatSummary(r: SimResult): string {
  const lines: string[] = [];
  const t = r.totals;
  lines.push(
    `${t.nodes} node${t.nodes === 1 ? "" : "s"}, ${r.scenario.durationMs / 1000} s simulated in ${(r.timing.wallMs / 1000).toFixed(1)} s ` +
      `(${r.timing.speedup}x real time, ${r.timing.shards} shard${r.timing.shards === 1 ? "" : "s"})`,
  );
  lines.push(
    `frames: ${t.framesBuilt} built, ${t.framesDelivered} delivered, ${t.framesPending} still queued, ${t.framesLost} lost, ` +
      `${t.duplicatesDropped} duplicates dropped; alarms: ${t.alarmsRaised} raised, ${t.alarmsDelivered} delivered`,
  );
  for (const e of r.expectations) lines.push(`${e.passed ? "PASS" : "FAIL"} ${e.name}: ${e.reason}`);
  return lines.join("\n");
}

/**
 * Reads every node's `recording` here, before the fleet starts: a file that is not a recording (a README,
 * package.json, a folder without recording.json) or a bad row in one is one line and exit 2. In a shard
 * worker it would surface as a bare error, "internal error", exit 70 (issue 14 item 9).
 */
async function checkRecordings(scenario: Scenario, file: string): Promise<void> {
  const seen = new Set<string>();
  for (const [i, n] of scenario.nodes.entries()) {
    if (n.recording === undefined || seen.has(n.recording)) continue;
    seen.add(n.recording);
    try {
      await readRecordedGas(n.recording, `nodes[${i}].recording`);
    } catch (e) {
      if (e instanceof ScenarioError) throw new CliError(`${file}: nodes[${i}].recording: ${e.problem}`, 2);
      throw e;
    }
  }
}

export const command: Command = {
  summary: "run a fleet scenario (default: the demo) and check its expectations",
  usage: [
    "usage: minewatch sim [scenario] [--seed N] [--speed max|<factor>] [--broker mqtt://host:port]",
    "                     [--report DIR | --no-report] [--json] [--shards N]",
    "",
    "  scenario        a .yaml/.json file, or a shipped scenario name (default: demo)",
    "  --seed N        run with this seed (default: the scenario's); a run replays exactly with its seed",
    "  --speed F       pace virtual time at F x real time (default max: as fast as possible)",
    "  --broker URL    use an external MQTT broker (default: aedes in process on a loopback port)",
    `  --report DIR    write report.json and report.html there (default: ${DEFAULT_REPORT_DIR}/,`,
    "                  none with --json)",
    "  --no-report     write no report",
    "  --json          print the whole result as JSON on stdout, nothing else",
    "  --shards N      worker threads to spread the nodes over (default: by fleet size and cores)",
    "",
    `shipped scenarios: ${shippedScenarios().join(", ")}`,
    "exit: 0 every expectation holds, 1 one failed, 2 bad scenario or option",
  ].join("\n"),
  async run(argv) {
    const a = parseSimArgs(argv);
    let loaded: ReturnType<typeof loadScenario>;
    try {
      loaded = loadScenario(a.scenario);
    } catch (e) {
      if (e instanceof ScenarioError) throw new CliError(e.message, 2);
      throw e;
    }
    const { scenario, file } = loaded;
    await checkRecordings(scenario, file);
    const seed = a.seed ?? scenario.seed;
    if (a.broker && scenario.faults.some((f) => f.kind === "broker-outage")) {
      throw new CliError(
        `${file}: faults: broker-outage needs the in-process broker; it cannot stop ${a.broker}`,
      );
    }
    if (!a.json) {
      process.stdout.write(
        `minewatch sim: scenario ${scenario.name} (${file}), seed ${seed}, ${scenario.nodes.length} nodes, ` +
          `${scenario.durationS} s\n`,
      );
    }
    const bar = progressBarFor(a, scenario.name, scenario.durationS * 1000);
    const result = await runFleet({
      scenario,
      file,
      seed,
      ...(a.shards !== undefined ? { shards: a.shards } : {}),
      ...(a.broker !== undefined ? { brokerUrl: a.broker } : {}),
      ...(a.speed !== undefined ? { speed: a.speed } : {}),
      onProgress: bar.update,
    });
    bar.done();
    const reportDir = reportDirOf(a);
    const written = reportDir ? await writeReportFiles(result, reportDir) : [];
    if (a.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(`${formatSummary(result)}\n`);
      for (const f of written) process.stdout.write(`wrote ${f}\n`);
      if (!result.passed) {
        const failed = result.expectations.filter((e) => !e.passed).map((e) => e.name);
        process.stdout.write(
          `FAILED: ${failed.join(", ")}; replay with: npx minewatch sim ${file} --seed ${seed}\n`,
        );
      }
    }
    return result.passed ? 0 : 1;
  },
};
