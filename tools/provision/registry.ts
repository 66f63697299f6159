/**
 * The registry of provisioned nodes: every provisioning, bump test and calibration, one JSON object per line
 * in an append-only file (JSONL, default `.minewatch/registry.jsonl`).
 *
 * Why a plain append-only file and not an embedded database: an auditor can read it with any text tool;
 * nothing is ever updated in place, so no record can be silently rewritten by the tool itself; a crash while
 * appending damages at most the last line (detected and refused, never papered over); it needs no native
 * package on a field laptop; it merges and backs up by copying. Tamper evidence: each line carries `prev`,
 * the SHA-256 of the previous line's text, so an edited, removed or reordered line with a line after it
 * breaks the chain. The chain cannot see its own end (an edited last line, removed trailing lines, a file
 * replaced by an older copy or written by hand all chain correctly), so the end is anchored outside the
 * file: `<file>.head` holds the record count and the SHA-256 of the last line, replaced atomically (write,
 * fsync, rename) with each append. An append is two-phase so a crash at any point leaves a registry that
 * verifies: the anchor first names the line about to be written (`next`), then the line is appended, then
 * the anchor is replaced by one ending at it. What this cannot prove: a registry and anchor rewritten
 * together; for that an auditor keeps a head printed by `registry verify` apart and checks it later with
 * `registry verify --head N:HEX` (the first N records are still the ones that were there).
 * Appends take `<file>.lock` so two runs (two nodes provisioned at once) cannot interleave the chain.
 * Times are the host's wall clock, ISO 8601 UTC.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { writeFileDurably } from "./durable-file.js";
import { ProvisionError } from "./errors.js";

export const DEFAULT_REGISTRY = ".minewatch/registry.jsonl";
const GENESIS = "0".repeat(64);

export type RecordKind = "provision" | "bump-test" | "calibration";

export interface RegistryRecord {
  seq: number;
  /** ISO 8601 UTC, host wall clock. */
  at: string;
  kind: RecordKind;
  nodeId: string;
  site: string;
  level: string;
  location: string;
  profile: string;
  result: "pass" | "fail";
  tech: string;
  port: string;
  /** provision: where the registry had the node before, when this provisioning moved it. */
  previousPlace?: string;
  override?: string;
  /** Fingerprint (session.ts) of the provisioning record the node holds after this action. */
  cfg?: string;
  /** Key check values per slot (never keys). */
  kcv?: Record<string, string>;
  /** Gases the node answered READ for. */
  gases?: string[];
  keysFile?: string;
  /** bump-test / calibration */
  gas?: string;
  mode?: "zero" | "span";
  applied?: number;
  unit?: string;
  /** Reading before gas / after the calibration / peak during a bump test. */
  before?: number;
  reading?: number;
  /** Seconds from applying gas to the reading within tolerance (bump test); null = never. */
  responseS?: number | null;
  alarm?: string;
  /** Why it failed, or remarks, in words. */
  note?: string;
  /** SHA-256 (hex) of the previous line; 64 zeros for the first. */
  prev: string;
}

export type NewRecord = Omit<RegistryRecord, "seq" | "prev" | "at"> & { at?: string };

function hashLine(line: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(line))).toString("hex");
}

export interface RegistryRead {
  records: RegistryRecord[];
  /** Hash of the last line (the next record's prev). */
  head: string;
  /** Hash of each line, in order (heads[i] is line i + 1's). */
  heads: string[];
}

/** The registry's end, kept apart from it: `<registry>.head`. */
export interface Anchor {
  count: number;
  head: string;
  /** Set while an append is under way: the registry as it is once the line is written. */
  next?: { count: number; head: string };
}

export function anchorPath(file: string): string {
  return `${file}.head`;
}

function isEnd(v: unknown): v is { count: number; head: string } {
  const o = v as { count?: unknown; head?: unknown } | null;
  return (
    typeof o === "object" &&
    o !== null &&
    Number.isSafeInteger(o.count) &&
    (o.count as number) >= 0 &&
    typeof o.head === "string" &&
    /^[0-9a-f]{64}$/.test(o.head)
  );
}

/** Reads `<file>.head`; undefined when there is none. */
export function readAnchor(file: string): Anchor | undefined {
  const f = anchorPath(file);
  if (!existsSync(f)) return undefined;
  let a: unknown;
  try {
    a = JSON.parse(readFileSync(f, "utf8"));
  } catch {
    a = undefined;
  }
  const next = (a as { next?: unknown } | undefined)?.next;
  if (!isEnd(a) || (next !== undefined && !isEnd(next)))
    throw new ProvisionError(
      "bad-file",
      `registry anchor ${f} is damaged: the registry's end cannot be checked: restore both files from a backup`,
      f,
    );
  return a as Anchor;
}

/** Replaces `<file>.head` durably (durable-file.ts): a crash leaves the old anchor or the new, never a torn one. */
function writeAnchor(file: string, anchor: Anchor): void {
  writeFileDurably(anchorPath(file), `${JSON.stringify(anchor)}\n`, 0o644);
}

/** Does the chain read from the file end where `end` says? */
function endsAt(heads: readonly string[], end: { count: number; head: string }): boolean {
  return heads.length === end.count && (end.count === 0 ? GENESIS : heads[end.count - 1]) === end.head;
}

/**
 * Checks the registry's end against its anchor. A registry that exists with records and has no anchor is
 * refused: it cannot be shown complete (a hand-written or replaced file, or one from before anchors:
 * `registry anchor` adopts it, once, by a person's decision).
 */
function checkAnchor(file: string, heads: readonly string[]): void {
  const anchor = readAnchor(file);
  const n = heads.length;
  if (!anchor) {
    if (n === 0) return;
    throw new ProvisionError(
      "bad-file",
      `registry ${file} has no anchor ${anchorPath(file)}, so nothing shows it is the file minewatch wrote (a hand-written or replaced registry?): restore both from a backup; a registry from before anchors is adopted as it stands with "minewatch registry anchor"`,
      file,
    );
  }
  if (endsAt(heads, anchor) || (anchor.next && endsAt(heads, anchor.next))) return;
  const m = anchor.count;
  const where = `its anchor ${anchorPath(file)} says ${m} record(s)`;
  let problem: string;
  if (n < m)
    problem = `${n} record(s) but ${where}: record(s) ${n + 1}..${m} were removed (or the file was replaced by an older copy)`;
  else if (m > 0 && heads[m - 1] !== anchor.head)
    problem = `record ${m} is not the one minewatch wrote (${where}, ending at a different line): it was edited, or the file was replaced`;
  else problem = `${n - m} line(s) after record ${m} were added outside minewatch (${where})`;
  throw new ProvisionError("bad-file", `registry ${file}: ${problem}: restore it from a backup`, file);
}

/**
 * Reads and verifies the whole registry: every line, the hash chain, and its end against the anchor kept
 * apart (`<file>.head`). A damaged line, a broken chain or an end that is not the one written is an error
 * naming the line.
 */
export function readRegistry(file: string): RegistryRead {
  if (!existsSync(file)) {
    const anchor = readAnchor(file);
    if (anchor && anchor.count > 0)
      throw new ProvisionError(
        "bad-file",
        `registry ${file} is missing but its anchor ${anchorPath(file)} says ${anchor.count} record(s): restore it from a backup (or check --registry)`,
        file,
      );
    return { records: [], head: GENESIS, heads: [] };
  }
  const { records, head, heads } = readChain(file);
  checkAnchor(file, heads);
  return { records, head, heads };
}

/** The lines and their hash chain, without the anchor (what `registry anchor` adopts). */
function readChain(file: string): RegistryRead {
  const text = readFileSync(file, "utf8");
  if (text.length > 0 && !text.endsWith("\n"))
    throw new ProvisionError(
      "bad-file",
      `registry ${file}: the last line is incomplete (a crash while writing?): move the file aside and restore it from a backup, or remove that partial line by hand`,
      file,
    );
  const lines = text.split("\n").slice(0, -1);
  const records: RegistryRecord[] = [];
  const heads: string[] = [];
  let head = GENESIS;
  for (let i = 0; i < lines.length; i++) {
    let r: RegistryRecord;
    try {
      r = JSON.parse(lines[i]!) as RegistryRecord;
    } catch {
      throw new ProvisionError(
        "bad-file",
        `registry ${file} line ${i + 1} is not valid JSON: the file was damaged or edited`,
        i + 1,
      );
    }
    if (r.prev !== head || r.seq !== i + 1)
      throw new ProvisionError(
        "bad-file",
        `registry ${file} line ${i + 1}: hash chain broken (a line before it was changed, removed or reordered): restore it from a backup`,
        i + 1,
      );
    head = hashLine(lines[i]!);
    heads.push(head);
    records.push(r);
  }
  return { records, head, heads };
}

/**
 * `registry anchor`: anchors a registry that has none (one from before anchors) as it stands, after its
 * chain verifies. Refused when an anchor exists. It proves nothing about the file's past: a person decides
 * it is the right file (against a backup), and the anchor holds it from then on.
 */
export function adoptRegistry(file: string): RegistryRead {
  if (!existsSync(file))
    throw new ProvisionError("bad-file", `registry ${file} does not exist: nothing to anchor`, file);
  const unlock = lock(file);
  try {
    if (readAnchor(file))
      throw new ProvisionError(
        "refused",
        `registry ${file} is already anchored (${anchorPath(file)}): "registry verify" checks it; an anchor is never replaced by hand`,
        file,
      );
    const read = readChain(file);
    writeAnchor(file, { count: read.heads.length, head: read.head });
    return read;
  } finally {
    unlock();
  }
}

/**
 * Checks a head noted earlier and kept apart from the laptop (`N:HEX`, HEX at least 16 hex digits as
 * `registry verify` prints it): the registry's record N must still hash to it, so records 1..N are the ones
 * that were there then. Returns the problem in words, or undefined.
 */
export function checkNotedHead(read: RegistryRead, noted: string): string | undefined {
  const m = /^(\d{1,9}):([0-9a-fA-F]{16,64})$/.exec(noted);
  if (!m)
    throw new ProvisionError(
      "usage",
      `--head "${noted}" must be N:HEX (a record number and at least 16 hex digits of its hash, as "registry verify" prints them)`,
      noted,
    );
  const n = Number(m[1]);
  const hex = m[2]!.toLowerCase();
  if (n < 1 || n > read.heads.length)
    return `the noted head is at record ${n} but the registry has ${read.heads.length}: records were removed`;
  if (!read.heads[n - 1]!.startsWith(hex))
    return `record ${n} does not hash to the noted head ${hex.slice(0, 16)}...: records 1..${n} are not the ones that were there when it was noted`;
  return undefined;
}

function lock(file: string): () => void {
  const lockFile = `${file}.lock`;
  const until = Date.now() + 5_000;
  for (;;) {
    try {
      closeSync(openSync(lockFile, "wx"));
      return () => unlinkSync(lockFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (Date.now() > until)
        throw new ProvisionError(
          "port-busy",
          `registry ${file} is locked by another run (${lockFile}); if no other minewatch is running, delete that lock file`,
          lockFile,
        );
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/** Appends one record (under the lock, after verifying the chain); returns it as written. */
export function appendRecord(file: string, record: NewRecord, now: Date): RegistryRecord {
  mkdirSync(path.dirname(file), { recursive: true });
  const unlock = lock(file);
  try {
    const { records, head } = readRegistry(file);
    const full = {
      seq: records.length + 1,
      at: record.at ?? now.toISOString(),
      ...record,
      prev: head,
    } as RegistryRecord;
    const line = JSON.stringify(full);
    // Two-phase: the anchor names the line first, so a crash before, during (a torn line, refused on read:
    // remove it and the registry ends at the anchor again) or after the write leaves a registry that verifies.
    const end = { count: records.length, head };
    const next = { count: records.length + 1, head: hashLine(line) };
    writeAnchor(file, { ...end, next });
    const fd = openSync(file, "a");
    try {
      writeSync(fd, `${line}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    writeAnchor(file, next);
    return full;
  } finally {
    unlock();
  }
}

/** The latest successful provisioning of every node id. */
export function currentNodes(records: readonly RegistryRecord[]): Map<string, RegistryRecord> {
  const nodes = new Map<string, RegistryRecord>();
  for (const r of records) {
    if (r.kind !== "provision" || r.result !== "pass") continue;
    nodes.set(r.nodeId, r);
  }
  return nodes;
}

export const CSV_COLUMNS = [
  "seq",
  "at",
  "kind",
  "nodeId",
  "site",
  "level",
  "location",
  "profile",
  "result",
  "gas",
  "mode",
  "applied",
  "unit",
  "before",
  "reading",
  "responseS",
  "alarm",
  "override",
  "cfg",
  "kcv",
  "tech",
  "port",
  "previousPlace",
  "note",
] as const;

/** RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes. A leading =+-@ is prefixed
 * with ' so a spreadsheet never runs a registry field as a formula (CSV injection). */
function csvField(v: unknown): string {
  if (v === undefined || v === null) return "";
  let s =
    typeof v === "object"
      ? Object.entries(v)
          .map(([k, x]) => `${k}=${x}`)
          .join(" ")
      : String(v);
  if (/^[=+\-@]/.test(s) && typeof v !== "number") s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(records: readonly RegistryRecord[]): string {
  const rows = [CSV_COLUMNS.join(",")];
  for (const r of records)
    rows.push(CSV_COLUMNS.map((c) => csvField((r as unknown as Record<string, unknown>)[c])).join(","));
  return `${rows.join("\r\n")}\r\n`;
}
