/**
 * `npm run build:firmware -- --variant gas|vibration|combo --target esp32|xiao-e5|lin [--debug] [--out dir]
 * [name=value ...]`: builds a node with Moddable's `mcconfig` from manifests/<variant>.json.
 *
 * Targets (manifests/boards.json): esp32 = generic ESP32 DevKitC / NodeMCU-32S (Moddable `esp32/nodemcu`),
 * xiao-e5 = Seeed XIAO ESP32S3 with a Wio-E5 (LoRa-E5) LoRaWAN modem on a UART (`esp32/xiao_esp32s3`),
 * lin = Moddable's desktop simulator. `name=value` arguments pass through to mcconfig, which uses them to
 * override manifest config (Moddable documentation/tools/tools.md, "Arguments"), e.g. `ssid=... password=...`.
 *
 * Without $MODDABLE it prints one line saying what to install and exits 2; bad arguments: one line, exit 2.
 * `mqttHost=` must be the broker's IPv4 address, not a name (protocol/broker-address.ts says why): a name is
 * a bad argument.
 * The project's TypeScript (6, pinned in package.json) goes first on PATH: Moddable 8.2.3 compiles the .ts
 * modules with whatever `tsc` is on PATH, and its generated tsconfig targets es2025, which TypeScript 5 lacks.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brokerAddressProblem } from "../protocol/broker-address.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const VARIANTS = ["gas", "vibration", "combo"] as const;
/** Our target name -> mcconfig platform (-p). */
export const TARGETS: Readonly<Record<string, string>> = Object.freeze({
  esp32: "esp32/nodemcu",
  "xiao-e5": "esp32/xiao_esp32s3",
  lin: "lin",
});

export const INSTALL_HINT =
  "build:firmware: $MODDABLE is not set: install the Moddable SDK 8.2.3 (and ESP-IDF for esp32 targets) as " +
  "https://github.com/Moddable-OpenSource/moddable/blob/public/documentation/Moddable%20SDK%20-%20Getting%20Started.md " +
  "describes, then export MODDABLE=<path to the SDK> and add $MODDABLE/build/bin/<os>/release to PATH";

class BuildError extends Error {}

export interface BuildPlan {
  command: string;
  args: string[];
  outDir: string;
}

/** Parses arguments and environment into the mcconfig invocation; throws BuildError with one line. */
export function planBuild(argv: readonly string[], env: NodeJS.ProcessEnv): BuildPlan {
  let variant: string | undefined;
  let target: string | undefined;
  let outDir = path.join(root, "build", "firmware");
  let debug = false;
  const overrides: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new BuildError(`build:firmware: ${arg} needs a value`);
      return v;
    };
    if (arg === "--variant") variant = value();
    else if (arg === "--target") target = value();
    else if (arg === "--out") outDir = path.resolve(value());
    else if (arg === "--debug" || arg === "-d") debug = true;
    else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) {
      if (arg.startsWith("mqttHost=")) {
        const problem = brokerAddressProblem(arg.slice("mqttHost=".length));
        if (problem) throw new BuildError(`build:firmware: ${problem}`);
      }
      overrides.push(arg);
    } else throw new BuildError(`build:firmware: unknown argument "${arg}"`);
  }
  if (!variant || !(VARIANTS as readonly string[]).includes(variant))
    throw new BuildError(
      `build:firmware: --variant must be one of ${VARIANTS.join(", ")}, got "${variant ?? ""}"`,
    );
  const platform = target === undefined ? undefined : TARGETS[target];
  if (!platform)
    throw new BuildError(
      `build:firmware: --target must be one of ${Object.keys(TARGETS).join(", ")}, got "${target ?? ""}"`,
    );
  const moddable = env.MODDABLE;
  if (!moddable) throw new BuildError(INSTALL_HINT);
  if (!fs.existsSync(moddable))
    throw new BuildError(`build:firmware: $MODDABLE is set to "${moddable}", which does not exist`);
  const args = ["-m", "-p", platform];
  if (debug) args.push("-d");
  args.push("-o", outDir, path.join(root, "manifests", `${variant}.json`), ...overrides);
  return { command: "mcconfig", args, outDir };
}

export function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  let plan: BuildPlan;
  try {
    plan = planBuild(argv, env);
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  fs.mkdirSync(plan.outDir, { recursive: true }); // mcconfig -o refuses a directory that does not exist
  const binDir = path.join(
    env.MODDABLE as string,
    "build",
    "bin",
    process.platform === "darwin" ? "mac" : "lin",
  );
  const PATH = [
    path.join(root, "node_modules", ".bin"),
    path.join(binDir, "release"),
    path.join(binDir, "debug"),
    env.PATH ?? "",
  ].join(path.delimiter);
  process.stdout.write(`build:firmware: ${plan.command} ${plan.args.join(" ")}\n`);
  const result = spawnSync(plan.command, plan.args, { stdio: "inherit", env: { ...env, PATH }, cwd: root });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === "ENOENT"
        ? `build:firmware: mcconfig not found in $MODDABLE/build/bin or PATH: build the SDK tools (cd $MODDABLE/build/makefiles/<os> && make)\n`
        : `build:firmware: could not run mcconfig: ${result.error.message}\n`,
    );
    return 2;
  }
  return result.status ?? 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2), process.env);
}
