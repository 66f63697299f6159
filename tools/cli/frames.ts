/**
 * `minewatch frames [--json]`: per frame type, the canonical example's size on the wire against the same
 * content as JSON and as cbor-x's default encoding, the worst case any valid frame of the type can reach,
 * and the budget from ../shared/DESIGN.md (alarm <= 11 bytes, telemetry and event <= 24; the MAC adds 6).
 */
import { encode as cborxEncode } from "cbor-x";
import { encodeFrame, maxFrameBytes } from "../../protocol/encode.js";
import { EXAMPLES } from "../../protocol/examples.js";
import { frameToJson } from "../../protocol/json.js";
import { FRAME_SPECS, TRAILER_BYTES } from "../../protocol/schema.js";
import { parseCommandArgs } from "./args.js";
import { CliError } from "./errors.js";
import type { Command } from "./main.js";

export interface FrameSizeRow {
  type: string;
  direction: "up" | "down";
  /** The canonical example, header + CBOR body, no MAC. */
  bytes: number;
  /** The same with the MAC trailer (counter 16 bits + 4-byte MAC). */
  bytesWithMac: number;
  /** The largest any valid frame of this type can be (no MAC). */
  maxBytes: number;
  /** Payload budget without MAC, or null where DESIGN.md sets none. */
  budgetBytes: number | null;
  /** maxBytes <= budgetBytes (true where there is no budget). */
  withinBudget: boolean;
  /** UTF-8 bytes of the example's JSON view. */
  jsonBytes: number;
  /** Bytes of cbor-x's default encoding of the same frame object (a map keyed by field name). */
  cborxBytes: number;
}

export function frameSizeRows(): FrameSizeRow[] {
  return FRAME_SPECS.map((spec, i) => {
    const frame = EXAMPLES[i]!;
    const bytes = encodeFrame(frame).length;
    const maxBytes = maxFrameBytes(spec);
    const budget = spec.budgetBytes > 0 ? spec.budgetBytes : null;
    return {
      type: spec.name,
      direction: spec.direction,
      bytes,
      bytesWithMac: bytes + TRAILER_BYTES,
      maxBytes,
      budgetBytes: budget,
      withinBudget: budget === null || maxBytes <= budget,
      jsonBytes: new TextEncoder().encode(JSON.stringify(frameToJson(frame))).length,
      cborxBytes: (cborxEncode(frame) as Uint8Array).length,
    };
  });
}

export function formatFrameSizeTable(rows: FrameSizeRow[]): string {
  const header = [
    "type",
    "dir",
    "bytes",
    "+MAC",
    "max",
    "budget",
    "ok",
    "JSON",
    "cbor-x",
    "vs JSON",
    "vs cbor-x",
  ];
  const body = rows.map((r) => [
    r.type,
    r.direction,
    String(r.bytes),
    String(r.bytesWithMac),
    String(r.maxBytes),
    r.budgetBytes === null ? "-" : String(r.budgetBytes),
    r.withinBudget ? "yes" : "NO",
    String(r.jsonBytes),
    String(r.cborxBytes),
    `${(r.jsonBytes / r.bytes).toFixed(1)}x`,
    `${(r.cborxBytes / r.bytes).toFixed(1)}x`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export const command: Command = {
  summary: "frame sizes per type: ours vs JSON vs cbor-x",
  usage: `usage: minewatch frames [--json]

For each frame type: the canonical example's size in bytes (header + deterministic CBOR body), with the
6-byte MAC trailer, the largest any valid frame of the type can be, its budget, and the same content as
JSON and as cbor-x's default encoding. --json prints an array of objects (type, bytes, jsonBytes, ...).`,
  run(args) {
    const { values, positionals } = parseCommandArgs("frames", args, { json: { type: "boolean" } });
    if (positionals.length > 0)
      throw new CliError(`unexpected "${positionals[0]}" (see minewatch frames --help)`);
    const rows = frameSizeRows();
    if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      process.stdout.write(`${formatFrameSizeTable(rows)}\n`);
      const failing = rows.filter((r) => !r.withinBudget);
      if (failing.length > 0) {
        process.stdout.write(`over budget: ${failing.map((r) => r.type).join(", ")}\n`);
        return 1;
      }
    }
    return 0;
  },
};
