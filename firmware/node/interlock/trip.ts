/**
 * The methane power interlock's decision: pure, no I/O, no clock, nothing allocated after construction.
 *
 * Fail-safe by design (de-energise to trip): the relay is energised only while `permit` is true, i.e. the
 * node has had a valid CH4 reading since boot AND no trip cause is latched AND the CH4 channel and the
 * relay are healthy. Everything else (boot before the first valid reading, a trip, a sensor fault, a relay
 * fault, a stopped runtime, lost power) leaves the relay de-energised.
 *
 * Causes latch (bit set `latched`): a reading at or above the trip level (Gas), a CH4 channel that cannot be
 * trusted after it had been (SensorFault: 30 U.S.C. 863(l), a monitor must de-energise "when such monitor
 * is not operating properly"), a relay that does not follow its command (RelayFault). A latched cause is
 * cleared only by `reset()`, a deliberate act (downlink alarm acknowledge, local button, console), and only
 * once its condition is gone: the gas below the reset point (863(h)(2): "until the air ... shall contain
 * less than 1.0"), the sensor trusted again, the relay feedback agreeing. Never automatically.
 *
 * Before the first valid reading after boot a fault does not latch (a cold sensor warming up is expected);
 * the relay is held de-energised all the same.
 */
import { GasFault } from "../../sensing/gas/bits.js";

export const TripCause = Object.freeze({ Gas: 1, SensorFault: 2, RelayFault: 4 });
export const TRIP_CAUSE_MASK = 7;

/** Outcome of a reset request. */
export const ResetResult = Object.freeze({
  /** Every latched cause was cleared: the relay re-energises now. */
  Done: 0,
  /** Nothing was latched (a reset of a healthy interlock is a no-op). */
  NothingLatched: 1,
  /** Refused: the last valid CH4 reading is not below the reset point. */
  GasNotBelowReset: 2,
  /** Refused: the CH4 channel is still faulty. */
  SensorFault: 3,
  /** Refused: the relay feedback still disagrees with its command. */
  RelayFault: 4,
});
export type ResetResultCode = (typeof ResetResult)[keyof typeof ResetResult];

/**
 * The CH4 pipeline fault bits that make the channel untrustworthy for the interlock. Warm-up is a state
 * during which readings are live (firmware/sensing/gas/bits.ts); an overdue calibration is a maintenance
 * fault reported in the status frame, not a reason to cut power (design choice: the reading is still the
 * sensor's best, and a trip on a date would cut power across a whole mine at midnight).
 */
export const TRIP_FAULT_BITS = GasFault.NO_DATA | GasFault.OUT_OF_RANGE | GasFault.STUCK;

export interface TripSettings {
  /** Trip at a reading >= this, %vol. */
  tripPctVol: number;
  /** A reset is accepted only when the reading is < this, %vol. */
  resetBelowPctVol: number;
  tripOnSensorFault: boolean;
}

export class TripLogic {
  readonly settings: Readonly<TripSettings>;
  /** Latched TripCause bits. */
  latched = 0;
  /** Conditions now: gas not yet below the reset point since it reached the trip level; sensor faulty; relay. */
  gasHigh = false;
  sensorFault = false;
  relayFault = false;
  /** A valid (finite, trusted) CH4 reading has been seen since boot. */
  hasReading = false;
  /** Last finite reading, %vol. */
  lastPctVol = Number.NaN;

  constructor(settings: TripSettings) {
    this.settings = settings;
  }

  /** Restores causes latched before a reboot (persisted): the gas condition is assumed present. */
  restore(latched: number): void {
    this.latched = latched & TRIP_CAUSE_MASK;
    if (this.latched & TripCause.Gas) this.gasHigh = true;
    if (this.latched & TripCause.RelayFault) this.relayFault = true;
  }

  /**
   * One CH4 evaluation: `ch4PctVol` the pipeline's calibrated, unsmoothed reading (NaN = no data),
   * `faultBits` its GasFault bits. Returns the causes that newly latched (0 = none).
   */
  update(ch4PctVol: number, faultBits: number): number {
    const before = this.latched;
    const faulty = (faultBits & TRIP_FAULT_BITS) !== 0;
    if (faulty) {
      this.sensorFault = true;
      if (this.hasReading && this.settings.tripOnSensorFault) this.latched |= TripCause.SensorFault;
    } else if (!Number.isNaN(ch4PctVol)) {
      this.sensorFault = false;
      this.hasReading = true;
    }
    if (!Number.isNaN(ch4PctVol) && !faulty) {
      this.lastPctVol = ch4PctVol;
      // The trip is tested first: a reading at the trip level trips even when the reset point equals it.
      if (ch4PctVol >= this.settings.tripPctVol) {
        this.gasHigh = true;
        this.latched |= TripCause.Gas;
      } else if (ch4PctVol < this.settings.resetBelowPctVol) this.gasHigh = false;
    }
    return this.latched & ~before;
  }

  /** The relay self-test's verdict; a fault latches. Returns the causes that newly latched. */
  setRelayFault(on: boolean): number {
    const before = this.latched;
    this.relayFault = on;
    if (on) this.latched |= TripCause.RelayFault;
    return this.latched & ~before;
  }

  /** A deliberate reset: clears every latched cause, or none (with the reason) while a condition holds. */
  reset(): ResetResultCode {
    if (this.latched === 0) return ResetResult.NothingLatched;
    if (this.relayFault) return ResetResult.RelayFault;
    if (this.sensorFault || !this.hasReading) return ResetResult.SensorFault;
    if (this.gasHigh || !(this.lastPctVol < this.settings.resetBelowPctVol))
      return ResetResult.GasNotBelowReset;
    this.latched = 0;
    return ResetResult.Done;
  }

  /** The relay may be energised (power to the equipment permitted). */
  get permit(): boolean {
    return (
      this.hasReading &&
      this.latched === 0 &&
      !this.relayFault &&
      !(this.sensorFault && this.settings.tripOnSensorFault)
    );
  }

  /** The detector itself is working (the "healthy" output): a trip on gas is not a detector fault. */
  get healthy(): boolean {
    return (
      this.hasReading &&
      !this.sensorFault &&
      !this.relayFault &&
      (this.latched & (TripCause.SensorFault | TripCause.RelayFault)) === 0
    );
  }
}
