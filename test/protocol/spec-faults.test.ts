/**
 * protocol/SPEC.md's hand-written fault-code and interlock-byte tables agree with the code: the driver codes,
 * the gas-pipeline codes, the relay-fault code and the interlock state names. A renumbering in code that
 * forgets the spec (what the control room decodes by) fails here.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { SensorFault } from "../../firmware/drivers/faults.js";
import {
  decodeInterlockStatus,
  encodeInterlockByte,
  INTERLOCK_SHIFT,
  INTERLOCK_STATE_NAMES,
  RELAY_FAULT_CODE,
} from "../../firmware/node/interlock/status.js";

const spec = fs.readFileSync(new URL("../../protocol/SPEC.md", import.meta.url), "utf8");
const section = spec.slice(spec.indexOf("## Fault codes and the interlock byte"));

/** Rows `| code | name | ... |` of the fault-code table. */
function faultRows(): Map<number, string> {
  const rows = new Map<number, string>();
  for (const m of section.matchAll(/^\| (\d+) +\| ([a-z-]+) +\|/gm)) rows.set(Number(m[1]), m[2]!);
  return rows;
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c, i: number) => (i ? "-" : "") + c.toLowerCase());

describe("SPEC.md fault codes", () => {
  it("lists every driver fault code under its name", () => {
    const rows = faultRows();
    for (const [name, code] of Object.entries(SensorFault)) {
      if (code === 0) continue;
      expect(rows.get(code), name).toBe(kebab(name));
    }
  });

  it("lists the gas-pipeline codes 8..12 and the relay fault code", () => {
    const rows = faultRows();
    expect([8, 9, 10, 11, 12].map((c) => rows.get(c))).toEqual([
      "no-data",
      "out-of-range",
      "stuck",
      "warm-up",
      "calibration-overdue",
    ]);
    expect(rows.get(RELAY_FAULT_CODE)).toBe("relay-fault");
    expect(Math.max(...rows.keys()), "a code fits 4 bits").toBeLessThan(16);
  });

  it("describes the interlock byte at the bits the code uses, with the code's state names", () => {
    expect(INTERLOCK_SHIFT).toBe(24);
    const states = INTERLOCK_STATE_NAMES.map((n, i) => `${i} ${n}`);
    for (const s of states) expect(section).toContain(s);
    // state 3, latched gas+fault (3), welded (1): bits 24..26 = 3, 27..29 = 3, 30..31 = 1
    const byte = encodeInterlockByte(3, 3, 1);
    expect(byte).toBe(3 | (3 << 3) | (1 << 6));
    expect(decodeInterlockStatus((byte << INTERLOCK_SHIFT) >>> 0)).toEqual({
      state: 3,
      latched: 3,
      relayFault: 1,
    });
  });
});
