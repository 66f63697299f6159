/**
 * Strict decoder, the mirror of encode.ts: it accepts exactly the bytes the encoder can produce (plus a MAC
 * trailer) and nothing else. Every rejection is a ProtocolError with a code and the offending value; no
 * input makes it throw anything else (test/protocol/decode-robustness.test.ts, test/fuzz/decode-fuzz.ts).
 * It does not check the MAC: auth.ts FrameVerifier does, before it trusts the content.
 */
import { CborReader, MAJOR_ARRAY } from "./cbor.js";
import { inRange, rangeError } from "./encode.js";
import { ProtocolError } from "./errors.js";
import type { ConfigEntry, Frame } from "./frames.js";
import {
  CONFIG_MAX_ENTRIES,
  CONFIG_PARAMS,
  type FrameSpec,
  FrameType,
  HEADER_AUTH_BIT,
  HEADER_TYPE_MASK,
  HEADER_VERSION_SHIFT,
  MAC_BYTES,
  PROTOCOL_VERSION,
  specForType,
  TRAILER_BYTES,
} from "./schema.js";

export interface FrameHeader {
  version: number;
  spec: FrameSpec;
  /** A MAC trailer (counter low 16 bits + 4-byte MAC) follows the CBOR body. */
  authenticated: boolean;
  /** End of the CBOR body (start of the trailer, or the frame's length). */
  bodyEnd: number;
}

/** Reads and checks the header byte: version first, so an old collector rejects a new frame clearly. */
export function readHeader(bytes: Uint8Array): FrameHeader {
  if (bytes.length < 1) throw new ProtocolError("truncated", "empty frame (no header byte)", 0);
  const h = bytes[0]!;
  const version = h >> HEADER_VERSION_SHIFT;
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      "unsupported-version",
      version === 0
        ? `protocol version 0 is not a minewatch frame (header byte 0x${hex(h)}; this decoder knows up to ${PROTOCOL_VERSION})`
        : `unsupported protocol version ${version} (this decoder knows up to ${PROTOCOL_VERSION})`,
      version,
    );
  }
  const type = h & HEADER_TYPE_MASK;
  const spec = specForType(type);
  if (!spec)
    throw new ProtocolError("unknown-type", `unknown frame type ${type} (header byte 0x${hex(h)})`, type);
  const authenticated = (h & HEADER_AUTH_BIT) !== 0;
  const bodyEnd = authenticated ? bytes.length - TRAILER_BYTES : bytes.length;
  if (bodyEnd < 2) {
    throw new ProtocolError(
      "truncated",
      `${spec.name} frame of ${bytes.length} bytes is too short${authenticated ? " for its MAC trailer" : ""}`,
      bytes.length,
    );
  }
  return { version, spec, authenticated, bodyEnd };
}

const NO_MAC = new Uint8Array(0);

export interface DecodedFrame {
  frame: Frame;
  authenticated: boolean;
  /** Low 16 bits of the frame counter from the MAC trailer (-1 without one). */
  counterLow16: number;
  /** The 4-byte MAC from the trailer (empty without one). */
  mac: Uint8Array;
}

/** Decodes a frame; verifies its structure and ranges, not its MAC. */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError("bad-structure", `a frame is a Uint8Array, got ${typeof bytes}`, typeof bytes);
  }
  const header = readHeader(bytes);
  const spec = header.spec;
  const r = new CborReader(bytes, 1, header.bodyEnd);
  const count = r.expect(MAJOR_ARRAY, `${spec.name} body`);
  const fields = spec.fields;
  const isConfig = spec.type === FrameType.Config;
  const extra = count - fields.length;
  const countOk = isConfig ? extra >= 2 && extra <= 2 * CONFIG_MAX_ENTRIES && extra % 2 === 0 : extra === 0;
  if (!countOk) {
    const want = isConfig
      ? `${fields.length + 2}..${fields.length + 2 * CONFIG_MAX_ENTRIES} (odd)`
      : `${fields.length}`;
    throw new ProtocolError("bad-structure", `${spec.name} body has ${count} items, expected ${want}`, count);
  }
  const frame: Record<string, unknown> = { type: spec.type };
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.kind === "int") {
      const v = r.int(spec.name, f.name);
      if (v < f.min || v > f.max) throw rangeError(`${spec.name}.${f.name}`, v, f.min, f.max);
      frame[f.name] = v;
    } else {
      frame[f.name] = r.fixedBytes(`${spec.name}.${f.name}`, f.length);
    }
  }
  if (isConfig) frame.entries = readConfigEntries(r, extra / 2);
  if (r.pos !== header.bodyEnd) {
    throw new ProtocolError(
      "trailing-bytes",
      `${header.bodyEnd - r.pos} unexpected byte(s) after the ${spec.name} body at byte ${r.pos}`,
      header.bodyEnd - r.pos,
    );
  }
  let counterLow16 = -1;
  let mac = NO_MAC;
  if (header.authenticated) {
    counterLow16 = (bytes[header.bodyEnd]! << 8) | bytes[header.bodyEnd + 1]!;
    mac = bytes.slice(header.bodyEnd + 2, header.bodyEnd + 2 + MAC_BYTES);
  }
  return { frame: frame as unknown as Frame, authenticated: header.authenticated, counterLow16, mac };
}

function readConfigEntries(r: CborReader, n: number): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  let previous = -1;
  for (let i = 0; i < n; i++) {
    const id = r.int("config", "parameter id");
    const p = inRange(id, 0, CONFIG_PARAMS.length - 1) ? CONFIG_PARAMS[id] : undefined;
    if (!p) throw new ProtocolError("out-of-range", `unknown config parameter id ${id}`, id);
    if (id <= previous) {
      throw new ProtocolError(
        "not-canonical",
        `config parameter ids must be strictly ascending: ${id} follows ${previous}`,
        id,
      );
    }
    previous = id;
    const value = r.int("config", p.name);
    if (!inRange(value, p.min, p.max)) throw rangeError(`config.${p.name}`, value, p.min, p.max);
    entries.push({ param: id, value });
  }
  return entries;
}

function hex(b: number): string {
  return (b < 16 ? "0" : "") + b.toString(16);
}
