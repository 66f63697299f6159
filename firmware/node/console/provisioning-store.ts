/**
 * Where the provisioning record, keys and secret live in key-value storage, and the boot step that takes
 * them into the runtime. Runs on XS; nothing here is per sample.
 *
 * Atomic storage (a power cut at any write leaves the previous valid record in force): two slots, "prov0"
 * and "prov1", each `seq u32 | record`. A commit writes the slot NOT holding the newest record, with seq + 1;
 * that one write is the commit point (a torn write fails its CRC and the other slot is still newest). Then
 * the runtime's config is applied and stored, and "provapl" records the seq whose parameters reached
 * "config": at boot `bootProvisioning` finishes a commit cut between those writes. Config downlinks later
 * change "config" without touching "provapl", so a boot never undoes them.
 */
import { crc32 } from "../../../protocol/checksums.js";
import { encodeConfig } from "../../../protocol/config-record.js";
import { deepFreeze } from "../../../protocol/freeze.js";
import { decodeProvisioning, type ProvisioningRecord } from "../../../protocol/provisioning-record.js";
import type { Calibration } from "../../sensing/gas/index.js";
import { KEY_CONFIG, type KeyValueStore, readBytes, readU32, writeU32 } from "../storage.js";

export const PROV_SLOTS = ["prov0", "prov1"] as const;
export const KEY_PROV_APPLIED = "provapl";
export const KEY_SECRET = "psecret";
/** Factory identity (EUI-64) written at manufacture; a provisioning record's node id takes precedence. */
export const KEY_FACTORY_NODE_ID = "nodeid";
/**
 * Calibration age per gas (CH4, CO, O2, H2S): f64 LE powered-on ms since that gas was last calibrated (NaN =
 * not known) x 4 | CRC-32. See CAL_AGE_SAVE_MS for why powered-on time and how often it is written.
 */
export const KEY_CAL_AGE = "calage";
const CAL_AGE_BYTES = 4 * 8 + 4;
/**
 * Calibration age is kept as powered-on time, saved every minute and at each calibration (DEFAULT).
 * Why not wall time: the node has none until a time sync (LoRaWAN DeviceTime / a Time downlink), which a
 * node out of coverage or on the bench may never get, and an overdue check that waits for a sync is silent
 * when it matters; powered-on time needs nothing but the node's own clock. What it misses: time the node
 * spends switched off (on a shelf) and up to one save period per reboot. A gas node in service is powered
 * around the clock (DESIGN.md), so in service the two agree; shelf time is the field-tech tool's to judge
 * from its registry (wall-clock dates of every calibration). One write a minute is about 0.5 M small NVS
 * writes a year, which NVS wear levelling spreads across its pages (ESP-IDF NVS: entries in 4 KB pages,
 * erased only when a page fills).
 */
export const CAL_AGE_SAVE_MS = 60_000;

/** The stored calibration ages (ms, NaN = unknown), or all NaN when none is stored or it is torn. */
export function loadCalibrationAges(kv: KeyValueStore): Float64Array {
  const out = new Float64Array(4).fill(Number.NaN);
  let b: Uint8Array | undefined;
  try {
    b = readBytes(kv, KEY_CAL_AGE);
  } catch {
    return out;
  }
  if (!b || b.length !== CAL_AGE_BYTES) return out;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(32, true) !== crc32(b, 0, 32)) return out;
  for (let g = 0; g < 4; g++) {
    const age = v.getFloat64(g * 8, true);
    out[g] = age >= 0 && Number.isFinite(age) ? age : Number.NaN;
  }
  return out;
}

/** Stores the calibration ages (ms, NaN = unknown). Throws what the storage throws. */
export function storeCalibrationAges(kv: KeyValueStore, agesMs: Float64Array): void {
  const b = new Uint8Array(CAL_AGE_BYTES);
  const v = new DataView(b.buffer);
  for (let g = 0; g < 4; g++) v.setFloat64(g * 8, agesMs[g]!, true);
  v.setUint32(32, crc32(b, 0, 32), true);
  kv.write(KEY_CAL_AGE, b.buffer as ArrayBuffer);
}

/** Console key slots -> key-value keys and lengths (main.ts reads "key"; transports-from-config.ts the rest). */
export const KEY_SLOTS: Readonly<Record<string, { kv: string; min: number; max: number }>> = {
  mac: { kv: "key", min: 16, max: 16 },
  "lorawan-appkey": { kv: "appkey", min: 16, max: 16 },
  // OTAA identity (runtime/transports-from-config.ts writes all three to the modem before a join).
  "lorawan-deveui": { kv: "deveui", min: 8, max: 8 },
  "lorawan-joineui": { kv: "joineui", min: 8, max: 8 },
  "mqtt-password": { kv: "mqttpw", min: 1, max: 64 },
};

export interface StoredProvisioning {
  seq: number;
  slot: number;
  record: ProvisioningRecord;
  /** The record's bytes exactly as committed. */
  bytes: Uint8Array;
}

/** The newest valid record in storage, or null (torn or foreign slots are skipped). */
export function loadProvisioning(kv: KeyValueStore): StoredProvisioning | null {
  let best: StoredProvisioning | null = null;
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

/** Stores a record atomically (see the file comment); returns its seq. Throws what the storage throws. */
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

/** Writes a committed record's runtime config to "config" and marks it applied (boot, or no runtime). */
export function finishCommit(kv: KeyValueStore, p: StoredProvisioning): void {
  kv.write(KEY_CONFIG, encodeConfig(p.record.config).buffer as ArrayBuffer);
  writeU32(kv, KEY_PROV_APPLIED, p.seq);
}

/** What a boot takes from provisioning (null fields: the board's / simulator's own defaults apply). */
export interface BootProvisioning {
  /** The record's node id, else the factory "nodeid", else null (the node cannot run yet). */
  nodeId: Uint8Array | null;
  /** The MAC key from KEY.SET mac, or null. */
  key: Uint8Array | null;
  profile: string | null;
  location: string | null;
  /** Per protocol gas channel; undefined where none was stored. */
  calibrations: (Calibration | undefined)[];
}

function readOr(kv: KeyValueStore, key: string, bytes: number): Uint8Array | null {
  try {
    const v = readBytes(kv, key);
    return v && v.length === bytes ? v : null;
  } catch {
    return null;
  }
}

/**
 * Call before constructing the runtime: finishes a provisioning commit that a power cut interrupted after
 * its commit point (writes the record's runtime config to "config"), and returns the identity, key, profile,
 * location and calibrations the runtime must boot with. `nowMs` is the boot time on the runtime's clock;
 * each calibration is dated `nowMs - its stored age` (KEY_CAL_AGE), so "calibration overdue" carries across
 * reboots (an unknown age counts from this boot).
 */
export function bootProvisioning(kv: KeyValueStore, nowMs: number): BootProvisioning {
  const p = loadProvisioning(kv);
  const key = readOr(kv, KEY_SLOTS.mac!.kv, 16);
  if (!p)
    return {
      nodeId: readOr(kv, KEY_FACTORY_NODE_ID, 8),
      key,
      profile: null,
      location: null,
      calibrations: [],
    };
  let applied: number | undefined;
  try {
    applied = readU32(kv, KEY_PROV_APPLIED);
  } catch {
    applied = undefined;
  }
  if (applied === undefined || applied < p.seq) finishCommit(kv, p);
  return {
    nodeId: p.record.nodeId,
    key,
    profile: p.record.profile,
    location: p.record.location,
    calibrations: calibrationsOf(p.record, nowMs, loadCalibrationAges(kv)),
  };
}

/**
 * The record's calibrations as the gas pipeline takes them, dated `nowMs - agesMs[g]` (NaN or no age: dated
 * `nowMs`). A gas without a stored calibration (NaN gain) runs on the factory front end (gain 1, offset 0):
 * undefined unless its age is known, then that front end with its date, so its overdue check carries too.
 */
export function calibrationsOf(
  r: ProvisioningRecord,
  nowMs: number,
  agesMs?: Float64Array,
): (Calibration | undefined)[] {
  const out: (Calibration | undefined)[] = [];
  for (let g = 0; g < 4; g++) {
    const gain = r.calGain[g]!;
    const offset = r.calOffset[g]!;
    const age = agesMs?.[g];
    const known = age !== undefined && !Number.isNaN(age);
    const calibratedAtMs = known ? nowMs - age : nowMs;
    // value = gain x raw + offset as the pipeline's two points: raw 0 -> offset, raw 1 -> gain + offset.
    if (Number.isNaN(gain))
      out.push(known ? { zeroRaw: 0, zeroValue: 0, spanRaw: 1, spanValue: 1, calibratedAtMs } : undefined);
    else out.push({ zeroRaw: 0, zeroValue: offset, spanRaw: 1, spanValue: gain + offset, calibratedAtMs });
  }
  return out;
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(KEY_SLOTS);
deepFreeze(PROV_SLOTS);
