import { describe, expect, it } from "vitest";
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
});
