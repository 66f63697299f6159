/**
 * The registry (append-only JSONL with a hash chain), its CSV export, and `status` (overdue bump tests and
 * calibrations); then the audit path end to end: provision, bump test, calibrate, export, status.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { command as registryCommand } from "../../tools/cli/registry.js";
import { ProvisionError } from "../../tools/provision/errors.js";
import {
  adoptRegistry,
  anchorPath,
  appendRecord,
  CSV_COLUMNS,
  checkNotedHead,
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

  // issue 14 item 5: the chain alone could not see its own end.
  it("an edited last line, removed trailing lines and a hand-written registry are found (the anchor kept apart)", () => {
    const file = tempFile();
    appendRecord(file, PROVISION, new Date(0));
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CH4", result: "pass" }, new Date(0));
    appendRecord(
      file,
      { ...NODE, kind: "bump-test", gas: "CO", result: "fail", note: "no alarm" },
      new Date(0),
    );
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n").slice(0, -1);
    expect(JSON.parse(readFileSync(anchorPath(file), "utf8"))).toEqual({
      count: 3,
      head: readRegistry(file).head,
    });
    // The failed bump test turned into a pass.
    writeFileSync(
      file,
      `${[...lines.slice(0, 2), lines[2]!.replace('"result":"fail"', '"result":"pass"')].join("\n")}\n`,
    );
    expect(() => readRegistry(file)).toThrow(
      /^registry .*: record 3 is not the one minewatch wrote \(its anchor .*\.head says 3 record\(s\), ending at a different line\): it was edited, or the file was replaced: restore it from a backup$/,
    );
    // The last record, or the last two, removed.
    writeFileSync(file, `${lines.slice(0, 2).join("\n")}\n`);
    expect(() => readRegistry(file)).toThrow(
      /2 record\(s\) but its anchor .* says 3 record\(s\): record\(s\) 3\.\.3 were removed/,
    );
    writeFileSync(file, `${lines[0]}\n`);
    expect(() => readRegistry(file)).toThrow(/record\(s\) 2\.\.3 were removed/);
    expect(() => appendRecord(file, PROVISION, new Date(0))).toThrow(/were removed/); // nothing builds on it
    // A line added by hand after the end.
    writeFileSync(file, text);
    expect(readRegistry(file).records).toHaveLength(3);
    const extra = JSON.stringify({ ...JSON.parse(lines[2]!), seq: 4, prev: readRegistry(file).head });
    writeFileSync(file, `${text}${extra}\n`);
    expect(() => readRegistry(file)).toThrow(/1 line\(s\) after record 3 were added outside minewatch/);
    // A hand-written one-line registry: in place of this one, or alone (no anchor).
    const forged = JSON.stringify({
      seq: 1,
      at: "2026-01-01T00:00:00.000Z",
      ...PROVISION,
      prev: "0".repeat(64),
    });
    writeFileSync(file, `${forged}\n`);
    expect(() => readRegistry(file)).toThrow(/1 record\(s\) but its anchor .* says 3/);
    const alone = tempFile();
    writeFileSync(alone, `${forged}\n`);
    expect(() => readRegistry(alone)).toThrow(
      /^registry .* has no anchor .*\.head, so nothing shows it is the file minewatch wrote \(a hand-written or replaced registry\?\)/,
    );
    // The registry gone and its anchor still there.
    rmSync(alone);
    writeFileSync(anchorPath(alone), readFileSync(anchorPath(file)));
    expect(() => readRegistry(alone)).toThrow(/is missing but its anchor .* says 3 record\(s\)/);
  });

  it("a crash at any point of an append leaves a registry that verifies", () => {
    const file = tempFile();
    appendRecord(file, PROVISION, new Date(0));
    const one = readFileSync(file, "utf8");
    const anchorOne = readFileSync(anchorPath(file), "utf8");
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CH4", result: "pass" }, new Date(0));
    const two = readFileSync(file, "utf8");
    const head2 = readRegistry(file).head;
    const pending = `${JSON.stringify({ ...JSON.parse(anchorOne), next: { count: 2, head: head2 } })}\n`;
    // 1. cut after the anchor named the line, before it was written;
    writeFileSync(file, one);
    writeFileSync(anchorPath(file), pending);
    expect(readRegistry(file).records).toHaveLength(1);
    // 2. cut while writing it: a torn line, refused; removed by hand, the registry is back at record 1;
    writeFileSync(file, two.slice(0, one.length + 20));
    expect(() => readRegistry(file)).toThrow(/the last line is incomplete/);
    writeFileSync(file, one);
    expect(readRegistry(file).records).toHaveLength(1);
    // 3. cut after the line, before the anchor was moved on to it.
    writeFileSync(file, two);
    expect(readRegistry(file).records).toHaveLength(2);
    const third = appendRecord(file, { ...NODE, kind: "bump-test", gas: "CO", result: "pass" }, new Date(0));
    expect(third.seq).toBe(3);
    expect(JSON.parse(readFileSync(anchorPath(file), "utf8"))).toEqual({
      count: 3,
      head: readRegistry(file).head,
    });
    // A damaged anchor is refused, not ignored.
    writeFileSync(anchorPath(file), "{}\n");
    expect(() => readRegistry(file)).toThrow(/registry anchor .*\.head is damaged/);
  });

  it("a registry from before anchors is adopted once, by command; a head noted apart catches a rewrite of both files", () => {
    const file = tempFile();
    appendRecord(file, PROVISION, new Date(0));
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CH4", result: "fail" }, new Date(0));
    const noted = `2:${readRegistry(file).head.slice(0, 16)}`;
    rmSync(anchorPath(file)); // as a registry written before anchors
    expect(() => readRegistry(file)).toThrow(/has no anchor/);
    expect(adoptRegistry(file).records).toHaveLength(2);
    expect(() => adoptRegistry(file)).toThrow(/is already anchored/);
    expect(checkNotedHead(readRegistry(file), noted)).toBeUndefined();
    // Someone rewrites the registry and its anchor together (the pass that was a fail): the files agree,
    // and only the head noted apart shows it.
    const rewritten = tempFile();
    appendRecord(rewritten, PROVISION, new Date(0));
    appendRecord(rewritten, { ...NODE, kind: "bump-test", gas: "CH4", result: "pass" }, new Date(0));
    const read = readRegistry(rewritten);
    expect(checkNotedHead(read, noted)).toMatch(
      /^record 2 does not hash to the noted head [0-9a-f]{16}\.\.\.: records 1\.\.2 are not/,
    );
    expect(checkNotedHead(read, "3:0123456789abcdef")).toMatch(/has 2: records were removed/);
    expect(() => checkNotedHead(read, "2:abc")).toThrow(/must be N:HEX/);
  });

  it("registry verify: exit 2 in one line for an edited last record; --head checks a noted head", async () => {
    const file = tempFile();
    appendRecord(file, PROVISION, new Date(0));
    appendRecord(file, { ...NODE, kind: "bump-test", gas: "CH4", result: "fail" }, new Date(0));
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    try {
      expect(await registryCommand.run(["verify", "--registry", file])).toBe(0);
      const head = /head (2:[0-9a-f]{16})\)/.exec(out.join(""))![1]!;
      expect(await registryCommand.run(["verify", "--registry", file, "--head", head])).toBe(0);
      writeFileSync(file, readFileSync(file, "utf8").replace('"result":"fail"', '"result":"pass"'));
      const e = await Promise.resolve()
        .then(() => registryCommand.run(["verify", "--registry", file]))
        .catch((x: unknown) => x as ProvisionError);
      expect(e).toBeInstanceOf(ProvisionError);
      expect((e as ProvisionError).exitCode).toBe(2);
      expect((e as ProvisionError).message).toMatch(/record 2 is not the one minewatch wrote/);
      expect((e as ProvisionError).message.split("\n")).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
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
