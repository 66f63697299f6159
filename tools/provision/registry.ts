/**
 * The registry of provisioned nodes: every provisioning, bump test and calibration, one JSON object per line
 * in an append-only file (JSONL, default `.minewatch/registry.jsonl`).
 *
 * Why a plain append-only file and not an embedded database: an auditor can read it with any text tool;
 * nothing is ever updated in place, so no record can be silently rewritten by the tool itself; a crash while
 * appending damages at most the last line (detected and refused, never papered over); it needs no native
 * package on a field laptop; it merges and backs up by copying. Tamper evidence: each line carries `prev`,
 * the SHA-256 of the previous line's text, so an edited or deleted line breaks the chain (`verify`).
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
}

/** Reads and verifies the whole registry; a damaged line or a broken chain is an error naming the line. */
export function readRegistry(file: string): RegistryRead {
  if (!existsSync(file)) return { records: [], head: GENESIS };
  const text = readFileSync(file, "utf8");
  if (text.length > 0 && !text.endsWith("\n"))
    throw new ProvisionError(
      "bad-file",
      `registry ${file}: the last line is incomplete (a crash while writing?): move the file aside and restore it from a backup, or remove that partial line by hand`,
      file,
    );
  const lines = text.split("\n").slice(0, -1);
  const records: RegistryRecord[] = [];
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
    records.push(r);
  }
  return { records, head };
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
    const fd = openSync(file, "a");
    try {
      writeSync(fd, `${JSON.stringify(full)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
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
