import { describe, expect, it } from "vitest";
import { ADXL355 } from "../../firmware/drivers/adxl355.js";
import { SensorFault } from "../../firmware/drivers/faults.js";
import { type I2CTarget, type SerialLine, type SerialPeer, SimBoard } from "../../host-sim/board.js";
import { Adxl355Model } from "../../host-sim/chips/adxl355.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { DEFAULT_PINS, makeDevice } from "../../host-sim/device.js";
import type { IoError } from "../../host-sim/io/spi.js";
import { Prng } from "../../host-sim/prng.js";

describe("host device provider (Moddable embedded:provider/builtin shape)", () => {
  it("has io classes, bus defaults that carry their io class, and named pins", () => {
    const device = makeDevice(new SimBoard(new VirtualClock(), new Prng(1)));
    expect(Object.keys(device.io).sort()).toEqual(["Digital", "I2C", "SPI", "Serial"]);
    expect(device.SPI.default.io).toBe(device.io.SPI);
    expect(device.I2C.default.io).toBe(device.io.I2C);
    expect(device.Serial.default.io).toBe(device.io.Serial);
    expect(device.SPI.default).toMatchObject({ clock: 18, in: 19, out: 23 });
    expect(device.I2C.default).toMatchObject({ data: 21, clock: 22 });
    expect(device.pin.accelSelect).toBe(DEFAULT_PINS.accelSelect);
    expect(Object.isFrozen(device.pin)).toBe(true);
  });

  it("runs the ADXL355 driver the way firmware/main.ts wires it: { ...device.SPI.default, select }", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(2));
    const device = makeDevice(board, { accelInt1: 35 });
    const model = new Adxl355Model(board, {
      source: (t, out) => out.fill(t / 1000),
      int1Pin: device.pin.accelInt1,
    });
    board.attachSPI(device.SPI.default.port, device.pin.accelSelect, model);
    let interrupts = 0;
    const accel = new ADXL355({
      sensor: { ...device.SPI.default, select: device.pin.accelSelect },
      interrupt: { io: device.io.Digital, pin: device.pin.accelInt1 },
      fifoWatermark: 10,
      onSample() {
        interrupts++;
        expect(this.sample()).toBe(10);
      },
    });
    board.clock.advance(100);
    expect(interrupts).toBe(10);
    expect(accel.fault).toBe(SensorFault.None);
    accel.close();
  });

  it("the I2C and Serial defaults open against chips attached at their port", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(3));
    const device = makeDevice(board);
    const regs = Uint8Array.of(0x12, 0x34);
    const chip: I2CTarget = {
      write: () => true,
      read: (into) => {
        into.set(regs.subarray(0, into.length));
        return true;
      },
    };
    board.attachI2C(device.I2C.default.port, 0x48, chip);
    const i2c = new device.io.I2C({ ...device.I2C.default, address: 0x48, hz: 400_000 });
    expect(Array.from(new Uint8Array(i2c.read(2) as ArrayBuffer))).toEqual([0x12, 0x34]);
    let connected: SerialLine | undefined;
    const peer: SerialPeer = { connect: (line) => (connected = line), receive: () => {} };
    board.attachSerial(device.Serial.default.port, peer);
    const uart = new device.io.Serial({ ...device.Serial.default, baud: 9600 });
    expect(connected?.baud).toBe(9600);
    uart.close();
  });

  it("rejects bad or clashing pins naming them", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(4));
    expect(() => makeDevice(board, { accelSelect: -3 })).toThrow(
      /accelSelect must be a GPIO number >= 0, got -3/,
    );
    try {
      makeDevice(board, { accelInt1: 18 });
      expect.unreachable();
    } catch (e) {
      expect((e as IoError).code).toBe("bad-option");
      expect((e as IoError).value).toBe(18);
      expect((e as Error).message).toMatch(/GPIO 18 is assigned to both spiClock and accelInt1/);
    }
  });
});
