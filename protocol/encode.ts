/**
 * Fixed-schema encoder: header byte, then one deterministic CBOR array holding the frame's fields in
 * schema order. It writes into a caller-provided Uint8Array and allocates nothing on success, so the node
 * can keep one frame buffer for its life (house rule 3). Out-of-range or missing fields throw
 * ProtocolError "out-of-range" naming the field and the value: a node never sends a value the collector
 * would have to guess about.
 */
import { headLength, intLength, MAJOR_ARRAY, noRoom, writeBytes, writeHead, writeInt } from "./cbor.js";
import { ProtocolError } from "./errors.js";
import type { ConfigEntry, Frame } from "./frames.js";
import {
  CONFIG_MAX_ENTRIES,
  CONFIG_PARAMS,
  type FrameSpec,
  FrameType,
  HEADER_VERSION_SHIFT,
  PROTOCOL_VERSION,
  specForType,
} from "./schema.js";

/** Largest frame this protocol produces, MAC trailer included (a full config downlink: 61 bytes). */
export const MAX_FRAME_BYTES = 64;

/** True when `v` is an integer in [min, max]. */
export function inRange(v: unknown, min: number, max: number): v is number {
  // `% 1` rather than Number.isInteger: the network-server codec must run on ES5.1 (TTN's runtime).
  return typeof v === "number" && v >= min && v <= max && v % 1 === 0;
}

/** The error for a field outside its range; `where` is built only on this (failure) path. */
export function rangeError(where: string, v: unknown, min: number, max: number): ProtocolError {
  return new ProtocolError(
    "out-of-range",
    `${where} must be an integer in ${min}..${max}, got ${describe(v)}`,
    v,
  );
}

function describe(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean" || v === undefined || v === null) return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return typeof v;
}

/** The spec of a frame's type, or ProtocolError "unknown-type". */
export function specOf(frame: Frame): FrameSpec {
  const type = (frame as { type?: unknown } | null | undefined)?.type;
  const spec = typeof type === "number" ? specForType(type) : undefined;
  if (!spec) throw new ProtocolError("unknown-type", `unknown frame type ${describe(type)}`, type);
  return spec;
}

/**
 * Encodes `frame` at `out[offset]`; returns the end offset. Without a MAC trailer: seal it with
 * auth.ts `sealFrame` when the link needs authentication.
 */
export function encodeFrameInto(frame: Frame, out: Uint8Array, offset = 0): number {
  const spec = specOf(frame);
  if (offset < 0 || offset >= out.length) {
    throw new ProtocolError(
      "no-room",
      `output buffer of ${out.length} bytes has no room at offset ${offset}`,
      offset,
    );
  }
  const fields = spec.fields;
  const record = frame as unknown as Record<string, unknown>;
  let entries: ConfigEntry[] | undefined;
  let count = fields.length;
  if (spec.type === FrameType.Config) {
    entries = (frame as { entries?: unknown }).entries as ConfigEntry[];
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > CONFIG_MAX_ENTRIES) {
      const n = Array.isArray(entries) ? entries.length : entries;
      throw new ProtocolError(
        "out-of-range",
        `config.entries must hold 1..${CONFIG_MAX_ENTRIES} parameters, got ${describe(n)}`,
        n,
      );
    }
    count += 2 * entries.length;
  }
  out[offset] = (PROTOCOL_VERSION << HEADER_VERSION_SHIFT) | spec.type;
  let pos = writeHead(out, offset + 1, MAJOR_ARRAY, count);
  const limit = out.length;
  // Hot loop: the head is written inline (no call per field) and the range check is plain comparisons;
  // this is what makes the fixed-schema encoder cheaper on XS than cbor-x (bench/protocol.bench.ts).
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = record[f.name];
    if (f.kind === "bytes") {
      if (!(v instanceof Uint8Array) || v.length !== f.length) {
        throw new ProtocolError(
          "out-of-range",
          `${spec.name}.${f.name} must be ${f.length} bytes, got ${describe(v)}`,
          v instanceof Uint8Array ? v.length : v,
        );
      }
      pos = writeBytes(out, pos, v);
      continue;
    }
    if (typeof v !== "number" || v < f.min || v > f.max || v % 1 !== 0) {
      throw rangeError(`${spec.name}.${f.name}`, v, f.min, f.max);
    }
    let mt = 0;
    let n = v;
    if (v < 0) {
      mt = 0x20;
      n = -1 - v;
    }
    if (n < 24) {
      if (pos >= limit) throw noRoom(out, pos + 1);
      out[pos++] = mt | n;
    } else if (n < 0x100) {
      if (pos + 2 > limit) throw noRoom(out, pos + 2);
      out[pos] = mt | 24;
      out[pos + 1] = n;
      pos += 2;
    } else if (n < 0x10000) {
      if (pos + 3 > limit) throw noRoom(out, pos + 3);
      out[pos] = mt | 25;
      out[pos + 1] = n >>> 8;
      out[pos + 2] = n & 0xff;
      pos += 3;
    } else {
      pos = writeHead(out, pos, mt >> 5, n);
    }
  }
  if (entries) pos = writeConfigEntries(entries, out, pos);
  return pos;
}

function writeConfigEntries(entries: ConfigEntry[], out: Uint8Array, pos: number): number {
  let previous = -1;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const id = e?.param;
    if (!inRange(id, 0, CONFIG_PARAMS.length - 1)) {
      throw rangeError(`config.entries[${i}].param`, id, 0, CONFIG_PARAMS.length - 1);
    }
    if (id <= previous) {
      throw new ProtocolError(
        "not-canonical",
        `config parameter ids must be strictly ascending: ${id} follows ${previous}`,
        id,
      );
    }
    previous = id;
    const p = CONFIG_PARAMS[id]!;
    pos = writeInt(out, pos, id);
    const value = e!.value;
    if (!inRange(value, p.min, p.max)) throw rangeError(`config.${p.name}`, value, p.min, p.max);
    pos = writeInt(out, pos, value);
  }
  return pos;
}

/** Convenience for host code: encodes into a fresh Uint8Array of exactly the frame's length. */
export function encodeFrame(frame: Frame): Uint8Array {
  const scratch = new Uint8Array(MAX_FRAME_BYTES);
  const end = encodeFrameInto(frame, scratch, 0);
  return scratch.slice(0, end);
}

/**
 * The largest body any valid frame of this type can have, header included, MAC trailer excluded: the
 * size the budgets in ../shared/DESIGN.md are checked against (every valid frame, not just an example).
 */
export function maxFrameBytes(spec: FrameSpec): number {
  let items = spec.fields.length;
  let total = 1;
  for (const f of spec.fields) {
    total +=
      f.kind === "bytes" ? headLength(f.length) + f.length : Math.max(intLength(f.min), intLength(f.max));
  }
  if (spec.type === FrameType.Config) {
    items += 2 * CONFIG_MAX_ENTRIES;
    let widestValue = 0;
    for (const p of CONFIG_PARAMS) widestValue = Math.max(widestValue, intLength(p.min), intLength(p.max));
    total += CONFIG_MAX_ENTRIES * (intLength(CONFIG_PARAMS.length - 1) + widestValue);
  }
  return total + headLength(items);
}
