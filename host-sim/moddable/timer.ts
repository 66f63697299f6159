/**
 * Host stand-in for Moddable's `timer` module (https://github.com/Moddable-OpenSource/moddable, documentation
 * base/timers): `Timer.set(callback, interval, repeat)`, `Timer.repeat`, `Timer.schedule`, `Timer.clear`,
 * `Timer.delay`. Bound to whichever `Clock` the simulator installs for the node being run, so the device
 * entry's Timer calls land on the virtual clock. Runs on Node and on XS (no Node APIs).
 */
import type { Clock, TimerId } from "../../firmware/node/clock.js";

let current: Clock | undefined;

export function installTimerClock(clock: Clock | undefined): void {
  current = clock;
}

function clock(): Clock {
  if (!current) throw new Error("timer: no clock installed (host-sim must call installTimerClock first)");
  return current;
}

export type TimerCallback = (timer: Timer) => void;

export default class Timer {
  #id: TimerId | undefined;
  #callback: TimerCallback;

  private constructor(callback: TimerCallback) {
    this.#callback = callback;
  }

  static set(callback: TimerCallback, interval = 0, repeat?: number): Timer {
    const t = new Timer(callback);
    t.#arm(interval, repeat);
    return t;
  }

  static repeat(callback: TimerCallback, interval: number): Timer {
    return Timer.set(callback, interval, interval);
  }

  static schedule(timer: Timer, interval = 0, repeat?: number): void {
    Timer.clear(timer);
    timer.#arm(interval, repeat);
  }

  static clear(timer: Timer | undefined | null): void {
    if (timer && timer.#id !== undefined) {
      clock().clearTimer(timer.#id);
      timer.#id = undefined;
    }
  }

  /** Moddable blocks the CPU here; on the virtual clock a busy wait cannot advance time, so it is refused. */
  static delay(milliseconds: number): void {
    throw new Error(
      `timer: Timer.delay(${milliseconds}) blocks; node code must use a Timer callback instead`,
    );
  }

  #arm(interval: number, repeat?: number): void {
    const once = repeat === undefined || repeat <= 0;
    this.#id = clock().setTimer(
      () => {
        if (once) this.#id = undefined;
        this.#callback(this);
      },
      interval,
      once ? undefined : repeat,
    );
  }
}
