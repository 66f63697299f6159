import { describe, expect, it } from "vitest";
import {
  ADXL355,
  type Adxl355Config,
  HPF_CORNER_PER_ODR,
  STANDARD_GRAVITY_MPERS2,
} from "../../firmware/drivers/adxl355.js";
import { DriverError, SensorFault } from "../../firmware/drivers/faults.js";
import { SimBoard } from "../../host-sim/board.js";
import { type AccelSource, Adxl355Model } from "../../host-sim/chips/adxl355.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeDigital } from "../../host-sim/io/digital.js";
import { makeSPI, SpiProbe } from "../../host-sim/io/spi.js";
import { Prng } from "../../host-sim/prng.js";

const SELECT = 5;
const INT1 = 4;
const PINS = { port: 1, clock: 18, in: 19, out: 23 };

function rig(source: AccelSource, config: Adxl355Config = {}, withInterrupt = false) {
  const board = new SimBoard(new VirtualClock(), new Prng(355));
  const model = new Adxl355Model(board, { source, int1Pin: INT1 });
  const probe = new SpiProbe(model);
  board.attachSPI(1, SELECT, probe);
  const SPI = makeSPI(board);
  const Digital = makeDigital(board);
  const calls: number[] = [];
  const driver = new ADXL355({
    sensor: { io: SPI, select: SELECT, ...PINS },
    ...config,
    ...(withInterrupt
      ? {
          interrupt: { io: Digital, pin: INT1 },
          onSample() {
            calls.push(board.clock.now());
          },
        }
      : {}),
  });
  return { board, model, probe, driver, calls };
}

const constant =
  (x: number, y: number, z: number): AccelSource =>
  (_t, out) => {
    out[0] = x;
    out[1] = y;
    out[2] = z;
  };

describe("ADXL355 driver: bus transactions", () => {
  it("checks identity, soft-resets and programs the chip in standby, byte for byte", () => {
    const { probe } = rig(constant(0, 0, 9.8));
    expect(probe.mosi()).toEqual([
      [0x01, 0, 0], // read DEVID_AD, DEVID_MST
      [0x05, 0], // read PARTID
      [0x5e, 0x52], // RESET <- 0x52
      [0x5a, 0x01], // POWER_CTL <- standby
      [0x50, 0x02], // FILTER <- HPF off, ODR_LPF 2 (1000 Hz)
      [0x52, 48], // FIFO_SAMPLES <- 16 sets x 3 entries
      [0x54, 0x02], // INT_MAP <- FULL_EN1
      [0x56, 0x00], // SYNC <- internal clock
      [0x58, 0x41], // RANGE <- INT_POL active high, +-2 g
      [0x5a, 0x00], // POWER_CTL <- measure
      [0x51, 0, 0, 0, 0, 0, 0], // read back FILTER..POWER_CTL
    ]);
    expect(probe.transactions[0]!.miso).toEqual([0, 0xad, 0x1d]);
    expect(probe.transactions[1]!.miso).toEqual([0, 0xed]);
    expect(probe.transactions.at(-1)!.miso).toEqual([0, 0x02, 48, 0x02, 0x00, 0x41, 0x00]);
  });

  it("configure() reaches the registers: range, ODR, high-pass corner, watermark", () => {
    const { probe, model, driver } = rig(constant(0, 0, 0));
    probe.clear();
    driver.configure({ range: 8, odrHz: 4000, hpfCorner: 3, fifoWatermark: 32 });
    expect(probe.mosi().slice(0, 7)).toEqual([
      [0x5a, 0x01],
      [0x50, 0x30],
      [0x52, 96],
      [0x54, 0x02],
      [0x56, 0x00],
      [0x58, 0x43],
      [0x5a, 0x00],
    ]);
    expect(model.regs[0x28]).toBe(0x30);
    expect(model.regs[0x29]).toBe(96);
    expect(model.regs[0x2c]).toBe(0x43);
    expect(model.odrHz).toBe(4000);
    expect(model.measuring).toBe(true);
    expect(driver.hpfCornerHz).toBeCloseTo(4000 * HPF_CORNER_PER_ODR[3]!, 12);
    expect(driver.config).toEqual({ range: 8, odrHz: 4000, hpfCorner: 3, fifoWatermark: 32 });
  });

  it("rejects bad options with a code and the value, before touching the bus", () => {
    const { probe, driver } = rig(constant(0, 0, 0));
    probe.clear();
    const cases: [Adxl355Config, unknown][] = [
      [{ range: 16 as 2 }, 16],
      [{ odrHz: 1200 }, 1200],
      [{ hpfCorner: 7 }, 7],
      [{ fifoWatermark: 33 }, 33],
      [{ fifoWatermark: 0 }, 0],
    ];
    for (const [bad, value] of cases) {
      let err: unknown;
      try {
        driver.configure(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DriverError);
      expect((err as DriverError).code).toBe("bad-option");
      expect((err as DriverError).value).toBe(value);
      expect((err as Error).message).toContain(String(value));
    }
    expect(probe.transactions).toHaveLength(0);
    expect(driver.config.odrHz).toBe(1000);
  });

  it("rejects a missing bus class or select pin", () => {
    expect(() => new ADXL355({ sensor: { select: 5 } as never })).toThrow(/options.sensor.io/);
    const board = new SimBoard(new VirtualClock(), new Prng(1));
    expect(() => new ADXL355({ sensor: { io: makeSPI(board), ...PINS } as never })).toThrow(/select/);
  });
});

describe("ADXL355 driver: values", () => {
  const lsb2g = STANDARD_GRAVITY_MPERS2 / 256_000;

  it("converts FIFO samples to m/s^2 within half an LSB, x y z in order", () => {
    const { board, driver } = rig(constant(1.0, -2.5, 9.80665));
    board.clock.advance(10);
    expect(driver.sample()).toBe(10);
    expect(driver.fault).toBe(SensorFault.None);
    for (let i = 0; i < 10; i++) {
      expect(Math.abs(driver.accelMPerS2[3 * i]! - 1.0)).toBeLessThanOrEqual(lsb2g / 2);
      expect(Math.abs(driver.accelMPerS2[3 * i + 1]! + 2.5)).toBeLessThanOrEqual(lsb2g / 2);
      expect(Math.abs(driver.accelMPerS2[3 * i + 2]! - 9.80665)).toBeLessThanOrEqual(lsb2g / 2);
    }
    expect(driver.sample()).toBe(0);
  });

  it("scales with the range and saturates at full scale", () => {
    const { board, driver } = rig(constant(30, -90, 0.123), { range: 8 });
    board.clock.advance(3);
    expect(driver.sample()).toBe(3);
    const lsb8g = STANDARD_GRAVITY_MPERS2 / 64_000;
    expect(Math.abs(driver.accelMPerS2[0]! - 30)).toBeLessThanOrEqual(lsb8g / 2);
    // -90 m/s^2 is beyond 8.192 g (2^19 LSB / 64,000 LSB/g): the 20-bit output clamps at -2^19 LSB.
    expect(driver.accelMPerS2[1]).toBeCloseTo(-524288 * lsb8g, 9);
    expect(Math.abs(driver.accelMPerS2[2]! - 0.123)).toBeLessThanOrEqual(lsb8g / 2);
  });

  it("reads only whole x/y/z sets and at most the 32 sets the FIFO holds", () => {
    const { board, driver } = rig(constant(0.5, 0.5, 0.5), { odrHz: 4000 });
    board.clock.advance(5); // 20 sets at 4 kHz
    expect(driver.sample()).toBe(20);
    board.clock.advance(7.5); // 30 sets
    expect(driver.sample()).toBe(30);
  });
});

describe("ADXL355 driver: FIFO interrupt on INT1", () => {
  it("calls onSample on the virtual clock when the FIFO reaches the watermark", () => {
    const { board, driver, calls } = rig(constant(0, 0, 1), { fifoWatermark: 8 }, true);
    board.clock.advance(7.5);
    expect(calls).toEqual([]);
    board.clock.advance(1);
    expect(calls).toEqual([8]);
    expect(driver.sample()).toBe(8);
  });

  it("keeps up for a second at 1 kHz when sample() runs from onSample: every sample, no fault", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(9));
    const model = new Adxl355Model(board, { source: (t, out) => out.fill(Math.sin(t / 10)), int1Pin: INT1 });
    board.attachSPI(1, SELECT, model);
    let total = 0;
    const faults: number[] = [];
    const driver = new ADXL355({
      sensor: { io: makeSPI(board), select: SELECT, ...PINS },
      interrupt: { io: makeDigital(board), pin: INT1 },
      fifoWatermark: 16,
      onSample() {
        const n = this.sample();
        if (n === undefined) faults.push(this.fault);
        else total += n;
      },
    });
    board.clock.advance(1000);
    expect(faults).toEqual([]);
    expect(total).toBe(992); // 62 interrupts x 16; the last 8 samples wait in the FIFO
    expect(model.samplesProduced).toBe(1000);
    expect(driver.sample()).toBe(8);
  });

  it("after a bus outage INT1 stays high (no new edge): a watchdog sample() resumes the stream", () => {
    const { board, model, driver, calls } = rig(constant(0, 0, 1), { fifoWatermark: 4 }, true);
    model.setFault({ kind: "no-answer" });
    board.clock.advance(4);
    expect(calls).toHaveLength(1);
    expect(driver.sample()).toBeUndefined();
    expect(driver.fault).toBe(SensorFault.NoAnswer);
    model.setFault({ kind: "none" });
    board.clock.advance(20);
    expect(calls).toHaveLength(1); // the level never fell, so no edge: the interrupt alone would stall here
    expect(driver.sample()).toBe(24); // the watchdog's read; 24 sets fit the 32-set FIFO
    board.clock.advance(4);
    expect(calls).toHaveLength(2); // edges again
  });

  it("close() releases the bus and the interrupt pin", () => {
    const { board, driver } = rig(constant(0, 0, 0), {}, true);
    driver.close();
    expect(() => driver.sample()).toThrow(/closed/);
    // Both pins are free again: a new instance can open them.
    const again = new ADXL355({
      sensor: { io: makeSPI(board), select: SELECT, ...PINS },
      interrupt: { io: makeDigital(board), pin: INT1 },
    });
    again.close();
  });
});
