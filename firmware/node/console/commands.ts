/**
 * The console's commands (protocol/SPEC-console.md): each parses its arguments from the line in place,
 * asks the runtime (ConsoleHost) and writes one reply. Framing, the reply cache and the AUTH gate are in
 * ../console.ts; this file is what each command means.
 */
import { crc32 } from "../../../protocol/checksums.js";
import {
  asciiBytes,
  CHUNK_BYTES,
  hexNibble,
  KCV_BYTES,
  KEY_MAX_BYTES,
  SECRET_MAX_BYTES,
  SECRET_MIN_BYTES,
  SESSION_IDLE_MS,
} from "../../../protocol/console-wire.js";
import { deepFreeze } from "../../../protocol/freeze.js";
import { ConsoleErr } from "./errors.js";
import { type ConsoleHost, type ConsoleRefusal, isRefusal } from "./host.js";
import { type LineBuffer, parseDecimal, parseUint, type Tokens } from "./line.js";
import type { Reply } from "./reply.js";
import { AuthResult, type Session } from "./session.js";
import { type ConfigTransfer, TransferResult } from "./transfer.js";

// Command table: name, min and max argument counts, needs AUTH, usage (for bad-arg replies).
export const NAMES = [
  "ID",
  "HELP",
  "AUTH",
  "LOCK",
  "SECRET",
  "CFG.READ",
  "CFG.BEGIN",
  "CFG.DATA",
  "CFG.COMMIT",
  "CFG.ABORT",
  "KEY.SET",
  "KEY.INFO",
  "READ",
  "CAL.ZERO",
  "CAL.SPAN",
  "BUMP.ON",
  "BUMP.OFF",
  "REBOOT",
  "INTERLOCK.RESET",
] as const;
export const C = Object.freeze({
  Id: 0,
  Help: 1,
  Auth: 2,
  Lock: 3,
  Secret: 4,
  CfgRead: 5,
  CfgBegin: 6,
  CfgData: 7,
  CfgCommit: 8,
  CfgAbort: 9,
  KeySet: 10,
  KeyInfo: 11,
  Read: 12,
  CalZero: 13,
  CalSpan: 14,
  BumpOn: 15,
  BumpOff: 16,
  Reboot: 17,
  InterlockReset: 18,
});
export const MIN_ARGS = Uint8Array.of(0, 0, 1, 0, 1, 0, 2, 2, 0, 0, 2, 1, 1, 1, 2, 1, 0, 0, 0);
export const MAX_ARGS = Uint8Array.of(0, 0, 1, 0, 1, 1, 2, 2, 0, 0, 2, 1, 1, 1, 2, 1, 0, 0, 0);
export const NEEDS_AUTH = Uint8Array.of(0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1);
export const USAGE = [
  "ID",
  "HELP",
  "AUTH <secret>",
  "LOCK",
  "SECRET <new-secret>",
  "CFG.READ [offset]",
  "CFG.BEGIN <total-bytes> <crc32-hex8>",
  "CFG.DATA <offset> <hex>",
  "CFG.COMMIT",
  "CFG.ABORT",
  "KEY.SET <slot> <hex>",
  "KEY.INFO <slot>",
  "READ <gas>",
  "CAL.ZERO <gas>",
  "CAL.SPAN <gas> <applied-value>",
  "BUMP.ON <gas>",
  "BUMP.OFF",
  "REBOOT",
  "INTERLOCK.RESET",
] as const;
export const NAME_BYTES = NAMES.map(asciiBytes);
/** Longest slot or gas name taken from a line. */
export const NAME_MAX = 24;

export class Commands {
  readonly #host: ConsoleHost;
  readonly #session: Session;
  readonly #transfer: ConfigTransfer;
  readonly #r: Reply;
  readonly #line: LineBuffer;
  readonly #tokens: Tokens;
  readonly #key = new Uint8Array(KEY_MAX_BYTES);
  /** Bump-test mode as last set through the console. */
  bumpOn = false;
  /** REBOOT was accepted: the console restarts the node once the reply has left. */
  rebootRequested = false;

  constructor(
    host: ConsoleHost,
    session: Session,
    transfer: ConfigTransfer,
    reply: Reply,
    line: LineBuffer,
    tokens: Tokens,
  ) {
    this.#host = host;
    this.#session = session;
    this.#transfer = transfer;
    this.#r = reply;
    this.#line = line;
    this.#tokens = tokens;
  }

  run(cmd: number): void {
    const b = this.#line.bytes;
    const t = this.#tokens;
    const host = this.#host;
    switch (cmd) {
      case C.Id: {
        const id = host.identify();
        const cfg = host.readConfig();
        this.#r
          .ok()
          .ascii(" id=")
          .token(id.nodeId)
          .ascii(" fw=")
          .token(id.firmwareVersion)
          .ascii(" variant=")
          .token(id.variant)
          .ascii(" cfglen=")
          .uint(cfg.length)
          .ascii(" cfgcrc=")
          .hex(crc32(cfg), 8)
          .ascii(this.#session.open ? " auth=1" : " auth=0")
          .ascii(this.bumpOn ? " bump=1" : " bump=0");
        this.#r.send();
        return;
      }
      case C.Help: {
        const w = this.#r.ok().ascii(" commands=");
        for (let k = 0; k < NAMES.length; k++) {
          if (k > 0) w.byte(0x2c);
          w.ascii(NAMES[k]!);
        }
        this.#r.send();
        return;
      }
      case C.Auth:
        this.#auth();
        return;
      case C.Lock:
        this.#session.end();
        this.#r.ok().ascii(" auth=0");
        this.#r.send();
        return;
      case C.Secret: {
        const n = t.length(1);
        if (n < SECRET_MIN_BYTES || n > SECRET_MAX_BYTES) {
          this.#r
            .err(ConsoleErr.BadArg)
            .ascii("a secret is ")
            .uint(SECRET_MIN_BYTES)
            .ascii("..")
            .uint(SECRET_MAX_BYTES)
            .ascii(" printable characters without spaces, got ")
            .uint(n);
          this.#r.send();
          return;
        }
        const r = host.setProvisioningSecret(b.subarray(t.start[1]!, t.end[1]!));
        if (r) {
          this.#r.refused(r);
          return;
        }
        this.#r.ok().ascii(" secret=changed");
        this.#r.send();
        return;
      }
      case C.CfgRead:
        this.#cfgRead();
        return;
      case C.CfgBegin:
        this.#cfgBegin();
        return;
      case C.CfgData:
        this.#cfgData();
        return;
      case C.CfgCommit:
        this.#cfgCommit();
        return;
      case C.CfgAbort:
        this.#transfer.abort();
        this.#r.ok().ascii(" aborted");
        this.#r.send();
        return;
      case C.KeySet:
        this.#keySet();
        return;
      case C.KeyInfo: {
        const slot = this.#name(1);
        const r = host.keyInfo(slot);
        if (isRefusal(r)) {
          this.#r.refused(r);
          return;
        }
        const w = this.#r.ok().ascii(" slot=").token(slot);
        if (r.kcv) w.ascii(" set=1 kcv=").hexBytes(r.kcv, 0, Math.min(KCV_BYTES, r.kcv.length));
        else w.ascii(" set=0");
        this.#r.send();
        return;
      }
      case C.Read: {
        const gas = this.#name(1);
        const r = host.reading(gas);
        if (isRefusal(r)) {
          this.#r.refused(r);
          return;
        }
        this.#r
          .ok()
          .ascii(" gas=")
          .token(gas)
          .ascii(" value=")
          .number(r.value)
          .ascii(" unit=")
          .token(r.unit)
          .ascii(" alarm=")
          .token(r.alarm);
        this.#r.send();
        return;
      }
      case C.CalZero:
      case C.CalSpan:
        this.#calibrate(cmd === C.CalSpan);
        return;
      case C.BumpOn:
      case C.BumpOff: {
        const on = cmd === C.BumpOn;
        const gas = on ? this.#name(1) : null;
        const r = host.setBumpTest(on, gas);
        if (r) {
          this.#r.refused(r);
          return;
        }
        this.bumpOn = on;
        const w = this.#r.ok().ascii(on ? " bump=1" : " bump=0");
        if (gas !== null) w.ascii(" gas=").token(gas);
        this.#r.send();
        return;
      }
      case C.Reboot:
        this.rebootRequested = true;
        this.#r.ok().ascii(" rebooting");
        this.#r.send();
        return;
      case C.InterlockReset: {
        // The deliberate local reset of the methane interlock: the runtime decides (gas below the reset
        // point, sensor and relay healthy) and reports every reset through the outbox.
        const r = host.resetInterlock();
        if (isRefusal(r)) {
          this.#r.refused(r);
          return;
        }
        this.#r
          .ok()
          .ascii(" interlock=")
          .token(r.state)
          .ascii(" ch4=")
          .number(r.ch4PctVol)
          .ascii(" reset-below=")
          .number(r.resetBelowPctVol)
          .ascii(" unit=%vol");
        this.#r.send();
        return;
      }
    }
  }

  #auth(): void {
    const t = this.#tokens;
    const session = this.#session;
    const r = session.authenticate(this.#host.provisioningSecret(), this.#line.bytes, t.start[1]!, t.end[1]!);
    if (r === AuthResult.Ok) {
      this.#r
        .ok()
        .ascii(" auth=1 idle-timeout-s=")
        .uint(SESSION_IDLE_MS / 1000);
    } else if (r === AuthResult.NoSecret) {
      this.#r.err(ConsoleErr.NoSecret).ascii("this node has no provisioning secret: writes stay disabled");
    } else {
      const w = this.#r.err(r === AuthResult.LockedOut ? ConsoleErr.LockedOut : ConsoleErr.AuthFailed);
      // Never echo the candidate: say only what the tech can do next.
      if (r === AuthResult.Wrong) w.ascii("wrong secret; ");
      const waitMs = session.lockoutRemainingMs();
      if (waitMs > 0)
        w.ascii("retry in ")
          .uint(Math.ceil(waitMs / 1000))
          .ascii(" s");
      else w.uint(session.freeTriesLeft()).ascii(" tries left before a lockout");
    }
    this.#r.send();
  }

  #cfgRead(): void {
    const t = this.#tokens;
    const b = this.#line.bytes;
    const offset = t.count > 1 ? parseUint(b, t.start[1]!, t.end[1]!) : 0;
    if (offset < 0) {
      this.#notNumber(1, "offset");
      return;
    }
    const cfg = this.#host.readConfig();
    if (offset > cfg.length) {
      this.#r
        .err(ConsoleErr.BadOffset)
        .ascii("offset ")
        .uint(offset)
        .ascii(" is past the end of the ")
        .uint(cfg.length)
        .ascii("-byte config");
      this.#r.send();
      return;
    }
    const n = Math.min(CHUNK_BYTES, cfg.length - offset);
    const w = this.#r
      .ok()
      .ascii(" total=")
      .uint(cfg.length)
      .ascii(" crc=")
      .hex(crc32(cfg), 8)
      .ascii(" off=")
      .uint(offset)
      .ascii(" len=")
      .uint(n)
      .ascii(" data=");
    if (n === 0) w.byte(0x2d);
    else w.hexBytes(cfg, offset, offset + n);
    this.#r.send();
  }

  #cfgBegin(): void {
    const t = this.#tokens;
    const b = this.#line.bytes;
    const total = parseUint(b, t.start[1]!, t.end[1]!);
    if (total < 0) {
      this.#notNumber(1, "total-bytes");
      return;
    }
    const crc = t.length(2) === 8 ? parseHex32(b, t.start[2]!) : -1;
    if (crc < 0) {
      this.#r
        .err(ConsoleErr.BadArg)
        .ascii("crc32 must be 8 hex digits, got ")
        .byte(0x22)
        .slice(b, t.start[2]!, Math.min(t.end[2]!, t.start[2]! + 16))
        .byte(0x22);
      this.#r.send();
      return;
    }
    if (this.#transfer.begin(total, crc) !== TransferResult.Ok) {
      this.#r
        .err(ConsoleErr.TooLarge)
        .ascii("config of ")
        .uint(total)
        .ascii(" bytes; this node takes 1..")
        .uint(this.#transfer.maxBytes);
      this.#r.send();
      return;
    }
    this.#r.ok().ascii(" max-chunk=").uint(CHUNK_BYTES);
    this.#r.send();
  }

  #cfgData(): void {
    const t = this.#tokens;
    const b = this.#line.bytes;
    const tr = this.#transfer;
    const offset = parseUint(b, t.start[1]!, t.end[1]!);
    if (offset < 0) {
      this.#notNumber(1, "offset");
      return;
    }
    const r = tr.data(offset, b, t.start[2]!, t.end[2]!);
    if (r === TransferResult.Ok) {
      this.#r.ok().ascii(" next=").uint(tr.received);
    } else if (r === TransferResult.NoTransfer) {
      this.#r.err(ConsoleErr.NoTransfer).ascii("no config transfer in progress: send CFG.BEGIN first");
    } else if (r === TransferResult.BadOffset) {
      this.#r.err(ConsoleErr.BadOffset).ascii("offset ").uint(offset).ascii(", expected ").uint(tr.received);
    } else if (r === TransferResult.TooLarge) {
      this.#r
        .err(ConsoleErr.TooLarge)
        .ascii("chunk of ")
        .uint(t.length(2) >> 1)
        .ascii(" bytes at offset ")
        .uint(offset)
        .ascii(" runs past the announced ")
        .uint(tr.total)
        .ascii(" bytes");
    } else {
      this.#r
        .err(ConsoleErr.BadArg)
        .ascii("data must be whole bytes in hex, got ")
        .uint(t.length(2))
        .ascii(" characters that are not");
    }
    this.#r.send();
  }

  #cfgCommit(): void {
    const tr = this.#transfer;
    const r = tr.check();
    if (r === TransferResult.NoTransfer) {
      this.#r.err(ConsoleErr.NoTransfer).ascii("no config transfer in progress: send CFG.BEGIN first");
      this.#r.send();
      return;
    }
    if (r === TransferResult.Incomplete) {
      this.#r
        .err(ConsoleErr.Incomplete)
        .ascii("received ")
        .uint(tr.received)
        .ascii(" of ")
        .uint(tr.total)
        .ascii(" bytes");
      this.#r.send();
      return;
    }
    if (r === TransferResult.CrcMismatch) {
      this.#r
        .err(ConsoleErr.CrcMismatch)
        .ascii("CRC-32 of the received bytes is ")
        .hex(tr.actualCrc, 8)
        .ascii(", CFG.BEGIN announced ")
        .hex(tr.expectedCrc, 8)
        .ascii("; transfer dropped");
      tr.abort();
      this.#r.send();
      return;
    }
    const bytes = tr.bytes();
    const crc = tr.actualCrc;
    try {
      const invalid = this.#host.validateConfig(bytes);
      if (invalid) {
        this.#r.refused(invalid, ConsoleErr.InvalidConfig);
        return;
      }
      const failed = this.#host.commitConfig(bytes);
      if (failed) {
        this.#r.refused(failed);
        return;
      }
    } finally {
      // Valid or not, a config is sent whole again: a partial retry could mix two versions.
      tr.abort();
    }
    this.#r.ok().ascii(" committed len=").uint(bytes.length).ascii(" crc=").hex(crc, 8);
    this.#r.send();
  }

  #keySet(): void {
    const t = this.#tokens;
    const b = this.#line.bytes;
    const slot = this.#name(1);
    const from = t.start[2]!;
    const digits = t.length(2);
    let ok = digits >= 2 && digits % 2 === 0 && digits <= 2 * KEY_MAX_BYTES;
    for (let i = from; ok && i < from + digits; i++) ok = hexNibble(b[i]!) >= 0;
    if (!ok) {
      // The digits are never echoed: a typo'd key is still mostly a key.
      this.#r
        .err(ConsoleErr.BadArg)
        .ascii("a key is 1..")
        .uint(KEY_MAX_BYTES)
        .ascii(" bytes in hex, got ")
        .uint(digits)
        .ascii(" characters that are not");
      this.#r.send();
      return;
    }
    const n = digits >> 1;
    const key = this.#key;
    for (let i = 0; i < n; i++) key[i] = (hexNibble(b[from + 2 * i]!) << 4) | hexNibble(b[from + 2 * i + 1]!);
    let r: ConsoleRefusal | null;
    try {
      r = this.#host.writeKey(slot, key.subarray(0, n));
    } finally {
      key.fill(0);
    }
    if (r) {
      this.#r.refused(r);
      return;
    }
    const info = this.#host.keyInfo(slot);
    const w = this.#r.ok().ascii(" slot=").token(slot).ascii(" len=").uint(n);
    if (!isRefusal(info) && info.kcv)
      w.ascii(" kcv=").hexBytes(info.kcv, 0, Math.min(KCV_BYTES, info.kcv.length));
    this.#r.send();
  }

  #calibrate(span: boolean): void {
    const t = this.#tokens;
    const b = this.#line.bytes;
    const gas = this.#name(1);
    let value = 0;
    if (span) {
      value = parseDecimal(b, t.start[2]!, t.end[2]!);
      if (!(value > 0)) {
        this.#r
          .err(ConsoleErr.BadArg)
          .ascii("span needs the applied concentration as a number > 0, got ")
          .byte(0x22)
          .slice(b, t.start[2]!, Math.min(t.end[2]!, t.start[2]! + 16))
          .byte(0x22);
        this.#r.send();
        return;
      }
    }
    const r = this.#host.calibrate(gas, span ? "span" : "zero", value);
    if (isRefusal(r)) {
      this.#r.refused(r);
      return;
    }
    const w = this.#r
      .ok()
      .ascii(" gas=")
      .token(gas)
      .ascii(span ? " kind=span applied=" : " kind=zero");
    if (span) w.number(value);
    w.ascii(" value=").number(r.value).ascii(" unit=").token(r.unit);
    this.#r.send();
  }

  #notNumber(token: number, what: string): void {
    const t = this.#tokens;
    this.#r
      .err(ConsoleErr.BadArg)
      .ascii(what)
      .ascii(" must be a decimal integer, got ")
      .byte(0x22)
      .slice(this.#line.bytes, t.start[token]!, Math.min(t.end[token]!, t.start[token]! + 16))
      .byte(0x22);
    this.#r.send();
  }

  /** Token as a string (gas or slot name; one small allocation, only for commands that take one). */
  #name(token: number): string {
    const t = this.#tokens;
    const b = this.#line.bytes;
    let s = "";
    for (let i = t.start[token]!; i < t.end[token]! && i < t.start[token]! + NAME_MAX; i++) {
      s += String.fromCharCode(b[i]!);
    }
    return s;
  }
}

/** Eight hex digits at bytes[from..] as an unsigned 32-bit value, or -1. */
function parseHex32(bytes: Uint8Array, from: number): number {
  let v = 0;
  for (let i = from; i < from + 8; i++) {
    const n = hexNibble(bytes[i]!);
    if (n < 0) return -1;
    v = v * 16 + n;
  }
  return v;
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(NAMES);
deepFreeze(NAME_BYTES);
deepFreeze(USAGE);
