/**
 * Runs a virtual clock until a promise settles: the way a promise-based host tool (the console client)
 * is driven against a simulated node. After every clock event it lets Node run all pending promise
 * continuations (one macrotask turn), so the client reacts to a reply at the virtual instant it arrived and
 * the clock never jumps past a timeout the client was about to cancel.
 */
import type { VirtualClock } from "../../host-sim/clock.js";

export class ClockStalledError extends Error {
  override readonly name: string = "ClockStalledError";
  readonly code = "clock-stalled";
  readonly value: number;
  constructor(message: string, atMs: number) {
    super(message);
    this.value = atMs;
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Steps `clock` event by event until `promise` settles; fails if nothing is scheduled or `limitMs` passes. */
export async function runUntilSettled<T>(
  clock: VirtualClock,
  promise: Promise<T>,
  limitMs = 600_000,
): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => {});
  const endMs = clock.now() + limitMs;
  await turn();
  while (!settled) {
    const next = clock.peek();
    if (next === undefined) {
      throw new ClockStalledError(
        `nothing scheduled at ${clock.now()} ms and the promise is still pending`,
        clock.now(),
      );
    }
    if (next > endMs) {
      throw new ClockStalledError(`promise still pending after ${limitMs} ms of virtual time`, clock.now());
    }
    clock.step();
    await turn();
  }
  return watched;
}
