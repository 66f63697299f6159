/**
 * `--port sim:<name>`: a simulated node (host-sim/node/sim-node.ts: the real runtime, drivers and console on
 * simulated chips and a virtual clock) that outlives the CLI run. Its key-value storage (NVS: provisioning
 * record, keys, secret, counters), its outbox flash, its virtual time and the simulated cells' state are
 * kept in `<sim-dir>/<name>.json`, so `provision`, then `bump-test`, then `calibrate` are separate runs
 * against the same node, as a tech's would be. Each run is a reconnect to a node that kept running: the node
 * boots from its storage (as after a power cycle; the MIPEX is already warm) and runs past its sensors'
 * warm-up (SIM_SETTLE_MS) before the tool talks to it. Not modelled across runs: the console's RAM (lockout count).
 *
 * The console UART: SimNode.attachConsole(peer) (the real console, firmware/node/console.ts, over the
 * runtime's ConsoleHost, reopened at every boot; the node boots from what was provisioned).
 *
 * Between the client and the node sits a cable (CableLink) that the simulator-only `--sim-fault` option can
 * break: `mute` (node powered off: nothing answers), `cut-at=<COMMAND>` (the cable is pulled in the middle
 * of the first line carrying that command, e.g. `cut-at=CFG.DATA`), `cut-at-line=<n>` (in the middle of the
 * n-th command line the tool sends: every cut point of a run, in turn), `cut-after=<bytes>`.
 * A `<name>.lock` file held for the run makes a second run on the same node fail as "port busy".
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import { KEY_SECRET } from "../../firmware/node/console/provisioning.js";
import type { Variant } from "../../firmware/node/runtime/wiring.js";
import type { SerialLine, SerialPeer } from "../../host-sim/board.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { fork, root } from "../../host-sim/fault-plan.js";
import { SimNode, type SimSources } from "../../host-sim/node/sim-node.js";
import { ConsoleClient } from "../console/client.js";
import { runUntilSettled } from "../console/drive.js";
import { ProvisionError } from "./errors.js";
import { type ConsoleGas, DEFAULT_SIM_DIR, type NodePort, type OpenPortOptions } from "./port.js";

/** The factory provisioning secret of a new simulated node (documented in README.md). */
export const SIM_FACTORY_SECRET = "sim-factory-secret";
/**
 * Virtual time a reopened node runs before the tool talks to it: past the electrochemical cells' 5-minute
 * warm-up (firmware/sensing/profiles/common.ts), which a node that kept running would be.
 */
export const SIM_SETTLE_MS = 5 * 60_000 + 5_000;
const STATE_VERSION = 1;
const NAME = /^sim:([a-z0-9][a-z0-9._-]{0,39})$/i;

/** A simulated cell's error against the true concentration: reading = truth x gain + offset. */
export interface CellDrift {
  gain: number;
  offset: number;
}

export interface SimState {
  version: number;
  name: string;
  seed: number;
  variant: Variant;
  /** Factory EUI-64 (16 hex digits). */
  factoryNodeId: string;
  nowMs: number;
  /** Key-value storage: binary values as base64, string values as { s }. */
  kv: Record<string, { b64: string } | { s: string }>;
  /** Outbox flash, deflated, base64. */
  flash: string;
  /** Per console gas name; absent = a perfect cell. Tests set it to give a calibration something to fix. */
  drift: Partial<Record<ConsoleGas, CellDrift>>;
}

export type SimFault =
  | { kind: "mute" }
  | { kind: "cut-at"; command: string }
  | { kind: "cut-at-line"; line: number }
  | { kind: "cut-after"; bytes: number };

export function parseSimFaults(specs: readonly string[]): SimFault[] {
  return specs.map((s) => {
    if (s === "mute") return { kind: "mute" };
    const at = /^cut-at=([A-Z.]+)$/i.exec(s);
    if (at) return { kind: "cut-at", command: at[1]!.toUpperCase() };
    const atLine = /^cut-at-line=([1-9]\d{0,5})$/.exec(s);
    if (atLine) return { kind: "cut-at-line", line: Number(atLine[1]) };
    const after = /^cut-after=(\d{1,7})$/.exec(s);
    if (after) return { kind: "cut-after", bytes: Number(after[1]) };
    throw new ProvisionError(
      "usage",
      `unknown --sim-fault "${s}" (known: mute, cut-at=<COMMAND>, cut-at-line=<n>, cut-after=<bytes>)`,
      s,
    );
  });
}

export function simNodeName(spec: string): string {
  const m = NAME.exec(spec);
  if (!m)
    throw new ProvisionError(
      "wrong-port",
      `"${spec}" is not a simulated node name: use sim:<name> with letters, digits, ".", "_", "-" (e.g. sim:face-7)`,
      spec,
    );
  return m[1]!;
}

export function simStatePath(simDir: string, name: string): string {
  return path.join(simDir, `${name}.json`);
}

/** A fresh node as it leaves the factory: no provisioning, a factory secret, id and seed from its name. */
export function newSimState(name: string, variant: Variant = "gas"): SimState {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  const idPrng = root(h);
  const low = idPrng.nextUint32().toString(16).padStart(8, "0");
  return {
    version: STATE_VERSION,
    name,
    seed: h,
    variant,
    factoryNodeId: `70b3d57e${low}`,
    nowMs: 1_000_000,
    kv: { [KEY_SECRET]: { b64: Buffer.from(SIM_FACTORY_SECRET, "ascii").toString("base64") } },
    flash: "",
    drift: {},
  };
}

export function readSimState(file: string): SimState {
  let state: SimState;
  try {
    state = JSON.parse(readFileSync(file, "utf8")) as SimState;
  } catch (e) {
    throw new ProvisionError(
      "bad-file",
      `simulated node state ${file} is unreadable (${(e as Error).message}): delete it to start a factory-fresh node`,
      file,
    );
  }
  if (state?.version !== STATE_VERSION || typeof state.seed !== "number")
    throw new ProvisionError(
      "bad-file",
      `simulated node state ${file} has version ${String(state?.version)}, this tool reads ${STATE_VERSION}: delete it to start afresh`,
      state?.version,
    );
  return state;
}

function writeSimState(file: string, state: SimState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  renameSync(tmp, file);
}

/** Takes `<name>.lock`; a lock left by a process that no longer runs is taken over. */
function takeLock(lockFile: string, port: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(lockFile, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new ProvisionError(
          "port-busy",
          `port ${port} is busy: another minewatch run (pid ${pid}) is talking to this node; wait for it to finish or close it`,
          port,
        );
      if (pid === process.pid)
        throw new ProvisionError("port-busy", `port ${port} is already open in this run`, port);
      unlinkSync(lockFile); // stale: its process is gone
    }
  }
  throw new ProvisionError("port-busy", `port ${port} is busy: could not take ${lockFile}`, port);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The cable between the tool and the node's console UART; `--sim-fault` breaks it. */
class CableLink implements SerialPeer {
  readonly #far: SerialPeer;
  readonly #faults: SimFault[];
  #cut = false;
  #sentBytes = 0;
  #lines = 0;
  #line: SerialLine | undefined;

  constructor(far: SerialPeer, faults: SimFault[]) {
    this.#far = far;
    this.#faults = faults;
    if (faults.some((f) => f.kind === "mute")) this.#cut = true;
  }

  connect(line: SerialLine): void {
    this.#line = line;
    this.#far.connect({ baud: line.baud, send: (bytes) => this.#toNode(bytes) });
  }

  receive(bytes: Uint8Array): void {
    if (!this.#cut) this.#far.receive(bytes);
  }

  /** Command lines the tool has sent (a bare CRLF, the client's resync, is not one). */
  get linesSent(): number {
    return this.#lines;
  }

  #toNode(bytes: Uint8Array): void {
    if (this.#cut || !this.#line) return;
    let pass = bytes.length;
    const isLine = bytes.some((b) => b !== 0x0d && b !== 0x0a);
    if (isLine) this.#lines++;
    for (const f of this.#faults) {
      if (f.kind === "cut-at-line" && isLine && this.#lines === f.line)
        pass = Math.min(pass, bytes.length >> 1);
      if (f.kind === "cut-after") pass = Math.min(pass, Math.max(0, f.bytes - this.#sentBytes));
      if (f.kind === "cut-at" && new TextDecoder().decode(bytes).includes(` ${f.command}`))
        pass = Math.min(pass, bytes.length >> 1);
    }
    if (pass > 0) this.#line.send(bytes.subarray(0, pass));
    this.#sentBytes += pass;
    if (pass < bytes.length) this.#cut = true; // pulled: nothing passes either way from now on
  }
}

export class SimPort implements NodePort {
  readonly name: string;
  readonly client: ConsoleClient;
  readonly clock: VirtualClock;
  readonly node: SimNode;
  readonly state: SimState;
  readonly #file: string;
  readonly #unlock: () => void;
  readonly #applied: Partial<Record<ConsoleGas, number>> = {};
  readonly #cable: CableLink;
  #closed = false;

  constructor(spec: string, file: string, state: SimState, faults: SimFault[], unlock: () => void) {
    this.name = spec;
    this.#file = file;
    this.state = state;
    this.#unlock = unlock;
    this.clock = new VirtualClock(state.nowMs);
    this.node = new SimNode({
      clock: this.clock,
      seed: state.seed,
      variant: state.variant,
      nodeId: state.factoryNodeId,
      sensorsWarm: true,
      sources: this.#sources(),
    });
    // The node's NVS and flash as the last run left them, then a boot from them.
    for (const [key, v] of Object.entries(state.kv))
      this.node.storage.write(key, "s" in v ? v.s : toArrayBuffer(Buffer.from(v.b64, "base64")));
    if (state.flash) this.node.flash.poke(0, new Uint8Array(inflateSync(Buffer.from(state.flash, "base64"))));
    this.node.reboot();
    // A fresh seq range per run, so a reply cached by the node from the last run can never match.
    this.client = new ConsoleClient({ clock: this.clock, firstSeq: (state.nowMs / 1000) & 0xffff });
    const cable = new CableLink(this.client, faults);
    this.#cable = cable;
    this.node.attachConsole(cable);
    this.clock.advance(SIM_SETTLE_MS);
  }

  /** Command lines sent to the node so far this run (the cut points `cut-at-line` can reach). */
  get linesSent(): number {
    return this.#cable.linesSent;
  }

  get sim() {
    return { applyGas: (gas: ConsoleGas, value: number | undefined) => this.applyGas(gas, value) };
  }

  applyGas(gas: ConsoleGas, value: number | undefined): void {
    if (value === undefined) delete this.#applied[gas];
    else this.#applied[gas] = value;
  }

  run<T>(promise: Promise<T>): Promise<T> {
    return runUntilSettled(this.clock, promise, 3_600_000);
  }

  sleep(ms: number): Promise<void> {
    return this.run(new Promise<void>((resolve) => this.clock.setTimer(resolve, ms)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#save();
    } finally {
      this.#unlock();
    }
  }

  #save(): void {
    const kv: SimState["kv"] = {};
    for (const key of this.node.storage.keys()) {
      const v = this.node.storage.read(key);
      if (typeof v === "string") kv[key] = { s: v };
      else if (v) kv[key] = { b64: Buffer.from(v).toString("base64") };
    }
    this.state.kv = kv;
    this.state.flash = deflateSync(this.node.flash.peek()).toString("base64");
    this.state.nowMs = this.clock.now();
    writeSimState(this.#file, this.state);
  }

  /** Site air plus whatever gas the tech holds to the sensor, through the simulated cell's drift. */
  #sources(): SimSources {
    const noise = fork(root(this.state.seed), "console/noise");
    const air: Record<ConsoleGas, (t: number) => number> = {
      CH4: (t) => Math.max(0, 0.02 + 0.01 * Math.sin(t / 60_000)),
      CO: () => 0,
      O2: () => 20.9 + 0.02 * (noise.next() - 0.5),
      H2S: () => 0,
    };
    const source = (gas: ConsoleGas) => (t: number) => {
      const truth = this.#applied[gas] ?? air[gas](t);
      const d = this.state.drift[gas];
      return d ? truth * d.gain + d.offset : truth;
    };
    return { ch4PctVol: source("CH4"), coPpm: source("CO"), o2PctVol: source("O2"), h2sPpm: source("H2S") };
  }
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export async function openSimPort(spec: string, options: OpenPortOptions): Promise<SimPort> {
  const name = simNodeName(spec);
  const faults = parseSimFaults(options.simFaults ?? []);
  const dir = options.simDir ?? DEFAULT_SIM_DIR;
  const file = simStatePath(dir, name);
  if (!existsSync(file)) {
    if (!options.create)
      throw new ProvisionError(
        "wrong-port",
        `no simulated node "${name}" in ${dir}: check the name (or --sim-dir), or provision it first`,
        spec,
      );
    mkdirSync(dir, { recursive: true });
    writeSimState(file, newSimState(name));
  }
  const unlock = takeLock(path.join(dir, `${name}.lock`), spec);
  try {
    return new SimPort(spec, file, readSimState(file), faults, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}
