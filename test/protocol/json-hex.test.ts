import { describe, expect, it } from "vitest";
import type { ProtocolError } from "../../protocol/errors.js";
import { EXAMPLE_ALARM, EXAMPLE_CONFIG } from "../../protocol/examples.js";
import { fromHex, toHex } from "../../protocol/hex.js";
import { frameFromJson, frameToJson } from "../../protocol/json.js";

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as ProtocolError).code;
  }
  return "no error";
}

describe("hex", () => {
  it("round-trips and ignores separators and 0x", () => {
    expect(toHex(fromHex("0x22 84:00"))).toBe("228400");
    expect(toHex(fromHex("ABcd"))).toBe("abcd");
  });
  it("names an odd digit count and the first non-hex character", () => {
    expect(() => fromHex("228")).toThrow(/odd number of hex digits \(3\)/);
    expect(() => fromHex("22g4")).toThrow(/"g" at position 2/);
    expect(code(() => fromHex(""))).toBe("bad-hex");
  });
});

describe("JSON view", () => {
  it("shows names for type, channel, level and config parameters", () => {
    expect(frameToJson(EXAMPLE_ALARM)).toEqual({
      type: "alarm",
      version: 1,
      channel: "ch4",
      level: "A2",
      value: 152,
      ageS: 30,
    });
    expect(frameToJson(EXAMPLE_CONFIG).params).toEqual({
      telemetryPeriodS: 300,
      ch4A1CentiPctVol: 100,
      ch4A2CentiPctVol: 150,
    });
  });
  it("parses names back, sorting config parameters into wire order", () => {
    expect(frameFromJson({ type: "alarm", channel: "ch4", level: "A2", value: 152, ageS: 30 })).toEqual(
      EXAMPLE_ALARM,
    );
    expect(
      frameFromJson({
        type: "config",
        revision: 7,
        params: { ch4A2CentiPctVol: 150, telemetryPeriodS: 300, ch4A1CentiPctVol: 100 },
      }),
    ).toEqual(EXAMPLE_CONFIG);
  });
  it("rejects unknown names with the name", () => {
    expect(code(() => frameFromJson({ type: "alarmz" }))).toBe("unknown-type");
    expect(() => frameFromJson({ type: "alarm", channel: "ch5" })).toThrow(/unknown channel "ch5"/);
    expect(() => frameFromJson({ type: "config", revision: 1, params: { fooS: 1 } })).toThrow(/"fooS"/);
    expect(code(() => frameFromJson(null))).toBe("bad-structure");
  });
});
