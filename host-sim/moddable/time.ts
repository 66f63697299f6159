/**
 * Host stand-in for Moddable's `time` module: `Time.ticks` and `Time.delta`. Reads the installed virtual
 * clock (see timer.ts). Runs on Node and on XS.
 * Ticks are what the ESP32 gives: the millisecond count as a signed 32-bit integer (Moddable's xsInteger of
 * FreeRTOS's uint32 milliseconds), so they go negative after 2^31 ms (24.9 days) and pass 0 again after
 * 2^32 ms (49.7 days). `installTimeClock(clock, ticksOffsetMs)` starts the count at an offset (e.g.
 * 2^31 - 60 s) so a run reaches the wrap in minutes; `boardTicks` is the same count as a reader, for a
 * simulated board that is not the installed one (host-sim/node/sim-node.ts).
 */
import type { Clock } from "../../firmware/node/clock.js";

/** 2^31 ms: where the ESP32's Time.ticks turns negative. */
export const TICKS_SIGN_WRAP_MS = 2 ** 31;
/** 2^32 ms: where it passes 0 again. */
export const TICKS_WRAP_MS = 2 ** 32;

let current: Clock | undefined;
let offsetMs = 0;

export function installTimeClock(clock: Clock | undefined, ticksOffsetMs = 0): void {
  current = clock;
  offsetMs = ticksOffsetMs;
}

/** The ESP32's Time.ticks for a board whose count read `ticksOffsetMs` when `clock` read 0. */
export function esp32Ticks(clockMs: number, ticksOffsetMs: number): number {
  return (Math.floor(clockMs) + ticksOffsetMs) | 0;
}

/** A reader of the ESP32's Time.ticks over `clock`, starting at `ticksOffsetMs` when `clock` reads 0. */
export function boardTicks(clock: Clock, ticksOffsetMs = 0): () => number {
  return () => esp32Ticks(clock.now(), ticksOffsetMs);
}

const Time = {
  get ticks(): number {
    if (!current) throw new Error("time: no clock installed (host-sim must call installTimeClock first)");
    return esp32Ticks(current.now(), offsetMs);
  },
  /** `end - start` in the device's 32-bit integer arithmetic (right across the wrap). */
  delta(start: number, end?: number): number {
    return ((end ?? Time.ticks) - start) | 0;
  },
  timezone: 0,
  dst: 0,
  set(_seconds: number): void {
    throw new Error("time: Time.set is not available in the simulator; time comes from the scenario clock");
  },
};

export default Time;
