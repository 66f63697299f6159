/**
 * Debian's mosquitto as the compatibility broker: started on a free loopback port from a generated config
 * in a temp dir, with a password file (mosquitto_passwd -U hashes it) and the acl.ts rule as acl_file.
 * `findMosquitto()` says whether it is installed (.ci/run installs it); tests skip visibly when it is not.
 * Settings from mosquitto.conf(5) (mosquitto 2.0): listener, allow_anonymous, password_file, acl_file,
 * persistence, use_username_as_clientid (so a node account cannot take another client id's session), and the
 * limits of limits.ts that mosquitto has: max_packet_size, and max_queued_messages / max_inflight_messages so
 * a client cannot make it hold unbounded messages (it has no retained-size or publish-rate setting).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TrafficGate } from "../ports.js";
import { type BrokerAccount, checkAccount, mosquittoAcl } from "./acl.js";
import { MqttHostError } from "./errors.js";
import { type BrokerLimits, brokerLimits } from "./limits.js";

const CANDIDATES = [
  "/usr/sbin/mosquitto",
  "/usr/local/sbin/mosquitto",
  "/usr/bin/mosquitto",
  "/usr/local/bin/mosquitto",
];

export function findMosquitto(): string | undefined {
  return CANDIDATES.find((p) => fs.existsSync(p));
}

function findPasswdTool(broker: string): string | undefined {
  const near = path.join(path.dirname(broker).replace(/sbin$/, "bin"), "mosquitto_passwd");
  return [near, "/usr/bin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd"].find((p) => fs.existsSync(p));
}

export interface MosquittoOptions {
  accounts: readonly BrokerAccount[];
  gate?: TrafficGate;
  limits?: Partial<BrokerLimits>;
}

/** The limit lines of the generated mosquitto.conf. */
export function mosquittoLimitLines(limits: BrokerLimits): string[] {
  return [`max_packet_size ${limits.maxPacketBytes}`, "max_queued_messages 1000", "max_inflight_messages 20"];
}

export class MosquittoBroker {
  readonly host = "127.0.0.1";
  readonly dir: string;
  #binary: string;
  #port: number;
  #proc: ChildProcess | undefined;
  #gate: TrafficGate | undefined;
  #log = "";

  private constructor(binary: string, dir: string, port: number, gate: TrafficGate | undefined) {
    this.#binary = binary;
    this.dir = dir;
    this.#port = port;
    this.#gate = gate;
  }

  static async start(options: MosquittoOptions): Promise<MosquittoBroker> {
    const binary = findMosquitto();
    if (!binary)
      throw new MqttHostError(
        "broker-start",
        "mosquitto is not installed (apt-get install mosquitto)",
        CANDIDATES[0],
      );
    const passwdTool = findPasswdTool(binary);
    if (!passwdTool)
      throw new MqttHostError("broker-start", "mosquitto_passwd not found next to mosquitto", binary);
    for (const a of options.accounts) checkAccount(a);
    const limits = brokerLimits(options.limits);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-mosquitto-"));
    const port = await freePort();
    const passwd = path.join(dir, "passwd");
    fs.writeFileSync(passwd, `${options.accounts.map((a) => `${a.user}:${a.password}`).join("\n")}\n`, {
      mode: 0o600,
    });
    execFileSync(passwdTool, ["-U", passwd], { stdio: "ignore" });
    fs.writeFileSync(path.join(dir, "acl"), mosquittoAcl(options.accounts), { mode: 0o600 });
    fs.writeFileSync(
      path.join(dir, "mosquitto.conf"),
      [
        `listener ${port} 127.0.0.1`,
        // Started as root, mosquitto drops to user "mosquitto", which cannot read our 0600 files: stay us.
        `user ${os.userInfo().username}`,
        "allow_anonymous false",
        `password_file ${passwd}`,
        `acl_file ${path.join(dir, "acl")}`,
        "use_username_as_clientid true",
        ...mosquittoLimitLines(limits),
        "persistence true",
        `persistence_location ${dir}/`,
        "log_dest stderr",
        "log_type error",
        "log_type warning",
        "",
      ].join("\n"),
    );
    const b = new MosquittoBroker(binary, dir, port, options.gate);
    await b.#launch();
    return b;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `mqtt://${this.host}:${this.#port}`;
  }

  async stop(): Promise<void> {
    const work = this.#halt();
    await (this.#gate ? this.#gate.track(work) : work);
  }

  async restart(): Promise<void> {
    const work = this.#launch();
    await (this.#gate ? this.#gate.track(work) : work);
  }

  /** Stops the broker and removes its temp dir. */
  async dispose(): Promise<void> {
    await this.#halt();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async #launch(): Promise<void> {
    if (this.#proc) return;
    const proc = spawn(this.#binary, ["-c", path.join(this.dir, "mosquitto.conf")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    proc.stderr?.on("data", (d: Buffer) => {
      this.#log += d.toString();
    });
    this.#proc = proc;
    const deadline = performance.now() + 5000;
    while (!(await canConnect(this.#port))) {
      if (proc.exitCode !== null || performance.now() > deadline) {
        this.#proc = undefined;
        proc.kill();
        const why = this.#log.trim().split("\n").pop() ?? `exit code ${proc.exitCode}`;
        throw new MqttHostError(
          "broker-start",
          `mosquitto did not start on port ${this.#port}: ${why}`,
          this.#port,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async #halt(): Promise<void> {
    const proc = this.#proc;
    if (!proc) return;
    this.#proc = undefined;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGTERM");
    await exited;
    const gate = this.#gate;
    if (gate) {
      const deadline = performance.now() + 2000;
      while (gate.linksTo(this.#port) > 0 && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 1));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
