/**
 * Host stand-in for Moddable's `time` module: `Time.ticks` (milliseconds, wrapping on the board) and
 * `Time.delta`. Reads the installed virtual clock (see timer.ts). Runs on Node and on XS.
 */
import type { Clock } from "../../firmware/node/clock.js";

let current: Clock | undefined;

export function installTimeClock(clock: Clock | undefined): void {
  current = clock;
}

const Time = {
  get ticks(): number {
    if (!current) throw new Error("time: no clock installed (host-sim must call installTimeClock first)");
    return Math.floor(current.now());
  },
  delta(start: number, end?: number): number {
    return (end ?? Time.ticks) - start;
  },
  timezone: 0,
  dst: 0,
  set(_seconds: number): void {
    throw new Error("time: Time.set is not available in the simulator; time comes from the scenario clock");
  },
};

export default Time;
