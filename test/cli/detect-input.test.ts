/**
 * `detect` on hostile input (issue 14 items 8 and 9), run as users run it (bin/minewatch.js in a child
 * process): each gives one line and exit 2, or is read with one warning line where libmseed reads it.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const bin = path.join(root, "bin/minewatch.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-detect-input-"));
// The real recording lives in shared/data beside the repository (../shared/data/README.md).
const REAL = path.resolve(import.meta.dirname, "../../../shared/data/iu-cola-lhz-2010-02-27.mseed");

function detect(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, "detect", ...args], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A 512-byte SEED 2.4 record of float32 samples at 100 Hz; `edit` changes its bytes. */
function record(values: number[], edit: (v: DataView) => void = () => {}): Buffer {
  const rec = Buffer.alloc(512);
  const v = new DataView(rec.buffer, rec.byteOffset, rec.length);
  rec.write("000001D TEST   HNZXX", 0, "latin1");
  v.setUint16(20, 2026);
  v.setUint16(22, 5);
  v.setUint16(30, values.length);
  v.setInt16(32, 100);
  v.setInt16(34, 1);
  v.setUint8(39, 1);
  v.setUint16(44, 64);
  v.setUint16(46, 48);
  v.setUint16(48, 1000);
  v.setUint8(52, 4);
  v.setUint8(53, 1);
  v.setUint8(54, 9);
  for (const [i, x] of values.entries()) v.setFloat32(64 + 4 * i, x);
  edit(v);
  return rec;
}

const file = (name: string) => path.join(tmp, name);

beforeAll(() => {
  const real = fs.readFileSync(REAL);
  fs.writeFileSync(file("cut.mseed"), real.subarray(0, 512 * 3 + 300));
  fs.writeFileSync(
    file("offset.mseed"),
    record([1, 2, 3], (v) => v.setUint16(44, 9000)),
  );
  fs.writeFileSync(
    file("rate0.mseed"),
    record([1, 2, 3], (v) => v.setInt16(32, 0)),
  );
  fs.writeFileSync(
    file("chain.mseed"),
    record([1, 2, 3], (v) => v.setUint16(50, 48)),
  );
  let accel = "t_s,ax_m_per_s2,ay_m_per_s2,az_m_per_s2\n";
  for (let i = 0; i < 2000; i++) accel += `${i / 1000},${i === 1000 ? "1e160" : "0.001"},0,0\n`;
  fs.writeFileSync(file("absurd.csv"), accel);
  fs.writeFileSync(file("fast.csv"), "t_s,ch4_pct_vol\n0,0.2\n1e-9,0.2\n2e-9,0.2\n");
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.concurrent("minewatch detect on hostile input", () => {
  it.each([
    ["offset.mseed", "offset.mseed record 0 (byte 0): data offset 9000 is outside the record's data area"],
    ["rate0.mseed", "rate0.mseed record 0 (byte 0): sample rate 0 Hz (factor 0, multiplier 1) for 3 samples"],
    ["chain.mseed", "chain.mseed record 0 (byte 0): blockette 1 (type 1000) at byte 48 points to the next"],
    ["absurd.csv", "absurd.csv at t = 1 s: ax is 1e+160 m/s^2, beyond +-10000 m/s^2"],
    [
      "fast.csv",
      "fast.csv: sample rate 1000000000 Hz (t_s step 1e-9 s) is outside what the gas pipeline takes",
    ],
  ])("%s: one line, exit 2", async (name, message) => {
    const r = await detect(file(name));
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`minewatch detect: ${tmp}/${message}`);
  });

  it("reads a MiniSEED file whose last record is truncated, with one warning line", async () => {
    const r = await detect(file("cut.mseed"), "--json");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `minewatch detect: warning: ${file("cut.mseed")} record 3 (byte 1536): last record truncated (300 of 512 bytes): read the 3 complete records before it\n`,
    );
  });
});
