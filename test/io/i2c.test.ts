import { describe, expect, it } from "vitest";
import { type I2CTarget, SimBoard } from "../../host-sim/board.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { applyI2CReadFault, I2CError, makeI2C } from "../../host-sim/io/i2c.js";
import { Prng } from "../../host-sim/prng.js";

/** A one-register target: write [value] stores it, reads return it, `ack` false NACKs everything. */
class Register implements I2CTarget {
  value = 0;
  ack = true;
  log: string[] = [];
  write(bytes: Uint8Array, stop: boolean): boolean {
    this.log.push(`W${Array.from(bytes)}${stop ? "P" : ""}`);
    if (bytes.length) this.value = bytes[0] as number;
    return this.ack;
  }
  read(into: Uint8Array, stop: boolean): boolean {
    this.log.push(`R${into.length}${stop ? "P" : ""}`);
    into.fill(this.value);
    return this.ack;
  }
}

function rig() {
  const board = new SimBoard(new VirtualClock(), new Prng(1));
  const reg = new Register();
  board.attachI2C(1, 0x20, reg);
  return { board, reg, I2C: makeI2C(board) };
}

describe("host I2C (ECMA-419) against a bus target", () => {
  it("passes bytes and the stop flag to the target; read(count) and read(buffer)", () => {
    const { reg, I2C } = rig();
    const i2c = new I2C({ address: 0x20, hz: 400_000, port: 1 });
    i2c.write(Uint8Array.of(0x42), false);
    expect(Array.from(new Uint8Array(i2c.read(3) as ArrayBuffer))).toEqual([0x42, 0x42, 0x42]);
    const buf = new Uint8Array(2);
    expect(i2c.read(buf, false)).toBeUndefined();
    expect(Array.from(buf)).toEqual([0x42, 0x42]);
    i2c.write(new Uint8Array([7]).buffer);
    expect(reg.log).toEqual(["W66", "R3P", "R2", "W7P"]);
    expect(i2c.format).toBe("buffer");
  });

  it("a NACK or a missing chip throws an I2CError naming the address", () => {
    const { reg, I2C } = rig();
    const absent = new I2C({ address: 0x21, hz: 100_000, port: 1 });
    let err: unknown;
    try {
      absent.write(Uint8Array.of(1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(I2CError);
    expect((err as I2CError).code).toBe("i2c-nack");
    expect((err as I2CError).value).toBe(0x21);
    const i2c = new I2C({ address: 0x20, hz: 100_000, port: 1 });
    reg.ack = false;
    expect(() => i2c.read(1)).toThrow(/read to 0x20 on port 1 not acknowledged/);
    i2c.close();
    expect(() => i2c.write(Uint8Array.of(1))).toThrow(/closed/);
  });

  it("bad options name the offending value", () => {
    const { I2C } = rig();
    expect(() => new I2C({ address: 0x80, hz: 1 })).toThrow(/0..127, got 128/);
    expect(() => new I2C({ address: 0x20, hz: 0 })).toThrow(/hz must be a finite number > 0, got 0/);
    expect(() => new I2C({ address: 0x20, hz: 1, port: 1.5 })).toThrow(/port .* got 1.5/);
  });

  it("read faults: NACK, stuck byte, all 0xFF", () => {
    const b = Uint8Array.of(1, 2, 3);
    expect(applyI2CReadFault(undefined, b)).toBe(true);
    expect(Array.from(b)).toEqual([1, 2, 3]);
    expect(applyI2CReadFault({ kind: "nack" }, b)).toBe(false);
    expect(applyI2CReadFault({ kind: "stuck", byte: 0x5a }, b)).toBe(true);
    expect(Array.from(b)).toEqual([0x5a, 0x5a, 0x5a]);
    expect(applyI2CReadFault({ kind: "all-ff" }, b)).toBe(true);
    expect(Array.from(b)).toEqual([0xff, 0xff, 0xff]);
  });
});
