import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const KEY = "000102030405060708090a0b0c0d0e0f";
// SPEC.md's alarm example, sealed with KEY at counter 42.
const SEALED_ALARM = "328400021898181e002a228b5b4b";

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/minewatch.js", "decode", ...args], {
    cwd: root,
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("minewatch decode (the real CLI)", () => {
  it("prints a frame's fields with units", () => {
    const r = run("228400021898181e");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^alarm frame \(type 2, uplink\), protocol v1, 8 bytes/);
    expect(r.out).toMatch(/value\s+152\s+centiPctVol/);
    expect(r.out).toMatch(/level\s+A2/);
  });

  it("--key verifies the MAC; --json prints the counter", () => {
    const r = run(SEALED_ALARM, "--key", KEY, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      bytes: 14,
      frame: { type: "alarm", channel: "ch4" },
      mac: { verified: true, counter: 42 },
    });
  });

  const badInputs: [string, string[], RegExp][] = [
    ["odd hex", ["22840"], /bad-hex: odd number of hex digits \(5\)/],
    ["non-hex", ["22x4"], /bad-hex: "x" at position 2/],
    ["truncated", ["22840002"], /truncated: /],
    ["unknown type", ["2d8400"], /unknown-type: unknown frame type 13/],
    [
      "newer version",
      ["e28400021898181e"],
      /unsupported-version: unsupported protocol version 7 \(this decoder knows up to 1\)/,
    ],
    [
      "value out of range",
      ["228407021898181e"],
      /out-of-range: alarm\.channel must be an integer in 0\.\.4, got 7/,
    ],
    ["bad MAC", [SEALED_ALARM, "--key", "ff".repeat(16)], /bad-mac: bad MAC 228b5b4b/],
    [
      "replayed counter",
      [SEALED_ALARM, "--key", KEY, "--last-counter", "42"],
      /replayed-counter: .*counter 42 was already used/,
    ],
    ["short key", [SEALED_ALARM, "--key", "0011"], /--key: bad-key: a MAC key is 16 bytes/],
    ["missing hex", [], /missing the frame's hex/],
  ];
  for (const [what, args, message] of badInputs) {
    it(`${what}: exit 2, one line, no stack trace`, () => {
      const r = run(...args);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(message);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
});
