/**
 * One reply line at a time: `[@seq ]OK ...` or `[@seq ]ERR <code> <detail>`, with the machine trailer when
 * the request was a machine line, and the cache that answers a repeated machine line (same @seq and CRC,
 * within REPLAY_WINDOW_MS) with the same bytes instead of running it twice.
 */
import { LINE_MAX_BYTES, REPLAY_WINDOW_MS } from "../../../protocol/console-wire.js";
import type { Clock } from "../clock.js";
import type { ConsoleErrCode } from "./errors.js";
import type { ConsoleRefusal } from "./host.js";
import { LineWriter } from "./writer.js";

export class Reply {
  readonly w = new LineWriter();
  readonly #clock: Clock;
  readonly #ready: (length: number) => void;
  /** @seq of the line being answered, -1 for a human line or an untrusted machine line. */
  #seq = -1;
  #lineCrc = -1;
  #machine = false;
  readonly #cache = new Uint8Array(LINE_MAX_BYTES);
  #cacheLen = 0;
  #cacheSeq = -1;
  #cacheCrc = -1;
  #cacheAtMs = 0;

  /** `ready(length)` is called with each finished reply (in `w.bytes`) to transmit. */
  constructor(clock: Clock, ready: (length: number) => void) {
    this.#clock = clock;
    this.#ready = ready;
  }

  /** A new line arrived: `machine` framing wanted; `seq` / `crc` once they are trusted (else -1). */
  begin(machine: boolean, seq: number, crc: number): void {
    this.#machine = machine;
    this.#seq = seq;
    this.#lineCrc = crc;
  }

  /** If this trusted machine line repeats the last one, sends the cached reply and returns true. */
  replay(): boolean {
    if (
      this.#seq < 0 ||
      this.#seq !== this.#cacheSeq ||
      this.#lineCrc !== this.#cacheCrc ||
      this.#clock.now() - this.#cacheAtMs > REPLAY_WINDOW_MS
    ) {
      return false;
    }
    copy(this.#cache, this.w.bytes, this.#cacheLen);
    this.#ready(this.#cacheLen);
    return true;
  }

  ok(): LineWriter {
    const w = this.w;
    w.reset();
    if (this.#seq >= 0) w.seq(this.#seq);
    return w.ascii("OK");
  }

  err(code: ConsoleErrCode | string): LineWriter {
    const w = this.w;
    w.reset();
    if (this.#seq >= 0) w.seq(this.#seq);
    return w.ascii("ERR ").token(code, 24).space();
  }

  /** Sends a runtime refusal: `ERR <code> field=<field> [why=<runtime code>] <reason>`. */
  refused(r: ConsoleRefusal, code?: string): void {
    const w = this.err(code ?? r.error);
    w.ascii("field=").token(r.field);
    if (code) w.ascii(" why=").token(r.error, 24);
    w.space().text(r.reason, 160);
    this.send();
  }

  /** Finishes the reply and hands it over for transmission; a machine reply is kept for a repeat. */
  send(): void {
    const w = this.w;
    w.finish(this.#machine);
    if (this.#seq >= 0) {
      copy(w.bytes, this.#cache, w.length);
      this.#cacheLen = w.length;
      this.#cacheSeq = this.#seq;
      this.#cacheCrc = this.#lineCrc;
      this.#cacheAtMs = this.#clock.now();
    }
    this.#ready(w.length);
  }
}

/** Copies the first `n` bytes (a loop rather than set(subarray): no view allocated). */
function copy(from: Uint8Array, to: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) to[i] = from[i]!;
}
