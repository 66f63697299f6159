/**
 * The simulated node's interlock outputs: the relay model with its feedback contact, the beacon, sounder
 * and healthy lamp on the board's pins (host-sim/chips/outputs.ts), and the history scenarios and reports
 * read: `[{ tMs, relay, beacon, sounder, healthy, load }]`, one entry per change of the relay output, the
 * healthy output, the relay's load contacts or the pattern the beacon and sounder run ("none", "fault",
 * "warning", "danger": firmware/node/interlock/patterns.ts; the single flashes are in the indicator models'
 * rings, not here, so a day of flashing does not grow the history), and every interlock event (trip,
 * reset, refused reset, relay fault) with its virtual time.
 *
 * For scenario expectations:
 * - `tripLatencyMs(eventMs)`: "relay tripped within X ms of event E" (the relay OUTPUT, i.e. the GPIO that
 *   drives the coil; `loadOpenLatencyMs` adds the relay's own release time, the equipment's view).
 * - `reenergisedWithoutReset()`: "relay never re-energised without a reset" (empty when it never did).
 * No Node APIs: bundled into XS entries with the simulated node.
 */
import { INTERLOCK_EVENT_NAMES, InterlockEvent } from "../../firmware/node/interlock/interlock.js";
import type { InterlockPins } from "../../firmware/node/interlock/outputs.js";
import { ANNUNCIATION_NAMES } from "../../firmware/node/interlock/patterns.js";
import type { SimBoard } from "../board.js";
import { IndicatorModel, RelayModel } from "../chips/outputs.js";

/**
 * Interlock GPIOs of the simulated ESP32 DevKit node (outside DEFAULT_PINS' buses): outputs on 26, 27, 14,
 * 13 (no strapping pins), the feedback and reset button on input-only 36 and 39 (external pull resistors).
 */
export const SIM_INTERLOCK_PINS: Readonly<Required<InterlockPins>> = Object.freeze({
  relay: 26,
  relayFeedback: 36,
  beacon: 27,
  sounder: 14,
  healthy: 13,
  resetButton: 39,
});

export type PatternName = (typeof ANNUNCIATION_NAMES)[number];

/** One output change: the outputs after it (1 = on / energised), and the relay's load contacts. */
export interface OutputSample {
  tMs: number;
  /** The relay output (coil driven = power to the equipment permitted). */
  relay: 0 | 1;
  /** The pattern the beacon runs, and the sounder (one annunciation drives both). */
  beacon: PatternName;
  sounder: PatternName;
  healthy: 0 | 1;
  /** The equipment's supply is connected (relay NO contacts closed). */
  load: 0 | 1;
}

export type InterlockEventKind = "trip" | "reset" | "reset-refused" | "relay-fault" | "relay-fault-cleared";

export interface InterlockEventRecord {
  tMs: number;
  kind: InterlockEventKind;
  /** trip: TripCause bits; reset: ResetSource; reset-refused: ResetResult; relay-fault: feedback fault code. */
  detail: number;
}

export class SimOutputs {
  readonly pins: Readonly<Required<InterlockPins>>;
  readonly relay: RelayModel;
  readonly beacon: IndicatorModel;
  readonly sounder: IndicatorModel;
  readonly healthy: IndicatorModel;
  readonly history: OutputSample[] = [];
  readonly events: InterlockEventRecord[] = [];
  /** The pattern the node's interlock is running (set by the simulated node at each boot). */
  patternSource: () => number = () => 0;
  readonly #board: SimBoard;

  constructor(board: SimBoard, pins: Readonly<Required<InterlockPins>> = SIM_INTERLOCK_PINS) {
    this.#board = board;
    this.pins = pins;
    // The reset button is open (pulled up) until someone presses it.
    board.pin(pins.resetButton).drive(1);
    this.relay = new RelayModel(board, { coilPin: pins.relay, feedbackPin: pins.relayFeedback });
    this.beacon = new IndicatorModel(board, pins.beacon, "beacon");
    this.sounder = new IndicatorModel(board, pins.sounder, "sounder");
    this.healthy = new IndicatorModel(board, pins.healthy, "healthy");
    for (const pin of [pins.relay, pins.beacon, pins.sounder, pins.healthy])
      board.pin(pin).onChange(() => this.#record());
    // A pattern starts with its first "on" (patterns.ts), so a change of pattern shows as a pin change.
    this.relay.onLoadChange = () => this.#record();
    this.#record();
  }

  /** Levels now. */
  now(): OutputSample {
    const b = this.#board;
    const p = this.pins;
    const pattern = ANNUNCIATION_NAMES[this.patternSource()] ?? "none";
    return {
      tMs: b.clock.now(),
      relay: b.pin(p.relay).level,
      beacon: pattern,
      sounder: pattern,
      healthy: b.pin(p.healthy).level,
      load: this.relay.loadClosed ? 1 : 0,
    };
  }

  /** Records the outputs now if anything changed (the simulated node calls it on every pattern change). */
  refresh(): void {
    this.#record();
  }

  /** Called by the simulated node for every interlock event (runtime option onInterlockEvent). */
  recordEvent(event: number, detail: number): void {
    const kind = INTERLOCK_EVENT_NAMES[event] as InterlockEventKind | "";
    if (kind === "") return;
    this.events.push({ tMs: this.#board.clock.now(), kind, detail });
  }

  /** Presses and releases the local reset button (`holdMs` apart). */
  pressReset(holdMs = 300): void {
    const pin = this.#board.pin(this.pins.resetButton);
    pin.drive(0);
    this.#board.clock.setTimer(() => pin.drive(1), holdMs);
  }

  /** Power lost or the MCU reset: the GPIOs float, the drivers' pull-downs take every output low. */
  powerLoss(): void {
    const b = this.#board;
    // An unpowered node runs no pattern: without this the history (and the report's beacon lane) would
    // carry the last pattern of the stopped runtime through a power cut. The next boot sets the source again.
    this.patternSource = () => 0;
    for (const pin of [this.pins.relay, this.pins.beacon, this.pins.sounder, this.pins.healthy])
      b.pin(pin).drive(0);
    this.#record();
  }

  /**
   * Virtual time from `eventMs` to the first moment at or after it with the relay output de-energised
   * (0 when it already was), or undefined if it never was.
   */
  tripLatencyMs(eventMs: number): number | undefined {
    let relay = this.#levelAt(eventMs);
    if (relay === 0) return 0;
    for (const s of this.history) {
      if (s.tMs < eventMs) continue;
      relay = s.relay;
      if (relay === 0) return s.tMs - eventMs;
    }
    return undefined;
  }

  /** As tripLatencyMs, for the load contacts (the relay's own release time included). */
  loadOpenLatencyMs(eventMs: number): number | undefined {
    const h = this.relay.loadHistory;
    let closed = false;
    let i = 0;
    for (; i < h.length && h[i]!.tMs <= eventMs; i++) closed = h[i]!.closed;
    if (!closed) return 0;
    for (; i < h.length; i++) if (!h[i]!.closed) return h[i]!.tMs - eventMs;
    return undefined;
  }

  /**
   * Times the relay output went from de-energised to energised while a trip or relay fault was latched and
   * no reset had followed it (across reboots too). Empty = it never re-energised without a reset.
   */
  reenergisedWithoutReset(): number[] {
    const out: number[] = [];
    let latched = false;
    let e = 0;
    let prev: 0 | 1 = 0;
    for (const s of this.history) {
      while (e < this.events.length && this.events[e]!.tMs <= s.tMs) {
        const k = this.events[e]!.kind;
        if (k === "trip" || k === "relay-fault") latched = true;
        else if (k === "reset") latched = false;
        e++;
      }
      if (prev === 0 && s.relay === 1 && latched) out.push(s.tMs);
      prev = s.relay;
    }
    return out;
  }

  /**
   * The history as change-point series for a run's result (host-sim/sim/result.ts OutputsRecord): relay,
   * pattern code (index in ANNUNCIATION_NAMES) and load contacts, each closed with a point at `endMs` so
   * a plot holds the last level to the end of the run. Called once, after the run.
   */
  record(endMs: number): {
    relay: { tMs: number[]; v: number[] };
    beacon: { tMs: number[]; v: number[] };
    load: { tMs: number[]; v: number[] };
    events: InterlockEventRecord[];
  } {
    const relay = { tMs: [] as number[], v: [] as number[] };
    const beacon = { tMs: [] as number[], v: [] as number[] };
    const load = { tMs: [] as number[], v: [] as number[] };
    const put = (s: { tMs: number[]; v: number[] }, tMs: number, v: number): void => {
      if (s.v.length > 0 && s.v[s.v.length - 1] === v) return;
      s.tMs.push(tMs);
      s.v.push(v);
    };
    for (const h of this.history) {
      if (h.tMs > endMs) break;
      put(relay, h.tMs, h.relay);
      put(beacon, h.tMs, ANNUNCIATION_NAMES.indexOf(h.beacon));
      put(load, h.tMs, h.load);
    }
    for (const s of [relay, beacon, load]) {
      if (s.v.length > 0 && s.tMs[s.tMs.length - 1]! < endMs) {
        s.tMs.push(endMs);
        s.v.push(s.v[s.v.length - 1]!);
      }
    }
    return { relay, beacon, load, events: this.events.filter((e) => e.tMs <= endMs).map((e) => ({ ...e })) };
  }

  #levelAt(tMs: number): 0 | 1 {
    let level: 0 | 1 = 0;
    for (const s of this.history) {
      if (s.tMs > tMs) break;
      level = s.relay;
    }
    return level;
  }

  #record(): void {
    const b = this.#board;
    const last = this.history.at(-1);
    // Allocation only when something a person or the equipment would notice changed.
    if (
      last &&
      last.relay === b.pin(this.pins.relay).level &&
      last.healthy === b.pin(this.pins.healthy).level &&
      last.load === (this.relay.loadClosed ? 1 : 0) &&
      last.beacon === (ANNUNCIATION_NAMES[this.patternSource()] ?? "none")
    )
      return;
    const s = this.now();
    if (
      last &&
      last.relay === s.relay &&
      last.beacon === s.beacon &&
      last.sounder === s.sounder &&
      last.healthy === s.healthy &&
      last.load === s.load
    )
      return;
    this.history.push(s);
  }
}

export { InterlockEvent };
