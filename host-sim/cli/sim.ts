/**
 * `minewatch sim [scenario] [--seed N] [--speed max|<factor>] [--broker URL] [--report DIR] [--json]
 * [--shards N]`: runs a scenario (default: the demo) through a fleet of simulated nodes and checks its
 * expectations. Prints the seed first, so a failing run replays exactly with --seed. Exit 0 when every
 * expectation holds, 1 when one fails (named), 2 on a bad scenario file or option (one line: file, field,
 * problem).
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ScenarioError } from "../sim/errors.js";
import { runFleet } from "../sim/fleet.js";
import { DEMO_SCENARIO, loadScenario, shippedScenarios } from "../sim/load.js";
import type { SimResult } from "../sim/result.js";
import { parseBrokerUrl } from "../sim/shard.js";
import { CliError } from "./errors.js";
import type { Command } from "./main.js";

export interface SimArgs {
  scenario: string;
  seed: number | undefined;
  speed: number | undefined;
  broker: string | undefined;
  report: string | undefined;
  json: boolean;
  shards: number | undefined;
}

export function parseSimArgs(argv: string[]): SimArgs {
  const a: SimArgs = {
    scenario: DEMO_SCENARIO,
    seed: undefined,
    speed: undefined,
    broker: undefined,
    report: undefined,
    json: false,
    shards: undefined,
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new CliError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case "--json":
        a.json = true;
        break;
      case "--seed": {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 0xffffffff)
          throw new CliError(`--seed must be an integer 0..4294967295, got "${v}"`);
        a.seed = n;
        break;
      }
      case "--speed": {
        const v = value();
        if (v !== "max") {
          const n = Number(v);
          if (!(n > 0) || !Number.isFinite(n))
            throw new CliError(`--speed must be "max" or a factor > 0, got "${v}"`);
          a.speed = n;
        }
        break;
      }
      case "--broker": {
        const v = value();
        try {
          parseBrokerUrl(v);
        } catch (e) {
          throw new CliError(`--broker: ${(e as Error).message}`);
        }
        a.broker = v;
        break;
      }
      case "--report":
        a.report = value();
        break;
      case "--shards": {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 256)
          throw new CliError(`--shards must be an integer 1..256, got "${v}"`);
        a.shards = n;
        break;
      }
      default:
        if (arg.startsWith("-")) throw new CliError(`unknown option ${arg} (see minewatch sim --help)`);
        positional.push(arg);
    }
  }
  if (positional.length > 1)
    throw new CliError(`one scenario at a time, got ${positional.length}: ${positional.join(" ")}`);
  if (positional[0]) a.scenario = positional[0];
  return a;
}

/** A one-line progress bar on stderr, redrawn in place (terminals only). */
function progressBar(label: string): { update: (f: number) => void; done: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, done: () => {} };
  let last = -1;
  return {
    update(f) {
      const pct = Math.floor(f * 100);
      if (pct === last) return;
      last = pct;
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(`\r${label} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${pct}%`);
    },
    done() {
      if (last >= 0) process.stderr.write("\r\x1b[K");
    },
  };
}

/**
 * The report: host-sim/report/index.ts `writeReport(result, dir)` when it exists (report.json + the
 * self-contained report.html); until then only report.json (writeReportJsonFallback).
 */
async function writeReport(result: SimResult, dir: string): Promise<string[]> {
  const reportModule = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../report/index.ts");
  if (fs.existsSync(reportModule)) {
    const mod = (await import(pathToFileURL(reportModule).href)) as {
      writeReport?: (r: SimResult, d: string) => Promise<unknown> | unknown;
    };
    if (typeof mod.writeReport === "function") {
      await mod.writeReport(result, dir);
      return ["report.json", "report.html"].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
    }
  }
  return [writeReportJsonFallback(result, dir)];
}

/** HOOK until host-sim/report lands: report.json only. */
export function writeReportJsonFallback(result: SimResult, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "report.json");
  fs.writeFileSync(file, `${JSON.stringify(result)}\n`);
  return file;
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

export const command: Command = {
  summary: "run a fleet scenario (default: the demo) and check its expectations",
  usage: [
    "usage: minewatch sim [scenario] [--seed N] [--speed max|<factor>] [--broker mqtt://host:port]",
    "                     [--report DIR] [--json] [--shards N]",
    "",
    "  scenario        a .yaml/.json file, or a shipped scenario name (default: demo)",
    "  --seed N        run with this seed (default: the scenario's); a run replays exactly with its seed",
    "  --speed F       pace virtual time at F x real time (default max: as fast as possible)",
    "  --broker URL    use an external MQTT broker (default: aedes in process on a loopback port)",
    "  --report DIR    write report.json and report.html there",
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
    const bar = a.json ? { update: () => {}, done: () => {} } : progressBar(`sim ${scenario.name}`);
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
    const written = a.report ? await writeReport(result, a.report) : [];
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
