/**
 * Host implementation of the ECMA-419 Digital class (`embedded:io/digital`) on a simulated board's GPIOs
 * (SimPin, host-sim/board.ts). Mode and edge constants are Moddable's (modules/io/digital/digital.js and
 * digitalbank.js): Input 0, InputPullUp 1, InputPullDown 2, InputPullUpDown 3, Output 8, OutputOpenDrain 9;
 * Rising 1, Falling 2 (both = 3).
 *
 * Interrupts: an input opened with `edge` and `onReadable` watches its pin; a matching edge schedules the
 * callback on the board's virtual clock at the current instant, so it runs from the event loop after the
 * code that moved the pin (a chip model inside an SPI transfer, say), never re-entrantly, as on the board.
 * Edges that arrive while a callback is pending coalesce into that one callback, as Moddable's do.
 *
 * Not modelled: pull resistors on an undriven pin (a SimPin always has a level), glitch filtering,
 * open-drain contention. No Node APIs: bundled into XS by the benchmarks.
 */
import type { PinLevel, SimBoard, SimPin } from "../board.js";
import { claimPin, IoError, releasePin } from "./spi.js";

export const DigitalMode = Object.freeze({
  Input: 0,
  InputPullUp: 1,
  InputPullDown: 2,
  InputPullUpDown: 3,
  Output: 8,
  OutputOpenDrain: 9,
});
export const DigitalEdge = Object.freeze({ Rising: 1, Falling: 2 });

export interface DigitalOptions {
  pin: number;
  mode: number;
  edge?: number;
  onReadable?: (this: HostDigital) => void;
  format?: "number";
  target?: unknown;
}

export interface HostDigital {
  target: unknown;
  format: "number";
  read(): PinLevel;
  write(value: number): void;
  close(): void;
}

export interface HostDigitalClass {
  new (options: DigitalOptions): HostDigital;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly InputPullUpDown: number;
  readonly Output: number;
  readonly OutputOpenDrain: number;
  readonly Rising: number;
  readonly Falling: number;
}

const MODES = new Set<number>(Object.values(DigitalMode));

/** Builds the board's Digital class: `new Digital({ pin, mode: Digital.Input, edge, onReadable })`. */
export function makeDigital(board: SimBoard): HostDigitalClass {
  return class Digital implements HostDigital {
    static readonly Input = DigitalMode.Input;
    static readonly InputPullUp = DigitalMode.InputPullUp;
    static readonly InputPullDown = DigitalMode.InputPullDown;
    static readonly InputPullUpDown = DigitalMode.InputPullUpDown;
    static readonly Output = DigitalMode.Output;
    static readonly OutputOpenDrain = DigitalMode.OutputOpenDrain;
    static readonly Rising = DigitalEdge.Rising;
    static readonly Falling = DigitalEdge.Falling;

    target: unknown;
    readonly #pin: SimPin;
    readonly #output: boolean;
    readonly #edge: number;
    #unwatch: (() => void) | undefined;
    #onReadable: ((this: HostDigital) => void) | undefined;
    #pendingTimer: number | undefined;
    #closed = false;
    readonly #deliver: () => void;

    constructor(options: DigitalOptions) {
      if (options === null || typeof options !== "object") {
        throw new IoError("bad-option", "Digital: options must be an object", options);
      }
      const { pin, mode } = options;
      if (!Number.isInteger(pin) || pin < 0) {
        throw new IoError("bad-option", `Digital: pin must be a pin number >= 0, got ${String(pin)}`, pin);
      }
      if (!MODES.has(mode)) {
        throw new IoError(
          "bad-mode",
          `Digital: mode ${String(mode)} is not one of Digital.Input..OutputOpenDrain`,
          mode,
        );
      }
      const output = mode === DigitalMode.Output || mode === DigitalMode.OutputOpenDrain;
      const edge = options.edge ?? 0;
      if (!Number.isInteger(edge) || edge < 0 || edge > 3) {
        throw new IoError(
          "bad-option",
          `Digital: edge must be Rising, Falling or both, got ${String(edge)}`,
          edge,
        );
      }
      if (options.onReadable !== undefined && typeof options.onReadable !== "function") {
        throw new IoError("bad-option", "Digital: onReadable must be a function", options.onReadable);
      }
      if (options.onReadable && (output || edge === 0)) {
        const why = output ? "an output has no onReadable" : "onReadable needs edge (Rising and/or Falling)";
        throw new IoError("bad-option", `Digital: pin ${pin}: ${why}`, edge);
      }
      if (options.format !== undefined && options.format !== "number") {
        throw new IoError(
          "bad-option",
          `Digital: format must be "number", got ${String(options.format)}`,
          options.format,
        );
      }
      claimPin(board, pin, "Digital");
      this.target = options.target;
      this.#pin = board.pin(pin);
      this.#output = output;
      this.#edge = edge;
      this.#onReadable = options.onReadable;
      this.#deliver = () => {
        this.#pendingTimer = undefined;
        if (!this.#closed) this.#onReadable?.call(this);
      };
      if (this.#onReadable) this.#unwatch = this.#pin.onChange((level) => this.#changed(level));
    }

    get format(): "number" {
      return "number";
    }
    set format(value: "number") {
      if (value !== "number")
        throw new IoError("bad-option", `Digital: format must be "number", got ${String(value)}`, value);
    }

    read(): PinLevel {
      this.#check();
      return this.#pin.level;
    }

    write(value: number): void {
      this.#check();
      if (!this.#output)
        throw new IoError("bad-mode", `Digital: pin ${this.#pin.number} is an input; write refused`, value);
      if (value !== 0 && value !== 1) {
        throw new IoError("bad-value", `Digital: write takes 0 or 1, got ${String(value)}`, value);
      }
      this.#pin.drive(value);
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      this.#unwatch?.();
      this.#unwatch = undefined;
      if (this.#pendingTimer !== undefined) board.clock.clearTimer(this.#pendingTimer);
      this.#pendingTimer = undefined;
      releasePin(board, this.#pin.number);
    }

    #check(): void {
      if (this.#closed)
        throw new IoError("closed", `Digital: pin ${this.#pin.number} is closed`, this.#pin.number);
    }

    #changed(level: PinLevel): void {
      const wanted = level === 1 ? DigitalEdge.Rising : DigitalEdge.Falling;
      if ((this.#edge & wanted) === 0 || this.#pendingTimer !== undefined) return;
      this.#pendingTimer = board.clock.setTimer(this.#deliver, 0);
    }
  };
}
