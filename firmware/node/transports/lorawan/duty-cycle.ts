/**
 * Duty-cycle off-time per sub-band (ETSI EN 300 220-2 section 4.3.3 duty-cycle limit as LoRaWAN RP002-1.0.x
 * section 2 applies it): after a transmission of `airtimeMs` in a sub-band with duty cycle `dc`, the device
 * stays off that sub-band for Toff = airtimeMs / dc - airtimeMs, counted from the end of the transmission.
 * So the sub-band is free again at start + airtimeMs / dc.
 *
 * This is a lower bound on what the node may do: the modem also keeps its own accounting (it answers
 * "No band in N ms" when asked to send too early; the driver then waits that long). Preallocated, no
 * allocation per transmission; runs on XS.
 */
import type { Region } from "../../../../protocol/lorawan-regions.js";
import { LoRaWanError } from "./errors.js";

export class DutyCycle {
  readonly #dutyCycle: Float64Array;
  readonly #freeAtMs: Float64Array;

  constructor(region: Region) {
    const n = region.subBands.length;
    this.#dutyCycle = new Float64Array(n);
    this.#freeAtMs = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < n; i++) this.#dutyCycle[i] = region.subBands[i]!.dutyCycle;
  }

  /** Virtual/board time at which sub-band `index` may transmit again. */
  freeAtMs(index: number): number {
    this.#check(index);
    return this.#freeAtMs[index]!;
  }

  /** How long to wait from `nowMs` before sub-band `index` may transmit (0 if it may now). */
  waitMs(index: number, nowMs: number): number {
    const d = this.freeAtMs(index) - nowMs;
    return Math.max(d, 0);
  }

  /** Charges a transmission of `airtimeMs` that started at `startMs` to sub-band `index`. */
  record(index: number, startMs: number, airtimeMs: number): void {
    this.#check(index);
    if (!(airtimeMs >= 0) || !Number.isFinite(startMs)) {
      throw new LoRaWanError(
        "bad-option",
        `duty cycle: bad transmission start ${startMs} / airtime ${airtimeMs} ms`,
        airtimeMs,
      );
    }
    const freeAt = startMs + airtimeMs / this.#dutyCycle[index]!;
    if (freeAt > this.#freeAtMs[index]!) this.#freeAtMs[index] = freeAt;
  }

  /** The modem reported its own wait ("No band in N ms"): never transmit before then. */
  holdUntil(index: number, freeAtMs: number): void {
    this.#check(index);
    if (freeAtMs > this.#freeAtMs[index]!) this.#freeAtMs[index] = freeAtMs;
  }

  #check(index: number): void {
    if (!(index >= 0 && index < this.#freeAtMs.length) || !Number.isInteger(index)) {
      throw new LoRaWanError("bad-option", `duty cycle: no sub-band ${index}`, index);
    }
  }
}
