/**
 * The interlock's pins through ECMA-419 `embedded:io/digital` (Moddable's Digital on the board, host-sim's on
 * the simulated board): four outputs (trip relay, beacon, sounder, healthy), the relay's feedback contact
 * as an input, and an optional local reset push button.
 *
 * Electrical design (fail-safe, documented in README.md, "Safety"): every output is active-high into a driver
 * with a pull-down at its input, so a GPIO that is reset, floating, or unpowered reads as 0 = relay
 * de-energised, healthy off. Nothing the MCU can do by stopping (a crash, a watchdog reset, a brown-out,
 * power loss) can hold the relay energised. Every output is written 0 the moment it is opened.
 * The reset button closes to ground with the input's pull-up: pressing it gives a falling edge.
 */
import { deepFreeze } from "../../../protocol/freeze.js";
export interface DigitalPin {
  read(): number;
  write(value: 0 | 1): void;
  close(): void;
}

/** The Digital constructor as ECMA-419 defines it (only what the interlock uses). */
export interface DigitalClass {
  new (options: {
    pin: number;
    mode: number;
    edge?: number;
    onReadable?: (this: DigitalPin) => void;
  }): DigitalPin;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly Output: number;
  readonly Falling: number;
}

export interface InterlockPins {
  relay: number;
  relayFeedback: number;
  beacon: number;
  sounder: number;
  healthy: number;
  /** Local reset push button (optional). */
  resetButton?: number;
}

/** Names of the pins above in a board's pin table (manifest config "pins", host-sim device pins). */
export const INTERLOCK_PIN_NAMES = ["relay", "relayFeedback", "beacon", "sounder", "healthy"] as const;

export class InterlockIo {
  readonly relay: DigitalPin;
  readonly relayFeedback: DigitalPin;
  readonly beacon: DigitalPin;
  readonly sounder: DigitalPin;
  readonly healthy: DigitalPin;
  readonly resetButton: DigitalPin | undefined;
  /** Called when the reset button is pressed (set by the interlock). */
  onResetPressed: (() => void) | undefined;
  #open: DigitalPin[] = [];

  constructor(Digital: DigitalClass, pins: InterlockPins) {
    const out = (pin: number): DigitalPin => {
      const d = new Digital({ pin, mode: Digital.Output });
      this.#open.push(d);
      d.write(0);
      return d;
    };
    try {
      this.relay = out(pins.relay);
      this.beacon = out(pins.beacon);
      this.sounder = out(pins.sounder);
      this.healthy = out(pins.healthy);
      this.relayFeedback = new Digital({ pin: pins.relayFeedback, mode: Digital.Input });
      this.#open.push(this.relayFeedback);
      if (pins.resetButton !== undefined) {
        const io = this;
        this.resetButton = new Digital({
          pin: pins.resetButton,
          mode: Digital.InputPullUp,
          edge: Digital.Falling,
          onReadable() {
            if (this.read() === 0) io.onResetPressed?.();
          },
        });
        this.#open.push(this.resetButton);
      } else this.resetButton = undefined;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Every output low (relay de-energised, beacon, sounder, healthy off). */
  allOff(): void {
    this.relay.write(0);
    this.beacon.write(0);
    this.sounder.write(0);
    this.healthy.write(0);
  }

  /** Outputs low, then every pin closed. */
  close(): void {
    const open = this.#open;
    for (let i = 0; i < open.length; i++) {
      const d = open[i]!;
      try {
        if (d !== this.relayFeedback && d !== this.resetButton) d.write(0);
      } catch {
        // A pin that fails to write is closed all the same; its driver's pull-down holds it low.
      }
      try {
        d.close();
      } catch {
        // Closing is best effort: nothing more can be done for a pin that refuses.
      }
    }
    open.length = 0;
  }
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(INTERLOCK_PIN_NAMES);
