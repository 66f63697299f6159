/**
 * The async driver for simulations that touch real sockets (see gate.ts for the rule). It replaces
 * `clock.runUntil()` whenever a NetGate is in play: between any two clock events it lets the network settle,
 * so replies land at deterministic virtual times.
 */
import type { VirtualClock } from "../clock.js";
import type { NetGate } from "./gate.js";

export interface RunStats {
  /** Clock events run. */
  steps: number;
}

/** Runs every event due at or before `untilMs`, settling the network before each, then sets the clock there. */
export async function runVirtual(clock: VirtualClock, gate: NetGate, untilMs: number): Promise<RunStats> {
  if (!Number.isFinite(untilMs)) throw new RangeError(`runVirtual: untilMs must be finite, got ${untilMs}`);
  let steps = 0;
  for (;;) {
    await gate.settle();
    const next = clock.peek();
    if (next === undefined || next > untilMs) break;
    clock.step();
    steps++;
  }
  clock.runUntil(untilMs);
  return { steps };
}

/** Runs until `done()` holds (checked after each settled step) or `limitMs` of virtual time passes. */
export async function runVirtualUntil(
  clock: VirtualClock,
  gate: NetGate,
  done: () => boolean,
  limitMs: number,
): Promise<boolean> {
  const until = clock.now() + limitMs;
  for (;;) {
    await gate.settle();
    if (done()) return true;
    const next = clock.peek();
    if (next === undefined || next > until) break;
    clock.step();
  }
  clock.runUntil(until);
  return done();
}
