/**
 * The whole channel: crossings alarm in the push of the crossing sample, for every gas, profile and
 * location; hysteresis; A2 latch + acknowledge; O2 both ways; over-range; warm-up; restart; bad input.
 */
import { describe, expect, it } from "vitest";
import {
  GAS_NAMES,
  GAS_PROFILES,
  GasAlarm,
  GasChannelPipeline,
  GasError,
  GasFault,
  type GasName,
  GasState,
  gasAlarmNames,
  identityCalibration,
  resolveGasSettings,
} from "../../../firmware/sensing/gas/index.js";

const PERIOD = 1000;

function channel(gas: GasName, profile = "kz-ru-coal", location = "face", extra = {}) {
  return new GasChannelPipeline({
    gas,
    profile,
    location,
    calibration: identityCalibration(0),
    periodMs: PERIOD,
    startMs: 0,
    ...extra,
  });
}

/** A slow linear sweep from `from` to `to` in `steps` samples; returns the first index where `hit` holds. */
function sweep(p: GasChannelPipeline, from: number, to: number, steps: number, t0: number, bit: number) {
  let firstOn = -1;
  let tMs = t0;
  for (let i = 0; i <= steps; i++) {
    const v = from + ((to - from) * i) / steps;
    tMs += PERIOD;
    p.push(tMs, v);
    if (firstOn < 0 && p.alarms & bit) firstOn = i;
  }
  return { firstOn, tMs };
}

describe("GasChannelPipeline: a crossing alarms in the push of the crossing sample", () => {
  for (const profile of GAS_PROFILES) {
    for (const location of profile.locations) {
      for (const gas of GAS_NAMES) {
        const s = resolveGasSettings(profile, gas, location);
        for (const [level, bit] of [
          ["a1", GasAlarm.A1],
          ["a2", GasAlarm.A2],
        ] as const) {
          const sp = s[level];
          if (!sp) continue;
          it(`${profile.name}/${location}/${gas} ${level} at ${sp.value}`, () => {
            const p = channel(gas, profile.name, location, { settings: { rorPerMin: null } });
            const rising = s.direction === "rising";
            // Sweep 1000 samples from well inside to well beyond the set-point (not in steps of the set-point).
            const from = rising ? sp.value * 0.5 : 20.9;
            const to = rising ? sp.value * 1.5 : sp.value - 1;
            const { firstOn } = sweep(p, from, to, 1000, 600_000, bit);
            let expected = -1;
            for (let i = 0; i <= 1000; i++) {
              const v = from + ((to - from) * i) / 1000;
              if (rising ? v >= sp.value : v <= sp.value) {
                expected = i;
                break;
              }
            }
            expect(expected).toBeGreaterThan(0);
            expect(firstOn).toBe(expected);
          });
        }
      }
    }
  }
});

describe("GasChannelPipeline behaviour", () => {
  it("CH4 at the face (kz-ru-coal): A1 0.8 clears below 0.75; A2 1.0 stays latched until acknowledged", () => {
    const p = channel("ch4", "kz-ru-coal", "face", { settings: { rorPerMin: null } });
    const t0 = 600_000;
    const trace = [0.5, 0.8, 0.99, 1.0, 0.9, 0.76, 0.74, 0.3];
    const seen = trace.map((v, i) => {
      p.push(t0 + i * PERIOD, v);
      return gasAlarmNames(p.alarms).join("+");
    });
    expect(seen).toEqual(["", "A1", "A1", "A1+A2", "A1+A2", "A1+A2", "A2", "A2"]);
    expect(p.state).toBe(GasState.Alarm);
    expect(p.acknowledge()).toBe(true);
    expect(p.alarms).toBe(0);
    expect(p.alarmsChanged).toBe(GasAlarm.A2);
    expect(p.state).toBe(GasState.Normal);
  });

  it("push() reports what changed in that push only", () => {
    const p = channel("ch4", "us-msha-coal", "face", { settings: { rorPerMin: null } });
    expect(p.push(600_000, 0.2)).toBe(false);
    expect(p.push(601_000, 1.0)).toBe(true);
    expect(p.alarmsChanged).toBe(GasAlarm.A1);
    expect(p.push(602_000, 1.1)).toBe(false);
    expect(p.alarmsChanged).toBe(0);
  });

  it("O2: deficiency alarms falling (A1 then A2), enrichment alarms rising (O2-HIGH)", () => {
    const p = channel("o2", "us-msha-coal", "face");
    const seen = [20.9, 20.0, 19.5, 20.9, 23.5].map((v, i) => {
      p.push(600_000 + i * PERIOD, v);
      return gasAlarmNames(p.alarms).join("+");
    });
    // A2 latched from 19.5 on; enrichment at 23.5.
    expect(seen).toEqual(["", "A1", "A1+A2", "A2", "A2+O2-HIGH"]);
  });

  it("CH4 over-range is an alarm, not a fault; a toxic cell at full scale is both", () => {
    const ch4 = channel("ch4", "kz-ru-coal", "face", { settings: { rangeMax: 5 } });
    ch4.push(600_000, 5);
    expect(ch4.alarms & GasAlarm.OVER_RANGE).toBeTruthy();
    expect(ch4.alarms & GasAlarm.A2).toBeTruthy();
    expect(ch4.faults & GasFault.OUT_OF_RANGE).toBe(0);
    // No data after over-range keeps the alarm (never silently dropped).
    ch4.push(601_000, Number.NaN);
    expect(ch4.alarms & GasAlarm.OVER_RANGE).toBeTruthy();
    const co = channel("co");
    co.push(600_000, 500);
    expect(co.alarms & GasAlarm.OVER_RANGE).toBeTruthy();
    expect(co.faults & GasFault.OUT_OF_RANGE).toBeTruthy();
  });

  it("warm-up is a state, and an alarm during warm-up is still raised (state Alarm, fault bit warm-up)", () => {
    const p = channel("ch4", "kz-ru-coal", "intake");
    p.push(0, 0.1);
    expect(p.state).toBe(GasState.WarmUp);
    expect(p.faults).toBe(GasFault.WARM_UP);
    p.push(1000, 0.6);
    expect(p.alarms & GasAlarm.A2).toBeTruthy();
    expect(p.faults & GasFault.WARM_UP).toBeTruthy();
    expect(p.state).toBe(GasState.Alarm);
  });

  it("no data: the fault after noDataPeriods; check() makes it fire without samples; alarms hold", () => {
    const p = channel("ch4", "kz-ru-coal", "face", { settings: { rorPerMin: null } });
    p.push(600_000, 1.2);
    p.check(601_000);
    p.check(602_000);
    expect(p.faults & GasFault.NO_DATA).toBe(0);
    expect(p.check(603_000)).toBe(true);
    expect(p.faults & GasFault.NO_DATA).toBeTruthy();
    expect(p.alarms & GasAlarm.A1).toBeTruthy();
    expect(p.state).toBe(GasState.Alarm);
  });

  it("CH4 rate of rise: an inrush trips ROR in the first sample of the jump; flat air never does", () => {
    const p = channel("ch4", "kz-ru-coal", "return");
    for (let t = 0; t <= 600_000; t += PERIOD) p.push(t, 0.15 + 0.01 * Math.sin(t / 7000));
    expect(p.alarms & GasAlarm.ROR).toBe(0);
    p.push(601_000, 0.7);
    expect(p.alarms & GasAlarm.ROR).toBeTruthy();
  });

  it("CO STEL and TWA alarms from the averages (kz-ru-coal: STEL 100, TWA 25 ppm)", () => {
    const p = channel("co");
    // 30 ppm steady: A2 (17) at once; TWA (25) reached once 30 ppm x T / 8 h >= 25 -> T = 6 h 40 min.
    let twaAt = -1;
    for (let t = 0; t <= 8 * 3_600_000; t += 10_000) {
      p.push(t, 30);
      if (twaAt < 0 && p.alarms & GasAlarm.TWA) twaAt = t;
    }
    expect(twaAt).toBeGreaterThan(0);
    expect(Math.abs(twaAt - (25 / 30) * 8 * 3_600_000)).toBeLessThanOrEqual(10_000);
    expect(p.alarms & GasAlarm.STEL).toBe(0);
    for (let t = 8 * 3_600_000 + 10_000; t <= 8 * 3_600_000 + 900_000; t += 10_000) p.push(t, 150);
    expect(p.stel).toBeCloseTo(150, 6);
    expect(p.alarms & GasAlarm.STEL).toBeTruthy();
  });

  it("export / import across a restart keeps the A2 latch and the TWA; the outage counts at the last value", () => {
    const a = channel("co");
    for (let t = 0; t <= 3_600_000; t += 10_000) a.push(t, 20);
    expect(a.alarms & GasAlarm.A2).toBeTruthy();
    for (let t = 3_610_000; t <= 3_620_000; t += 10_000) a.push(t, 0);
    const state = new Float64Array(a.stateLength);
    expect(a.exportState(state, 0)).toBe(a.stateLength);
    // Reboot: the new clock starts at 0; the node was down for 1 h after the export.
    const b = channel("co");
    const downMs = 3_600_000;
    const nowMs = 5000;
    b.importState(state, 0, nowMs - downMs - a.lastMs);
    expect(b.alarms & GasAlarm.A2).toBeTruthy();
    expect(b.twa).toBeCloseTo(a.twa, 9);
    b.push(nowMs, 0);
    // 1 h at 20 ppm before, 1 h of outage counted at the last value (0 ppm) -> 20 ppm.h / 8 h = 2.5 ppm.
    expect(b.twa).toBeCloseTo(2.5, 1);
    expect(b.acknowledge()).toBe(true);
  });

  it("rejects bad configuration and time going backwards, with the offending value", () => {
    const bad = (f: () => unknown, code: string, value: unknown) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(GasError);
        expect((e as GasError).code).toBe(code);
        expect((e as GasError).value).toEqual(value);
      }
    };
    bad(() => channel("ch4", "nowhere"), "unknown-profile", "nowhere");
    bad(() => channel("ch4", "kz-ru-coal", "roof"), "unknown-location", "roof");
    bad(() => channel("nox" as GasName), "unknown-gas", "nox");
    bad(() => channel("ch4", "kz-ru-coal", "face", { periodMs: 0 }), "bad-config", 0);
    bad(() => channel("ch4", "kz-ru-coal", "face", { settings: { filterTauMs: -1 } }), "bad-config", -1);
    bad(() => channel("ch4", "kz-ru-coal", "face", { settings: { bogus: 1 } }), "bad-config", "bogus");
    const p = channel("ch4");
    p.push(1000, 0.1);
    bad(() => p.push(1000, 0.2), "time-not-increasing", 1000);
    bad(() => p.push(Number.NaN, 0.2), "time-not-increasing", Number.NaN);
    expect(p.value).toBe(0.1);
  });
});
