/**
 * The provisioning record: what the console carries as "config" for the minewatch runtime
 * (protocol/SPEC-console.md: opaque bytes in the runtime's own encoding) and its encoding. The checks a
 * record must pass before it is stored (profile bounds, calibration) are the node's:
 * firmware/node/console/provisioning-check.ts. Runs on XS: no Node API; nothing here is per sample.
 *
 * Provisioning record (little-endian), version 2:
 *   "MWP" 0x02 | node id (EUI-64, 8) | runtime config record (config-record.ts encodeConfig, CONFIG_RECORD_BYTES) |
 *   4 x (gain f64, offset f64) calibration per gas CH4 CO O2 H2S (value = gain x raw + offset; NaN = none) |
 *   5 x (u8 length, ASCII) site, level, location class, set-point profile, override reason | CRC-32C.
 * The runtime's own config record is embedded as is, so `config` in key-value storage stays the runtime's.
 * Why CRC-32C (Castagnoli) and not the console's CRC-32: the console reports the CRC-32 of the whole config
 * as `cfgcrc` (ID) and the tool compares it to prove what the node holds. Version 1 ended with the record's
 * own CRC-32, and the CRC-32 of any message followed by its own CRC-32 is one constant (2144DF1C), so every
 * valid version-1 record had the same cfgcrc. With a trailer of another polynomial, cfgcrc depends on every
 * byte. Version 1 records (CRC-32 trailer) are still read, so a node provisioned before keeps its record.
 */
import { crc32, crc32c } from "./checksums.js";
import { CONFIG_RECORD_BYTES, decodeConfig, encodeConfig, type NodeConfig } from "./config-record.js";
import { CodedError } from "./errors.js";
import { deepFreeze } from "./freeze.js";

/** Text fields of the record and their length limits. */
export const TEXT_FIELDS = ["site", "level", "location", "profile", "override"] as const;
export const TEXT_MAX = [32, 32, 24, 24, 160] as const;
const MAGIC = [0x4d, 0x57, 0x50, 0x02];
/** Version byte of records with a CRC-32 trailer (read, never written). */
const VERSION_1 = 0x01;
/** Offset of the embedded runtime config record. */
export const CONFIG_OFFSET = 12;
const FIXED_BYTES = 4 + 8 + CONFIG_RECORD_BYTES + 64;

export interface ProvisioningRecord {
  nodeId: Uint8Array;
  config: NodeConfig;
  /** Per gas (CH4, CO, O2, H2S): [gain, offset]; NaN gain = no calibration stored (factory front end). */
  calGain: Float64Array;
  calOffset: Float64Array;
  site: string;
  level: string;
  location: string;
  profile: string;
  /** Why a set-point outside the profile's bounds was accepted ("" = no override). */
  override: string;
}

/** A record refused: `code` is the console's runtime code, `field` the offending item, `value` its value. */
export class ProvisioningError extends CodedError<string> {
  override readonly name: string = "ProvisioningError";
  readonly field: string;
  constructor(code: string, field: string, message: string, value: unknown) {
    super(code, message, value);
    this.field = field;
  }
}

export function encodeProvisioning(r: ProvisioningRecord): Uint8Array {
  const texts = [r.site, r.level, r.location, r.profile, r.override];
  if (!(r.nodeId instanceof Uint8Array) || r.nodeId.length !== 8)
    throw new ProvisioningError("bad-length", "nodeId", "a node id is an 8-byte EUI-64", r.nodeId?.length);
  let n = FIXED_BYTES + 4;
  for (let k = 0; k < texts.length; k++) {
    checkText(TEXT_FIELDS[k]!, texts[k]!, TEXT_MAX[k]!);
    n += 1 + texts[k]!.length;
  }
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out.set(r.nodeId, 4);
  out.set(encodeConfig(r.config), CONFIG_OFFSET);
  let p = CONFIG_OFFSET + CONFIG_RECORD_BYTES;
  for (let i = 0; i < 4; i++) {
    // One canonical NaN (a decoded one may carry a payload): equal records give equal bytes and CRCs.
    v.setFloat64(p, canonical(r.calGain[i]!), true);
    v.setFloat64(p + 8, canonical(r.calOffset[i]!), true);
    p += 16;
  }
  for (const t of texts) {
    out[p++] = t.length;
    for (let i = 0; i < t.length; i++) out[p++] = t.charCodeAt(i);
  }
  v.setUint32(p, crc32c(out, p), true);
  return out;
}

function canonical(x: number): number {
  return Number.isNaN(x) ? Number.NaN : x;
}

function checkText(field: string, t: string, max: number): void {
  if (typeof t !== "string" || t.length > max)
    throw new ProvisioningError("bad-encoding", field, `${field} is longer than ${max} characters`, t);
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c > 0x7e)
      throw new ProvisioningError(
        "bad-encoding",
        field,
        `${field} holds character code ${c} at ${i + 1}: printable ASCII only`,
        c,
      );
  }
}

/** Decodes and checks a record's framing (not its meaning: see `checkRecord`). */
export function decodeProvisioning(bytes: Uint8Array): ProvisioningRecord {
  const bad = (why: string): ProvisioningError =>
    new ProvisioningError("bad-encoding", "config", why, bytes.length);
  if (bytes.length < FIXED_BYTES + 5 + 4)
    throw bad(`a provisioning record is at least ${FIXED_BYTES + 9} bytes, got ${bytes.length}`);
  for (let i = 0; i < 3; i++)
    if (bytes[i] !== MAGIC[i]) throw bad("not a minewatch provisioning record: wrong magic");
  const version = bytes[3]!;
  if (version !== MAGIC[3] && version !== VERSION_1)
    throw bad(`provisioning record version ${version} is not one this firmware reads (1, 2)`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  const check = version === VERSION_1 ? crc32(bytes, 0, end) : crc32c(bytes, end);
  if (v.getUint32(end, true) !== check)
    throw bad(`provisioning record fails its ${version === VERSION_1 ? "CRC-32" : "CRC-32C"}`);
  let config: NodeConfig;
  try {
    config = decodeConfig(bytes.subarray(CONFIG_OFFSET, CONFIG_OFFSET + CONFIG_RECORD_BYTES));
  } catch (e) {
    throw new ProvisioningError(
      "out-of-range",
      "config",
      (e as Error).message,
      (e as { value?: unknown }).value,
    );
  }
  const calGain = new Float64Array(4);
  const calOffset = new Float64Array(4);
  let p = CONFIG_OFFSET + CONFIG_RECORD_BYTES;
  for (let i = 0; i < 4; i++) {
    calGain[i] = v.getFloat64(p, true);
    calOffset[i] = v.getFloat64(p + 8, true);
    p += 16;
  }
  const texts: string[] = [];
  for (let k = 0; k < TEXT_FIELDS.length; k++) {
    const n = bytes[p++]!;
    if (p + n > end) throw bad(`provisioning record's ${TEXT_FIELDS[k]} runs past its end`);
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[p + i]!);
    checkText(TEXT_FIELDS[k]!, s, TEXT_MAX[k]!);
    texts.push(s);
    p += n;
  }
  if (p !== end) throw bad(`provisioning record has ${end - p} bytes after its last field`);
  return {
    nodeId: bytes.slice(4, 12),
    config,
    calGain,
    calOffset,
    site: texts[0]!,
    level: texts[1]!,
    location: texts[2]!,
    profile: texts[3]!,
    override: texts[4]!,
  };
}

/** A record with the given config and no calibration, for tools and tests. */
export function emptyRecord(nodeId: Uint8Array, config: NodeConfig): ProvisioningRecord {
  return {
    nodeId,
    config,
    calGain: new Float64Array(4).fill(Number.NaN),
    calOffset: new Float64Array(4).fill(Number.NaN),
    site: "",
    level: "",
    location: "",
    profile: "",
    override: "",
  };
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(MAGIC);
deepFreeze(TEXT_FIELDS);
deepFreeze(TEXT_MAX);
