/**
 * GasChannels.reconfigure (firmware/node/runtime/gas.ts): a config apply (downlink or console) changes
 * set-points without restarting what belongs to the sensor: warm-up counts from sensor power-on, and the
 * STEL/TWA integrals, the A2 latch, the readings and the calibration's date carry over.
 */
import { describe, expect, it } from "vitest";
import { GasChannels } from "../../firmware/node/runtime/gas.js";
import { GasAlarm, GasFault } from "../../firmware/sensing/gas/index.js";
import { copyConfig, defaultConfig, Param } from "../../protocol/config-record.js";

const MINUTE = 60_000;
const CO = 1;
const CH4 = 0;

function channels(): GasChannels {
  return new GasChannels({ profile: "kz-ru-coal", location: "face" }, [CH4, CO], defaultConfig(), 0);
}

/** Pushes one sample a second on CH4 and CO from `fromMs` (exclusive) to `toMs`. */
function run(g: GasChannels, fromMs: number, toMs: number, coPpm: number, ch4PctVol = 0.1): void {
  for (let t = fromMs + 1000; t <= toMs; t += 1000) {
    g.pipelines[CH4]!.push(t, ch4PctVol + 0.002 * Math.sin(t / 7000));
    g.pipelines[CO]!.push(t, coPpm + 0.2 * Math.sin(t / 5000));
  }
}

function stricterCoA1(a1Ppm: number) {
  const c = copyConfig(defaultConfig());
  c.params[Param.coA1Ppm] = a1Ppm;
  return c;
}

describe("GasChannels.reconfigure", () => {
  it("a config apply after warm-up does not flag warm-up again (5 min on the toxic cell)", () => {
    const g = channels();
    run(g, 0, 6 * MINUTE, 0.5);
    expect(g.pipelines[CO]!.faults & GasFault.WARM_UP).toBe(0);
    g.reconfigure(stricterCoA1(8), 6 * MINUTE);
    expect(g.pipelines[CO]!.settings.a1!.value).toBe(8); // the new set-point is in force
    run(g, 6 * MINUTE, 6 * MINUTE + 5000, 0.5);
    expect(g.pipelines[CO]!.faults & GasFault.WARM_UP).toBe(0);
    expect(g.pipelines[CH4]!.faults & GasFault.WARM_UP).toBe(0);
    expect(g.faultCode(CO)).toBe(0);
  });

  it("a config apply during warm-up leaves its end at power-on + 5 min, not apply + 5 min", () => {
    const g = channels();
    run(g, 0, 2 * MINUTE, 0.5);
    g.reconfigure(stricterCoA1(8), 2 * MINUTE);
    run(g, 2 * MINUTE, 5 * MINUTE - 1000, 0.5);
    expect(g.pipelines[CO]!.faults & GasFault.WARM_UP).toBe(GasFault.WARM_UP);
    run(g, 5 * MINUTE - 1000, 5 * MINUTE + 1000, 0.5);
    expect(g.pipelines[CO]!.faults & GasFault.WARM_UP).toBe(0);
    expect(g.pipelines[CO]!.startMs).toBe(0);
  });

  it("carries STEL/TWA, the A2 latch, the last readings and the calibration date across", () => {
    const g = channels();
    run(g, 0, 10 * MINUTE, 40); // 40 ppm CO: A2 (17 ppm) latches; STEL builds up
    run(g, 10 * MINUTE, 11 * MINUTE, 0.5); // gas cleared, A2 stays latched until acknowledged
    const before = g.pipelines[CO]!;
    expect(before.alarms & GasAlarm.A2).toBe(GasAlarm.A2);
    const { stel, twa, value, filtered, calibratedAtMs } = before;
    expect(stel).toBeGreaterThan(20);
    g.reconfigure(stricterCoA1(8), 11 * MINUTE);
    const after = g.pipelines[CO]!;
    expect(after).not.toBe(before);
    expect(after.alarms & GasAlarm.A2).toBe(GasAlarm.A2);
    expect(after.stel).toBe(stel);
    expect(after.twa).toBe(twa);
    expect(after.value).toBe(value);
    expect(after.filtered).toBe(filtered);
    expect(after.calibratedAtMs).toBe(calibratedAtMs);
    run(g, 11 * MINUTE, 12 * MINUTE, 0.5);
    expect(g.pipelines[CO]!.stel).toBeGreaterThan(15); // the integral went on, not from zero
    expect(g.pipelines[CO]!.alarms & GasAlarm.A2).toBe(GasAlarm.A2);
    expect(g.pipelines[CO]!.acknowledge()).toBe(true);
  });

  it("a STEL limit lowered below the carried average alarms at once", () => {
    const g = channels();
    run(g, 0, 15 * MINUTE, 60); // 60 ppm for 15 min: STEL 60 ppm, under the profile's 100 ppm
    expect(g.pipelines[CO]!.alarms & GasAlarm.STEL).toBe(0);
    const c = copyConfig(defaultConfig());
    c.params[Param.coStelPpm] = 50;
    g.reconfigure(c, 15 * MINUTE);
    expect(g.pipelines[CO]!.alarms & GasAlarm.STEL).toBe(GasAlarm.STEL);
  });
});
