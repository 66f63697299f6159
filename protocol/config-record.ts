/**
 * The node's remotely settable configuration: the config downlink's parameters (protocol/schema.ts
 * CONFIG_PARAMS) plus a revision. A parameter may be unset (NaN): the gas channels then run with the
 * set-point profile's own number (firmware/sensing/profiles: the profile is the rule book; a config downlink
 * overrides single values of it), the periods with the defaults below.
 *
 * Persisted as a fixed binary record (encodeConfig) whose bytes are also what the birth frame's configHash
 * digests, so equal configurations have equal hashes on every node; the provisioning record embeds it
 * (protocol/provisioning-record.ts). Runs on XS; nothing here is per sample.
 */
import { crc32 } from "./checksums.js";
import { RecordError } from "./errors.js";
import type { ConfigEntry } from "./frames.js";
import { deepFreeze } from "./freeze.js";
import { CONFIG_PARAMS, U32 } from "./schema.js";

export const PARAM_COUNT = CONFIG_PARAMS.length;

/** Parameter ids by name (CONFIG_PARAMS order is the wire's). */
export const Param = Object.freeze({
  telemetryPeriodS: 0,
  statusPeriodS: 1,
  ch4A1CentiPctVol: 2,
  ch4A2CentiPctVol: 3,
  coA1Ppm: 4,
  coA2Ppm: 5,
  coStelPpm: 6,
  coTwaPpm: 7,
  o2LowA1DeciPctVol: 8,
  o2LowA2DeciPctVol: 9,
  o2HighDeciPctVol: 10,
  h2sA1DeciPpm: 11,
  h2sA2DeciPpm: 12,
  h2sStelDeciPpm: 13,
  h2sTwaDeciPpm: 14,
  staLtaOnX100: 15,
  staLtaOffX100: 16,
  ppvAlarmUmPerS: 17,
});

export interface NodeConfig {
  /** Revision the operator gave with the last config downlink (0 = factory). */
  revision: number;
  /** One value per CONFIG_PARAMS id, in that parameter's scale; NaN = unset (profile / default applies). */
  params: Float64Array;
}

/**
 * Defaults for the parameters that have no profile behind them. All DEFAULT (design choices):
 * - telemetry every 60 s: a 1 Hz gas reading summarised per minute keeps a LoRaWAN node within EU868's
 *   1 % duty cycle at SF9 and shows a trend in the control room;
 * - status every 15 min: health (battery, faults, outbox) often enough that a dead node is noticed within a
 *   shift's first quarter hour;
 * - STA/LTA on 4.0 / off 1.5: the seismic detector's documented example (firmware/sensing/seismic/index.ts).
 * The PPV alarm level is unset: the detector's PPV limit profile decides (class "exceeds").
 */
export function defaultConfig(): NodeConfig {
  const params = new Float64Array(PARAM_COUNT).fill(Number.NaN);
  params[Param.telemetryPeriodS] = 60;
  params[Param.statusPeriodS] = 900;
  params[Param.staLtaOnX100] = 400;
  params[Param.staLtaOffX100] = 150;
  return { revision: 0, params };
}

export function copyConfig(c: NodeConfig): NodeConfig {
  return { revision: c.revision, params: new Float64Array(c.params) };
}

function bad(message: string, value: unknown, param = -1): RecordError {
  const e = new RecordError("bad-config", message, value);
  e.param = param;
  return e;
}

function names(entries: readonly ConfigEntry[] | undefined, id: number): boolean {
  if (!entries) return false;
  for (const e of entries) if (e.param === id) return true;
  return false;
}

/** Pairs that must be ordered when both are set: [lower, higher, why]. */
const ORDERED: readonly (readonly [number, number, string])[] = [
  [Param.ch4A1CentiPctVol, Param.ch4A2CentiPctVol, "the first CH4 set-point must not exceed the second"],
  [Param.coA1Ppm, Param.coA2Ppm, "the first CO set-point must not exceed the second"],
  [Param.h2sA1DeciPpm, Param.h2sA2DeciPpm, "the first H2S set-point must not exceed the second"],
  // O2 deficiency is a falling alarm: A2 (action) is the lower level.
  [Param.o2LowA2DeciPctVol, Param.o2LowA1DeciPctVol, "the O2 A2 (action) level must not exceed A1"],
  [
    Param.o2LowA1DeciPctVol,
    Param.o2HighDeciPctVol,
    "the O2 deficiency level must be below the enrichment level",
  ],
  [Param.staLtaOffX100, Param.staLtaOnX100, "the STA/LTA off threshold must not exceed the on threshold"],
];

/**
 * Checks every value against its schema range and the set-point order; throws RecordError bad-config whose
 * `param` names the parameter (of a pair out of order: the one `changed` sets, the lower one otherwise).
 */
export function validateConfig(c: NodeConfig, changed?: readonly ConfigEntry[]): NodeConfig {
  if (!Number.isInteger(c.revision) || c.revision < 0 || c.revision > U32) {
    throw bad(`config revision must be an integer in 0..${U32}, got ${c.revision}`, c.revision);
  }
  if (!(c.params instanceof Float64Array) || c.params.length !== PARAM_COUNT) {
    throw bad(`config needs ${PARAM_COUNT} parameters`, c.params?.length);
  }
  for (let id = 0; id < PARAM_COUNT; id++) {
    const v = c.params[id]!;
    if (Number.isNaN(v)) continue;
    const p = CONFIG_PARAMS[id]!;
    if (!Number.isInteger(v) || v < p.min || v > p.max) {
      throw bad(`config ${p.name} must be an integer in ${p.min}..${p.max}, got ${v}`, v, id);
    }
  }
  if (Number.isNaN(c.params[Param.telemetryPeriodS])) {
    throw bad("config telemetryPeriodS must be set", Number.NaN, Param.telemetryPeriodS);
  }
  if (Number.isNaN(c.params[Param.statusPeriodS])) {
    throw bad("config statusPeriodS must be set", Number.NaN, Param.statusPeriodS);
  }
  for (const [lo, hi, why] of ORDERED) {
    const a = c.params[lo]!;
    const b = c.params[hi]!;
    if (!Number.isNaN(a) && !Number.isNaN(b) && a > b) {
      const named = names(changed, hi) && !names(changed, lo) ? hi : lo;
      throw bad(`${why}: ${CONFIG_PARAMS[lo]!.name} ${a} > ${CONFIG_PARAMS[hi]!.name} ${b}`, a, named);
    }
  }
  return c;
}

/** The configuration a config downlink asks for (validated; the current one is not changed). */
export function applyEntries(
  current: NodeConfig,
  revision: number,
  entries: readonly ConfigEntry[],
): NodeConfig {
  const next = copyConfig(current);
  next.revision = revision;
  for (const e of entries) {
    if (!Number.isInteger(e.param) || e.param < 0 || e.param >= PARAM_COUNT) {
      throw bad(`unknown config parameter id ${e.param}`, e.param, e.param);
    }
    next.params[e.param] = e.value;
  }
  return validateConfig(next, entries);
}

const FORMAT_VERSION = 1;
/** version u8, revision u32, count u8, count x f64 (NaN = unset), CRC-32 of everything before it. */
export const CONFIG_RECORD_BYTES = 1 + 4 + 1 + 8 * PARAM_COUNT + 4;

export function encodeConfig(c: NodeConfig): Uint8Array {
  const out = new Uint8Array(CONFIG_RECORD_BYTES);
  const v = new DataView(out.buffer);
  v.setUint8(0, FORMAT_VERSION);
  v.setUint32(1, c.revision, true);
  v.setUint8(5, PARAM_COUNT);
  for (let i = 0; i < PARAM_COUNT; i++) {
    const x = c.params[i]!;
    // One canonical NaN so that equal configurations give equal bytes (and equal hashes).
    v.setFloat64(6 + 8 * i, !Number.isNaN(x) ? x : Number.NaN, true);
  }
  v.setUint32(CONFIG_RECORD_BYTES - 4, crc32(out, 0, CONFIG_RECORD_BYTES - 4), true);
  return out;
}

/** Reads a stored record; throws RecordError bad-storage (torn, other version) or bad-config. */
export function decodeConfig(bytes: Uint8Array): NodeConfig {
  if (bytes.length !== CONFIG_RECORD_BYTES) {
    throw new RecordError(
      "bad-storage",
      `stored config is ${bytes.length} bytes, expected ${CONFIG_RECORD_BYTES}`,
      bytes.length,
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const crc = v.getUint32(CONFIG_RECORD_BYTES - 4, true);
  if (crc !== crc32(bytes, 0, CONFIG_RECORD_BYTES - 4)) {
    throw new RecordError("bad-storage", `stored config fails its CRC (0x${crc.toString(16)})`, crc);
  }
  if (v.getUint8(0) !== FORMAT_VERSION || v.getUint8(5) !== PARAM_COUNT) {
    throw new RecordError(
      "bad-storage",
      `stored config has format ${v.getUint8(0)}/${v.getUint8(5)}`,
      v.getUint8(0),
    );
  }
  const params = new Float64Array(PARAM_COUNT);
  for (let i = 0; i < PARAM_COUNT; i++) params[i] = v.getFloat64(6 + 8 * i, true);
  return validateConfig({ revision: v.getUint32(1, true), params });
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(ORDERED);
