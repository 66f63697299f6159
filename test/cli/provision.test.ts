/**
 * The field-tech commands through the real CLI (bin/minewatch.js) against a simulated node: exit codes, the
 * one-screen summary, and that every failure is exactly one line on stderr (no stack trace).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../tools/cli/main.js";
import { SIM_FACTORY_SECRET } from "../../tools/provision/sim-port.js";

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "minewatch-cli-provision-"));
const ENV = {
  MINEWATCH_SECRET: SIM_FACTORY_SECRET,
  MINEWATCH_TECH: "cli-test",
  MINEWATCH_NOW: "2026-11-25T06:00:00Z",
};
writeFileSync(
  path.join(dir, "node.yaml"),
  "site: lenina\nlevel: '-420'\nlocation: face\nprofile: kz-ru-coal\n",
);
writeFileSync(path.join(dir, "bad.yaml"), "site: lenina\nlevel: [1,\n b: 2\n");
// issue 14 items 9, 10: hostile or careless node.yaml and key files (an alias bomb was exit 70).
const NODE_YAML = "site: lenina\nlevel: '-420'\nlocation: face\nprofile: kz-ru-coal\n";
writeFileSync(
  path.join(dir, "bomb.yaml"),
  `${NODE_YAML}a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
);
writeFileSync(path.join(dir, "nan.yaml"), `${NODE_YAML}setpoints:\n  co: { a1: .nan }\n`);
writeFileSync(path.join(dir, "o2high.yaml"), `${NODE_YAML}setpoints:\n  o2: { enrichment: 20.0 }\n`);
writeFileSync(path.join(dir, "calempty.yaml"), `${NODE_YAML}calibration: { co: {} }\n`);
writeFileSync(path.join(dir, "zero.keys.json"), `{"mac":"${"00".repeat(16)}"}`);

// The commands run in this process through the CLI's own main() (what bin/minewatch.js calls), in the
// temporary folder as the working directory, so the default paths (.minewatch/...) are the ones exercised.
const cwd = process.cwd();
beforeAll(() => process.chdir(dir));
afterAll(() => process.chdir(cwd));

async function cli(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, ENV, extraEnv);
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.env = saved;
  }
}

/** The real launcher once: a failure through bin/minewatch.js is one line on stderr, exit 2. */
function spawnCli(args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin/minewatch.js"), ...args], {
      cwd: dir,
      env: { ...process.env, ...ENV },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, err }));
  });
}

describe("minewatch provision / bump-test / calibrate / registry / status / label", () => {
  it("the whole job on one simulated node, command by command", async () => {
    const p = await cli(["provision", "--port", "sim:face-7", "--config", "node.yaml"]);
    expect(p.err).toBe("");
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/^writing \d+-byte config to sim:face-7\.\.\.\n/);
    expect(p.out).toMatch(/\nprovisioned node ([0-9a-f]{16}) on sim:face-7\n/);
    const nodeId = /provisioned node ([0-9a-f]{16})/.exec(p.out)![1]!;
    expect(p.out.split("\n").length).toBeLessThanOrEqual(24); // one screen

    const b = await cli(["bump-test", "--port", "sim:face-7", "--gas", "CH4", "--applied", "2.5", "--yes"]);
    expect(b.out).toMatch(/-> apply 2\.5 %vol CH4 to the sensor now/);
    expect(b.out).toMatch(/bump test CH4 on [0-9a-f]{16}: PASS/);
    expect(b.code).toBe(0);

    const c = await cli(["calibrate", "--port", "sim:face-7", "--gas", "CO", "--zero", "--yes"]);
    expect(c.out).toMatch(/zero calibration CO on [0-9a-f]{16}: PASS/);
    expect(c.code).toBe(0);

    const csv = await cli(["registry", "export", "--csv"]);
    const status = await cli(["status"]);
    const label = await cli(["label", nodeId]);
    const verify = await cli(["registry", "verify"]);
    expect(csv.code).toBe(0);
    expect(
      csv.out
        .split("\r\n")
        .slice(1, 4)
        .map((r) => r.split(",")[2]),
    ).toEqual(["provision", "bump-test", "calibration"]);
    expect(status.code).toBe(1); // the new node still has overdue items (CO bump test, spans...)
    expect(status.out).toMatch(/overdue item\(s\) on 1 node\(s\)/);
    expect(status.out).toMatch(new RegExp(`${nodeId}\\s+lenina -420 face\\s+CO\\s+bump-test\\s+never`));
    expect(label.code).toBe(0);
    const svg = readFileSync(path.join(dir, `${nodeId}.label.svg`), "utf8");
    expect(svg).toContain(`>${nodeId}</text>`);
    expect(svg).toContain(">location face</text>");
    expect(verify.out).toMatch(/3 record\(s\), hash chain intact/);
  });

  it("every failure is one line on stderr with exit 2", async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        ["provision", "--port", "sim:x1", "--config", "bad.yaml"],
        {},
        /^minewatch provision: bad\.yaml line \d+ column \d+: not valid YAML .*: fix the file and run again\n$/,
      ],
      [
        ["provision", "--port", "sim:x2", "--config", "node.yaml"],
        { MINEWATCH_SECRET: "wrong-secret-1" },
        /^minewatch provision: node refused the provisioning secret \(wrong secret; 2 tries left.*\): check MINEWATCH_SECRET/,
      ],
      [
        ["provision", "--port", "/dev/ttyUSB9", "--config", "node.yaml"],
        {},
        /^minewatch provision: no serial port \/dev\/ttyUSB9: check the cable is plugged in/,
      ],
      [
        ["provision", "--port", "sim:x3", "--config", "node.yaml", "--sim-fault", "mute"],
        {},
        /^minewatch provision: node does not answer on sim:x3: check it is powered/,
      ],
      [
        ["provision", "--port", "sim:x4", "--config", "node.yaml", "--sim-fault", "cut-at=CFG.DATA"],
        {},
        /^minewatch provision: link to the node lost while writing the config .* keeps its previous config/,
      ],
      [
        ["bump-test", "--port", "sim:face-7", "--gas", "CH4", "--applied", "2.5"],
        {},
        /^minewatch bump-test: bump-test guides you step by step on a terminal; without one, add --yes/,
      ],
      [
        ["bump-test", "--port", "sim:nowhere", "--gas", "CH4", "--applied", "2.5", "--yes"],
        {},
        /^minewatch bump-test: no simulated node "nowhere" in \.minewatch\/sim/,
      ],
      [
        ["bump-test", "--port", "sim:face-7", "--gas", "NO2", "--applied", "2.5", "--yes"],
        {},
        /^minewatch bump-test: --gas "NO2" is not a gas this tool knows/,
      ],
      [
        ["calibrate", "--port", "sim:face-7", "--gas", "CO", "--zero", "--span", "100", "--yes"],
        {},
        /^minewatch calibrate: give exactly one of --zero or --span/,
      ],
      [
        ["calibrate", "--port", "sim:face-7", "--gas", "CO", "--span", "1e3", "--yes"],
        {},
        /^minewatch calibrate: --span "1e3" must be a plain decimal number/,
      ],
      [
        ["provision", "--port", "sim:x5", "--config", "node.yaml"],
        { MINEWATCH_SECRET: "" },
        /^minewatch provision: no provisioning secret: set MINEWATCH_SECRET or pass --secret-file/,
      ],
      [
        ["provision", "--port", "sim:x6", "--config", "missing.yaml"],
        {},
        /^minewatch provision: cannot read missing\.yaml \(ENOENT\): check the --config path/,
      ],
      [["provision", "--prot", "sim:x6"], {}, /^minewatch provision: unknown option "--prot"/],
      [
        ["status", "--bump-days", "ten"],
        {},
        /^minewatch status: --bump-days "ten" must be a plain decimal number/,
      ],
      [["label", "ffffffffffffffff"], {}, /^minewatch label: node ffffffffffffffff is not in the registry/],
      [
        ["provision", "--port", "sim:x7", "--config", "bomb.yaml"],
        {},
        /^minewatch provision: bomb\.yaml: refused: its YAML aliases \(\*name\) expand beyond 50 copies/,
      ],
      [
        ["provision", "--port", "sim:x7", "--config", "nan.yaml"],
        {},
        /^minewatch provision: nan\.yaml: setpoints\.co\.a1 NaN is not a finite number\n$/,
      ],
      [
        ["provision", "--port", "sim:x7", "--config", "o2high.yaml"],
        {},
        /^minewatch provision: o2high\.yaml: setpoints\.o2\.enrichment 20 %vol is not above normal air's 20\.9 %vol/,
      ],
      [
        ["provision", "--port", "sim:x7", "--config", "calempty.yaml"],
        {},
        /^minewatch provision: calempty\.yaml: calibration\.co is empty/,
      ],
      [
        ["provision", "--port", "sim:x7", "--config", "node.yaml", "--keys", "zero.keys.json"],
        {},
        /^minewatch provision: key file zero\.keys\.json: the mac key has every byte the same \(all zero\)/,
      ],
    ];
    const runs = [];
    for (const [args, env] of cases) runs.push(await cli(args, env));
    const expected = cases.map((c) => c[2]);
    // The launcher itself, once.
    const bin = await spawnCli(["provision", "--port", "sim:x1", "--config", "bad.yaml"]);
    expect(bin.code).toBe(2);
    expect(bin.err).toMatch(expected[0]!);
    runs.forEach((r, i) => {
      expect(r.err, `case ${i}`).toMatch(expected[i]!);
      expect(r.err.trimEnd().split("\n"), `case ${i}: one line`).toHaveLength(1);
      expect(r.code, `case ${i}`).toBe(2);
    });
    expect(existsSync(path.join(dir, ".minewatch/sim/x4.lock"))).toBe(false); // the port was released
  });
});
