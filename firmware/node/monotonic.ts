/**
 * A monotonic millisecond clock over the board's 32-bit tick counter. On the ESP32 Moddable's `Time.ticks`
 * is the FreeRTOS millisecond count as a signed 32-bit integer: it goes negative after 2^31 ms (24.9 days)
 * and comes back through 0 after 2^32 ms (49.7 days). Code that subtracts two raw readings sees time run
 * backwards there (uptime, the watchdog, timeouts computed from deadlines). `MonotonicTicks` extends the
 * raw count: each read adds the unsigned 32-bit difference from the previous read (`(raw - last) >>> 0`
 * for integer ticks), which is exact whatever the sign of either reading as long as reads are less than
 * 2^32 ms apart.
 * `TickClock` is the runtime's Clock on top of it (firmware/main.ts: Moddable's `Time.ticks` and `Timer`;
 * host-sim/node: the simulated board's ticks) and owns a timer that reads the ticks every hour, so the
 * count stays exact on a node that is otherwise idle (e.g. waiting for provisioning) for weeks.
 * Pure: no I/O, no module-level state, nothing allocated per read. Runs on XS.
 */
import type { Clock, TimerId } from "./clock.js";
import { RuntimeError } from "./runtime/errors.js";

/** 2^32: the tick counter's modulus. */
const TICKS_MODULUS = 4_294_967_296;

/** How often TickClock reads the ticks on its own: far inside the 2^32 ms the extension needs. */
export const TICK_REFRESH_MS = 3_600_000;

/** Extends a wrapping 32-bit millisecond tick count (signed or unsigned) to a monotonic count. */
export class MonotonicTicks {
  readonly #read: () => number;
  #last: number;
  #ms: number;

  /** `readTicks` returns the raw count, ms: signed or unsigned 32-bit (a wider or fractional one works). */
  constructor(readTicks: () => number) {
    if (typeof readTicks !== "function")
      throw new RuntimeError("bad-option", "monotonic ticks need a tick reader", readTicks);
    this.#read = readTicks;
    const raw = readTicks();
    this.#last = raw;
    // Starts at the raw count as unsigned: on the board that is milliseconds since boot.
    this.#ms = raw >>> 0;
  }

  /** Milliseconds, never decreasing; exact while reads are less than 2^32 ms apart. */
  now(): number {
    const raw = this.#read();
    // The unsigned 32-bit difference: for integer 32-bit ticks exactly (raw - last) >>> 0, and it also
    // keeps a fraction of a millisecond or a count wider than 32 bits (a desktop build) instead of
    // truncating it on every read.
    let d = raw - this.#last;
    if (d < 0) d += TICKS_MODULUS;
    this.#ms += d;
    this.#last = raw;
    return this.#ms;
  }
}

/** Where TickClock's timers go: Moddable's Timer behind an id map on the board, host-sim's virtual clock. */
export interface TimerService {
  setTimer(callback: () => void, delayMs: number, repeatMs?: number): TimerId;
  clearTimer(id: TimerId): void;
}

/** The runtime's Clock: monotonic time from the board's ticks, timers from `timers`. */
export class TickClock implements Clock {
  readonly #ticks: MonotonicTicks;
  readonly #timers: TimerService;
  #refresh: TimerId | undefined;

  constructor(readTicks: () => number, timers: TimerService, refreshMs = TICK_REFRESH_MS) {
    if (!(refreshMs > 0 && refreshMs < 2_147_483_648))
      throw new RuntimeError(
        "bad-option",
        `tick refresh must be in 1..2^31-1 ms, got ${refreshMs}`,
        refreshMs,
      );
    this.#ticks = new MonotonicTicks(readTicks);
    this.#timers = timers;
    const ticks = this.#ticks;
    this.#refresh = timers.setTimer(
      () => {
        ticks.now();
      },
      refreshMs,
      refreshMs,
    );
  }

  now(): number {
    return this.#ticks.now();
  }

  setTimer(callback: () => void, delayMs: number, repeatMs?: number): TimerId {
    return this.#timers.setTimer(callback, delayMs, repeatMs);
  }

  clearTimer(id: TimerId): void {
    this.#timers.clearTimer(id);
  }

  /** Stops the refresh timer (the simulated board powering off; the board's clock lives until reset). */
  close(): void {
    if (this.#refresh !== undefined) this.#timers.clearTimer(this.#refresh);
    this.#refresh = undefined;
  }
}
