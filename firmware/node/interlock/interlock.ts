/**
 * The methane power interlock on the node: trip logic (trip.ts) + outputs (outputs.ts) + relay self-test
 * (feedback.ts) + beacon / sounder patterns (patterns.ts), on the runtime's clock. It acts on its own: the
 * runtime hands it every CH4 evaluation in the sampling callback, and the relay output changes in that same
 * callback, before any frame is built and whether or not a network is up.
 *
 * - `sample()` per CH4 evaluation: a newly latched cause drops the relay at once, is persisted (so that a
 *   watchdog reset or a power cut during a trip cannot re-energise on reboot), then reported (onEvent).
 * - `reset(source)`: the deliberate reset (downlink alarm acknowledge, the local button, the console).
 * - A 100 ms tick drives the patterns and the relay self-test.
 * - `stop()`: every output low (a stopped runtime is a node fault: fail-safe).
 * Allocation-free per sample and per tick; a timer is re-armed (allocating on the board's Timer) only
 * when the annunciation changes, so the pattern starts in phase.
 */

import { deepFreeze } from "../../../protocol/freeze.js";
import type { Clock, TimerId } from "../clock.js";
import { type KeyValueStore, readU32, writeU32 } from "../storage.js";
import { RelayFeedbackFault, RelayMonitor } from "./feedback.js";
import type { InterlockIo } from "./outputs.js";
import { Annunciation, BEACON, levelAt, PATTERN_STEP_MS, SOUNDER } from "./patterns.js";
import { encodeInterlockByte, InterlockState, type InterlockStateCode } from "./status.js";
import { ResetResult, type ResetResultCode, TripCause, TripLogic, type TripSettings } from "./trip.js";

/** What happened (onEvent's first argument). */
export const InterlockEvent = Object.freeze({
  /** A cause latched: the relay dropped. detail = the new TripCause bits. */
  Trip: 1,
  /** A deliberate reset cleared every cause. detail = the ResetSource. */
  Reset: 2,
  /** A reset was refused. detail = the ResetResult. */
  ResetRefused: 3,
  /** The relay feedback disagrees with its command. detail = RelayFeedbackFault code. */
  RelayFault: 4,
  /** The relay feedback agrees again (a latched RelayFault still needs a reset). */
  RelayFaultCleared: 5,
  /**
   * The latched causes could not be written to storage: a reboot now would forget the trip and could
   * re-energise the relay. Reported at once (status frame, health bit 22) until a write succeeds.
   */
  LatchNotPersisted: 6,
});
export const INTERLOCK_EVENT_NAMES = [
  "",
  "trip",
  "reset",
  "reset-refused",
  "relay-fault",
  "relay-fault-cleared",
  "latch-not-persisted",
] as const;

export const ResetSource = Object.freeze({ Downlink: 1, Button: 2, Console: 3 });

/** Key-value key of the latched causes (<= 15 characters, ESP-IDF NVS). */
export const KEY_INTERLOCK_LATCH = "ilatch";

export interface InterlockOptions {
  clock: Clock;
  io: InterlockIo;
  settings: TripSettings;
  /** Persists the latched causes across reboots (absent: a reboot forgets a trip; tests only). */
  storage?: KeyValueStore;
  onEvent: (event: number, detail: number) => void;
}

export class Interlock {
  readonly trip: TripLogic;
  readonly monitor: RelayMonitor;
  readonly io: InterlockIo;
  /** What the runtime's alarm levels ask the beacon and sounder to show (Annunciation). */
  alarmAnnunciation: number = Annunciation.None;
  /** Shown now (the most severe of the alarms' and the interlock's own). */
  annunciation: number = Annunciation.None;
  trips = 0;
  resets = 0;
  refusedResets = 0;
  lastResetResult: ResetResultCode = ResetResult.NothingLatched;
  /** The last write of the latched causes failed (LatchNotPersisted): health bit 22 until one succeeds. */
  latchNotPersisted = false;
  /** Writes of the latched causes that failed since boot. */
  persistFailures = 0;
  /** The last failed write's message. */
  lastPersistError = "";
  /** Observer of pattern changes (a local display, the simulator's history); called after the outputs. */
  onAnnunciation: ((code: number) => void) | undefined;
  /** Levels last written: relay, beacon, sounder, healthy. */
  readonly written = new Uint8Array(4);
  #clock: Clock;
  #storage: KeyValueStore | undefined;
  #onEvent: (event: number, detail: number) => void;
  #timer: TimerId | undefined;
  #patternStartMs = 0;
  #running = false;
  readonly #tick: () => void;

  constructor(o: InterlockOptions) {
    this.#clock = o.clock;
    this.io = o.io;
    this.#storage = o.storage;
    this.#onEvent = o.onEvent;
    this.trip = new TripLogic(o.settings);
    this.monitor = new RelayMonitor(o.clock.now());
    const stored = o.storage ? readU32(o.storage, KEY_INTERLOCK_LATCH) : undefined;
    if (stored !== undefined) this.trip.restore(stored);
    this.#tick = () => this.#onTick();
    o.io.onResetPressed = () => {
      this.reset(ResetSource.Button);
    };
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#apply(this.#clock.now());
    this.#arm(this.#clock.now());
  }

  /** Stops the interlock: every output low (the relay de-energises), the tick ends. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    try {
      this.io.allOff();
    } catch {
      // Nothing more to do: the drivers' pull-downs hold the outputs low once the pins are released.
    }
    this.written.fill(0);
  }

  /** One CH4 evaluation (the pipeline's value and fault bits), in the sampling callback. */
  sample(ch4PctVol: number, faultBits: number): void {
    if (!this.#running) return;
    const newly = this.trip.update(ch4PctVol, faultBits);
    this.#apply(this.#clock.now());
    if (newly !== 0) this.#latched(InterlockEvent.Trip, newly);
  }

  /** A deliberate reset; returns the ResetResult. A refusal while something is latched is reported too. */
  reset(source: number): ResetResultCode {
    const r = this.trip.reset();
    this.lastResetResult = r;
    if (r === ResetResult.Done) {
      this.resets++;
      this.#persist();
      if (this.#running) this.#apply(this.#clock.now());
      this.#onEvent(InterlockEvent.Reset, source);
    } else if (r !== ResetResult.NothingLatched) {
      this.refusedResets++;
      this.#onEvent(InterlockEvent.ResetRefused, r);
    }
    return r;
  }

  /** The runtime's alarm summary changed (Annunciation code). */
  setAlarmAnnunciation(code: number): void {
    this.alarmAnnunciation = code;
    if (this.#running) this.#apply(this.#clock.now());
  }

  get state(): InterlockStateCode {
    const t = this.trip;
    if (t.latched !== 0) {
      const ready = !t.relayFault && !t.sensorFault && t.hasReading && !t.gasHigh;
      return ready && t.lastPctVol < t.settings.resetBelowPctVol
        ? InterlockState.ResetReady
        : InterlockState.Tripped;
    }
    if (t.permit && this.written[0] === 1) return InterlockState.Energised;
    return t.hasReading ? InterlockState.Tripped : InterlockState.Held;
  }

  /** The status-frame byte (status.ts). */
  statusByte(): number {
    return encodeInterlockByte(this.state, this.trip.latched, this.monitor.fault);
  }

  #latched(event: number, causes: number): void {
    this.trips++;
    this.#persist();
    this.#onEvent(event, causes);
  }

  #persist(): void {
    const s = this.#storage;
    if (!s) return;
    try {
      writeU32(s, KEY_INTERLOCK_LATCH, this.trip.latched);
      this.latchNotPersisted = false;
    } catch (e) {
      // The relay has already dropped and stays down: a storage failure must not stop the interlock. But a
      // reboot would now forget the trip, so it is a fault the control room sees at once (issue 14 item 4).
      this.latchNotPersisted = true;
      this.persistFailures++;
      this.lastPersistError = (e as Error)?.message ?? String(e);
      this.#onEvent(InterlockEvent.LatchNotPersisted, this.trip.latched);
    }
  }

  #onTick(): void {
    if (!this.#running) return;
    const now = this.#clock.now();
    const before = this.monitor.fault;
    const fault = this.monitor.check(now, this.io.relayFeedback.read());
    if (fault !== before) {
      const newly = this.trip.setRelayFault(fault !== RelayFeedbackFault.None);
      this.#apply(now);
      if (fault !== RelayFeedbackFault.None) {
        this.trips += newly !== 0 ? 1 : 0;
        if (newly !== 0) this.#persist();
        this.#onEvent(InterlockEvent.RelayFault, fault);
      } else this.#onEvent(InterlockEvent.RelayFaultCleared, 0);
      return;
    }
    this.#writePatterns(now);
  }

  /** Sets every output from the state; the relay first. */
  #apply(nowMs: number): void {
    const t = this.trip;
    const relay = t.permit ? 1 : 0;
    if (relay !== this.written[0]) {
      this.io.relay.write(relay);
      this.written[0] = relay;
      this.monitor.command(relay, nowMs);
    }
    const healthy = t.healthy ? 1 : 0;
    if (healthy !== this.written[3]) {
      this.io.healthy.write(healthy);
      this.written[3] = healthy;
    }
    let own: number = Annunciation.None;
    if (t.latched & TripCause.Gas) own = Annunciation.Danger;
    else if (t.latched !== 0 || t.relayFault || (t.sensorFault && t.hasReading)) own = Annunciation.Fault;
    const shown = Math.max(own, this.alarmAnnunciation);
    if (shown !== this.annunciation) {
      this.annunciation = shown;
      this.#arm(nowMs);
      this.#writePatterns(nowMs);
      this.onAnnunciation?.(shown);
    }
    // Otherwise the pattern tick keeps the beacon and sounder going: nothing more to do per sample.
  }

  /** (Re)starts the pattern clock at `nowMs`, so a new pattern begins with its first "on" now. */
  #arm(nowMs: number): void {
    this.#patternStartMs = nowMs;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = this.#clock.setTimer(this.#tick, PATTERN_STEP_MS, PATTERN_STEP_MS);
  }

  #writePatterns(nowMs: number): void {
    const since = nowMs - this.#patternStartMs;
    const beacon = levelAt(BEACON[this.annunciation]!, since);
    const sounder = levelAt(SOUNDER[this.annunciation]!, since);
    if (beacon !== this.written[1]) {
      this.io.beacon.write(beacon);
      this.written[1] = beacon;
    }
    if (sounder !== this.written[2]) {
      this.io.sounder.write(sounder);
      this.written[2] = sounder;
    }
  }
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(INTERLOCK_EVENT_NAMES);
