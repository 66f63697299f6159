import { describe, expect, it } from "vitest";
import { ADS1115, DriverError, Mux } from "../../firmware/drivers/ads1115.js";
import { SensorFault } from "../../firmware/drivers/faults.js";
import { SimBoard } from "../../host-sim/board.js";
import { Ads1115Model } from "../../host-sim/chips/ads1115.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeDigital } from "../../host-sim/io/digital.js";
import { type I2COptions, makeI2C } from "../../host-sim/io/i2c.js";
import { Prng } from "../../host-sim/prng.js";

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

/** The host I2C class, plus a log of every transaction's bytes ("W 01 85 83", "R 85 83"). */
function loggingI2C(board: SimBoard, log: string[]) {
  const Base = makeI2C(board);
  return class extends Base {
    constructor(o: I2COptions) {
      super(o);
    }
    override write(buffer: Uint8Array, stop = true): void {
      super.write(buffer, stop);
      log.push(`W ${hex(buffer)}`);
    }
    override read(buffer: number | Uint8Array, stop = true): ArrayBuffer | undefined {
      const r = super.read(buffer, stop);
      log.push(`R ${hex(typeof buffer === "number" ? new Uint8Array(r as ArrayBuffer) : buffer)}`);
      return r;
    }
  };
}

function rig(inputs: ((t: number) => number)[] = [() => 0.5]) {
  const board = new SimBoard(new VirtualClock(), new Prng(1));
  const model = new Ads1115Model(board, { inputs });
  const log: string[] = [];
  const I2C = loggingI2C(board, log);
  return { board, model, log, I2C };
}

const coCal = { zeroVolts: 0.1, spanVolts: 0.9, spanValue: 100 }; // 100 ppm span gas at 0.9 V

describe("ADS1115 driver against the register model", () => {
  it("identity check, thresholds for ALERT/RDY and the first conversion reach the registers", () => {
    const { log, I2C } = rig();
    const adc = new ADS1115({
      sensor: { io: I2C, address: 0x48 },
      configure: {
        channels: [{ mux: Mux.AIN2, fullScaleVolts: 1.024, calibration: coCal }],
        dataRateSps: 64,
      },
    });
    expect(log).toEqual([
      "W 02 5a c3", // Lo_thresh <- identity pattern
      "W 03 a5 3c", // Hi_thresh <- identity pattern
      "W 02",
      "R 5a c3",
      "W 03",
      "R a5 3c",
      "W 02 00 00", // Lo_thresh MSB 0 ...
      "W 03 80 00", // ... Hi_thresh MSB 1: conversion-ready mode (SBAS444 8.3.8)
      // OS=1 | MUX=110 (AIN2) | PGA=011 (1.024 V) | MODE=1 | DR=011 (64 SPS) | COMP_QUE=00
      "W 01 e7 60",
    ]);
    expect(adc.conversionMs).toBeCloseTo(1000 / 64);
    adc.close();
  });

  it("returns volts and calibrated ppm to the chip's resolution, one conversion per sample", () => {
    const { board, log, I2C } = rig([() => 0, () => 0, () => 0.5]);
    const adc = new ADS1115({
      sensor: { io: I2C },
      configure: { channels: [{ mux: Mux.AIN2, fullScaleVolts: 2.048, calibration: coCal }] },
    });
    board.clock.advance(10);
    log.length = 0;
    const s = adc.sample();
    expect(s).toBeDefined();
    const lsbV = 2.048 / 32768;
    expect(s?.code).toBe(Math.round(0.5 / lsbV));
    expect(Math.abs((s?.volts ?? 0) - 0.5)).toBeLessThanOrEqual(lsbV / 2);
    expect(Math.abs((s?.value ?? 0) - 50)).toBeLessThanOrEqual((lsbV / 2) * (100 / 0.8));
    expect(s?.saturated).toBe(false);
    expect(adc.fault).toBe(SensorFault.None);
    // config read back (idle, OS=1), conversion read, next single-shot start
    expect(log).toEqual(["W 01", "R e5 80", "W 00", `R ${hex(Uint8Array.of(0x1f, 0x40))}`, "W 01 e5 80"]);
  });

  it("converts several channels in round robin, each with its own gain and calibration", () => {
    const { board, I2C } = rig([() => 0.2, () => 1.5, () => -0.05, () => 0]);
    const adc = new ADS1115({
      sensor: { io: I2C },
      configure: {
        channels: [
          {
            mux: Mux.AIN0,
            fullScaleVolts: 0.256,
            calibration: { zeroVolts: 0, spanVolts: 0.2, spanValue: 50 },
          },
          {
            mux: Mux.AIN1,
            fullScaleVolts: 2.048,
            calibration: { zeroVolts: 0, spanVolts: 2, spanValue: 25 },
          },
          {
            mux: Mux.AIN2_AIN3,
            fullScaleVolts: 0.512,
            calibration: { zeroVolts: 0, spanVolts: 1, spanValue: 1 },
          },
        ],
        dataRateSps: 250,
      },
    });
    const seen: [number, number][] = [];
    for (let i = 0; i < 6; i++) {
      board.clock.advance(5);
      const s = adc.sample();
      if (!s) throw new Error(`sample ${i} failed with fault ${adc.fault}`);
      seen.push([s.channel, s.value]);
    }
    expect(seen.map(([c]) => c)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(seen[0]?.[1]).toBeCloseTo(50, 2);
    expect(seen[1]?.[1]).toBeCloseTo(18.75, 2);
    expect(seen[2]?.[1]).toBeCloseTo(-0.05, 4);
  });

  it("continuous mode reads the running conversion; saturation is flagged, not hidden", () => {
    let v = 0.3;
    const { board, model, I2C } = rig([() => v]);
    const adc = new ADS1115({
      sensor: { io: I2C },
      configure: {
        channels: [{ mux: Mux.AIN0, fullScaleVolts: 0.512, calibration: coCal }],
        mode: "continuous",
        dataRateSps: 860,
      },
    });
    expect(model.config & 0x0100).toBe(0);
    board.clock.advance(2);
    expect(adc.sample()?.volts).toBeCloseTo(0.3, 4);
    v = 3;
    board.clock.advance(2);
    const s = adc.sample();
    expect(s?.code).toBe(0x7fff);
    expect(s?.saturated).toBe(true);
  });

  it("a conversion read too early is not a fault once, a stuck conversion is NoAnswer", () => {
    const { board, I2C } = rig();
    const adc = new ADS1115({ sensor: { io: I2C }, configure: { dataRateSps: 8 } });
    board.clock.advance(10);
    expect(adc.sample()).toBeUndefined();
    expect(adc.fault).toBe(SensorFault.None);
    expect(adc.sample()).toBeUndefined();
    expect(adc.fault).toBe(SensorFault.NoAnswer);
  });

  it("every injected fault becomes the right sensor fault, and the driver recovers", () => {
    const { board, model, I2C } = rig([() => 0.5]);
    const adc = new ADS1115({
      sensor: { io: I2C },
      configure: { channels: [{ mux: Mux.AIN0, fullScaleVolts: 2.048, calibration: coCal }] },
    });
    const tick = () => {
      board.clock.advance(20);
      return adc.sample();
    };
    expect(tick()?.value).toBeCloseTo(50, 1);

    model.inject({ kind: "nack" });
    expect(tick()).toBeUndefined();
    expect(adc.fault).toBe(SensorFault.NoAnswer);
    model.inject(undefined);
    expect(tick()).toBeUndefined(); // restarts the conversion lost during the outage
    expect(adc.fault).toBe(SensorFault.NoAnswer);
    expect(tick()?.value).toBeCloseTo(50, 1);
    expect(adc.fault).toBe(SensorFault.None);

    model.inject({ kind: "all-ff" });
    expect(tick()).toBeUndefined();
    expect(adc.fault).toBe(SensorFault.Garbage);
    model.inject({ kind: "stuck", byte: 0x5a });
    expect(tick()).toBeUndefined();
    expect(adc.fault).toBe(SensorFault.Garbage);
    model.inject(undefined);
    tick();
    expect(tick()?.value).toBeCloseTo(50, 1);

    model.powerGlitch();
    expect(model.config).toBe(0x8583);
    expect(tick()).toBeUndefined();
    expect(adc.fault).toBe(SensorFault.Reset);
    expect(adc.resets).toBe(1);
    expect(model.config & 0x7fff).not.toBe(0x0583); // re-configured
    expect(tick()?.value).toBeCloseTo(50, 1);
    expect(adc.fault).toBe(SensorFault.None);
  });

  it("constructor: no chip, or a chip that does not keep the threshold pattern, throws and closes the bus", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(2));
    let closed = 0;
    const Base = makeI2C(board);
    const I2C = class extends Base {
      override close(): void {
        closed++;
        super.close();
      }
    };
    expect(() => new ADS1115({ sensor: { io: I2C } })).toThrow(/no answer/);
    expect(closed).toBe(1);
    const model = new Ads1115Model(board, { inputs: [] });
    model.inject({ kind: "all-ff" });
    let err: unknown;
    try {
      new ADS1115({ sensor: { io: I2C } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DriverError);
    expect((err as DriverError).code).toBe("ads1115-identity");
    expect((err as DriverError).value).toBe("0xffff/0xffff");
    expect(closed).toBe(2);
  });

  it("bad configuration is refused with the offending value", () => {
    const { I2C } = rig();
    const adc = new ADS1115({ sensor: { io: I2C } });
    const code = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        return `${(e as DriverError).code}:${String((e as DriverError).value)}`;
      }
      return "no error";
    };
    expect(code(() => adc.configure({ dataRateSps: 100 }))).toBe("ads1115-data-rate:100");
    expect(
      code(() => adc.configure({ channels: [{ mux: 9, fullScaleVolts: 2.048, calibration: coCal }] })),
    ).toBe("ads1115-mux:9");
    expect(code(() => adc.configure({ channels: [{ mux: 0, fullScaleVolts: 3, calibration: coCal }] }))).toBe(
      "ads1115-gain:3",
    );
    expect(
      code(() =>
        adc.configure({
          channels: [
            { mux: 0, fullScaleVolts: 2.048, calibration: { zeroVolts: 1, spanVolts: 1, spanValue: 5 } },
          ],
        }),
      ),
    ).toMatch(/^ads1115-calibration/);
  });

  it("ALERT/RDY in conversion-ready mode calls onSample when a conversion ends (host Digital class)", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(3));
    new Ads1115Model(board, { inputs: [() => 1], alertPin: 17 });
    const times: number[] = [];
    const values: number[] = [];
    const adc = new ADS1115({
      sensor: { io: makeI2C(board) },
      alert: { io: makeDigital(board), pin: 17 },
      onSample: () => {
        times.push(board.clock.now());
        values.push(adc.sample()?.volts ?? Number.NaN);
      },
      configure: { dataRateSps: 250 },
    });
    board.clock.advance(20);
    expect(times).toEqual([4, 8, 12, 16, 20]);
    expect(values.every((v) => Math.abs(v - 1) < 1e-4)).toBe(true);
    adc.close();
  });

  it("a recorded CO trace replayed through model and driver comes back to the chip's resolution", () => {
    // Trace: a seeded random walk of CO ppm, one point per second (stands in for a field recording).
    const prng = new Prng(42);
    const ppm: number[] = [];
    let x = 5;
    for (let i = 0; i < 300; i++) {
      x = Math.max(0, x + prng.gaussian(0, 3));
      ppm.push(x);
    }
    const toVolts = (p: number): number =>
      coCal.zeroVolts + (p / coCal.spanValue) * (coCal.spanVolts - coCal.zeroVolts);
    // The model's input follows the trace, step-held per second.
    const { board, I2C } = rig([(t) => toVolts(ppm[Math.min(ppm.length - 1, Math.floor(t / 1000))] ?? 0)]);
    const adc = new ADS1115({
      sensor: { io: I2C },
      configure: {
        channels: [{ mux: Mux.AIN0, fullScaleVolts: 4.096, calibration: coCal }],
        dataRateSps: 128,
      },
    });
    const resolutionPpm = (4.096 / 32768) * (coCal.spanValue / (coCal.spanVolts - coCal.zeroVolts));
    const out: number[] = [];
    for (let i = 1; i < ppm.length; i++) {
      board.clock.runUntil(i * 1000 + 500);
      const s = adc.sample(); // value converted during the previous second's hold
      if (!s) throw new Error(`sample ${i} fault ${adc.fault}`);
      out.push(s.value);
    }
    // The conversion read at i s + 500 ms was started at (i-1) s + 500 ms: it carries trace point i-1.
    const worst = Math.max(...out.map((v, i) => Math.abs(v - (ppm[i] as number))));
    expect(worst).toBeLessThanOrEqual(resolutionPpm / 2 + 1e-9);
  });
});
