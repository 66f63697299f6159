import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const tsc = path.join(root, "node_modules/typescript/bin/tsc");

/** Type-checks one fixture in the firmware world (tsconfig.firmware.json's options, no @types/node). */
function checkInFirmwareWorld(fixture: string): { ok: boolean; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mw-tc-"));
  const cfg = path.join(dir, "tsconfig.json");
  fs.writeFileSync(
    cfg,
    JSON.stringify({
      extends: path.join(root, "tsconfig.firmware.json"),
      include: [
        path.join(root, "test/typecheck/fixtures", fixture),
        path.join(root, "types/moddable.d.ts"),
        path.join(root, "types/minewatch-moddable.d.ts"),
      ],
    }),
  );
  try {
    const output = execFileSync(process.execPath, [tsc, "-p", cfg, "--noEmit"], { encoding: "utf8" });
    return { ok: true, output };
  } catch (e) {
    const err = e as { stdout?: string };
    return { ok: false, output: err.stdout ?? String(e) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("firmware type world", () => {
  it("rejects Node APIs (Buffer, process, node: imports)", () => {
    const r = checkInFirmwareWorld("uses-node.ts");
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/Cannot find name 'Buffer'/);
    expect(r.output).toMatch(/Cannot find name 'process'/);
    expect(r.output).toMatch(/node:fs/);
  });

  it("accepts Moddable module names", () => {
    const r = checkInFirmwareWorld("uses-moddable.ts");
    expect(r.output).toBe("");
    expect(r.ok).toBe(true);
  });
});
