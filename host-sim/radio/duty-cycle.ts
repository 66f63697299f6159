/**
 * Per-node duty-cycle accounting for the simulator: every transmission a node makes, with its sub-band and
 * airtime, so a run can prove that no node broke the law and report how much of its budget it used.
 *
 * The rule (ETSI EN 300 220-2 section 4.3.3 as LoRaWAN RP002-1.0.x applies it): after a transmission of
 * Ton in a sub-band with duty cycle dc, the node stays off that sub-band for Toff = Ton/dc - Ton. The modem
 * model asks `freeAtMs` before each transmission (and refuses like the real module when it is too early);
 * `violations()` re-checks the whole log afterwards; `dutyCycleUsed(windowMs)` gives the worst share of
 * airtime over any sliding window (ETSI's observation period is one hour).
 */
import { type Region, subBandIndex } from "../../protocol/lorawan-regions.js";

export interface Transmission {
  startMs: number;
  airtimeMs: number;
  frequencyHz: number;
  subBand: number;
}

export interface Violation {
  /** Index in `transmissions` of the transmission that came too early. */
  index: number;
  subBand: number;
  startMs: number;
  /** When that sub-band was free again. */
  allowedAtMs: number;
}

export class DutyCycleLedger {
  readonly region: Region;
  readonly transmissions: Transmission[] = [];
  readonly #freeAtMs: number[];

  constructor(region: Region) {
    this.region = region;
    this.#freeAtMs = region.subBands.map(() => Number.NEGATIVE_INFINITY);
  }

  /** Sub-band index of a frequency; throws for a frequency outside every sub-band. */
  subBandOf(frequencyHz: number): number {
    const i = subBandIndex(this.region, frequencyHz);
    if (i < 0) throw new RangeError(`${this.region.name}: ${frequencyHz} Hz is in no sub-band`);
    return i;
  }

  freeAtMs(frequencyHz: number): number {
    return this.#freeAtMs[this.subBandOf(frequencyHz)]!;
  }

  /** Records a transmission (whether or not it was allowed; `violations()` tells). */
  record(startMs: number, airtimeMs: number, frequencyHz: number): void {
    const subBand = this.subBandOf(frequencyHz);
    this.transmissions.push({ startMs, airtimeMs, frequencyHz, subBand });
    const dc = this.region.subBands[subBand]!.dutyCycle;
    const free = startMs + airtimeMs / dc;
    if (free > this.#freeAtMs[subBand]!) this.#freeAtMs[subBand] = free;
  }

  /** Transmissions that started before their sub-band's off-time had passed. */
  violations(): Violation[] {
    const free = this.region.subBands.map(() => Number.NEGATIVE_INFINITY);
    const out: Violation[] = [];
    // A tolerance of a microsecond absorbs floating-point error in the sums.
    this.transmissions.forEach((t, index) => {
      if (t.startMs + 1e-3 < free[t.subBand]!) {
        out.push({ index, subBand: t.subBand, startMs: t.startMs, allowedAtMs: free[t.subBand]! });
      }
      const dc = this.region.subBands[t.subBand]!.dutyCycle;
      free[t.subBand] = Math.max(free[t.subBand]!, t.startMs + t.airtimeMs / dc);
    });
    return out;
  }

  /** Total airtime per sub-band, ms. */
  airtimeBySubBandMs(): number[] {
    const sums = this.region.subBands.map(() => 0);
    for (const t of this.transmissions) sums[t.subBand]! += t.airtimeMs;
    return sums;
  }

  /** Largest share of airtime in any window of `windowMs` starting at a transmission, per sub-band. */
  dutyCycleUsed(windowMs = 3_600_000): number[] {
    return this.region.subBands.map((_, band) => {
      const tx = this.transmissions.filter((t) => t.subBand === band);
      let worst = 0;
      for (let i = 0; i < tx.length; i++) {
        const end = tx[i]!.startMs + windowMs;
        let on = 0;
        for (let j = i; j < tx.length && tx[j]!.startMs < end; j++) {
          on += Math.min(tx[j]!.airtimeMs, end - tx[j]!.startMs);
        }
        worst = Math.max(worst, on / windowMs);
      }
      return worst;
    });
  }
}
