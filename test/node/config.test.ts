import { describe, expect, it } from "vitest";
import type { RuntimeError } from "../../firmware/node/runtime/errors.js";
import { FrameCounter, KEY_FRAME_COUNTER } from "../../firmware/node/storage.js";
import { MemoryKeyValue } from "../../host-sim/node/key-value.js";
import {
  applyEntries,
  CONFIG_RECORD_BYTES,
  decodeConfig,
  defaultConfig,
  encodeConfig,
  Param,
  validateConfig,
} from "../../protocol/config-record.js";

function code(f: () => unknown): [string, unknown] {
  try {
    f();
  } catch (e) {
    return [(e as RuntimeError).code, (e as RuntimeError).value];
  }
  return ["none", undefined];
}

describe("node config", () => {
  it("round-trips through its stored record, unset parameters included", () => {
    const c = applyEntries(defaultConfig(), 9, [{ param: Param.coA1Ppm, value: 25 }]);
    const bytes = encodeConfig(c);
    expect(bytes.length).toBe(CONFIG_RECORD_BYTES);
    const back = decodeConfig(bytes);
    expect(back.revision).toBe(9);
    expect(back.params[Param.coA1Ppm]).toBe(25);
    expect(Number.isNaN(back.params[Param.ch4A1CentiPctVol]!)).toBe(true);
    expect(encodeConfig(back)).toEqual(bytes);
  });

  it("rejects a torn or altered record as bad-storage", () => {
    const bytes = encodeConfig(defaultConfig());
    bytes[7] = bytes[7]! ^ 1;
    expect(code(() => decodeConfig(bytes))[0]).toBe("bad-storage");
    expect(code(() => decodeConfig(bytes.subarray(0, 10)))).toEqual(["bad-storage", 10]);
  });

  it("refuses values outside the schema range, naming the parameter and the value", () => {
    expect(
      code(() => applyEntries(defaultConfig(), 1, [{ param: Param.telemetryPeriodS, value: 5 }])),
    ).toEqual(["bad-config", 5]);
    expect(() => applyEntries(defaultConfig(), 1, [{ param: Param.telemetryPeriodS, value: 5 }])).toThrow(
      /telemetryPeriodS must be an integer in 10\.\.86400, got 5/,
    );
    expect(code(() => applyEntries(defaultConfig(), 1, [{ param: 99, value: 1 }]))).toEqual([
      "bad-config",
      99,
    ]);
  });

  it("refuses set-points in the wrong order (O2 deficiency is falling: A2 below A1)", () => {
    expect(() =>
      applyEntries(defaultConfig(), 1, [
        { param: Param.o2LowA1DeciPctVol, value: 180 },
        { param: Param.o2LowA2DeciPctVol, value: 195 },
      ]),
    ).toThrow(/O2 A2 \(action\) level must not exceed A1/);
    expect(() =>
      applyEntries(defaultConfig(), 1, [
        { param: Param.staLtaOnX100, value: 200 },
        { param: Param.staLtaOffX100, value: 300 },
      ]),
    ).toThrow(/off threshold/);
    const ok = applyEntries(defaultConfig(), 1, [
      { param: Param.o2LowA1DeciPctVol, value: 195 },
      { param: Param.o2LowA2DeciPctVol, value: 180 },
    ]);
    expect(validateConfig(ok)).toBe(ok);
  });
});

describe("frame counter persistence", () => {
  it("reserves blocks before use, so counters never repeat across power cuts", () => {
    const kv = new MemoryKeyValue();
    const a = new FrameCounter(kv, 4);
    expect([a.take(), a.take(), a.take()]).toEqual([0, 1, 2]);
    expect(new Uint32Array(kv.read(KEY_FRAME_COUNTER) as ArrayBuffer)[0]).toBe(4);
    // Power cut here: counters 0..2 were used, 3 was reserved but not.
    const b = new FrameCounter(kv, 4);
    expect(b.take()).toBe(4);
    expect(kv.writes).toBe(2);
    for (let i = 0; i < 4; i++) b.take();
    expect(b.peek).toBe(9);
    expect(kv.writes).toBe(3);
  });

  it("refuses a stored counter of the wrong size", () => {
    const kv = new MemoryKeyValue();
    kv.write(KEY_FRAME_COUNTER, new ArrayBuffer(3));
    expect(code(() => new FrameCounter(kv))).toEqual(["bad-storage", 3]);
  });
});
