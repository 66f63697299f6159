/**
 * The node's provisioning console: a line protocol over a UART for field techs and their tool
 * (protocol/SPEC-console.md). It owns the protocol, the session (secret, lockout, idle timeout) and the
 * atomic config transfer; what config, keys and calibration mean belongs to the runtime behind ConsoleHost.
 *
 * Event-driven on the ECMA-419 Serial (`embedded:io/serial`, format "number"): `onReadable` takes bytes one
 * at a time into a preallocated line buffer (no allocation per byte); a complete line is parsed in place
 * (token offsets, no strings) and its reply built in a preallocated buffer. The reply goes out one byte per
 * `write(number)`, as far as the TX FIFO has room, the rest on `onWritable`: Moddable's ESP32 Serial writes
 * straight into the 128-byte UART FIFO and throws "output full" beyond it (modules/io/serial/esp32/serial.c),
 * and a byte write allocates nothing. While a reply is still going out, input stays in the UART: one request,
 * one reply, so a well-behaved tool never has more than one line in flight (the spec says so).
 */
import { crc16 } from "../../protocol/checksums.js";
import { AT, CONFIG_MAX_BYTES, hexNibble, LINE_MAX_BYTES, SPACE, STAR } from "../../protocol/console-wire.js";
import type { Clock, TimerId } from "./clock.js";
import {
  Commands,
  MAX_ARGS,
  MIN_ARGS,
  NAME_BYTES,
  NAME_MAX,
  NAMES,
  NEEDS_AUTH,
  USAGE,
} from "./console/commands.js";
import { ConsoleErr, ConsoleError } from "./console/errors.js";
import type { ConsoleHost } from "./console/host.js";
import { equalsIgnoreCase, LineBuffer, parseUint, Tokens } from "./console/line.js";
import { Reply } from "./console/reply.js";
import { Session } from "./console/session.js";
import { ConfigTransfer } from "./console/transfer.js";

export const CONSOLE_DEFAULT_BAUD = 115_200;
/** ESP32 UART hardware FIFO (ESP-IDF SOC_UART_FIFO_LEN = 128 bytes): the TX room before the first onWritable. */
export const ESP32_UART_FIFO_BYTES = 128;

export interface ConsoleSerialPort {
  read(): number | ArrayBuffer | undefined;
  write(value: number): void;
  close(): void;
}

export interface ConsoleSerialClass {
  new (options: {
    baud: number;
    port: number;
    receive?: number;
    transmit?: number;
    format: "number";
    onReadable: (count: number) => void;
    onWritable: (count: number) => void;
  }): ConsoleSerialPort;
}

export interface ConsoleOptions {
  /** The console's UART (ECMA-419 pattern: the Serial class and its port / pins). */
  serial: { io: ConsoleSerialClass; port: number; baud?: number; receive?: number; transmit?: number };
  host: ConsoleHost;
  clock: Clock;
  /** TX room assumed before the first onWritable (default: the ESP32 UART FIFO). */
  txFifoBytes?: number;
  /** Largest config accepted (default CONFIG_MAX_BYTES; one buffer of this size is preallocated). */
  configMaxBytes?: number;
}

export class Console {
  readonly #host: ConsoleHost;
  readonly #clock: Clock;
  readonly #baud: number;
  readonly #txFifoBytes: number;
  #serial: ConsoleSerialPort | undefined;
  readonly #line = new LineBuffer();
  readonly #tokens = new Tokens();
  readonly #session: Session;
  readonly #transfer: ConfigTransfer;
  readonly #reply: Reply;
  readonly #commands: Commands;
  // Reply in flight: bytes [#outPos, #outLen) of the reply buffer still to write.
  #outPos = 0;
  #outLen = 0;
  #busy = false;
  #txFree: number;
  #draining = false;
  #rebootTimer: TimerId | undefined;
  readonly #onReboot: () => void;
  /** Lines handled (replies sent), for health and tests. */
  lines = 0;

  constructor(options: ConsoleOptions) {
    const serial = options?.serial;
    if (!serial || typeof serial.io !== "function") {
      throw new ConsoleError(
        "console-options",
        "console: options.serial.io must be a Serial class",
        serial?.io,
      );
    }
    if (!options.host || !options.clock) {
      throw new ConsoleError(
        "console-options",
        "console: options.host and options.clock are required",
        undefined,
      );
    }
    const baud = serial.baud ?? CONSOLE_DEFAULT_BAUD;
    if (!Number.isInteger(baud) || baud <= 0) {
      throw new ConsoleError("console-baud", `console: baud must be an integer > 0, got ${baud}`, baud);
    }
    const configMax = options.configMaxBytes ?? CONFIG_MAX_BYTES;
    if (!Number.isInteger(configMax) || configMax < 1 || configMax > CONFIG_MAX_BYTES) {
      throw new ConsoleError(
        "console-config-max",
        `console: configMaxBytes must be an integer in 1..${CONFIG_MAX_BYTES}, got ${configMax}`,
        configMax,
      );
    }
    const fifo = options.txFifoBytes ?? ESP32_UART_FIFO_BYTES;
    if (!Number.isInteger(fifo) || fifo < 1) {
      throw new ConsoleError(
        "console-tx-fifo",
        `console: txFifoBytes must be an integer >= 1, got ${fifo}`,
        fifo,
      );
    }
    this.#host = options.host;
    this.#clock = options.clock;
    this.#baud = baud;
    this.#txFifoBytes = fifo;
    this.#txFree = fifo;
    this.#transfer = new ConfigTransfer(configMax);
    this.#session = new Session(options.clock, () => this.#sessionEnded());
    this.#reply = new Reply(options.clock, (length) => this.#start(length));
    this.#commands = new Commands(
      options.host,
      this.#session,
      this.#transfer,
      this.#reply,
      this.#line,
      this.#tokens,
    );
    this.#onReboot = () => this.#reboot();
    this.#serial = new serial.io({
      ...serial,
      baud,
      format: "number",
      onReadable: () => this.#drain(),
      onWritable: (count: number) => this.#writable(count),
    });
  }

  /** True while an AUTH session is open. */
  get authenticated(): boolean {
    return this.#session.open;
  }

  get bumpTest(): boolean {
    return this.#commands.bumpOn;
  }

  close(): void {
    this.#session.end();
    this.#transfer.abort();
    if (this.#rebootTimer !== undefined) this.#clock.clearTimer(this.#rebootTimer);
    this.#serial?.close();
    this.#serial = undefined;
  }

  // --- bytes in, bytes out -------------------------------------------------------------------------------

  #drain(): void {
    const serial = this.#serial;
    if (!serial || this.#draining) return;
    this.#draining = true;
    const line = this.#line;
    const buf = line.bytes;
    while (!this.#busy) {
      const b = serial.read();
      if (typeof b !== "number") break;
      if (b > 0x1f && b < 0x7f) {
        // LineBuffer.push's printable-byte path, inlined: on XS a call per byte costs more than the work
        // (test/xs/console.test.ts measures this loop).
        if (line.length < buf.length) buf[line.length++] = b;
        line.seen++;
      } else if (line.push(b)) {
        this.#handleLine();
        line.clear();
      }
    }
    this.#draining = false;
  }

  #writable(count: number): void {
    this.#txFree = count;
    this.#pump();
    if (!this.#busy) this.#drain();
  }

  #pump(): void {
    const serial = this.#serial;
    if (!serial) return;
    const bytes = this.#reply.w.bytes;
    while (this.#outPos < this.#outLen && this.#txFree > 0) {
      try {
        serial.write(bytes[this.#outPos]!);
      } catch {
        // The FIFO was fuller than we counted: wait for onWritable.
        this.#txFree = 0;
        break;
      }
      this.#outPos++;
      this.#txFree--;
    }
    if (this.#busy && this.#outPos >= this.#outLen) {
      this.#busy = false;
      if (this.#commands.rebootRequested && this.#rebootTimer === undefined) {
        // Let the reply leave the FIFO before the reset: at most a FIFO's worth at 10 bits per byte.
        const drainMs = Math.ceil((this.#txFifoBytes * 10_000) / this.#baud) + 2;
        this.#rebootTimer = this.#clock.setTimer(this.#onReboot, drainMs);
      }
    }
  }

  #start(length: number): void {
    this.#outPos = 0;
    this.#outLen = length;
    this.#busy = true;
    this.lines++;
    this.#pump();
  }

  // --- one line ------------------------------------------------------------------------------------------

  #handleLine(): void {
    const line = this.#line;
    const b = line.bytes;
    const machine = b[0] === AT;
    const r = this.#reply;
    // Until @seq and the CRC check out, a reply to a machine line has the CRC trailer but no @seq.
    r.begin(machine, -1, -1);
    if (line.overflowed) {
      r.err(ConsoleErr.LineTooLong)
        .ascii("line of ")
        .uint(line.seen)
        .ascii(" bytes; the limit is ")
        .uint(LINE_MAX_BYTES - 2)
        .ascii(" before CR LF");
      r.send();
      return;
    }
    if (line.badByte >= 0) {
      r.err(ConsoleErr.BadByte)
        .ascii("0x")
        .hex(line.badByte, 2)
        .ascii(" at column ")
        .uint(line.badColumn + 1);
      r.send();
      return;
    }
    let from = 0;
    let to = line.length;
    if (machine) {
      // `@<seq> <command...>*<crc16 hex4>`
      let i = 1;
      while (i < to && i < 7 && b[i] !== SPACE) i++;
      const seq = parseUint(b, 1, i);
      if (seq < 0 || seq > 0xffff || b[i] !== SPACE) {
        r.err(ConsoleErr.BadSeq).ascii("a machine line starts with @<0..65535> and a space");
        r.send();
        return;
      }
      const star = to - 5;
      let crc = star > i && b[star] === STAR ? 0 : -1;
      for (let k = star + 1; crc >= 0 && k < to; k++) {
        const n = hexNibble(b[k]!);
        crc = n < 0 ? -1 : (crc << 4) | n;
      }
      if (crc < 0) {
        r.err(ConsoleErr.BadCrc).ascii("a machine line ends with *<CRC-16 as 4 hex digits>");
        r.send();
        return;
      }
      const actual = crc16(b, 0, star);
      if (actual !== crc) {
        r.err(ConsoleErr.BadCrc).ascii("line says ").hex(crc, 4).ascii(", computed ").hex(actual, 4);
        r.send();
        return;
      }
      r.begin(true, seq, crc);
      // The tool repeated a line whose reply it lost: replay, do not run the command twice.
      if (r.replay()) return;
      from = i + 1;
      to = star;
    }
    const t = this.#tokens;
    t.split(b, from, to);
    if (t.count === 0) {
      r.err(ConsoleErr.UnknownCommand).ascii("empty command; send HELP for the list");
      r.send();
      return;
    }
    let cmd = -1;
    for (let k = 0; k < NAMES.length; k++) {
      if (equalsIgnoreCase(b, t.start[0]!, t.end[0]!, NAME_BYTES[k]!)) {
        cmd = k;
        break;
      }
    }
    if (cmd < 0) {
      r.err(ConsoleErr.UnknownCommand)
        .byte(0x22)
        .slice(b, t.start[0]!, Math.min(t.end[0]!, t.start[0]! + NAME_MAX))
        .byte(0x22)
        .ascii("; send HELP for the list");
      r.send();
      return;
    }
    const args = t.count - 1;
    if (args < MIN_ARGS[cmd]! || args > MAX_ARGS[cmd]!) {
      r.err(ConsoleErr.BadArg)
        .ascii("usage: ")
        .ascii(USAGE[cmd]!)
        .ascii(" (got ")
        .uint(args)
        .ascii(args === 1 ? " argument)" : " arguments)");
      r.send();
      return;
    }
    if (NEEDS_AUTH[cmd] === 1) {
      if (!this.#session.open) {
        r.err(ConsoleErr.Locked).ascii(NAMES[cmd]!).ascii(" changes the node: send AUTH <secret> first");
        r.send();
        return;
      }
      this.#session.touch();
    }
    try {
      this.#commands.run(cmd);
    } catch (e) {
      // A runtime method threw instead of refusing: say so in one line and stay up.
      r.err(ConsoleErr.HostFailed).text(e instanceof Error ? e.message : String(e), 160);
      r.send();
    }
  }

  // --- session and reboot --------------------------------------------------------------------------------

  /** Whatever must not outlive a session: a half-sent config and bump-test mode. */
  #sessionEnded(): void {
    this.#transfer.abort();
    if (this.#commands.bumpOn) {
      this.#commands.bumpOn = false;
      try {
        this.#host.setBumpTest(false, null);
      } catch {
        // Nothing to tell over the line here; the runtime's own bump timeout is the second guard.
      }
    }
  }

  #reboot(): void {
    this.#rebootTimer = undefined;
    this.#commands.rebootRequested = false;
    this.#session.end();
    this.#host.reboot();
  }
}
