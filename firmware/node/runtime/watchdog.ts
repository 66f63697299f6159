/**
 * Software watchdog: each periodic task of the runtime kicks its own entry when it completes; a check on
 * the clock trips when any entry is late by more than its deadline. A task that throws on every run, a
 * sensor loop whose timer was lost or a transmit pump that never completes stops kicking and so trips it;
 * the trip hook reboots the node (firmware/main.ts) or the simulated node (host-sim/node).
 *
 * The trip hook first stops the runtime (every interlock output low: the relay drops out), then restarts:
 * firmware/main.ts restarts the board (runtime/restart.ts: Moddable turns the error it throws into
 * esp_restart()), host-sim/node/sim-node.ts power-cycles the simulated node.
 * A loop that never returns to the event loop at all is beyond this watchdog (its own check would not run
 * either): on the ESP32 that is the ESP-IDF task watchdog, which Moddable's ESP32 builds leave off unless
 * the manifest's sdkconfig enables it (runtime/restart.ts says which options). In the simulator such a loop
 * hangs the virtual clock, which the test run reports.
 * Allocation-free after construction.
 */
import type { Clock, TimerId } from "../clock.js";
import { RuntimeError } from "./errors.js";

export const MAX_WATCHED_TASKS = 8;

export class Watchdog {
  #clock: Clock;
  #checkMs: number;
  #onTrip: (task: string, lateMs: number) => void;
  #names: string[] = [];
  #deadlineMs = new Float64Array(MAX_WATCHED_TASKS);
  #lastKickMs = new Float64Array(MAX_WATCHED_TASKS);
  #timer: TimerId | undefined;
  #tripped = false;
  /** The task that tripped the watchdog ("" while it has not). */
  trippedTask = "";

  constructor(clock: Clock, checkMs: number, onTrip: (task: string, lateMs: number) => void) {
    if (!(checkMs >= 10 && checkMs <= 3_600_000)) {
      throw new RuntimeError(
        "bad-option",
        `watchdog checkMs must be in 10..3600000, got ${checkMs}`,
        checkMs,
      );
    }
    this.#clock = clock;
    this.#checkMs = checkMs;
    this.#onTrip = onTrip;
  }

  /** Registers a task that must kick at least every `deadlineMs`; returns its handle. */
  watch(name: string, deadlineMs: number): number {
    const i = this.#names.length;
    if (i >= MAX_WATCHED_TASKS)
      throw new RuntimeError("bad-option", `watchdog holds at most ${MAX_WATCHED_TASKS} tasks`, name);
    if (!(deadlineMs > 0))
      throw new RuntimeError(
        "bad-option",
        `watchdog deadline for ${name} must be > 0, got ${deadlineMs}`,
        deadlineMs,
      );
    this.#names.push(name);
    this.#deadlineMs[i] = deadlineMs;
    this.#lastKickMs[i] = this.#clock.now();
    return i;
  }

  kick(handle: number): void {
    this.#lastKickMs[handle] = this.#clock.now();
  }

  start(): void {
    if (this.#timer !== undefined) return;
    const now = this.#clock.now();
    for (let i = 0; i < this.#names.length; i++) this.#lastKickMs[i] = now;
    this.#timer = this.#clock.setTimer(() => this.#check(), this.#checkMs, this.#checkMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  get tripped(): boolean {
    return this.#tripped;
  }

  #check(): void {
    if (this.#tripped) return;
    const now = this.#clock.now();
    for (let i = 0; i < this.#names.length; i++) {
      const late = now - this.#lastKickMs[i]! - this.#deadlineMs[i]!;
      if (late > 0) {
        this.#tripped = true;
        this.trippedTask = this.#names[i]!;
        this.stop();
        this.#onTrip(this.#names[i]!, late);
        return;
      }
    }
  }
}
