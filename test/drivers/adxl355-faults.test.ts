import { describe, expect, it } from "vitest";
import { ADXL355 } from "../../firmware/drivers/adxl355.js";
import { DriverError, SensorFault } from "../../firmware/drivers/faults.js";
import { SimBoard } from "../../host-sim/board.js";
import { type Adxl355Fault, Adxl355Model } from "../../host-sim/chips/adxl355.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeSPI, SpiProbe } from "../../host-sim/io/spi.js";
import { Prng } from "../../host-sim/prng.js";

const SELECT = 5;
const PINS = { port: 1, clock: 18, in: 19, out: 23 };

function boardWithChip(fault?: Adxl355Fault) {
  const board = new SimBoard(new VirtualClock(), new Prng(4));
  // A live sensor: a 37 Hz tone plus chip noise, so consecutive samples differ as on a real ADXL355.
  const model = new Adxl355Model(board, {
    source: (t, out) => out.fill(0.2 * Math.sin(2 * Math.PI * 0.037 * t)),
    noiseUgPerRtHz: 22.5,
  });
  if (fault) model.setFault(fault);
  const probe = new SpiProbe(model);
  board.attachSPI(1, SELECT, probe);
  return { board, model, probe, SPI: makeSPI(board) };
}

function running(stuckLimit?: number) {
  const r = boardWithChip();
  const driver = new ADXL355({
    sensor: { io: r.SPI, select: SELECT, ...PINS },
    ...(stuckLimit === undefined ? {} : { stuckLimit }),
  });
  r.board.clock.advance(10);
  expect(driver.sample()).toBe(10);
  return { ...r, driver };
}

function constructError(fn: () => unknown): DriverError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DriverError);
    return e as DriverError;
  }
  throw new Error("expected the constructor to throw");
}

describe("ADXL355 driver: faults at open", () => {
  it("no chip on the select pin (MISO floats high): no-answer, bus closed", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(1));
    const SPI = makeSPI(board);
    const e = constructError(() => new ADXL355({ sensor: { io: SPI, select: 9, ...PINS } }));
    expect(e.code).toBe("no-answer");
    expect(e.value).toBe("ff ff");
    // The failed constructor closed its SPI instance: the select pin can be opened again.
    new SPI({ ...PINS, select: 9, hz: 1e6 }).close();
  });

  it.each([
    [{ kind: "no-answer" } as Adxl355Fault, "no-answer", "00 00"],
    [{ kind: "all-ff" } as Adxl355Fault, "no-answer", "ff ff"],
    [{ kind: "stuck-byte", value: 0xa5 } as Adxl355Fault, "bad-identity", "a5 a5"],
  ])("%j at open -> %s", (fault, code, value) => {
    const { SPI, probe } = boardWithChip(fault);
    const e = constructError(() => new ADXL355({ sensor: { io: SPI, select: SELECT, ...PINS } }));
    expect(e.code).toBe(code);
    expect(e.value).toBe(value);
    expect(probe.transactions).toHaveLength(1); // gave up after the identity read, wrote nothing
  });

  it("another part of the family (PARTID 0xE9, ADXL359): bad-identity naming the value", () => {
    const { SPI, model } = boardWithChip();
    model.regs[0x02] = 0xe9;
    const e = constructError(() => new ADXL355({ sensor: { io: SPI, select: SELECT, ...PINS } }));
    expect(e.code).toBe("bad-identity");
    expect(e.value).toBe(0xe9);
    expect(e.message).toContain("0xe9");
  });
});

describe("ADXL355 driver: faults while running", () => {
  it.each([
    [{ kind: "no-answer" } as Adxl355Fault, SensorFault.NoAnswer],
    [{ kind: "all-ff" } as Adxl355Fault, SensorFault.NoAnswer],
    [{ kind: "stuck-byte", value: 0x3c } as Adxl355Fault, SensorFault.Garbage],
  ])("%j -> fault %i, never a reading; cleared by the next good sample", (fault, code) => {
    const { board, model, driver } = running();
    model.setFault(fault);
    board.clock.advance(5);
    expect(driver.sample()).toBeUndefined();
    expect(driver.fault).toBe(code);
    model.setFault({ kind: "none" });
    board.clock.advance(5);
    expect(driver.sample()).toBe(10);
    expect(driver.fault).toBe(SensorFault.None);
  });

  it("FIFO overflow when the driver reads too late: Overflow, counted; the stream resumes", () => {
    const { board, model, driver } = running();
    board.clock.advance(50); // 50 sets into a 32-set FIFO
    expect(model.samplesDropped).toBe(18);
    expect(driver.sample()).toBeUndefined();
    expect(driver.fault).toBe(SensorFault.Overflow);
    expect(driver.overflows).toBe(1);
    board.clock.advance(20);
    expect(driver.sample()).toBe(20);
    expect(driver.fault).toBe(SensorFault.None);
  });

  it("power-glitch reset: Reset reported, the chip re-programmed, samples flow again", () => {
    const { board, model, driver, probe } = running();
    model.powerGlitch();
    expect(model.measuring).toBe(false);
    probe.clear();
    board.clock.advance(5);
    expect(driver.sample()).toBeUndefined();
    expect(driver.fault).toBe(SensorFault.Reset);
    expect(driver.resets).toBe(1);
    // The recovery wrote the configuration again: POWER_CTL standby ... POWER_CTL measure.
    const writes = probe.mosi().filter((t) => t.length === 2 && (t[0]! & 1) === 0);
    expect(writes[0]).toEqual([0x5a, 0x01]);
    expect(writes.at(-1)).toEqual([0x5a, 0x00]);
    expect(model.measuring).toBe(true);
    expect(model.regs[0x28]).toBe(0x02);
    board.clock.advance(5);
    expect(driver.sample()).toBe(5);
    expect(driver.fault).toBe(SensorFault.None);
  });

  it("frozen output data: Garbage once the run of identical readings reaches stuckLimit", () => {
    const { board, model, driver } = running(100);
    model.setFault({ kind: "frozen-data" });
    board.clock.advance(30);
    expect(driver.sample()).toBe(30);
    board.clock.advance(30);
    expect(driver.sample()).toBe(30);
    board.clock.advance(30);
    expect(driver.sample()).toBe(30);
    board.clock.advance(30);
    expect(driver.sample()).toBeUndefined(); // 120 identical readings >= 100
    expect(driver.fault).toBe(SensorFault.Garbage);
    model.setFault({ kind: "none" });
    board.clock.advance(10);
    expect(driver.sample()).toBe(10);
    expect(driver.fault).toBe(SensorFault.None);
  });

  it("a misaligned FIFO (an entry lost on the bus) is Garbage, then realigned", () => {
    const { board, driver, probe } = running();
    board.clock.advance(6);
    // Steal one byte-triple from the FIFO behind the driver's back, as a glitched read would.
    const SPIraw = probe as unknown as { select(): void; transfer(d: Uint8Array): void; deselect(): void };
    SPIraw.select();
    SPIraw.transfer(Uint8Array.of(0x23, 0, 0, 0));
    SPIraw.deselect();
    expect(driver.sample()).toBeUndefined();
    expect(driver.fault).toBe(SensorFault.Garbage);
    board.clock.advance(4);
    expect(driver.sample()).toBe(4);
    expect(driver.fault).toBe(SensorFault.None);
  });
});
