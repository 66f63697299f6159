/**
 * node.yaml, the tech's description of one node, and its checks. Everything here runs BEFORE anything is
 * written to the node: the checks are the node's own (firmware/node/console/provisioning-check.ts checkRecord,
 * the same code the node runs on CFG.COMMIT), plus what only the tool can say (unknown keys, a value with
 * more decimals than the node stores, every set-point looser than the profile listed, not just the first).
 *
 * ```yaml
 * nodeId: 70b3d57e0000002a      # optional: default the node's own EUI-64
 * site: karaganda-lenina         # printable ASCII, at most 32
 * level: "-420 m"                # at most 32
 * location: face                 # a location class of the profile
 * profile: kz-ru-coal            # a set-point profile (firmware/sensing/profiles)
 * setpoints:                     # optional, each in the gas's unit; stricter than the profile, or --override
 *   ch4: { a1: 0.7, a2: 1.0 }    # %vol, 0.01 steps
 *   co: { a1: 9, a2: 17, stel: 100, twa: 25 }   # ppm, whole
 *   o2: { a1: 20.5, a2: 20.0, enrichment: 23.5 } # %vol, 0.1 steps
 *   h2s: { a1: 3.5, a2: 7.1, stel: 5, twa: 1 }   # ppm, 0.1 steps
 * calibration:                   # optional: from the sensor's calibration certificate
 *   co: { gain: 1.02, offset: -0.4 }             # reading = gain x raw + offset, offset in the gas's unit
 * telemetryPeriodS: 60           # optional (10..86400)
 * statusPeriodS: 900             # optional (60..604800)
 * ```
 */
import { readFileSync } from "node:fs";
import { isScalar, parseDocument, YAMLParseError } from "yaml";
import {
  AlarmLimit,
  alarmLimitProblems,
  SETPOINT_PARAMS,
  SETPOINT_UNIT,
  type SetPointField,
} from "../../firmware/node/alarm-limits.js";
import { checkRecord } from "../../firmware/node/console/provisioning.js";
import { GAS_PROFILES, gasProfileNamed } from "../../firmware/sensing/profiles/index.js";
import type { GasName } from "../../firmware/sensing/profiles/types.js";
import { brokerAddressProblem } from "../../protocol/broker-address.js";
import { defaultConfig, Param } from "../../protocol/config-record.js";
import {
  emptyRecord,
  ProvisioningError,
  type ProvisioningRecord,
  TEXT_MAX,
} from "../../protocol/provisioning-record.js";
import { ProvisionError } from "./errors.js";

/** Per gas: its set-point fields -> [config param, scale of the stored integer] (alarm-limits.ts's table). */
const SETPOINTS: Readonly<Record<GasName, Partial<Record<SetPointField, readonly [number, number]>>>> =
  (() => {
    const out: Record<GasName, Partial<Record<SetPointField, readonly [number, number]>>> = {
      ch4: {},
      co: {},
      o2: {},
      h2s: {},
    };
    for (const [param, gas, field, scale] of SETPOINT_PARAMS) out[gas][field] = [param, scale];
    return out;
  })();
const GAS_INDEX: Readonly<Record<GasName, number>> = { ch4: 0, co: 1, o2: 2, h2s: 3 };
const UNIT = SETPOINT_UNIT;
const TOP_KEYS = [
  "nodeId",
  "site",
  "level",
  "location",
  "profile",
  "setpoints",
  "calibration",
  "telemetryPeriodS",
  "statusPeriodS",
];

export interface NodeConfigFile {
  /** 16 lower-case hex digits, or undefined: keep the node's own id. */
  nodeId: string | undefined;
  site: string;
  level: string;
  location: string;
  profile: string;
  /** Set-points as written (gas unit), for the summary. */
  setpoints: Partial<Record<GasName, Partial<Record<SetPointField, number>>>>;
  calibration: Partial<Record<GasName, { gain: number; offset: number }>>;
  telemetryPeriodS: number | undefined;
  statusPeriodS: number | undefined;
}

function bad(file: string, message: string, value: unknown): ProvisionError {
  return new ProvisionError("bad-config", `${file}: ${message}`, value);
}

function text(file: string, o: Record<string, unknown>, key: string, max: number, required: boolean): string {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw bad(file, `${key} is missing: add "${key}: ..."`, undefined);
    return "";
  }
  const s = typeof v === "number" ? String(v) : v;
  if (typeof s !== "string" || s.length === 0 || s.length > max || !/^[\x20-\x7e]*$/.test(s))
    throw bad(file, `${key} ${JSON.stringify(v)} must be 1..${max} printable ASCII characters`, v);
  return s;
}

/** What a value read from YAML was, as the tech wrote it: `.nan` is NaN and `.inf` Infinity (JSON says null). */
function shownValue(v: unknown): string {
  return typeof v === "number" ? String(v) : JSON.stringify(v);
}

function num(file: string, where: string, v: unknown): number {
  if (typeof v !== "number") throw bad(file, `${where} ${shownValue(v)} is not a number`, v);
  if (!Number.isFinite(v)) throw bad(file, `${where} ${shownValue(v)} is not a finite number`, v);
  return v;
}

function map(file: string, where: string, v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw bad(file, `${where} must be a mapping (key: value lines)`, v);
  return v as Record<string, unknown>;
}

/** Aliases node.yaml may expand (the yaml package's maxAliasCount): a node.yaml needs none. */
const MAX_YAML_ALIASES = 50;

/** Keys a tech may reach for to set the MQTT broker, answered with where it is set instead. */
const BROKER_KEYS = Object.freeze(["mqttHost", "mqtt", "broker", "brokerHost"]);

function onlyKeys(file: string, where: string, o: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw bad(file, `unknown key "${where}${k}" (known: ${known.join(", ")})`, k);
}

/** Parses node.yaml text; throws ProvisionError bad-file (YAML) or bad-config (a field), one line each. */
export function parseNodeConfig(source: string, file = "node.yaml"): NodeConfigFile {
  let doc: unknown;
  // Text fields are taken as written: YAML would read `nodeId: 0011223344556677` or `level: 0042` as numbers.
  const written = new Map<string, string>();
  try {
    const d = parseDocument(source, { uniqueKeys: true });
    if (d.errors.length > 0) throw d.errors[0];
    doc = d.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    for (const key of ["nodeId", "site", "level", "location", "profile"]) {
      const node = d.get(key, true);
      if (isScalar(node) && typeof node.source === "string" && typeof node.value === "number")
        written.set(key, node.source);
    }
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const at = e.linePos?.[0];
      const first = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      throw new ProvisionError(
        "bad-file",
        `${file}${at ? ` line ${at.line} column ${at.col}` : ""}: not valid YAML (${first}): fix the file and run again`,
        at?.line,
      );
    }
    // The yaml package's guard against alias expansion (a "billion laughs" file): a ReferenceError.
    if (e instanceof ReferenceError && /alias/i.test(e.message))
      throw new ProvisionError(
        "bad-file",
        `${file}: refused: its YAML aliases (*name) expand beyond ${MAX_YAML_ALIASES} copies (an alias bomb?): write the values out`,
        undefined,
      );
    throw e;
  }
  const o = map(file, "the file", doc);
  for (const [key, text] of written) o[key] = text;
  for (const key of BROKER_KEYS) {
    if (key in o) {
      const problem = typeof o[key] === "string" ? brokerAddressProblem(o[key]) : undefined;
      throw bad(
        file,
        `${key} is not set by provisioning: the broker is built into the firmware (build:firmware ` +
          `mqttHost=<the broker's IPv4 address>, docs/firmware-build.md)${problem ? `; and ${problem}` : ""}`,
        o[key],
      );
    }
  }
  onlyKeys(file, "", o, TOP_KEYS);
  const profile = text(file, o, "profile", TEXT_MAX[3], true);
  try {
    gasProfileNamed(profile);
  } catch {
    throw bad(
      file,
      `profile "${profile}" is not known (known: ${GAS_PROFILES.map((p) => p.name).join(", ")})`,
      profile,
    );
  }
  const location = text(file, o, "location", TEXT_MAX[2], true);
  const known = gasProfileNamed(profile).locations;
  if (!known.includes(location))
    throw bad(
      file,
      `location class "${location}" is not in profile ${profile} (known: ${known.join(", ")})`,
      location,
    );
  let nodeId: string | undefined;
  if (o.nodeId !== undefined) {
    const v = String(o.nodeId).toLowerCase();
    if (!/^[0-9a-f]{16}$/.test(v) || /^0+$/.test(v))
      throw bad(
        file,
        `nodeId "${String(o.nodeId)}" must be an EUI-64: 16 hex digits, not all zero`,
        o.nodeId,
      );
    nodeId = v;
  }
  const setpoints: NodeConfigFile["setpoints"] = {};
  if (o.setpoints !== undefined) {
    const sp = map(file, "setpoints", o.setpoints);
    onlyKeys(file, "setpoints.", sp, Object.keys(SETPOINTS));
    for (const [gas, fields] of Object.entries(sp) as [GasName, unknown][]) {
      const f = map(file, `setpoints.${gas}`, fields);
      onlyKeys(file, `setpoints.${gas}.`, f, Object.keys(SETPOINTS[gas]));
      const out: Partial<Record<SetPointField, number>> = {};
      for (const [field, v] of Object.entries(f) as [SetPointField, unknown][]) {
        const where = `setpoints.${gas}.${field}`;
        const value = num(file, where, v);
        const scale = SETPOINTS[gas][field]![1];
        if (Math.abs(value * scale - Math.round(value * scale)) > 1e-9)
          throw bad(
            file,
            `${where} ${value} ${UNIT[gas]}: the node stores steps of ${1 / scale} ${UNIT[gas]}`,
            value,
          );
        out[field] = value;
      }
      setpoints[gas] = out;
    }
  }
  const calibration: NodeConfigFile["calibration"] = {};
  if (o.calibration !== undefined) {
    const cal = map(file, "calibration", o.calibration);
    onlyKeys(file, "calibration.", cal, Object.keys(SETPOINTS));
    for (const [gas, v] of Object.entries(cal) as [GasName, unknown][]) {
      const c = map(file, `calibration.${gas}`, v);
      onlyKeys(file, `calibration.${gas}.`, c, ["gain", "offset"]);
      // An empty entry would write gain 1 offset 0 over the node's calibration: a reset nobody asked for.
      if ((c.gain ?? null) === null && (c.offset ?? null) === null)
        throw bad(
          file,
          `calibration.${gas} is empty: give its gain and/or offset from the certificate, or remove the entry to keep the node's calibration`,
          gas,
        );
      calibration[gas] = {
        gain: num(file, `calibration.${gas}.gain`, c.gain ?? 1),
        offset: num(file, `calibration.${gas}.offset`, c.offset ?? 0),
      };
    }
  }
  const period = (key: string): number | undefined => {
    if (o[key] === undefined) return undefined;
    const v = num(file, key, o[key]);
    if (!Number.isInteger(v)) throw bad(file, `${key} ${v} must be whole seconds`, v);
    return v;
  };
  return {
    nodeId,
    site: text(file, o, "site", TEXT_MAX[0], true),
    level: text(file, o, "level", TEXT_MAX[1], true),
    location,
    profile,
    setpoints,
    calibration,
    telemetryPeriodS: period("telemetryPeriodS"),
    statusPeriodS: period("statusPeriodS"),
  };
}

export function readNodeConfig(file: string): NodeConfigFile {
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (e) {
    throw new ProvisionError(
      "bad-file",
      `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the --config path`,
      file,
    );
  }
  return parseNodeConfig(source, file);
}

/** The provisioning record for `nodeIdHex` (no checks yet: see `checkNodeRecord`). */
export function buildRecord(cfg: NodeConfigFile, nodeIdHex: string, override: string): ProvisioningRecord {
  const id = new Uint8Array(8);
  for (let i = 0; i < 8; i++) id[i] = Number.parseInt(nodeIdHex.slice(2 * i, 2 * i + 2), 16);
  const config = defaultConfig();
  if (cfg.telemetryPeriodS !== undefined) config.params[Param.telemetryPeriodS] = cfg.telemetryPeriodS;
  if (cfg.statusPeriodS !== undefined) config.params[Param.statusPeriodS] = cfg.statusPeriodS;
  for (const [gas, fields] of Object.entries(cfg.setpoints) as [GasName, Record<SetPointField, number>][])
    for (const [field, value] of Object.entries(fields) as [SetPointField, number][]) {
      const [param, scale] = SETPOINTS[gas][field]!;
      config.params[param] = Math.round(value * scale);
    }
  const r = emptyRecord(id, config);
  for (const [gas, c] of Object.entries(cfg.calibration) as [GasName, { gain: number; offset: number }][]) {
    r.calGain[GAS_INDEX[gas]] = c.gain;
    r.calOffset[GAS_INDEX[gas]] = c.offset;
  }
  r.site = cfg.site;
  r.level = cfg.level;
  r.location = cfg.location;
  r.profile = cfg.profile;
  r.override = override;
  return r;
}

export interface Deviation {
  field: string;
  value: number;
  limit: number;
  unit: string;
  /** "above" for a rising alarm set looser than the profile, "below" for the falling O2 alarm. */
  side: "above" | "below";
}

/**
 * Every set-point looser than the profile allows at the record's location (the firmware stops at the first),
 * from the one alarm-parameter check (firmware/node/alarm-limits.ts).
 */
export function deviations(r: ProvisioningRecord): Deviation[] {
  return alarmLimitProblems(r.profile, r.location, r.config.params)
    .filter((p) => p.code === AlarmLimit.LooserThanProfile)
    .map((p) => ({ field: p.field, value: p.value, limit: p.limit!, unit: p.unit!, side: p.side! }));
}

/**
 * O2 set-points on the wrong side of normal air (a deficiency alarm at or above it, an enrichment alarm at or
 * below it: an alarm that never clears), from the one alarm-parameter check.
 */
export function airSideProblems(r: ProvisioningRecord): string[] {
  return alarmLimitProblems(r.profile, r.location, r.config.params)
    .filter((p) => p.code === AlarmLimit.O2NormalAir)
    .map((p) => p.message);
}

export function describeDeviation(d: Deviation, profile: string, location: string): string {
  return `${d.field} ${d.value} ${d.unit} is ${d.side} profile ${profile}'s ${d.limit} ${d.unit} at ${location}`;
}

/**
 * The node's own acceptance check, run on the host before anything is written. A looser set-point without
 * an override reason is refused here with every deviation named; with one, the node's check skips the bound
 * (it records the reason) but still refuses values outside the sensor's range and impossible calibration.
 */
export function checkNodeRecord(r: ProvisioningRecord, file: string): Deviation[] {
  const air = airSideProblems(r);
  if (air.length > 0)
    throw new ProvisionError(
      "bad-config",
      `${file}: ${air.join("; ")}: no override can accept this (the alarm would be on in clean air, always)`,
      air[0],
    );
  const devs = deviations(r);
  if (devs.length > 0 && r.override.length === 0)
    throw new ProvisionError(
      "bad-config",
      `${file}: ${devs.map((d) => describeDeviation(d, r.profile, r.location)).join("; ")}: make it stricter, or accept it with --override "<reason>" (recorded)`,
      devs[0]!.value,
    );
  try {
    checkRecord(r);
  } catch (e) {
    if (!(e instanceof ProvisioningError)) throw e;
    const fix = e.field.startsWith("calibration")
      ? "no override can accept this: check the certificate's numbers"
      : e.field.startsWith("setpoints")
        ? "no override can accept this: the sensor cannot measure there"
        : "fix it in the file";
    throw new ProvisionError("bad-config", `${file}: ${e.message.replace(/^config /, "")}: ${fix}`, e.value);
  }
  return devs;
}
