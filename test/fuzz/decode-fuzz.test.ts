import { describe, expect, it } from "vitest";
import { decodeFrame } from "../../protocol/decode.js";
import { FrameType } from "../../protocol/schema.js";
import { fuzzDecoder } from "./mutate.js";

describe("decoder under mutation (test/fuzz/mutate.ts; npm run fuzz runs 1e6)", () => {
  it("100,000 mutated frames: only ProtocolErrors, and only canonical bytes accepted", () => {
    const r = fuzzDecoder(1, 100_000);
    expect(r.frames).toBe(100_000);
    // The mutations reach every structural check, not just the first one.
    for (const code of [
      "truncated",
      "unknown-type",
      "unsupported-version",
      "bad-structure",
      "not-canonical",
      "out-of-range",
      "trailing-bytes",
    ]) {
      expect(r.byCode[code], code).toBeGreaterThan(0);
    }
    expect(r.accepted).toBeGreaterThan(0);
  });

  it("fails when the decoder accepts a value out of range (the re-encode is not inside the decode's try)", () => {
    // A decoder bug stood in for: every accepted status frame gets a battery voltage no encoder writes.
    const buggy: typeof decodeFrame = (bytes) => {
      const d = decodeFrame(bytes);
      return d.frame.type === FrameType.Status ? { ...d, frame: { ...d.frame, batteryMv: -5 } } : d;
    };
    expect(() => fuzzDecoder(1, 100_000, buggy)).toThrow(/accepted a frame the encoder refuses/);
  });

  it("fails when a decoded number is not finite", () => {
    const buggy: typeof decodeFrame = (bytes) => {
      const d = decodeFrame(bytes);
      return d.frame.type === FrameType.Status ? { ...d, frame: { ...d.frame, batteryMv: Number.NaN } } : d;
    };
    expect(() => fuzzDecoder(1, 100_000, buggy)).toThrow(/accepted a frame with frame.batteryMv = NaN/);
  });
});
