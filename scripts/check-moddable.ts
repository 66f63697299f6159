/**
 * `npm run check:moddable [-- --variant gas|vibration|combo ...] [--seconds N] [--out dir]`: the node on the
 * real engine, before anyone flashes it. For each variant (default: all three) it
 * 1. builds the node for Moddable's desktop platform (`mcconfig -m -p lin`) from a wrapper manifest that
 *    includes manifests/<variant>.json and sets the ESP32 board's `creation` (manifests/boards/
 *    esp32-devkit.json "creation" when it has one, else the esp32/nodemcu target's: a fixed heap of 4,928
 *    slots, 78,848 chunk bytes, 512 stack slots), plus SIM_BOARD_ALLOWANCE for the simulated board that runs
 *    in the same machine (--exact-creation: none), and points MQTT, the console and the file root at this
 *    run; the manifests' own `preload` applies as on the board;
 * 2. writes a factory identity and MAC key into the run's key-value files (what provisioning would do);
 * 3. runs it headless for --seconds (default 60) in scripts/moddable-check/host.c, our small host program,
 *    compiled here against the installed SDK's headers and glib, with an in-process MQTT broker (aedes) on
 *    a free loopback port and the console on a pseudo-terminal; the lin board's simulated sensors replay a
 *    short recording (manifests/lin/recording.ts: a methane inrush about 10 s after boot);
 * 4. reports one line per variant: boot ok or the XS failure, frames received by the broker by type, alarms
 *    raised, what was live before main, what the simulated board took, and the slot and chunk peaks (live
 *    after a collection, less the simulated board's share, and XS's high-water mark) against the ESP32's
 *    creation.
 * Exit 0 when every variant booted, ran its time, reached the broker, raised an alarm and kept its live peak
 * (less the simulated board) within the ESP32's creation; 1 otherwise; 2 for
 * bad arguments or a missing SDK (without $MODDABLE: one line saying what to install).
 * Nothing of Moddable is built here beyond running the user's mcconfig, and compiling our own host.c.
 * Figures are from x86-64, where a slot is 32 bytes (16 on the ESP32) and chunks holding slots or pointers
 * are larger, so the chunk peak overstates the ESP32's; the slot count compares one to one. The simulated
 * board's chip models run in the same XS machine and count in the peaks too.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Aedes } from "aedes";
import { decodeFrame } from "../protocol/decode.js";
import { AlarmLevel, CHANNEL_NAMES } from "../protocol/schema.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const VARIANTS = ["gas", "vibration", "combo"] as const;
export type Variant = (typeof VARIANTS)[number];

export const INSTALL_HINT =
  "check:moddable: $MODDABLE is not set: install the Moddable SDK 8.2.3 host tools (git clone --branch 8.2.3 " +
  "https://github.com/Moddable-OpenSource/moddable; cd moddable/build/makefiles/lin && make; needs gcc and " +
  "libglib2.0-dev) and export MODDABLE=<path to the SDK>";

/** The esp32/nodemcu target's creation (Moddable 8.2.3 build/devices/esp32/targets/nodemcu/manifest.json). */
export const ESP32_NODEMCU_CREATION = Object.freeze({
  static: 0,
  chunk: Object.freeze({ initial: 78848, incremental: 0 }),
  heap: Object.freeze({ initial: 4928, incremental: 0 }),
  stack: 512,
});

export interface Creation {
  static?: number;
  chunk: { initial: number; incremental: number };
  heap: { initial: number; incremental: number };
  stack: number;
  [key: string]: unknown;
}

class CheckError extends Error {}

export interface CheckPlan {
  variants: Variant[];
  seconds: number;
  outDir: string;
  moddable: string;
  /** Build with the ESP32's creation exactly, without the simulated board's allowance. */
  exactCreation: boolean;
}

/** Parses arguments and environment; throws CheckError with one line. */
export function planCheck(argv: readonly string[], env: NodeJS.ProcessEnv): CheckPlan {
  const variants: Variant[] = [];
  let seconds = 60;
  let outDir = path.join(root, "build", "check-moddable");
  let exactCreation = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new CheckError(`check:moddable: ${arg} needs a value`);
      return v;
    };
    if (arg === "--variant") {
      const v = value();
      if (!(VARIANTS as readonly string[]).includes(v))
        throw new CheckError(`check:moddable: --variant must be one of ${VARIANTS.join(", ")}, got "${v}"`);
      if (!variants.includes(v as Variant)) variants.push(v as Variant);
    } else if (arg === "--seconds") {
      const v = value();
      seconds = Number(v);
      if (!Number.isInteger(seconds) || seconds < 5 || seconds > 86_400)
        throw new CheckError(`check:moddable: --seconds must be a whole number 5..86400, got "${v}"`);
    } else if (arg === "--out") outDir = path.resolve(value());
    else if (arg === "--exact-creation") exactCreation = true;
    else throw new CheckError(`check:moddable: unknown argument "${arg}"`);
  }
  const moddable = env.MODDABLE;
  if (!moddable) throw new CheckError(INSTALL_HINT);
  if (!fs.existsSync(moddable))
    throw new CheckError(`check:moddable: $MODDABLE is set to "${moddable}", which does not exist`);
  return {
    variants: variants.length > 0 ? variants : [...VARIANTS],
    seconds,
    outDir,
    moddable,
    exactCreation,
  };
}

/** The ESP32 board manifest's creation when it names one, else the esp32/nodemcu target's. */
export function esp32Creation(): Creation {
  const board = JSON.parse(
    fs.readFileSync(path.join(root, "manifests", "boards", "esp32-devkit.json"), "utf8"),
  ) as { creation?: Partial<Creation> };
  const c = board.creation ?? {};
  return {
    ...c,
    static: c.static ?? ESP32_NODEMCU_CREATION.static,
    chunk: { ...ESP32_NODEMCU_CREATION.chunk, ...c.chunk },
    heap: { ...ESP32_NODEMCU_CREATION.heap, ...c.heap },
    stack: c.stack ?? ESP32_NODEMCU_CREATION.stack,
  };
}

/**
 * What the lin build adds to the heap for the simulated board, whose chip models and IO classes run in the
 * node's XS machine (manifests/lin/sim-board.ts: measured 670..970 slots and 0.6..8 KB of chunks live once
 * built): without it the fixture's own objects would be charged to the node. The report subtracts the board's
 * measured share and holds the node's to the ESP32's creation; --exact-creation builds without it.
 */
export const SIM_BOARD_ALLOWANCE = Object.freeze({ slots: 1024, chunks: 16384 });

/** The creation the lin build gets: the ESP32's, plus the simulated board's allowance unless exact. */
export function linCreation(esp32: Creation, exact: boolean): Creation {
  if (exact) return esp32;
  return {
    ...esp32,
    heap: { ...esp32.heap, initial: esp32.heap.initial + SIM_BOARD_ALLOWANCE.slots },
    chunk: { ...esp32.chunk, initial: esp32.chunk.initial + SIM_BOARD_ALLOWANCE.chunks },
  };
}

/** The wrapper manifest one variant is built from. */
export function wrapperManifest(
  variant: Variant,
  creation: Creation,
  run: { mqttPort: number; consoleDevice: string; fileRoot: string },
): object {
  return {
    include: [path.join(root, "manifests", `${variant}.json`)],
    creation,
    config: {
      mqttHost: "127.0.0.1",
      mqttPort: run.mqttPort,
      site: "moddable-check",
      consoleDevice: run.consoleDevice,
      file: { root: run.fileRoot },
    },
  };
}

/** What the host program printed, as the report needs it. */
export interface HostRun {
  booted: boolean;
  abort?: string;
  /** XS exception reports and the node's own "minewatch:" traces, in order. */
  problems: string[];
  console: string[];
  /** XS's allocation high-water marks (garbage included) and the most found live after a collection. */
  memory?: {
    slotsPeak: number;
    slotsMax: number;
    chunksPeak: number;
    chunksMax: number;
    slotsLivePeak: number;
    chunksLivePeak: number;
  };
  /** Live at the app's marks (manifests/lin/marks.ts): before-main, sim-board-start, sim-board-end. */
  marks: Record<string, { slots: number; chunks: number; atS?: number }>;
  /** Live after the garbage collection that follows main. */
  afterBoot?: { slots: number; chunks: number };
  /** Seconds from launch to the abort. */
  abortAtS?: number;
  ended: boolean;
}

export function parseHostOutput(text: string): HostRun {
  const run: HostRun = { booted: false, problems: [], console: [], ended: false, marks: {} };
  for (const line of text.split("\n")) {
    const m = /^minewatch-host: (.*)$/.exec(line);
    if (!m) {
      if (/exception|^minewatch: |Error/.test(line)) run.problems.push(line.trim());
      continue;
    }
    const body = m[1] as string;
    if (body === "boot ok") run.booted = true;
    else if (body.startsWith("abort ")) {
      const why = body.slice(6).replace(/^-?\d+ /, "");
      run.abort = run.abort === undefined ? why : `${run.abort} (then ${why})`;
    } else if (body.startsWith("mark ")) {
      const m3 = /^mark (\S+) slots=(\d+) chunks=(\d+)(?: at=([\d.]+))?/.exec(body);
      if (m3)
        run.marks[m3[1] as string] = {
          slots: Number(m3[2]),
          chunks: Number(m3[3]),
          ...(m3[4] !== undefined ? { atS: Number(m3[4]) } : {}),
        };
    } else if (body.startsWith("at ")) run.abortAtS = Number.parseFloat(body.slice(3));
    else if (body.startsWith("after-boot ")) {
      const m2 = /slots=(\d+) chunks=(\d+)/.exec(body);
      if (m2) run.afterBoot = { slots: Number(m2[1]), chunks: Number(m2[2]) };
    } else if (body.startsWith("exception ")) run.abort = `${run.abort ?? "exception"}: ${body.slice(10)}`;
    else if (body.startsWith("console ")) run.console.push(body.slice(8));
    else if (body.startsWith("end ")) run.ended = true;
    else if (body.startsWith("boot failed")) run.problems.push(body);
    else if (body.startsWith("memory ")) {
      const n = (k: string): number => Number(new RegExp(`${k}=(\\d+)`).exec(body)?.[1] ?? Number.NaN);
      run.memory = {
        slotsPeak: n("slots-peak"),
        slotsMax: n("slots-max"),
        chunksPeak: n("chunks-peak"),
        chunksMax: n("chunks-max"),
        slotsLivePeak: n("slots-live-peak"),
        chunksLivePeak: n("chunks-live-peak"),
      };
    }
  }
  return run;
}

const LEVEL_NAMES = Object.fromEntries(Object.entries(AlarmLevel).map(([k, v]) => [v, k.toUpperCase()]));

/** Frames by type and alarms, from what the broker accepted on `minewatch/<site>/<node>/up/<frame>`. */
export function summariseFrames(accepted: readonly { topic: string; payload: Uint8Array }[]): {
  frames: number;
  byType: Record<string, number>;
  alarms: string[];
} {
  const byType: Record<string, number> = {};
  const alarms: string[] = [];
  let frames = 0;
  for (const p of accepted) {
    const m = /\/up\/([a-z-]+)$/.exec(p.topic);
    if (!m) continue;
    frames++;
    byType[m[1] as string] = (byType[m[1] as string] ?? 0) + 1;
    if (m[1] === "alarm") {
      try {
        const f = decodeFrame(p.payload).frame as { channel?: number; level?: number };
        alarms.push(
          `${CHANNEL_NAMES[f.channel ?? -1]?.toUpperCase() ?? "?"} ${LEVEL_NAMES[f.level ?? -1] ?? "?"}`,
        );
      } catch (e) {
        alarms.push(`undecodable (${(e as Error).message})`);
      }
    }
  }
  return { frames, byType, alarms };
}

/** An open MQTT broker on a free loopback port, keeping every PUBLISH a client sent. */
async function startBroker(): Promise<{
  port: number;
  accepted: { topic: string; payload: Uint8Array }[];
  stop(): Promise<void>;
}> {
  const aedes = await Aedes.createBroker();
  const accepted: { topic: string; payload: Uint8Array }[] = [];
  aedes.on("publish", (packet, client) => {
    if (client) accepted.push({ topic: packet.topic, payload: new Uint8Array(packet.payload as Buffer) });
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

function pct(a: number, b: number): string {
  return `${Math.round((100 * a) / b)} %`;
}

/** The one-line verdict for a variant, and whether it passed. */
export function verdict(
  variant: string,
  run: HostRun,
  frames: ReturnType<typeof summariseFrames>,
  creation: Creation,
): { line: string; ok: boolean } {
  const parts: string[] = [];
  const failed = !run.booted || run.abort !== undefined;
  const at = run.abortAtS !== undefined ? ` at ${run.abortAtS} s` : "";
  if (!run.booted) {
    const why = run.abort ?? run.problems[0] ?? "main did not return";
    parts.push(`boot failed: ${why}`);
  } else if (run.abort !== undefined) parts.push(`boot ok, then XS abort: ${run.abort}${at}`);
  else parts.push("boot ok");
  const live: string[] = [];
  const before = run.marks["before-main"];
  if (before) live.push(`before main ${before.slots} slots ${before.chunks} B`);
  const simStart = run.marks["sim-board-start"];
  const simEnd = run.marks["sim-board-end"];
  if (simStart && simEnd)
    live.push(
      `simulated board +${simEnd.slots - simStart.slots} slots +${simEnd.chunks - simStart.chunks} B`,
    );
  if (run.booted && run.afterBoot)
    live.push(`after boot ${run.afterBoot.slots} slots ${run.afterBoot.chunks} B`);
  if (live.length > 0) parts.push(`live: ${live.join(", ")}`);
  const burst = run.marks["burst-start"];
  if (burst)
    parts.push(
      `ground-motion burst at ${burst.atS ?? "?"} s${run.marks["burst-end"] ? `, over at ${run.marks["burst-end"].atS ?? "?"} s` : ", not over by the end"}`,
    );
  if (run.problems.length > 0) parts.push(`reported: ${run.problems.slice(0, 3).join(" | ")}`);
  const types = Object.entries(frames.byType)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  parts.push(`${frames.frames} frames at the broker${types ? ` (${types})` : ""}`);
  parts.push(frames.alarms.length > 0 ? `alarms: ${frames.alarms.join(", ")}` : "no alarm");
  let fits = true;
  if (run.memory) {
    const m = run.memory;
    const heap = creation.heap.initial;
    const chunk = creation.chunk.initial;
    const simSlots = simStart && simEnd ? simEnd.slots - simStart.slots : 0;
    const simChunks = simStart && simEnd ? simEnd.chunks - simStart.chunks : 0;
    const nodeSlots = m.slotsLivePeak - simSlots;
    const nodeChunks = m.chunksLivePeak - simChunks;
    fits = nodeSlots <= heap && nodeChunks <= chunk;
    const less = simSlots > 0 ? " less the simulated board" : "";
    parts.push(
      `slots live peak${less} ${nodeSlots} / ${heap} (${pct(nodeSlots, heap)}) (all ${m.slotsLivePeak}, high-water ${m.slotsPeak} of ${m.slotsMax + 1})`,
      `chunks live peak${less} ${nodeChunks} / ${chunk} bytes (${pct(nodeChunks, chunk)}) (all ${m.chunksLivePeak}, high-water ${m.chunksPeak} of ${m.chunksMax})`,
    );
  } else parts.push("no memory figures");
  const ok = !failed && run.ended && frames.frames > 0 && frames.alarms.length > 0 && fits;
  return { line: `check:moddable ${variant}: ${parts.join("; ")}`, ok };
}

function compileHost(moddable: string, outDir: string): string {
  const exe = path.join(outDir, "minewatch-host");
  const glib = spawnSync("pkg-config", ["--cflags", "--libs", "gio-2.0"], { encoding: "utf8" });
  if (glib.status !== 0)
    throw new CheckError(
      "check:moddable: pkg-config gio-2.0 failed: install libglib2.0-dev (and pkg-config)",
    );
  const args = [
    "-O1",
    "-o",
    exe,
    path.join(root, "scripts", "moddable-check", "host.c"),
    "-DXS_ARCHIVE=1",
    "-DINCLUDE_XSPLATFORM=1",
    '-DXSPLATFORM="lin_xs.h"',
    "-D_RELEASE=1",
    `-I${path.join(moddable, "xs", "includes")}`,
    `-I${path.join(moddable, "xs", "platforms")}`,
    `-I${path.join(moddable, "xs", "sources")}`,
    `-I${path.join(moddable, "build", "simulators", "modules")}`,
    ...glib.stdout.trim().split(/\s+/),
    "-ldl",
  ];
  const cc = spawnSync(process.env.CC ?? "cc", args, { encoding: "utf8" });
  if (cc.status !== 0)
    throw new CheckError(
      `check:moddable: compiling scripts/moddable-check/host.c failed: ${(cc.stderr || cc.error?.message || "").split("\n")[0]}`,
    );
  return exe;
}

function build(plan: CheckPlan, variant: Variant, manifest: string, runDir: string): void {
  const bin = path.join(plan.moddable, "build", "bin", "lin", "release");
  if (!fs.existsSync(path.join(bin, "mcconfig")))
    throw new CheckError(
      "check:moddable: mcconfig not found in $MODDABLE/build/bin/lin/release: build the SDK tools (cd $MODDABLE/build/makefiles/lin && make)",
    );
  const PATH = [path.join(root, "node_modules", ".bin"), bin, process.env.PATH ?? ""].join(path.delimiter);
  const log = path.join(runDir, "build.log");
  process.stdout.write(`check:moddable ${variant}: mcconfig -m -p lin (log: ${path.relative(root, log)})\n`);
  // mcconfig wants its -o directory to exist (a fresh checkout has none).
  fs.mkdirSync(path.join(plan.outDir, "build"), { recursive: true });
  const r = spawnSync("mcconfig", ["-m", "-p", "lin", "-o", path.join(plan.outDir, "build"), manifest], {
    cwd: root,
    env: { ...process.env, PATH },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  fs.writeFileSync(log, `${r.stdout ?? ""}${r.stderr ?? ""}`);
  if (r.status !== 0) {
    const all = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.split("\n").filter((l) => !l.startsWith("# "));
    const lines = [
      ...all.filter((l) => /error TS\d+|: error|Error:/.test(l)),
      ...all.filter((l) => /error|Error|cannot/.test(l)),
    ];
    throw new CheckError(
      `check:moddable ${variant}: build failed: ${lines[0]?.trim() ?? `mcconfig exit ${r.status}`} (see ${path.relative(root, log)})`,
    );
  }
}

function provision(fileRoot: string, variant: Variant): void {
  fs.rmSync(fileRoot, { recursive: true, force: true });
  const kv = path.join(fileRoot, "minewatch-kv", "minewatch");
  fs.mkdirSync(kv, { recursive: true });
  const id = Uint8Array.from([0x70, 0xb3, 0xd5, 0x7e, 0, 0, 0xc0, VARIANTS.indexOf(variant) + 1]);
  fs.writeFileSync(path.join(kv, "nodeid"), id);
  fs.writeFileSync(
    path.join(kv, "key"),
    Uint8Array.from({ length: 16 }, (_, i) => (i * 17 + 3) & 0xff),
  );
}

function runHost(exe: string, soPath: string, seconds: number, consoleDevice: string, log: string) {
  return new Promise<string>((resolve) => {
    const child = spawn(exe, [soPath, String(seconds), consoleDevice], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString("latin1");
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), (seconds + 30) * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      if (signal) out += `\nminewatch-host: abort -1 host killed by ${signal}\n`;
      else if (code !== 0 && !/minewatch-host: abort /.test(out))
        out += `\nminewatch-host: abort -1 host exited with ${code}\n`;
      fs.writeFileSync(log, out);
      resolve(out);
    });
  });
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let plan: CheckPlan;
  try {
    plan = planCheck(argv, env);
  } catch (e) {
    if (!(e instanceof CheckError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  let allOk = true;
  const creation = esp32Creation();
  const built = linCreation(creation, plan.exactCreation);
  const broker = await startBroker();
  try {
    fs.mkdirSync(plan.outDir, { recursive: true });
    const exe = compileHost(plan.moddable, plan.outDir);
    process.stdout.write(
      `check:moddable: ESP32 creation heap ${creation.heap.initial} slots (+${creation.heap.incremental}), chunks ${creation.chunk.initial} bytes (+${creation.chunk.incremental}), stack ${creation.stack}${plan.exactCreation ? "" : `; built with +${SIM_BOARD_ALLOWANCE.slots} slots +${SIM_BOARD_ALLOWANCE.chunks} bytes for the simulated board (--exact-creation: without)`}; broker mqtt://127.0.0.1:${broker.port}; ${plan.seconds} s per variant\n`,
    );
    for (const variant of plan.variants) {
      const runDir = path.join(plan.outDir, variant);
      fs.mkdirSync(runDir, { recursive: true });
      const fileRoot = `${path.join(runDir, "files")}/`;
      const consoleDevice = path.join(runDir, "console");
      const manifest = path.join(runDir, "manifest.json");
      fs.writeFileSync(
        manifest,
        `${JSON.stringify(wrapperManifest(variant, built, { mqttPort: broker.port, consoleDevice, fileRoot }), null, 2)}\n`,
      );
      try {
        build(plan, variant, manifest, runDir);
      } catch (e) {
        if (!(e instanceof CheckError)) throw e;
        process.stdout.write(`${e.message}\n`);
        allOk = false;
        continue;
      }
      provision(fileRoot, variant);
      const so = path.join(
        plan.outDir,
        "build",
        "bin",
        "lin",
        "mc",
        "release",
        `minewatch-${variant}`,
        "mc.so",
      );
      const before = broker.accepted.length;
      const log = path.join(runDir, "run.log");
      process.stdout.write(
        `check:moddable ${variant}: running ${plan.seconds} s (log: ${path.relative(root, log)})\n`,
      );
      const out = await runHost(exe, so, plan.seconds, consoleDevice, log);
      const run = parseHostOutput(out);
      const frames = summariseFrames(broker.accepted.slice(before));
      for (const line of run.console.slice(0, 4)) process.stdout.write(`  console: ${line}\n`);
      const v = verdict(variant, run, frames, creation);
      process.stdout.write(`${v.line}\n`);
      allOk &&= v.ok;
    }
  } catch (e) {
    if (!(e instanceof CheckError)) throw e;
    process.stdout.write(`${e.message}\n`);
    allOk = false;
  } finally {
    await broker.stop();
  }
  return allOk ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}
