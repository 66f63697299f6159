/**
 * The runtime's side of the provisioning console (firmware/node/console/host.ts ConsoleHost), and the
 * provisioning record the console carries as "config" (protocol/SPEC-console.md: opaque bytes in the
 * runtime's own encoding). Runs on XS: no Node API, no Date.now(); nothing here is per sample.
 *
 * Provisioning record (little-endian), version 1:
 *   "MWP" 0x01 | node id (EUI-64, 8) | runtime config record (config.ts encodeConfig, CONFIG_RECORD_BYTES) |
 *   4 x (gain f64, offset f64) calibration per gas CH4 CO O2 H2S (value = gain x raw + offset; NaN = none) |
 *   5 x (u8 length, ASCII) site, level, location class, set-point profile, override reason | CRC-32.
 * The runtime's own config record is embedded as is, so `config` in key-value storage stays the runtime's.
 *
 * Atomic storage (a power cut at any write leaves the previous valid record in force): two slots, "prov0"
 * and "prov1", each `seq u32 | record`. A commit writes the slot NOT holding the newest record, with seq + 1;
 * that one write is the commit point (a torn write fails its CRC and the other slot is still newest). Then
 * the runtime's config is applied and stored, and "provapl" records the seq whose parameters reached
 * "config": at boot `bootProvisioning` finishes a commit cut between those writes. Config downlinks later
 * change "config" without touching "provapl", so a boot never undoes them.
 */
import type { FrameMac } from "../../../protocol/auth.js";
import { AlarmLevel, CONFIG_PARAMS, FrameType, LEVEL_NAMES } from "../../../protocol/schema.js";
import { type Calibration, identityCalibration } from "../../sensing/gas/index.js";
import { gasProfileNamed, resolveGasSettings } from "../../sensing/profiles/index.js";
import type { GasName } from "../../sensing/profiles/types.js";
import type { Clock, TimerId } from "../clock.js";
import type {
  CalibrationResult,
  ConsoleHost,
  ConsoleRefusal,
  GasReading,
  KeyInfo,
  NodeIdentity,
} from "../console/host.js";
import { crc32 } from "../crc32.js";
import type { NodeRuntime } from "../runtime.js";
import {
  CONFIG_RECORD_BYTES,
  decodeConfig,
  encodeConfig,
  type NodeConfig,
  Param,
  validateConfig,
} from "./config.js";
import { KEY_CONFIG, type KeyValueStore, readBytes, readU32, writeU32 } from "./storage.js";

export const PROV_SLOTS = ["prov0", "prov1"] as const;
export const KEY_PROV_APPLIED = "provapl";
export const KEY_SECRET = "psecret";
/** Console key slots -> key-value keys and lengths (main.ts reads "key" and "mqttpw"). */
export const KEY_SLOTS: Readonly<Record<string, { kv: string; min: number; max: number }>> = {
  mac: { kv: "key", min: 16, max: 16 },
  "lorawan-appkey": { kv: "appkey", min: 16, max: 16 },
  "mqtt-password": { kv: "mqttpw", min: 1, max: 64 },
};
export const GAS_CONSOLE_NAMES = ["CH4", "CO", "O2", "H2S"] as const;
const GASES: readonly GasName[] = ["ch4", "co", "o2", "h2s"];
const UNITS = ["%vol", "ppm", "%vol", "ppm"];
/** Text fields of the record and their length limits. */
export const TEXT_FIELDS = ["site", "level", "location", "profile", "override"] as const;
export const TEXT_MAX = [32, 32, 24, 24, 160] as const;
const MAGIC = [0x4d, 0x57, 0x50, 0x01];
const FIXED_BYTES = 4 + 8 + CONFIG_RECORD_BYTES + 64;

/**
 * Plausible calibration (DEFAULT design limits, not from a standard): a gain outside 0.5..2 of the factory
 * front end means a cell that lost half its sensitivity or a wrong span gas; a zero offset beyond 10 % of the
 * measuring range means the zero gas was not zero or the cell is faulty. Either is refused, not stored.
 */
export const CAL_GAIN_MIN = 0.5;
export const CAL_GAIN_MAX = 2;
export const CAL_OFFSET_MAX_FRACTION = 0.1;
/** Bump-test mode ends by itself after 15 min (DEFAULT): the second guard after the console's session end. */
export const BUMP_MAX_MS = 15 * 60_000;

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

export class ProvisioningError extends Error {
  readonly code: string;
  readonly field: string;
  readonly value: unknown;
  constructor(code: string, field: string, message: string, value: unknown) {
    super(message);
    this.name = "ProvisioningError";
    this.code = code;
    this.field = field;
    this.value = value;
  }
}

export function encodeProvisioning(r: ProvisioningRecord): Uint8Array {
  const texts = [r.site, r.level, r.location, r.profile, r.override];
  let n = FIXED_BYTES + 4;
  for (const t of texts) n += 1 + t.length;
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out.set(r.nodeId.subarray(0, 8), 4);
  out.set(encodeConfig(r.config), 12);
  let p = 12 + CONFIG_RECORD_BYTES;
  for (let i = 0; i < 4; i++) {
    v.setFloat64(p, canonical(r.calGain[i]!), true);
    v.setFloat64(p + 8, canonical(r.calOffset[i]!), true);
    p += 16;
  }
  for (let k = 0; k < texts.length; k++) {
    const t = texts[k]!;
    checkText(TEXT_FIELDS[k]!, t, TEXT_MAX[k]!);
    out[p++] = t.length;
    for (let i = 0; i < t.length; i++) out[p++] = t.charCodeAt(i);
  }
  v.setUint32(p, crc32(out, 0, p), true);
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
  for (let i = 0; i < 4; i++)
    if (bytes[i] !== MAGIC[i]) throw bad("not a minewatch provisioning record (version 1): wrong magic");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (v.getUint32(end, true) !== crc32(bytes, 0, end)) throw bad("provisioning record fails its CRC-32");
  let config: NodeConfig;
  try {
    config = decodeConfig(bytes.subarray(12, 12 + CONFIG_RECORD_BYTES));
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
  let p = 12 + CONFIG_RECORD_BYTES;
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
 * checks the same before it writes). Throws ProvisioningError naming the field and the value.
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

function checkCalibration(profile: string, location: string, g: number, gain: number, offset: number): void {
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

/** The newest valid record in storage and its seq, or null. */
export function loadProvisioning(
  kv: KeyValueStore,
): { seq: number; slot: number; record: ProvisioningRecord; bytes: Uint8Array } | null {
  let best: { seq: number; slot: number; record: ProvisioningRecord; bytes: Uint8Array } | null = null;
  for (let slot = 0; slot < PROV_SLOTS.length; slot++) {
    let stored: Uint8Array | undefined;
    try {
      stored = readBytes(kv, PROV_SLOTS[slot]!);
    } catch {
      continue;
    }
    if (!stored || stored.length < 8) continue;
    const seq = new DataView(stored.buffer, stored.byteOffset, 4).getUint32(0, true);
    const bytes = stored.subarray(4);
    try {
      const record = decodeProvisioning(bytes);
      if (!best || seq > best.seq) best = { seq, slot, record, bytes: bytes.slice() };
    } catch {
      // A torn or foreign slot: the other one holds the valid record.
    }
  }
  return best;
}

/** Stores a record atomically (see the file comment); returns its seq. */
export function storeProvisioning(kv: KeyValueStore, bytes: Uint8Array): number {
  const current = loadProvisioning(kv);
  const seq = current ? current.seq + 1 : 1;
  const slot = current ? 1 - current.slot : 0;
  const buf = new ArrayBuffer(4 + bytes.length);
  new DataView(buf).setUint32(0, seq, true);
  new Uint8Array(buf).set(bytes, 4);
  kv.write(PROV_SLOTS[slot]!, buf);
  return seq;
}

/** What a boot takes from provisioning (null fields: the board's / simulator's own defaults apply). */
export interface BootProvisioning {
  nodeId: Uint8Array | null;
  key: Uint8Array | null;
  profile: string | null;
  location: string | null;
  /** Per protocol gas channel; undefined where none was stored. */
  calibrations: (Calibration | undefined)[];
}

/**
 * Call before constructing the runtime: finishes a provisioning commit that a power cut interrupted after
 * its commit point (writes the record's runtime config to "config"), and returns the identity, key, profile,
 * location and calibrations the runtime must boot with. `nowMs` is the boot time on the runtime's clock
 * (calibration age restarts at boot: the node has no wall clock before a time sync).
 */
export function bootProvisioning(kv: KeyValueStore, nowMs: number): BootProvisioning {
  const p = loadProvisioning(kv);
  let key: Uint8Array | null = null;
  try {
    const k = readBytes(kv, KEY_SLOTS.mac!.kv);
    key = k && k.length === 16 ? k : null;
  } catch {
    key = null;
  }
  if (!p) return { nodeId: null, key, profile: null, location: null, calibrations: [] };
  let applied: number | undefined;
  try {
    applied = readU32(kv, KEY_PROV_APPLIED);
  } catch {
    applied = undefined;
  }
  if (applied === undefined || applied < p.seq) {
    kv.write(KEY_CONFIG, encodeConfig(p.record.config).buffer as ArrayBuffer);
    writeU32(kv, KEY_PROV_APPLIED, p.seq);
  }
  return {
    nodeId: p.record.nodeId,
    key,
    profile: p.record.profile,
    location: p.record.location,
    calibrations: calibrationsOf(p.record, nowMs),
  };
}

function calibrationsOf(r: ProvisioningRecord, nowMs: number): (Calibration | undefined)[] {
  const out: (Calibration | undefined)[] = [];
  for (let g = 0; g < 4; g++) {
    const gain = r.calGain[g]!;
    const offset = r.calOffset[g]!;
    // value = gain x raw + offset as the pipeline's two points: raw 0 -> offset, raw 1 -> gain + offset.
    out.push(
      Number.isNaN(gain)
        ? undefined
        : { zeroRaw: 0, zeroValue: offset, spanRaw: 1, spanValue: gain + offset, calibratedAtMs: nowMs },
    );
  }
  return out;
}

export interface RuntimeConsoleHostOptions {
  storage: KeyValueStore;
  clock: Clock;
  /** The running runtime (a function: a simulated power cycle replaces it). */
  runtime: () => NodeRuntime;
  /** HMAC-SHA256 truncated to the output's length (the runtime's FrameMac): the key check value. */
  mac: FrameMac;
  firmwareVersion: string;
  variant: string;
  reboot: () => void;
  /** Bump-test mode's own time limit, ms (default BUMP_MAX_MS). */
  bumpMaxMs?: number;
}

function refusal(error: string, field: string, reason: string): ConsoleRefusal {
  return { error, field, reason };
}

function refusalOf(e: unknown): ConsoleRefusal {
  if (e instanceof ProvisioningError) return refusal(e.code, e.field, e.message);
  return refusal("storage", "config", (e as Error)?.message ?? String(e));
}

const KCV_TEXT = Uint8Array.of(0x6b, 0x63, 0x76); // "kcv"

export class RuntimeConsoleHost implements ConsoleHost {
  readonly #o: RuntimeConsoleHostOptions;
  #bumpTimer: TimerId | undefined;
  /** Gas under bump test (protocol channel), -1 when off. */
  bumpChannel = -1;

  constructor(options: RuntimeConsoleHostOptions) {
    this.#o = options;
  }

  identify(): NodeIdentity {
    return {
      nodeId: hex(this.#o.runtime().options.identity.nodeId),
      firmwareVersion: this.#o.firmwareVersion,
      variant: this.#o.variant,
    };
  }

  /** The newest record, with the runtime's live config in it (a config downlink since shows). */
  readConfig(): Uint8Array {
    const p = loadProvisioning(this.#o.storage);
    if (!p) return new Uint8Array(0);
    p.record.config = this.#o.runtime().config;
    return encodeProvisioning(p.record);
  }

  validateConfig(bytes: Uint8Array): ConsoleRefusal | null {
    try {
      checkRecord(decodeProvisioning(bytes));
      return null;
    } catch (e) {
      return refusalOf(e);
    }
  }

  commitConfig(bytes: Uint8Array): ConsoleRefusal | null {
    let record: ProvisioningRecord;
    try {
      record = decodeProvisioning(bytes);
      checkRecord(record);
    } catch (e) {
      return refusalOf(e);
    }
    return this.#commit(record, bytes.slice());
  }

  #commit(record: ProvisioningRecord, bytes: Uint8Array): ConsoleRefusal | null {
    const kv = this.#o.storage;
    let seq: number;
    try {
      seq = storeProvisioning(kv, bytes);
    } catch (e) {
      return refusal("storage", "config", `storing the record failed: ${(e as Error).message}`);
    }
    // Committed. Apply what the running runtime can take now; identity, profile and location at the reboot.
    const rt = this.#o.runtime();
    const refusedBefore = rt.configRefused;
    const entries = [];
    for (let id = 0; id < CONFIG_PARAMS.length; id++)
      entries.push({ param: id, value: record.config.params[id]! });
    rt.applyConfig({ type: FrameType.Config, revision: record.config.revision, entries });
    if (rt.configRefused !== refusedBefore)
      return refusal("storage", "config", `stored, but the runtime refused it now: ${rt.lastDownlinkError}`);
    const gas = rt.gas;
    if (gas && gas.setup.profile === record.profile && gas.setup.location === record.location) {
      gas.setup.calibrations = calibrationsOf(record, this.#o.clock.now());
      gas.reconfigure(rt.config, this.#o.clock.now());
    }
    writeU32(kv, KEY_PROV_APPLIED, seq);
    return null;
  }

  writeKey(slot: string, key: Uint8Array): ConsoleRefusal | null {
    const s = KEY_SLOTS[slot];
    if (!s)
      return refusal(
        "unknown-slot",
        "slot",
        `no key slot "${slot}" (known: ${Object.keys(KEY_SLOTS).join(", ")})`,
      );
    if (key.length < s.min || key.length > s.max)
      return refusal(
        "bad-length",
        "key",
        `a ${slot} key is ${s.min === s.max ? s.min : `${s.min}..${s.max}`} bytes, got ${key.length}`,
      );
    this.#o.storage.write(s.kv, key.slice().buffer as ArrayBuffer);
    return null;
  }

  keyInfo(slot: string): KeyInfo | ConsoleRefusal {
    const s = KEY_SLOTS[slot];
    if (!s)
      return refusal(
        "unknown-slot",
        "slot",
        `no key slot "${slot}" (known: ${Object.keys(KEY_SLOTS).join(", ")})`,
      );
    const key = readBytes(this.#o.storage, s.kv);
    if (!key || key.length === 0) return { kcv: null };
    const kcv = new Uint8Array(3);
    this.#o.mac.mac(key, KCV_TEXT, kcv);
    key.fill(0);
    return { kcv };
  }

  provisioningSecret(): Uint8Array {
    return readBytes(this.#o.storage, KEY_SECRET) ?? new Uint8Array(0);
  }

  setProvisioningSecret(secret: Uint8Array): ConsoleRefusal | null {
    this.#o.storage.write(KEY_SECRET, secret.slice().buffer as ArrayBuffer);
    return null;
  }

  #channel(gas: string): number | ConsoleRefusal {
    let ch = -1;
    for (let i = 0; i < GAS_CONSOLE_NAMES.length; i++) if (GAS_CONSOLE_NAMES[i] === gas.toUpperCase()) ch = i;
    if (ch < 0)
      return refusal("unknown-gas", "gas", `no gas "${gas}" (known: ${GAS_CONSOLE_NAMES.join(", ")})`);
    if (!this.#o.runtime().gas?.pipelines[ch])
      return refusal("unknown-gas", "gas", `this node has no ${GAS_CONSOLE_NAMES[ch]} sensor`);
    return ch;
  }

  reading(gas: string): GasReading | ConsoleRefusal {
    const ch = this.#channel(gas);
    if (typeof ch !== "number") return ch;
    const rt = this.#o.runtime();
    const p = rt.gas!.pipelines[ch]!;
    const levels = rt.levels[ch]!;
    let alarm = "none";
    // Most severe first: fault, A2, STEL, TWA, A1.
    for (const l of [AlarmLevel.Fault, AlarmLevel.A2, AlarmLevel.Stel, AlarmLevel.Twa, AlarmLevel.A1])
      if (levels & (1 << l)) {
        alarm = LEVEL_NAMES[l]!;
        break;
      }
    return { value: round(p.value), unit: UNITS[ch]!, alarm };
  }

  calibrate(gas: string, kind: "zero" | "span", value: number): CalibrationResult | ConsoleRefusal {
    const ch = this.#channel(gas);
    if (typeof ch !== "number") return ch;
    const p = loadProvisioning(this.#o.storage);
    if (!p)
      return refusal(
        "missing",
        "config",
        "this node is not provisioned yet: provision it before calibrating",
      );
    const rt = this.#o.runtime();
    const pipe = rt.gas!.pipelines[ch]!;
    // The smoothed reading: a single sample's noise must not become the calibration.
    const reading = pipe.filtered;
    if (!Number.isFinite(reading) || (pipe.faults & ~(1 << 3)) !== 0)
      return refusal(
        "sensor-fault",
        "gas",
        `${GAS_CONSOLE_NAMES[ch]} has no valid reading now (faults 0x${pipe.faults.toString(16)})`,
      );
    const r = p.record;
    const gain0 = Number.isNaN(r.calGain[ch]!) ? 1 : r.calGain[ch]!;
    const offset0 = Number.isNaN(r.calOffset[ch]!) ? 0 : r.calOffset[ch]!;
    const raw = (reading - offset0) / gain0;
    let gain = gain0;
    let offset = offset0;
    if (kind === "zero") offset = -gain0 * raw;
    else {
      const s = resolveGasSettings(r.profile, GASES[ch]!, r.location);
      if (!(value > 0 && value <= s.rangeMax))
        return refusal(
          "out-of-range",
          "span",
          `span ${value} ${UNITS[ch]} is outside the ${GAS_CONSOLE_NAMES[ch]} sensor's 0..${s.rangeMax} ${UNITS[ch]}`,
        );
      const zeroRaw = -offset0 / gain0;
      if (!(raw - zeroRaw > 0))
        return refusal(
          "sensor-fault",
          "span",
          `${GAS_CONSOLE_NAMES[ch]} reads ${round(reading)} ${UNITS[ch]}, no rise above zero: is span gas flowing?`,
        );
      gain = value / (raw - zeroRaw);
      offset = -gain * zeroRaw;
    }
    try {
      checkCalibration(r.profile, r.location, ch, gain, offset);
    } catch (e) {
      return refusalOf(e);
    }
    r.calGain[ch] = gain;
    r.calOffset[ch] = offset;
    r.config = rt.config;
    const failed = this.#commit(r, encodeProvisioning(r));
    if (failed) return failed;
    return { value: round(gain * raw + offset), unit: UNITS[ch]! };
  }

  setBumpTest(on: boolean, gas: string | null): ConsoleRefusal | null {
    if (this.#bumpTimer !== undefined) this.#o.clock.clearTimer(this.#bumpTimer);
    this.#bumpTimer = undefined;
    if (!on) {
      this.bumpChannel = -1;
      return null;
    }
    const ch = this.#channel(gas ?? "");
    if (typeof ch !== "number") return ch;
    this.bumpChannel = ch;
    this.#bumpTimer = this.#o.clock.setTimer(() => {
      this.#bumpTimer = undefined;
      this.bumpChannel = -1;
    }, this.#o.bumpMaxMs ?? BUMP_MAX_MS);
    return null;
  }

  reboot(): void {
    if (this.#bumpTimer !== undefined) this.#o.clock.clearTimer(this.#bumpTimer);
    this.#bumpTimer = undefined;
    this.bumpChannel = -1;
    this.#o.reboot();
  }
}

/** Six significant decimals: what the console's reply number prints without noise digits. */
function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x;
}

export function hex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
  return s;
}

/** A record with the factory config and no calibration, for tools and tests. */
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

export { identityCalibration };
