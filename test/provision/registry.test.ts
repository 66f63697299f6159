/**
 * The registry (append-only JSONL with a hash chain), its CSV export, and `status` (overdue bump tests and
 * calibrations); then the audit path end to end: provision, bump test, calibrate, export, status.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  appendRecord,
  CSV_COLUMNS,
  type NewRecord,
  readRegistry,
  toCsv,
} from "../../tools/provision/registry.js";
import { dueItems, formatDue } from "../../tools/provision/status.js";
import { rig } from "./rig.js";

const NODE = {
  nodeId: "70b3d57e00000001",
  site: "lenina",
  level: "-420",
  location: "face",
  profile: "kz-ru-coal",
  tech: "t",
  port: "sim:a",
};
const PROVISION: NewRecord = { ...NODE, kind: "provision", result: "pass", gases: ["CH4", "CO"] };
const DAY = 86_400_000;

function tempFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "minewatch-registry-")), "registry.jsonl");
}

describe("registry file", () => {
  it("appends numbered records chained by SHA-256; reading verifies the chain", () => {
    const file = tempFile();
    const a = appendRecord(file, PROVISION, new Date("2026-01-01T00:00:00Z"));
    const b = appendRecord(
      file,
      { ...NODE, kind: "bump-test", gas: "CH4", result: "pass" },
      new Date("2026-01-02T00:00:00Z"),
    );
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.prev).toBe("0".repeat(64));
    expect(b.prev).toMatch(/^[0-9a-f]{64}$/);
    expect(b.prev).not.toBe(a.prev);
    const { records } = readRegistry(file);
    expect(records.map((r) => [r.seq, r.kind, r.at])).toEqual([
      [1, "provision", "2026-01-01T00:00:00.000Z"],
      [2, "bump-test", "2026-01-02T00:00:00.000Z"],
    ]);
  });

  it("an edited, deleted or torn line is found and named", () => {
    const file = tempFile();
    for (let i = 0; i < 3; i++) appendRecord(file, { ...PROVISION, site: `s${i}` }, new Date(0));
    const lines = readFileSync(file, "utf8").split("\n");
    writeFileSync(
      file,
      [lines[0], lines[1]!.replace('"result":"pass"', '"result":"fail"'), lines[2], ""].join("\n"),
    );
    expect(() => readRegistry(file)).toThrow(/line 3: hash chain broken/);
    writeFileSync(file, [lines[0], lines[2], ""].join("\n"));
    expect(() => readRegistry(file)).toThrow(/line 2: hash chain broken/);
    writeFileSync(file, `${lines.slice(0, 3).join("\n")}\n`);
    appendFileSync(file, '{"seq":4,"at":"2026');
    expect(() => readRegistry(file)).toThrow(/the last line is incomplete/);
    expect(() => appendRecord(file, PROVISION, new Date(0))).toThrow(/the last line is incomplete/);
  });

  it("CSV: header, RFC 4180 quoting, formula-looking text defused, one row per record", () => {
    const file = tempFile();
    appendRecord(
      file,
      { ...PROVISION, site: 'north, "B" shaft', note: "=HYPERLINK(1)", kcv: { mac: "ABC123" } },
      new Date(0),
    );
    const csv = toCsv(readRegistry(file).records);
    const rows = csv.split("\r\n");
    expect(rows[0]).toBe(CSV_COLUMNS.join(","));
    expect(rows[1]).toContain('"north, ""B"" shaft"');
    expect(rows[1]).toContain("'=HYPERLINK(1)");
    expect(rows[1]).toContain("mac=ABC123");
    expect(rows).toHaveLength(3); // header, one record, the final CRLF
  });
});

describe("status", () => {
  const at = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * DAY).toISOString();
  const recs = () => {
    const file = tempFile();
    appendRecord(file, { ...PROVISION, at: at(0) }, new Date(0));
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CH4", result: "pass", at: at(1) }, new Date(0));
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CO", result: "fail", at: at(1) }, new Date(0));
    appendRecord(
      file,
      { ...NODE, kind: "calibration", gas: "CH4", mode: "span", result: "pass", at: at(2) },
      new Date(0),
    );
    appendRecord(
      file,
      { ...NODE, kind: "calibration", gas: "CO", mode: "zero", result: "pass", at: at(2) },
      new Date(0),
    );
    return readRegistry(file).records;
  };

  it("never done or only failed / zero-only counts as due; passes count until their interval runs out", () => {
    const items = dueItems(recs(), new Date(at(3)), 30);
    expect(items.map((d) => [d.gas, d.what, d.last])).toEqual([
      ["CO", "bump-test", null], // only a failed one
      ["CO", "calibration", null], // only a zero
    ]);
  });

  it("a failure newer than the last pass is listed whatever the interval, and shown as FAILED", () => {
    const file = tempFile();
    appendRecord(file, { ...PROVISION, at: at(0) }, new Date(0));
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CH4", result: "pass", at: at(1) }, new Date(0));
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CH4", result: "fail", at: at(2) }, new Date(0));
    appendRecord(
      file,
      { ...NODE, kind: "calibration", gas: "CH4", mode: "span", result: "pass", at: at(2) },
      new Date(0),
    );
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CO", result: "fail", at: at(1) }, new Date(0));
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CO", result: "pass", at: at(2) }, new Date(0));
    appendRecord(
      file,
      { ...NODE, kind: "calibration", gas: "CO", mode: "span", result: "pass", at: at(2) },
      new Date(0),
    );
    const items = dueItems(readRegistry(file).records, new Date(at(3)), 30);
    expect(items.map((d) => [d.gas, d.what, d.failed])).toEqual([["CH4", "bump-test", at(2)]]);
    expect(formatDue(items, 1)[2]).toMatch(/CH4\s+bump-test\s+FAILED 2026-01-03, passed 2026-01-02$/);
  });

  it("intervals: bump days from the option, calibration from the profile (kz-ru-coal CH4: 7 days)", () => {
    const items = dueItems(recs(), new Date(at(12)), 10);
    const ch4 = items.filter((d) => d.gas === "CH4");
    expect(ch4.map((d) => [d.what, d.intervalDays, d.overdueDays])).toEqual([
      ["bump-test", 10, 1],
      ["calibration", 7, 3],
    ]);
    expect(formatDue(items, 1)[0]).toBe("4 overdue item(s) on 1 node(s):");
    expect(formatDue([], 3)).toEqual(["3 node(s) registered; no bump test or calibration is due"]);
  });
});

describe("audit path end to end (simulated node)", () => {
  it("provision, bump test, calibrate, export: every step in the CSV; status lists what is left", async () => {
    const t = rig();
    const { entry } = await t.provision("a1", undefined, { at: "2026-11-01T08:00:00Z" });
    for (const [gas, applied] of [
      ["CH4", 2.5],
      ["CO", 200],
    ] as const)
      expect((await t.bump("a1", gas, applied, "2026-11-01T09:00:00Z")).pass).toBe(true);
    expect((await t.calibrate("a1", "CO", "span", 100, "2026-11-01T10:00:00Z")).pass).toBe(true);
    const records = t.records();
    const csv = toCsv(records).split("\r\n");
    expect(csv.slice(1, 5).map((r) => r.split(",").slice(2, 11))).toEqual([
      ["provision", entry.nodeId, "karaganda-lenina", "'-420 m", "face", "kz-ru-coal", "pass", "", ""],
      ["bump-test", entry.nodeId, "karaganda-lenina", "'-420 m", "face", "kz-ru-coal", "pass", "CH4", ""],
      ["bump-test", entry.nodeId, "karaganda-lenina", "'-420 m", "face", "kz-ru-coal", "pass", "CO", ""],
      [
        "calibration",
        entry.nodeId,
        "karaganda-lenina",
        "'-420 m",
        "face",
        "kz-ru-coal",
        "pass",
        "CO",
        "span",
      ],
    ]);
    const due = dueItems(records, new Date("2026-11-02T00:00:00Z"), 30);
    expect(due.map((d) => `${d.gas} ${d.what}`)).toEqual([
      "CH4 calibration",
      "O2 bump-test",
      "O2 calibration",
      "H2S bump-test",
      "H2S calibration",
    ]);
    // 31 days on, the bump tests (30 days) and the CO calibration (30 days) have run out too.
    const later = dueItems(records, new Date("2026-12-02T12:00:00Z"), 30);
    expect(later.filter((d) => d.gas === "CO").map((d) => d.what)).toEqual(["bump-test", "calibration"]);
  });
});
