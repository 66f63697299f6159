import { describe, expect, it } from "vitest";
import { SensorFault } from "../../firmware/drivers/faults.js";
import { type DriverError, SHT3x, sht3xCrc8 } from "../../firmware/drivers/sht3x.js";
import { SimBoard } from "../../host-sim/board.js";
import { Sht3xModel, sht3xCrc } from "../../host-sim/chips/sht3x.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { type I2COptions, makeI2C } from "../../host-sim/io/i2c.js";
import { Prng } from "../../host-sim/prng.js";

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

function rig(
  temperatureC: (t: number) => number = () => 21.5,
  humidityPct: (t: number) => number = () => 63,
) {
  const board = new SimBoard(new VirtualClock(), new Prng(7));
  const model = new Sht3xModel(board, { temperatureC, humidityPct });
  const log: string[] = [];
  const Base = makeI2C(board);
  const I2C = class extends Base {
    constructor(o: I2COptions) {
      super(o);
    }
    override write(buffer: Uint8Array, stop = true): void {
      super.write(buffer, stop);
      log.push(`W ${hex(buffer)}`);
    }
    override read(buffer: number | Uint8Array, stop = true): ArrayBuffer | undefined {
      try {
        const r = super.read(buffer, stop);
        log.push(`R ${hex(buffer as Uint8Array)}`);
        return r;
      } catch (e) {
        log.push("R nack");
        throw e;
      }
    }
  };
  return { board, model, log, I2C };
}

describe("SHT3x driver against the command model", () => {
  it("CRC-8 matches the datasheet example (4.12: 0xBEEF -> 0x92), driver and model alike", () => {
    expect(sht3xCrc8(0xbe, 0xef)).toBe(0x92);
    expect(sht3xCrc(0xbe, 0xef)).toBe(0x92);
  });

  it("identity, status clear, heater and the first measurement reach the chip", () => {
    const { log, I2C } = rig();
    const sht = new SHT3x({ sensor: { io: I2C }, configure: { repeatability: "medium" } });
    expect(log).toEqual([
      "W f3 2d", // read status
      "R 80 10 e1", // power-on status: alert pending + reset detected, CRC 0xE1
      "W 30 41", // clear status
      "W 30 66", // heater off
      "W 24 0b", // single shot, medium repeatability, no clock stretching
    ]);
    expect(sht.measurementMs).toBe(6);
  });

  it("returns temperature and humidity to the chip's 16-bit resolution", () => {
    const { board, log, I2C } = rig(
      () => 21.5,
      () => 63,
    );
    const sht = new SHT3x({ sensor: { io: I2C } });
    board.clock.advance(20);
    log.length = 0;
    const s = sht.sample();
    expect(s).toBeDefined();
    expect(Math.abs((s?.temperatureC ?? 0) - 21.5)).toBeLessThanOrEqual(175 / 65535 / 2);
    expect(Math.abs((s?.humidityPct ?? 0) - 63)).toBeLessThanOrEqual(100 / 65535 / 2);
    expect(sht.fault).toBe(SensorFault.None);
    expect(log[0]).toMatch(/^R [0-9a-f]{2}( [0-9a-f]{2}){5}$/); // result, read header only
    expect(log.slice(1)).toEqual(["W f3 2d", "R 00 00 81", "W 24 00"]);
  });

  it("a sample taken before the measurement ends is NoAnswer, then the driver recovers", () => {
    const { board, I2C } = rig();
    const sht = new SHT3x({ sensor: { io: I2C } });
    board.clock.advance(5); // high repeatability takes up to 15 ms
    expect(sht.sample()).toBeUndefined();
    expect(sht.fault).toBe(SensorFault.NoAnswer);
    board.clock.advance(20);
    expect(sht.sample()?.temperatureC).toBeCloseTo(21.5, 2);
  });

  it("every injected fault becomes the right sensor fault", () => {
    const { board, model, I2C } = rig();
    const sht = new SHT3x({ sensor: { io: I2C } });
    const tick = () => {
      board.clock.advance(1000);
      return sht.sample();
    };
    expect(tick()?.humidityPct).toBeCloseTo(63, 2);

    model.inject({ kind: "nack" });
    expect(tick()).toBeUndefined();
    expect(sht.fault).toBe(SensorFault.NoAnswer);
    model.inject(undefined);
    expect(tick()).toBeUndefined(); // the measurement was lost with the bus; restarted
    expect(tick()?.humidityPct).toBeCloseTo(63, 2);

    model.inject({ kind: "all-ff" });
    expect(tick()).toBeUndefined();
    expect(sht.fault).toBe(SensorFault.Garbage);
    model.inject({ kind: "stuck", byte: 0x66 });
    expect(tick()).toBeUndefined();
    expect(sht.fault).toBe(SensorFault.Garbage);
    model.inject(undefined);
    tick();
    expect(tick()?.humidityPct).toBeCloseTo(63, 2);

    model.corruptCrc = true;
    tick();
    expect(tick()).toBeUndefined();
    expect(sht.fault).toBe(SensorFault.Checksum);
    model.corruptCrc = false;
    tick();
    expect(tick()?.temperatureC).toBeCloseTo(21.5, 2);

    sht.configure({ heater: true });
    tick();
    model.powerGlitch();
    expect(model.status & 0x2000).toBe(0);
    expect(tick()).toBeUndefined();
    expect(sht.fault).toBe(SensorFault.Reset);
    expect(sht.resets).toBe(1);
    expect(model.status & 0x2010).toBe(0x2000); // heater restored, reset flag cleared
    expect(tick()?.temperatureC).toBeCloseTo(21.5, 2);
    expect(sht.fault).toBe(SensorFault.None);
  });

  it("constructor: no chip or a bus of 0xFF throws a coded error and closes the bus", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(8));
    let closed = 0;
    const Base = makeI2C(board);
    const I2C = class extends Base {
      override close(): void {
        closed++;
        super.close();
      }
    };
    expect(() => new SHT3x({ sensor: { io: I2C } })).toThrow(/no answer/);
    const model = new Sht3xModel(board, { temperatureC: () => 0, humidityPct: () => 0 });
    model.inject({ kind: "all-ff" });
    let err: DriverError | undefined;
    try {
      new SHT3x({ sensor: { io: I2C } });
    } catch (e) {
      err = e as DriverError;
    }
    expect(err?.code).toBe("sht3x-identity");
    expect(err?.value).toBe("ff ff ff");
    expect(closed).toBe(2);
    expect(() => new SHT3x({ sensor: { io: I2C, address: 0x40 } })).toThrow(/0x44 or 0x45, got 64/);
  });

  it("bad configuration names the offending value", () => {
    const { I2C } = rig();
    const sht = new SHT3x({ sensor: { io: I2C } });
    expect(() => sht.configure({ repeatability: "ultra" as "high" })).toThrow(/got ultra/);
  });

  it("a recorded temperature / humidity trace replays to the chip's resolution", () => {
    const prng = new Prng(99);
    const temps: number[] = [];
    const hums: number[] = [];
    let t = 18;
    let h = 80;
    for (let i = 0; i < 200; i++) {
      t += prng.gaussian(0, 0.2);
      h = Math.min(100, Math.max(0, h + prng.gaussian(0, 1)));
      temps.push(t);
      hums.push(h);
    }
    const at = (xs: number[]) => (ms: number) => xs[Math.min(xs.length - 1, Math.floor(ms / 1000))] as number;
    const { board, I2C } = rig(at(temps), at(hums));
    const sht = new SHT3x({ sensor: { io: I2C }, configure: { repeatability: "low" } });
    let worstT = 0;
    let worstH = 0;
    for (let i = 1; i < temps.length; i++) {
      board.clock.runUntil(i * 1000 + 500);
      const s = sht.sample();
      if (!s) throw new Error(`sample ${i}: fault ${sht.fault}`);
      worstT = Math.max(worstT, Math.abs(s.temperatureC - (temps[i - 1] as number)));
      worstH = Math.max(worstH, Math.abs(s.humidityPct - (hums[i - 1] as number)));
    }
    expect(worstT).toBeLessThanOrEqual(175 / 65535 / 2 + 1e-9);
    expect(worstH).toBeLessThanOrEqual(100 / 65535 / 2 + 1e-9);
  });
});
