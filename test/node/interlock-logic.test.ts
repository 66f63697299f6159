/**
 * The interlock's pure parts: trip logic (latching, no automatic re-energise, reset conditions), the relay
 * self-test verdicts, the patterns, the status byte.
 */
import { describe, expect, it } from "vitest";
import { RelayFeedbackFault, RelayMonitor } from "../../firmware/node/interlock/feedback.js";
import { Annunciation, BEACON, levelAt, SOUNDER } from "../../firmware/node/interlock/patterns.js";
import {
  decodeInterlockStatus,
  encodeInterlockByte,
  INTERLOCK_SHIFT,
  InterlockState,
} from "../../firmware/node/interlock/status.js";
import { annunciationOf } from "../../firmware/node/interlock/summary.js";
import { ResetResult, TripCause, TripLogic } from "../../firmware/node/interlock/trip.js";
import { GasFault } from "../../firmware/sensing/gas/bits.js";
import { AlarmLevel } from "../../protocol/schema.js";

const face = () => new TripLogic({ tripPctVol: 1.0, resetBelowPctVol: 1.0, tripOnSensorFault: true });

describe("trip logic", () => {
  it("holds the relay until the first valid reading, then permits below the trip level", () => {
    const t = face();
    expect(t.permit).toBe(false);
    expect(t.update(Number.NaN, GasFault.NO_DATA)).toBe(0); // a cold sensor at boot does not latch
    expect(t.permit).toBe(false);
    t.update(0.3, GasFault.WARM_UP); // warm-up readings are live
    expect(t.permit).toBe(true);
  });

  it("trips at the level (>=), not below it, and latches", () => {
    const t = face();
    t.update(0.99, 0);
    expect(t.permit).toBe(true);
    expect(t.update(1.0, 0)).toBe(TripCause.Gas);
    expect(t.permit).toBe(false);
    t.update(0.1, 0);
    expect(t.permit).toBe(false); // never automatic
    expect(t.latched).toBe(TripCause.Gas);
  });

  it("a reset needs the gas below the reset point, a trusted sensor and a following relay", () => {
    const t = new TripLogic({ tripPctVol: 1.5, resetBelowPctVol: 1.0, tripOnSensorFault: true });
    t.update(1.6, 0);
    expect(t.reset()).toBe(ResetResult.GasNotBelowReset);
    t.update(1.2, 0); // below the trip, not below the reset point (30 U.S.C. 863(i)(2))
    expect(t.reset()).toBe(ResetResult.GasNotBelowReset);
    t.update(0.9, 0);
    t.setRelayFault(true);
    expect(t.reset()).toBe(ResetResult.RelayFault);
    t.setRelayFault(false);
    t.update(Number.NaN, GasFault.STUCK);
    expect(t.reset()).toBe(ResetResult.SensorFault);
    t.update(0.9, 0);
    expect(t.reset()).toBe(ResetResult.Done);
    expect(t.permit).toBe(true);
    expect(t.reset()).toBe(ResetResult.NothingLatched);
  });

  it("a sensor fault after valid readings latches a trip; an overdue calibration does not", () => {
    const t = face();
    t.update(0.2, 0);
    t.update(0.2, GasFault.CAL_OVERDUE);
    expect(t.permit).toBe(true);
    expect(t.update(Number.NaN, GasFault.NO_DATA)).toBe(TripCause.SensorFault);
    t.update(0.2, 0);
    expect([t.permit, t.healthy]).toEqual([false, false]);
    expect(t.reset()).toBe(ResetResult.Done);
    expect([t.permit, t.healthy]).toEqual([true, true]);
  });

  it("no data never clears the gas condition", () => {
    const t = face();
    t.update(1.2, 0);
    t.update(Number.NaN, 0);
    expect(t.gasHigh).toBe(true);
    expect(t.reset()).toBe(ResetResult.GasNotBelowReset);
  });

  it("restores a latch persisted before a reboot, assuming the gas is still there", () => {
    const t = face();
    t.restore(TripCause.Gas);
    t.update(0.2, 0);
    expect(t.permit).toBe(false);
    expect(t.reset()).toBe(ResetResult.Done);
  });
});

describe("relay self-test (force-guided mirror contact)", () => {
  it("expects the mirror closed (1) when de-energised and open (0) when energised, after the settle time", () => {
    const m = new RelayMonitor(0, 50);
    expect(m.check(100, 1)).toBe(RelayFeedbackFault.None);
    m.command(1, 200);
    expect(m.check(220, 1)).toBe(RelayFeedbackFault.None); // still settling
    expect(m.check(250, 1)).toBe(RelayFeedbackFault.NoPullIn);
    expect(m.check(300, 0)).toBe(RelayFeedbackFault.None);
    m.command(0, 400);
    expect(m.check(460, 0)).toBe(RelayFeedbackFault.Welded);
    m.command(1, 500);
    expect(m.check(510, 0)).toBe(RelayFeedbackFault.Welded); // a weld is not cleared inside the settle time
  });
});

describe("patterns", () => {
  const trace = (p: (typeof BEACON)[number], ms: number) => {
    let s = "";
    for (let t = 0; t < ms; t += 100) s += levelAt(p, t);
    return s;
  };
  it("danger, warning and fault differ on the beacon and on the sounder alone", () => {
    expect(trace(BEACON[Annunciation.Danger]!, 2000)).toBe("11001100110011001100");
    expect(trace(BEACON[Annunciation.Warning]!, 2000)).toBe("11111000001111100000");
    expect(trace(BEACON[Annunciation.Fault]!, 2000)).toBe("10100000000000000000");
    expect(trace(SOUNDER[Annunciation.Danger]!, 2000)).toBe("1".repeat(20));
    expect(trace(SOUNDER[Annunciation.Warning]!, 2000)).toBe("11111000000000000000");
    expect(trace(SOUNDER[Annunciation.Fault]!, 10_000)).toBe(`11${"0".repeat(98)}`);
    expect(trace(BEACON[Annunciation.None]!, 1000)).toBe("0".repeat(10));
  });

  it("annunciation follows the most severe alarm level on any channel", () => {
    const levels = new Uint8Array(5);
    expect(annunciationOf(levels)).toBe(Annunciation.None);
    levels[3] = 1 << AlarmLevel.Fault;
    expect(annunciationOf(levels)).toBe(Annunciation.Fault);
    levels[1] = 1 << AlarmLevel.Twa;
    expect(annunciationOf(levels)).toBe(Annunciation.Warning);
    levels[0] = 1 << AlarmLevel.A2;
    expect(annunciationOf(levels)).toBe(Annunciation.Danger);
  });
});

describe("status byte (sensorFaults bits 24..31)", () => {
  it("round-trips state, latched causes and the relay verdict; all-clear is 0", () => {
    expect(encodeInterlockByte(InterlockState.Energised, 0, 0)).toBe(0);
    const b = encodeInterlockByte(InterlockState.Tripped, TripCause.Gas | TripCause.RelayFault, 1);
    const faults = ((b << INTERLOCK_SHIFT) | 0x0d) >>> 0;
    expect(decodeInterlockStatus(faults)).toEqual({ state: 2, latched: 5, relayFault: 1 });
  });
});
