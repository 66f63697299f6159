import { describe, expect, it } from "vitest";
import {
  FlashModel,
  FlashModelError,
  isPowerLost,
  PowerLostError,
  type TearMode,
} from "../../host-sim/flash.js";

function bytes(...b: number[]): ArrayBuffer {
  return new Uint8Array(b).buffer;
}

function codeOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return (e as { code?: unknown }).code;
  }
  return "no error";
}

describe("flash model (NOR semantics)", () => {
  it("starts erased, erase sets a whole block to 0xFF, read returns a fresh ArrayBuffer", () => {
    const f = new FlashModel({ byteLength: 256, blockSize: 64 });
    expect([...f.peek()].every((b) => b === 0xff)).toBe(true);
    f.write(64, 4, bytes(1, 2, 3, 4));
    f.write(130, 2, bytes(0, 0));
    f.erase(1);
    expect([...f.peek(64, 64)].every((b) => b === 0xff)).toBe(true);
    expect([...f.peek(128, 4)]).toEqual([0xff, 0xff, 0, 0]);
    const a = f.read(128, 4);
    const b = f.read(128, 4);
    expect(a).toBeInstanceOf(ArrayBuffer);
    expect(a).not.toBe(b);
    expect(f.eraseCount).toBe(1);
    expect(f.writeCount).toBe(3);
  });

  it("a write can only clear bits: over programmed bytes it stores old AND new", () => {
    const f = new FlashModel({ byteLength: 64, blockSize: 64 });
    f.write(0, 2, bytes(0b1100_1100, 0x0f));
    f.write(0, 2, bytes(0b1010_1010, 0xf0));
    expect([...f.peek(0, 2)]).toEqual([0b1000_1000, 0x00]);
    expect(f.overwriteAttempts).toBe(1);
    f.write(0, 1, bytes(0)); // clearing more bits is fine
    expect(f.overwriteAttempts).toBe(1);
  });

  it("strict mode refuses a write that needs a 0 -> 1 transition and changes nothing", () => {
    const f = new FlashModel({ byteLength: 64, blockSize: 64, strict: true });
    f.write(8, 1, bytes(0x0f));
    let err: unknown;
    try {
      f.write(8, 1, bytes(0xf0));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlashModelError);
    expect((err as FlashModelError).code).toBe("not-erased");
    expect((err as FlashModelError).value).toBe(8);
    expect(f.peek(8, 1)[0]).toBe(0x0f);
    f.write(8, 1, bytes(0x0e));
    expect(f.peek(8, 1)[0]).toBe(0x0e);
  });

  it("writes from typed-array views use the view's bytes", () => {
    const f = new FlashModel({ byteLength: 64, blockSize: 64 });
    const big = new Uint8Array([9, 9, 1, 2, 3, 9]);
    f.write(0, 3, big.subarray(2, 5));
    expect([...f.peek(0, 4)]).toEqual([1, 2, 3, 0xff]);
  });

  it('a 0-byte write is refused as on the ESP32 (Error "invalid"), changes nothing and is not an operation', () => {
    const f = new FlashModel({ byteLength: 64, blockSize: 64 });
    let err: unknown;
    try {
      f.write(8, 0, bytes(1, 2));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlashModelError);
    expect((err as FlashModelError).code).toBe("empty-write");
    expect((err as Error).message).toMatch(/^invalid: flash write of 0 bytes at offset 8; .*byteLength <= 0/);
    expect(f.writeCount).toBe(0);
    expect([...f.peek()].every((b) => b === 0xff)).toBe(true);
    // At the very end of the region too (a 0-byte access there is otherwise in range).
    expect(codeOf(() => f.write(64, 0, new ArrayBuffer(0)))).toBe("empty-write");
  });

  it("bad geometry and out-of-range access are errors naming the value", () => {
    expect(codeOf(() => new FlashModel({ byteLength: 100, blockSize: 64 }))).toBe("bad-geometry");
    expect(codeOf(() => new FlashModel({ byteLength: 64, blockSize: 8 }))).toBe("bad-geometry");
    const f = new FlashModel({ byteLength: 128, blockSize: 64 });
    expect(codeOf(() => f.read(120, 16))).toBe("out-of-range");
    expect(codeOf(() => f.write(-1, 1, bytes(0)))).toBe("out-of-range");
    expect(codeOf(() => f.write(0, 4, bytes(0)))).toBe("bad-buffer");
    expect(codeOf(() => f.erase(2))).toBe("bad-sector");
    expect(codeOf(() => f.erase(0.5))).toBe("bad-sector");
    try {
      f.read(1.5, 1);
    } catch (e) {
      expect((e as FlashModelError).value).toBe(1.5);
      expect((e as Error).message).toContain("1.5");
    }
  });
});

describe("flash model power cuts", () => {
  function programmed(): FlashModel {
    const f = new FlashModel({ byteLength: 128, blockSize: 64 });
    f.write(0, 4, bytes(0x00, 0x11, 0x22, 0x33));
    return f;
  }

  it("cuts exactly the chosen operation, then every operation throws until reboot", () => {
    const f = programmed();
    f.cutAtWrite(2, { mode: "none" });
    f.write(10, 1, bytes(0x55)); // op 1 lands
    expect(() => f.write(11, 1, bytes(0x66))).toThrow(PowerLostError);
    expect(f.powered).toBe(false);
    expect(f.lastTear).toMatchObject({ opIndex: 2, kind: "write", mode: "none", offset: 11 });
    for (const op of [() => f.read(0, 1), () => f.write(20, 1, bytes(0)), () => f.erase(0)]) {
      let e: unknown;
      try {
        op();
      } catch (x) {
        e = x;
      }
      expect(isPowerLost(e)).toBe(true);
      expect((e as PowerLostError).value).toBe(2);
    }
    expect(f.peek(10, 2)).toEqual(new Uint8Array([0x55, 0xff]));
    f.reboot();
    expect(new Uint8Array(f.read(10, 2))).toEqual(new Uint8Array([0x55, 0xff]));
    expect(f.writeCount).toBe(3);
    f.write(11, 1, bytes(0x66));
    expect(f.peek(11, 1)[0]).toBe(0x66);
  });

  it("a cut index in the past is refused", () => {
    const f = programmed();
    expect(codeOf(() => f.cutAtWrite(0))).toBe("out-of-range");
  });

  const data = new Uint8Array(32).map((_, i) => (i * 37) & 0xff);
  it.each<TearMode>(["none", "prefix", "bits", "all"])(
    "a torn write in mode %s lands a subset of the cleared bits",
    (mode) => {
      const kinds = new Set<string>();
      for (let seed = 1; seed <= 20; seed++) {
        const f = new FlashModel({ byteLength: 64, blockSize: 64 });
        f.cutAtWrite(0, { seed, mode });
        expect(() => f.write(0, 32, data.buffer)).toThrow(PowerLostError);
        const got = f.peek(0, 32);
        let landed = 0;
        for (let i = 0; i < 32; i++) {
          // Never a bit set that the write did not clear, never a bit cleared that the write did not clear.
          expect(got[i]! & data[i]!).toBe(data[i]!);
          if (got[i] === data[i]) landed++;
        }
        if (mode === "none") expect(landed).toBe(data.filter((b) => b === 0xff).length);
        if (mode === "all") expect(landed).toBe(32);
        if (mode === "prefix") {
          const k = got.findIndex((b, i) => b !== data[i]);
          if (k >= 0) expect([...got.subarray(k)].every((b) => b === 0xff)).toBe(true);
        }
        kinds.add(`${landed}`);
      }
      if (mode === "prefix" || mode === "bits") expect(kinds.size).toBeGreaterThan(3);
    },
  );

  it("the tear is a pure function of the seed; the mode is picked by the seed when not given", () => {
    const run = (seed: number) => {
      const f = programmed();
      f.cutAtWrite(1, { seed });
      expect(() => f.write(8, 32, data.buffer)).toThrow(PowerLostError);
      return { mode: f.lastTear!.mode, mem: f.peek() };
    };
    expect(run(7)).toEqual(run(7));
    const modes = new Set<string>();
    for (let s = 1; s < 40; s++) modes.add(run(s).mode);
    expect([...modes].sort()).toEqual(["all", "bits", "none", "prefix"]);
  });

  it("a torn erase leaves each byte between its old value and 0xFF", () => {
    for (const mode of ["none", "prefix", "bits", "all"] as const) {
      const f = new FlashModel({ byteLength: 128, blockSize: 64 });
      f.write(64, 32, data.buffer);
      f.cutAtWrite(1, { seed: 3, mode });
      expect(() => f.erase(1)).toThrow(PowerLostError);
      expect(f.lastTear).toMatchObject({ kind: "erase", mode, offset: 64, byteLength: 64 });
      const got = f.peek(64, 32);
      for (let i = 0; i < 32; i++) expect(got[i]! & data[i]!).toBe(data[i]!);
      if (mode === "none") expect(got).toEqual(data);
      if (mode === "all") expect([...got].every((b) => b === 0xff)).toBe(true);
      if (mode === "bits") expect(got).not.toEqual(data);
    }
  });
});
