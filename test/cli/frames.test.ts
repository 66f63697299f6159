import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FRAME_SPECS } from "../../protocol/schema.js";

const root = path.resolve(import.meta.dirname, "../..");

describe("minewatch frames (the real CLI)", () => {
  it("--json: one row per type with bytes, jsonBytes, cborxBytes, and every budget met", () => {
    const out = execFileSync(process.execPath, ["bin/minewatch.js", "frames", "--json"], {
      cwd: root,
      encoding: "utf8",
    });
    const rows = JSON.parse(out) as {
      type: string;
      bytes: number;
      bytesWithMac: number;
      maxBytes: number;
      budgetBytes: number | null;
      withinBudget: boolean;
      jsonBytes: number;
      cborxBytes: number;
    }[];
    expect(rows.map((r) => r.type)).toEqual(FRAME_SPECS.map((s) => s.name));
    for (const r of rows) {
      expect(r.withinBudget, r.type).toBe(true);
      expect(r.bytes).toBeLessThanOrEqual(r.maxBytes);
      expect(r.bytesWithMac).toBe(r.bytes + 6);
      expect(r.bytes).toBeLessThan(r.cborxBytes);
      expect(r.cborxBytes).toBeLessThan(r.jsonBytes);
    }
    const byType = Object.fromEntries(rows.map((r) => [r.type, r]));
    expect(byType.alarm!.maxBytes).toBeLessThanOrEqual(11);
    expect(byType.alarm!.maxBytes + 6).toBeLessThanOrEqual(16);
    expect(byType.telemetry!.maxBytes).toBeLessThanOrEqual(24);
    expect(byType.event!.maxBytes).toBeLessThanOrEqual(24);
  });

  it("prints a table and rejects unknown arguments with exit 2", () => {
    const out = execFileSync(process.execPath, ["bin/minewatch.js", "frames"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(out).toMatch(/^type\s+dir\s+bytes/);
    expect(out).toMatch(/\nalarm\s+up\s+8\s+14\s+10\s+11\s+yes/);
    try {
      execFileSync(process.execPath, ["bin/minewatch.js", "frames", "--yaml"], { cwd: root, stdio: "pipe" });
      expect.unreachable();
    } catch (e) {
      expect((e as { status: number }).status).toBe(2);
    }
  });
});
