/**
 * The provisioning record: what the console carries as "config" for the minewatch runtime
 * (protocol/SPEC-console.md: opaque bytes in the runtime's own encoding), its encoding and the checks a
 * record must pass before it is stored. Runs on XS: no Node API; nothing here is per sample.
 *
 * Provisioning record (little-endian), version 2:
 *   "MWP" 0x02 | node id (EUI-64, 8) | runtime config record (config.ts encodeConfig, CONFIG_RECORD_BYTES) |
 *   4 x (gain f64, offset f64) calibration per gas CH4 CO O2 H2S (value = gain x raw + offset; NaN = none) |
 *   5 x (u8 length, ASCII) site, level, location class, set-point profile, override reason | CRC-32C.
 * The runtime's own config record is embedded as is, so `config` in key-value storage stays the runtime's.
 * Why CRC-32C (Castagnoli) and not the console's CRC-32: the console reports the CRC-32 of the whole config
 * as `cfgcrc` (ID) and the tool compares it to prove what the node holds. Version 1 ended with the record's
 * own CRC-32, and the CRC-32 of any message followed by its own CRC-32 is one constant (2144DF1C), so every
 * valid version-1 record had the same cfgcrc. With a trailer of another polynomial, cfgcrc depends on every
 * byte. Version 1 records (CRC-32 trailer) are still read, so a node provisioned before keeps its record.
 */
import { gasProfileNamed, resolveGasSettings } from "../../sensing/profiles/index.js";
import type { GasName } from "../../sensing/profiles/types.js";
import { crc32 } from "../crc32.js";
import {
  CONFIG_RECORD_BYTES,
  decodeConfig,
  encodeConfig,
  type NodeConfig,
  Param,
  validateConfig,
} from "./config.js";

export const GAS_CONSOLE_NAMES = ["CH4", "CO", "O2", "H2S"] as const;
export const GASES: readonly GasName[] = ["ch4", "co", "o2", "h2s"];
export const UNITS = ["%vol", "ppm", "%vol", "ppm"] as const;
/** Text fields of the record and their length limits. */
export const TEXT_FIELDS = ["site", "level", "location", "profile", "override"] as const;
export const TEXT_MAX = [32, 32, 24, 24, 160] as const;
const MAGIC = [0x4d, 0x57, 0x50, 0x02];
/** Version byte of records with a CRC-32 trailer (read, never written). */
const VERSION_1 = 0x01;

/**
 * CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF; check value
 * of "123456789" = E3069283, the catalogue's "CRC-32/ISCSI") of `bytes[0, end)`. Bit by bit, no table: a
 * record is a few hundred bytes, checked only on a commit, a read and a boot.
 */
export function crc32c(bytes: Uint8Array, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) {
    c ^= bytes[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}
/** Offset of the embedded runtime config record. */
export const CONFIG_OFFSET = 12;
const FIXED_BYTES = 4 + 8 + CONFIG_RECORD_BYTES + 64;

/**
 * Plausible calibration (DEFAULT design limits, not from a standard): a gain outside 0.5..2 of the factory
 * front end means a cell that lost half its sensitivity or a wrong span gas; a zero offset beyond 10 % of the
 * measuring range means the zero gas was not zero or the cell is faulty. Either is refused, not stored.
 */
export const CAL_GAIN_MIN = 0.5;
export const CAL_GAIN_MAX = 2;
export const CAL_OFFSET_MAX_FRACTION = 0.1;

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
export class ProvisioningError extends Error {
  /** A field, not `this.name =`: the inherited `name` is frozen on the device (house rule 8). */
  override readonly name: string = "ProvisioningError";
  readonly code: string;
  readonly field: string;
  readonly value: unknown;
  constructor(code: string, field: string, message: string, value: unknown) {
    super(message);
    this.code = code;
    this.field = field;
    this.value = value;
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

/** [config param, gas index, profile field, scale to the gas's unit] of every set-point parameter. */
const SETPOINT_PARAMS: readonly (readonly [
  number,
  number,
  "a1" | "a2" | "stel" | "twa" | "enrichment",
  number,
])[] = [
  [Param.ch4A1CentiPctVol, 0, "a1", 100],
  [Param.ch4A2CentiPctVol, 0, "a2", 100],
  [Param.coA1Ppm, 1, "a1", 1],
  [Param.coA2Ppm, 1, "a2", 1],
  [Param.coStelPpm, 1, "stel", 1],
  [Param.coTwaPpm, 1, "twa", 1],
  [Param.o2LowA1DeciPctVol, 2, "a1", 10],
  [Param.o2LowA2DeciPctVol, 2, "a2", 10],
  [Param.o2HighDeciPctVol, 2, "enrichment", 10],
  [Param.h2sA1DeciPpm, 3, "a1", 10],
  [Param.h2sA2DeciPpm, 3, "a2", 10],
  [Param.h2sStelDeciPpm, 3, "stel", 10],
  [Param.h2sTwaDeciPpm, 3, "twa", 10],
];

/**
 * What a record must satisfy before it is stored (the node checks this on CFG.COMMIT; the field-tech tool
 * can check the same before it writes). Throws ProvisioningError naming the field and the value.
 * - The profile and the location class must be ones the firmware knows.
 * - Runtime config: its schema ranges and set-point order (config.ts validateConfig).
 * - Regulatory bounds: a set-point may be stricter than the profile (the rule book), never looser: for a
 *   rising alarm at or below the profile's value, for the falling O2-deficiency alarm at or above it; and
 *   always inside the sensor's measuring range (a set-point the sensor cannot reach never fires). A looser
 *   set-point is accepted only when the record carries an override reason (recorded by the tool).
 * - Calibration: finite, gain in CAL_GAIN_MIN..CAL_GAIN_MAX, |offset| <= 10 % of the measuring range.
 */
export function checkRecord(r: ProvisioningRecord): void {
  let profile: ReturnType<typeof gasProfileNamed>;
  try {
    profile = gasProfileNamed(r.profile);
  } catch (e) {
    throw new ProvisioningError("unknown-profile", "profile", (e as Error).message, r.profile);
  }
  if (!profile.locations.includes(r.location))
    throw new ProvisioningError(
      "unknown-location",
      "location",
      `profile ${profile.name} has no location class "${r.location}" (known: ${profile.locations.join(", ")})`,
      r.location,
    );
  try {
    validateConfig(r.config);
  } catch (e) {
    throw new ProvisioningError(
      "out-of-range",
      "config",
      (e as Error).message,
      (e as { value?: unknown }).value,
    );
  }
  for (const [param, g, field, scale] of SETPOINT_PARAMS) {
    const raw = r.config.params[param]!;
    if (Number.isNaN(raw)) continue;
    const gas = GASES[g]!;
    const s = resolveGasSettings(profile, gas, r.location);
    const value = raw / scale;
    const where = `setpoints.${gas}.${field}`;
    const unit = UNITS[g]!;
    if (!(value > s.rangeMin && value <= s.rangeMax))
      throw new ProvisioningError(
        "out-of-range",
        where,
        `${where} ${value} ${unit} is outside the sensor's range ${s.rangeMin}..${s.rangeMax} ${unit}`,
        value,
      );
    const limit = s[field];
    if (!limit || r.override.length > 0) continue;
    const falling = gas === "o2" && field !== "enrichment";
    if (falling ? value < limit.value : value > limit.value)
      throw new ProvisioningError(
        "out-of-range",
        where,
        `${where} ${value} ${unit} is ${falling ? "below" : "above"} profile ${profile.name}'s ${limit.value} ${unit} at ${r.location}: set an override reason to accept it`,
        value,
      );
  }
  for (let g = 0; g < 4; g++) {
    const gain = r.calGain[g]!;
    const offset = r.calOffset[g]!;
    if (Number.isNaN(gain) && Number.isNaN(offset)) continue;
    checkCalibration(profile.name, r.location, g, gain, offset);
  }
}

/** Throws ProvisioningError when a gas's (gain, offset) is not plausible (see CAL_GAIN_MIN...). */
export function checkCalibration(
  profile: string,
  location: string,
  g: number,
  gain: number,
  offset: number,
): void {
  const gas = GASES[g]!;
  const where = `calibration.${gas}`;
  if (!Number.isFinite(gain) || gain < CAL_GAIN_MIN || gain > CAL_GAIN_MAX)
    throw new ProvisioningError(
      "out-of-range",
      `${where}.gain`,
      `${where} gain ${gain} is outside ${CAL_GAIN_MIN}..${CAL_GAIN_MAX}: wrong span gas or a worn-out sensor`,
      gain,
    );
  const s = resolveGasSettings(profile, gas, location);
  const maxOffset = CAL_OFFSET_MAX_FRACTION * (s.rangeMax - s.rangeMin);
  if (!Number.isFinite(offset) || Math.abs(offset) > maxOffset)
    throw new ProvisioningError(
      "out-of-range",
      `${where}.offset`,
      `${where} zero offset ${offset} ${UNITS[g]} exceeds +-${maxOffset} ${UNITS[g]}: was the zero gas really zero?`,
      offset,
    );
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
