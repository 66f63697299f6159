/**
 * Host-side client of the node's provisioning console (protocol/SPEC-console.md), for the field-tech CLI and
 * the tests. It is a SerialPeer: attach it to the simulated node's console UART (`board.attachSerial(port,
 * client)`), or, for a real port, call `connect({ baud, send })` yourself and feed what the port reads to
 * `receive()`. Time comes from an injected Clock (the virtual clock in the simulator), so timeouts are
 * deterministic.
 *
 * Every request goes in machine form (`@seq ... *CRC`) and one at a time. A reply that does not come within
 * `timeoutMs`, or comes back corrupted, or a node that says it received a corrupted line, makes the client
 * send the same line again (same seq) up to `retries` times: the node answers a repeated line from its
 * reply cache instead of running it twice, so a retried COMMIT or KEY.SET is safe. Before a retry the client
 * sends CR LF, which ends any partial line the node may hold from a cut transfer.
 */

import type { Clock, TimerId } from "../../firmware/node/clock.js";
import type { SerialLine, SerialPeer } from "../../host-sim/board.js";
import { crc16, crc32 } from "../../protocol/checksums.js";
import { CHUNK_BYTES, REPLAY_WINDOW_MS } from "../../protocol/console-wire.js";

export interface ConsoleReply {
  ok: boolean;
  /** The error code of an ERR reply ("" for OK). */
  code: string;
  /** `key=value` pairs of the reply (for ERR: those at the start of the detail, e.g. field=...). */
  fields: Record<string, string>;
  /** Everything after OK / after the ERR code, as sent. */
  detail: string;
}

/** The node answered ERR: `code` is the console's (or the runtime's) error code. */
export class ConsoleRefusedError extends Error {
  override readonly name: string = "ConsoleRefusedError";
  readonly code: string;
  readonly value: string;
  readonly reply: ConsoleReply;
  constructor(command: string, reply: ConsoleReply) {
    super(`${command}: ${reply.code}: ${reply.detail}`);
    this.code = reply.code;
    this.value = reply.detail;
    this.reply = reply;
  }
}

/** The link failed: no answer, answers that never check out, no port, or a read-back that differs. */
export class ConsoleLinkError extends Error {
  override readonly name: string = "ConsoleLinkError";
  readonly code: "timeout" | "not-connected" | "busy" | "readback-mismatch" | "bad-reply";
  readonly value: unknown;
  constructor(code: ConsoleLinkError["code"], message: string, value: unknown) {
    super(message);
    this.code = code;
    this.value = value;
  }
}

export interface ConsoleClientOptions {
  clock: Clock;
  /** Time to wait for a reply (ms). Kept well under REPLAY_WINDOW_MS so a retry still hits the node's cache. */
  timeoutMs?: number;
  /** Extra attempts after the first. */
  retries?: number;
  /** First sequence number (vary it per connection so a stale cached reply can never match). */
  firstSeq?: number;
}

export interface NodeIdentityReply {
  nodeId: string;
  firmwareVersion: string;
  variant: string;
  configBytes: number;
  configCrc: number;
  authenticated: boolean;
  bumpTest: boolean;
}

interface Pending {
  seq: number;
  line: Uint8Array;
  command: string;
  attempts: number;
  timer: TimerId | undefined;
  resolve: (r: ConsoleReply) => void;
  reject: (e: Error) => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ConsoleClient implements SerialPeer {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #retries: number;
  #line: SerialLine | undefined;
  #seq: number;
  #rx = "";
  #pending: Pending | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Lines sent again after a timeout or a corrupted exchange (for tests and the CLI's diagnostics). */
  retriesUsed = 0;

  constructor(options: ConsoleClientOptions) {
    this.#clock = options.clock;
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#retries = options.retries ?? 2;
    this.#seq = (options.firstSeq ?? 1) & 0xffff;
    if (this.#timeoutMs * (this.#retries + 1) > REPLAY_WINDOW_MS) {
      throw new RangeError(
        `console client: timeoutMs x attempts (${this.#timeoutMs * (this.#retries + 1)} ms) must stay within the node's ${REPLAY_WINDOW_MS} ms replay window`,
      );
    }
  }

  connect(line: SerialLine): void {
    this.#line = line;
  }

  disconnect(): void {
    this.#line = undefined;
  }

  receive(bytes: Uint8Array): void {
    this.#rx += decoder.decode(bytes, { stream: true });
    for (;;) {
      const nl = this.#rx.indexOf("\n");
      if (nl < 0) break;
      const text = this.#rx.slice(0, nl).replace(/\r$/, "");
      this.#rx = this.#rx.slice(nl + 1);
      if (text.length > 0) this.#onLine(text);
    }
    // A node never sends a line this long: drop it rather than grow without bound.
    if (this.#rx.length > 1024) this.#rx = "";
  }

  /** Sends one command (e.g. "CFG.READ 96") and resolves with the node's reply, OK or ERR. */
  request(command: string): Promise<ConsoleReply> {
    const run = this.#queue.then(() => this.#request(command));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** As `request`, but an ERR reply rejects with ConsoleRefusedError. */
  async command(command: string): Promise<ConsoleReply> {
    const reply = await this.request(command);
    if (!reply.ok) throw new ConsoleRefusedError(command.split(" ")[0] ?? command, reply);
    return reply;
  }

  async identify(): Promise<NodeIdentityReply> {
    const f = (await this.command("ID")).fields;
    return {
      nodeId: f.id ?? "",
      firmwareVersion: f.fw ?? "",
      variant: f.variant ?? "",
      configBytes: Number(f.cfglen ?? Number.NaN),
      configCrc: Number.parseInt(f.cfgcrc ?? "", 16),
      authenticated: f.auth === "1",
      bumpTest: f.bump === "1",
    };
  }

  async auth(secret: string): Promise<void> {
    await this.command(`AUTH ${secret}`);
  }

  async lock(): Promise<void> {
    await this.command("LOCK");
  }

  async setSecret(secret: string): Promise<void> {
    await this.command(`SECRET ${secret}`);
  }

  /** Reads the committed config chunk by chunk and checks it against the CRC the node states. */
  async readConfig(): Promise<Uint8Array> {
    let out = new Uint8Array(0);
    let crc = -1;
    for (let offset = 0; ; ) {
      const f = (await this.command(`CFG.READ ${offset}`)).fields;
      const total = Number(f.total);
      crc = Number.parseInt(f.crc ?? "", 16);
      if (offset === 0) out = new Uint8Array(total);
      const n = Number(f.len);
      if (n > 0) out.set(hexToBytes(f.data ?? ""), offset);
      offset += n;
      if (offset >= total || n === 0) break;
    }
    if (crc32(out) !== crc) {
      throw new ConsoleLinkError(
        "readback-mismatch",
        `config read back with CRC-32 ${hex8(crc32(out))}, node says ${hex8(crc)}`,
        crc,
      );
    }
    return out;
  }

  /**
   * Sends a config with BEGIN / DATA / COMMIT, then reads the node's identity back and checks that the
   * committed config has this length and CRC. Returns the CRC-32.
   */
  async writeConfig(
    bytes: Uint8Array,
    onProgress?: (sentBytes: number, totalBytes: number) => void,
  ): Promise<number> {
    const crc = crc32(bytes);
    await this.command(`CFG.BEGIN ${bytes.length} ${hex8(crc)}`);
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK_BYTES));
      await this.command(`CFG.DATA ${offset} ${bytesToHex(chunk)}`);
      onProgress?.(offset + chunk.length, bytes.length);
    }
    await this.command("CFG.COMMIT");
    const id = await this.identify();
    if (id.configCrc !== crc || id.configBytes !== bytes.length) {
      throw new ConsoleLinkError(
        "readback-mismatch",
        `node holds a ${id.configBytes}-byte config with CRC-32 ${hex8(id.configCrc)}, sent ${bytes.length} bytes with ${hex8(crc)}`,
        id.configCrc,
      );
    }
    return crc;
  }

  /** Writes a key; resolves with the node's key check value (hex). The key itself never comes back. */
  async writeKey(slot: string, key: Uint8Array): Promise<string> {
    return (await this.command(`KEY.SET ${slot} ${bytesToHex(key)}`)).fields.kcv ?? "";
  }

  /** The key check value of a slot (hex), or null when the slot is empty. */
  async keyCheckValue(slot: string): Promise<string | null> {
    const f = (await this.command(`KEY.INFO ${slot}`)).fields;
    return f.set === "1" ? (f.kcv ?? "") : null;
  }

  async reading(gas: string): Promise<{ value: number; unit: string; alarm: string }> {
    const f = (await this.command(`READ ${gas}`)).fields;
    return { value: Number(f.value), unit: f.unit ?? "", alarm: f.alarm ?? "" };
  }

  async calibrateZero(gas: string): Promise<{ value: number; unit: string }> {
    const f = (await this.command(`CAL.ZERO ${gas}`)).fields;
    return { value: Number(f.value), unit: f.unit ?? "" };
  }

  async calibrateSpan(gas: string, applied: number): Promise<{ value: number; unit: string }> {
    if (!(applied > 0) || !Number.isFinite(applied)) {
      throw new RangeError(`span calibration needs an applied concentration > 0, got ${applied}`);
    }
    const f = (await this.command(`CAL.SPAN ${gas} ${applied}`)).fields;
    return { value: Number(f.value), unit: f.unit ?? "" };
  }

  async bumpTest(on: boolean, gas?: string): Promise<void> {
    await this.command(on ? `BUMP.ON ${gas ?? ""}`.trim() : "BUMP.OFF");
  }

  async reboot(): Promise<void> {
    await this.command("REBOOT");
  }

  /**
   * The local reset of a latched methane interlock (needs AUTH). Resolves with the interlock's state after
   * it; a refusal (nothing latched, gas still above the reset point...) rejects with ConsoleRefusedError.
   */
  async resetInterlock(): Promise<{ state: string; ch4PctVol: number; resetBelowPctVol: number }> {
    const f = (await this.command("INTERLOCK.RESET")).fields;
    return { state: f.interlock ?? "", ch4PctVol: Number(f.ch4), resetBelowPctVol: Number(f["reset-below"]) };
  }

  // --- one exchange --------------------------------------------------------------------------------------

  #request(command: string): Promise<ConsoleReply> {
    if (!this.#line) {
      return Promise.reject(
        new ConsoleLinkError("not-connected", "console: no serial line to the node", command),
      );
    }
    if (/[\r\n]/.test(command))
      throw new RangeError(`console: a command is one line, got ${JSON.stringify(command)}`);
    const seq = this.#seq;
    this.#seq = (this.#seq + 1) & 0xffff;
    const head = `@${seq} ${command}`;
    const headBytes = encoder.encode(head);
    const line = encoder.encode(`${head}*${hex4(crc16(headBytes, 0, headBytes.length))}\r\n`);
    return new Promise<ConsoleReply>((resolve, reject) => {
      this.#pending = { seq, line, command, attempts: 0, timer: undefined, resolve, reject };
      this.#transmit(false);
    });
  }

  #transmit(resync: boolean): void {
    const p = this.#pending;
    if (!p) return;
    const line = this.#line;
    if (!line) {
      this.#finish(
        new ConsoleLinkError("not-connected", "console: serial line to the node is gone", p.command),
      );
      return;
    }
    p.attempts++;
    if (resync) line.send(CRLF);
    line.send(p.line);
    p.timer = this.#clock.setTimer(() => this.#retry("timeout"), this.#timeoutMs);
  }

  #retry(why: string): void {
    const p = this.#pending;
    if (!p) return;
    if (p.timer !== undefined) this.#clock.clearTimer(p.timer);
    p.timer = undefined;
    if (p.attempts > this.#retries) {
      const name = p.command.split(" ")[0];
      this.#finish(
        new ConsoleLinkError(
          why === "timeout" ? "timeout" : "bad-reply",
          why === "timeout"
            ? `node did not answer ${name} after ${p.attempts} tries of ${this.#timeoutMs} ms: check the cable and that the node is powered`
            : `node's answers to ${name} kept failing their check (${why}) after ${p.attempts} tries: check the cable`,
          p.command,
        ),
      );
      return;
    }
    this.retriesUsed++;
    this.#transmit(true);
  }

  #finish(result: ConsoleReply | Error): void {
    const p = this.#pending;
    if (!p) return;
    if (p.timer !== undefined) this.#clock.clearTimer(p.timer);
    this.#pending = undefined;
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  #onLine(text: string): void {
    const p = this.#pending;
    if (!p) return; // nothing asked: a stale line
    const star = text.length - 5;
    if (star < 0 || text[star] !== "*") return; // machine replies always carry a CRC
    const body = text.slice(0, star);
    const crc = Number.parseInt(text.slice(star + 1), 16);
    const bodyBytes = encoder.encode(body);
    if (crc16(bodyBytes, 0, bodyBytes.length) !== crc) {
      this.#retry("reply CRC");
      return;
    }
    let rest = body;
    if (body.startsWith("@")) {
      const sp = body.indexOf(" ");
      if (Number(body.slice(1, sp)) !== p.seq) return; // a reply to an earlier line
      rest = body.slice(sp + 1);
    } else if (/^ERR (bad-crc|bad-seq|line-too-long|bad-byte) /.test(body)) {
      this.#retry("node saw a corrupted line");
      return;
    } else {
      return;
    }
    this.#finish(parseReply(rest));
  }
}

const CRLF = Uint8Array.of(0x0d, 0x0a);

/** Parses `OK k=v ...` or `ERR code detail` (seq and CRC already removed). */
export function parseReply(text: string): ConsoleReply {
  const ok = text === "OK" || text.startsWith("OK ");
  const words = text.split(" ");
  const code = ok ? "" : (words[1] ?? "");
  const detailWords = words.slice(ok ? 1 : 2);
  const fields: Record<string, string> = {};
  for (const w of detailWords) {
    const eq = w.indexOf("=");
    if (eq <= 0) break;
    fields[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return { ok, code, fields, detail: detailWords.join(" ") };
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0").toUpperCase();
  return s;
}

function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) {
    throw new ConsoleLinkError("bad-reply", `console: "${hex.slice(0, 16)}..." is not hex`, hex);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, "0");
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, "0");
}
