/**
 * Models of the interlock's output parts on SimBoard pins: the trip relay with its feedback (mirror)
 * contact, and indicators (beacon, sounder, healthy lamp) that record what a person would see and hear.
 *
 * RelayModel: a force-guided safety relay, Omron G7SA-3A1B (EN 50205 class A; datasheet: operate time
 * 20 ms max, release time 20 ms max, "response time" 10 ms max = NO contacts open after the coil is switched
 * off; "If an NO contact becomes welded, all NC contacts will maintain a minimum distance of 0.5 mm when
 * the coil is not energized"). Wiring: the coil's driver follows `coilPin` (1 = energised); the NO load
 * contacts switch the equipment's supply (`loadClosed`); the NC mirror contact pulls `feedbackPin` high
 * when closed. Timing on the virtual clock: coil on -> the NC opens, the NO closes `operateMs` later; coil
 * off -> the NO opens `noReleaseMs` later, the NC closes `ncReleaseMs` later (worst cases by default).
 * Faults: `weld()` (an NO contact welded shut: the load stays powered, and by the forced guidance the NC
 * stays open, so the feedback reads 0 whatever the coil does), `openCoil()` (the relay never pulls in),
 * `heal()`. Power loss of the node: its pins go low (host-sim/node) and the coil drops like any coil-off.
 *
 * IndicatorModel: on while its pin is high; keeps every change with its virtual time.
 * No Node APIs (bundled into XS entries with the simulated node).
 */
import type { PinLevel, SimBoard } from "../board.js";

export const G7SA_OPERATE_MS = 20;
export const G7SA_NO_RELEASE_MS = 10;
export const G7SA_NC_RELEASE_MS = 20;

export interface RelayModelOptions {
  coilPin: number;
  feedbackPin: number;
  operateMs?: number;
  noReleaseMs?: number;
  ncReleaseMs?: number;
}

export interface ContactChange {
  tMs: number;
  closed: boolean;
}

export class RelayModel {
  readonly #board: SimBoard;
  readonly #feedbackPin: number;
  readonly #coilPin: number;
  readonly #operateMs: number;
  readonly #noReleaseMs: number;
  readonly #ncReleaseMs: number;
  #coil = false;
  #noClosed = false;
  #welded = false;
  #openCoil = false;
  #timers: number[] = [];
  /** Every change of the load contacts (the equipment's supply): the truth for "was power cut". */
  readonly loadHistory: ContactChange[] = [];
  /** Told of every load contact change (after loadHistory has it). */
  onLoadChange: ((closed: boolean) => void) | undefined;

  constructor(board: SimBoard, o: RelayModelOptions) {
    this.#board = board;
    this.#feedbackPin = o.feedbackPin;
    this.#coilPin = o.coilPin;
    this.#operateMs = o.operateMs ?? G7SA_OPERATE_MS;
    this.#noReleaseMs = o.noReleaseMs ?? G7SA_NO_RELEASE_MS;
    this.#ncReleaseMs = o.ncReleaseMs ?? G7SA_NC_RELEASE_MS;
    board.pin(o.feedbackPin).drive(1);
    const coil = board.pin(o.coilPin);
    coil.onChange((level) => this.#coilChanged(level));
    if (coil.level === 1) this.#coilChanged(1);
  }

  /** The equipment's supply is connected (an NO load contact is closed). */
  get loadClosed(): boolean {
    return this.#noClosed;
  }

  get coilEnergised(): boolean {
    return this.#coil;
  }

  /** The NC mirror contact is closed (what the feedback input reads). */
  get mirrorClosed(): boolean {
    return this.#board.pin(this.#feedbackPin).level === 1;
  }

  get welded(): boolean {
    return this.#welded;
  }

  /** An NO contact welds shut where it is: if open now, it welds at the next closing. */
  weld(): void {
    this.#welded = true;
    if (this.#noClosed) this.#setNc(false);
  }

  openCoil(): void {
    this.#openCoil = true;
    if (this.#coil) this.#coilChanged(0);
    this.#coil = false;
  }

  /** Repaired: the contacts and coil work again and follow the coil pin. */
  heal(): void {
    this.#welded = false;
    this.#openCoil = false;
    this.#coilChanged(this.#board.pin(this.#coilPin).level);
  }

  #coilChanged(level: PinLevel): void {
    const on = level === 1 && !this.#openCoil;
    this.#coil = on;
    const clock = this.#board.clock;
    for (const t of this.#timers) clock.clearTimer(t);
    this.#timers = [];
    if (on) {
      // The armature moves: the NC mirror opens first (break before make), then the NO load contacts close.
      this.#setNc(false);
      this.#timers.push(clock.setTimer(() => this.#setNo(true), this.#operateMs));
    } else {
      this.#timers.push(clock.setTimer(() => this.#setNo(false), this.#noReleaseMs));
      this.#timers.push(clock.setTimer(() => this.#setNc(true), this.#ncReleaseMs));
    }
  }

  #setNo(closed: boolean): void {
    if (this.#welded && this.#noClosed && !closed) return; // welded shut: it stays
    if (closed === this.#noClosed) return;
    this.#noClosed = closed;
    this.loadHistory.push({ tMs: this.#board.clock.now(), closed });
    this.onLoadChange?.(closed);
  }

  #setNc(closed: boolean): void {
    // Forced guidance: the NC cannot close while an NO contact is (welded) closed.
    if (closed && this.#noClosed) closed = false;
    this.#board.pin(this.#feedbackPin).drive(closed ? 1 : 0);
  }
}

/**
 * A beacon, sounder or lamp on a pin: on while the pin is high. It keeps the last RING changes in a fixed
 * ring (a flashing beacon changes 5 times a second: a day of it must not grow the heap) and running totals.
 */
export class IndicatorModel {
  static readonly RING = 256;
  readonly name: string;
  /** Changes seen and total on-time since the model was made, ms. */
  changes = 0;
  pulses = 0;
  onMsTotal = 0;
  readonly #board: SimBoard;
  readonly #tMs = new Float64Array(IndicatorModel.RING);
  readonly #level = new Uint8Array(IndicatorModel.RING);
  #on: boolean;
  #sinceMs: number;

  constructor(board: SimBoard, pin: number, name: string) {
    this.name = name;
    this.#board = board;
    const p = board.pin(pin);
    this.#on = p.level === 1;
    this.#sinceMs = board.clock.now();
    p.onChange((level) => this.#changed(level));
  }

  get on(): boolean {
    return this.#on;
  }

  #changed(level: PinLevel): void {
    const now = this.#board.clock.now();
    if (this.#on) this.onMsTotal += now - this.#sinceMs;
    this.#on = level === 1;
    this.#sinceMs = now;
    if (this.#on) this.pulses++;
    const i = this.changes % IndicatorModel.RING;
    this.#tMs[i] = now;
    this.#level[i] = level;
    this.changes++;
  }

  /**
   * How the output looked to a person in [fromMs, toMs): time on and the number of times it came on.
   * Exact while [fromMs, toMs) lies within the last RING changes (throws otherwise).
   */
  summary(fromMs: number, toMs: number): { onMs: number; pulses: number } {
    const n = Math.min(this.changes, IndicatorModel.RING);
    const first = this.changes - n;
    if (n === IndicatorModel.RING && this.#tMs[first % IndicatorModel.RING]! > fromMs)
      throw new RangeError(
        `${this.name}: ${fromMs} ms is older than the last ${IndicatorModel.RING} changes`,
      );
    // Each change toggles the pin (a SimPin reports real changes only), so before the oldest kept change
    // the output was the opposite of it.
    let state = n > 0 ? this.#level[first % IndicatorModel.RING] !== 1 : this.#on;
    let onMs = 0;
    let pulses = 0;
    let since = fromMs;
    for (let k = first; k < this.changes; k++) {
      const t = this.#tMs[k % IndicatorModel.RING]!;
      const on = this.#level[k % IndicatorModel.RING] === 1;
      if (t < fromMs) {
        state = on;
        continue;
      }
      if (t >= toMs) break;
      if (state) onMs += t - since;
      if (on && !state) pulses++;
      state = on;
      since = t;
    }
    if (state) onMs += toMs - since;
    return { onMs, pulses };
  }
}
