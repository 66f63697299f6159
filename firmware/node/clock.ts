/**
 * The runtime's only source of time (house rule 2). On the board `firmware/main.ts` wraps Moddable's
 * `Timer` and `Time.ticks`; in the simulator `host-sim/clock.ts` implements it as a discrete-event
 * virtual clock. Node code never reads `Date.now()`.
 */
export type TimerId = number;

export interface Clock {
  /**
   * Milliseconds since an arbitrary origin (boot on the board, scenario start in the simulator); never
   * decreases. On the board it is node/monotonic.ts over Time.ticks, which wraps (signed 32-bit on ESP32):
   * code may subtract two readings without caring about the wrap.
   */
  now(): number;
  /** Calls `callback` once after `delayMs`, then every `repeatMs` if given. */
  setTimer(callback: () => void, delayMs: number, repeatMs?: number): TimerId;
  clearTimer(id: TimerId): void;
}
