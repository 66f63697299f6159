/**
 * Reading a scenario: a path to a `.yaml` / `.yml` / `.json` file, or the name of a shipped scenario in
 * host-sim/scenarios (`demo`, `methane-inrush`, ...). Parse errors name the file and line.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { ScenarioError } from "./errors.js";
import { checkScenario, type Scenario } from "./scenario.js";

export const SCENARIO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../scenarios");
export const DEMO_SCENARIO = "demo";

/** Names of the shipped scenarios (file names without extension), sorted. */
export function shippedScenarios(): string[] {
  return fs
    .readdirSync(SCENARIO_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => f.replace(/\.(ya?ml|json)$/, ""))
    .sort();
}

/** Resolves a name or path to a file; throws ScenarioError "unknown-scenario". */
export function resolveScenario(target: string): string {
  if (fs.existsSync(target) && fs.statSync(target).isFile()) return target;
  if (!/[/\\]/.test(target) && !/\.(ya?ml|json)$/.test(target)) {
    for (const ext of [".yaml", ".yml", ".json"]) {
      const f = path.join(SCENARIO_DIR, target + ext);
      if (fs.existsSync(f)) return f;
    }
    throw new ScenarioError(
      "unknown-scenario",
      target,
      "",
      `no such scenario file or shipped scenario (shipped: ${shippedScenarios().join(", ")})`,
      target,
    );
  }
  throw new ScenarioError("io", target, "", "no such file", target);
}

/** Parses and validates scenario text; `file` is what errors call it. */
export function parseScenario(text: string, file: string): Scenario {
  let raw: unknown;
  if (file.endsWith(".json")) {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ScenarioError("parse", file, "", `not valid JSON: ${(e as Error).message}`, undefined);
    }
  } else {
    try {
      raw = parseYaml(text, { prettyErrors: false, uniqueKeys: true });
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos ? `line ${e.linePos[0].line}` : "";
      const msg = (e as Error).message.split("\n")[0];
      throw new ScenarioError("parse", file, where, `not valid YAML: ${msg}`, undefined);
    }
  }
  return checkScenario(raw, file);
}

export interface LoadedScenario {
  scenario: Scenario;
  /** The file as the user named it (or the shipped file's name relative to the project). */
  file: string;
}

export function loadScenario(target: string = DEMO_SCENARIO): LoadedScenario {
  const file = resolveScenario(target);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError("io", file, "", `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`, file);
  }
  const shown = file.startsWith(SCENARIO_DIR) ? path.join("host-sim/scenarios", path.basename(file)) : file;
  const scenario = parseScenario(text, shown);
  resolveRecordings(scenario, path.dirname(path.resolve(file)), shown);
  return { scenario, file: shown };
}

/** Makes each node's `recording` absolute (relative to the scenario file) and checks it exists. */
function resolveRecordings(scenario: Scenario, dir: string, shown: string): void {
  scenario.nodes.forEach((n, i) => {
    if (n.recording === undefined) return;
    const abs = path.resolve(dir, n.recording);
    if (!fs.existsSync(abs))
      throw new ScenarioError(
        "io",
        shown,
        `nodes[${i}].recording`,
        `no such recording "${n.recording}"`,
        abs,
      );
    n.recording = abs;
  });
}
