/**
 * The runtime's side of the provisioning console (firmware/node/console/host.ts ConsoleHost): the console
 * carries bytes, this decides what they mean for the minewatch runtime (firmware/node/runtime.ts).
 * - config: the provisioning record (protocol/provisioning-record.ts; its checks: provisioning-check.ts),
 *   stored atomically in two key-value slots (provisioning-store.ts); set-points and periods apply at once,
 *   identity / profile / location / calibrations of another profile at the next boot (main.ts and SimNode
 *   boot through bootProvisioning).
 * - keys: write-only key-value entries (KEY_SLOTS); the reply carries only a key check value.
 * - calibration: zero / span on the mean of the last few unsmoothed readings, refused while they are not
 *   stable (provisioning-calibrate.ts), stored in the record (the same atomic commit); each gas's
 *   calibration age is kept in powered-on time and saved every CAL_AGE_SAVE_MS (provisioning-store.ts), so
 *   "calibration overdue" carries across reboots.
 * - bump test, reboot, the provisioning secret, the interlock's local reset.
 * Works with no runtime running (a node not yet provisioned boots the console alone): the commands that
 * need live readings then refuse with `not-running`. Runs on XS: no Node API; nothing here is per sample.
 */
import type { FrameMac } from "../../../protocol/auth.js";
import { CONFIG_RECORD_BYTES, encodeConfig } from "../../../protocol/config-record.js";
import { deepFreeze } from "../../../protocol/freeze.js";
import { toHex } from "../../../protocol/hex.js";
import {
  CONFIG_OFFSET,
  decodeProvisioning,
  encodeProvisioning,
  ProvisioningError,
  type ProvisioningRecord,
} from "../../../protocol/provisioning-record.js";
import { AlarmLevel, CONFIG_PARAMS, FrameType, LEVEL_NAMES } from "../../../protocol/schema.js";
import { resolveCh4Trip } from "../../sensing/profiles/index.js";
import type { Clock, TimerId } from "../clock.js";
import { ResetSource } from "../interlock/interlock.js";
import { INTERLOCK_STATE_NAMES } from "../interlock/status.js";
import { ResetResult } from "../interlock/trip.js";
import { GasChannels } from "../runtime/gas.js";
import type { NodeRuntime } from "../runtime.js";
import { type KeyValueStore, readBytes, readU32, writeU32 } from "../storage.js";
import type {
  CalibrationResult,
  ConsoleHost,
  ConsoleRefusal,
  GasReading,
  InterlockResetResult,
  KeyInfo,
  NodeIdentity,
} from "./host.js";
import { isRefusal } from "./host.js";
import { newCalibration, refusal, refusalOf, round } from "./provisioning-calibrate.js";
import { checkRecord, GAS_CONSOLE_NAMES, UNITS } from "./provisioning-check.js";
import {
  CAL_AGE_SAVE_MS,
  calibrationsOf,
  finishCommit,
  KEY_FACTORY_NODE_ID,
  KEY_PROV_APPLIED,
  KEY_SECRET,
  KEY_SLOTS,
  loadCalibrationAges,
  loadProvisioning,
  storeCalibrationAges,
  storeProvisioning,
} from "./provisioning-store.js";

export * from "./provisioning-check.js";
export * from "./provisioning-store.js";

/** Bump-test mode ends by itself after 15 min (DEFAULT): the second guard after the console's session end. */
export const BUMP_MAX_MS = 15 * 60_000;

export interface RuntimeConsoleHostOptions {
  storage: KeyValueStore;
  clock: Clock;
  /** The running runtime, or undefined when none runs (a function: a reboot replaces it). */
  runtime: () => NodeRuntime | undefined;
  /** HMAC-SHA256 truncated to the output's length (the runtime's FrameMac): the key check value. */
  mac: FrameMac;
  firmwareVersion: string;
  variant: string;
  reboot: () => void;
  /** Bump-test mode's own time limit, ms (default BUMP_MAX_MS). */
  bumpMaxMs?: number;
  /** The board has the methane interlock's outputs (checked while no runtime runs; default: not vibration). */
  interlockFitted?: boolean;
}

const NOT_RUNNING = refusal(
  "not-running",
  "node",
  "the node's runtime is not running (not provisioned yet?): provision it and REBOOT",
);
const KCV_TEXT = Uint8Array.of(0x6b, 0x63, 0x76); // "kcv"

export class RuntimeConsoleHost implements ConsoleHost {
  readonly #o: RuntimeConsoleHostOptions;
  #bumpTimer: TimerId | undefined;
  readonly #onBumpTimeout: () => void;
  #ageTimer: TimerId | undefined;
  /** Gas under bump test (protocol channel), -1 when off. */
  bumpChannel = -1;

  constructor(options: RuntimeConsoleHostOptions) {
    this.#o = options;
    this.#onBumpTimeout = () => {
      this.#bumpTimer = undefined;
      this.bumpChannel = -1;
    };
    // Calibration ages are saved while this boot's runtime runs (a node without one has no pipelines).
    if (options.runtime())
      this.#ageTimer = options.clock.setTimer(() => this.#saveAgesTick(), CAL_AGE_SAVE_MS, CAL_AGE_SAVE_MS);
  }

  #saveAgesTick(): void {
    if (!this.#o.runtime()) {
      // This boot's runtime is gone (a reboot made a new host): stop.
      if (this.#ageTimer !== undefined) this.#o.clock.clearTimer(this.#ageTimer);
      this.#ageTimer = undefined;
      return;
    }
    try {
      this.saveCalibrationAges();
    } catch {
      // Storage failed: the next period tries again; meanwhile the stored ages only make overdue come later
      // by the time lost, never hide it for longer than the failure lasts.
    }
  }

  /**
   * Powered-on ms since each fitted gas's calibration, from the running pipelines (unfitted gases keep the
   * stored age). Undefined without a runtime or gas channels.
   */
  #agesNow(): Float64Array | undefined {
    const gas = this.#o.runtime()?.gas;
    if (!gas) return undefined;
    const ages = loadCalibrationAges(this.#o.storage);
    const now = this.#o.clock.now();
    for (let ch = 0; ch < 4; ch++) {
      const p = gas.pipelines[ch];
      if (p) ages[ch] = now - p.calibratedAtMs;
    }
    return ages;
  }

  /** Writes the calibration ages now (the timer does every CAL_AGE_SAVE_MS). Throws what storage throws. */
  saveCalibrationAges(): void {
    const ages = this.#agesNow();
    if (ages) storeCalibrationAges(this.#o.storage, ages);
  }

  /** The node's identity now: the runtime's, else the stored record's, else the factory's (or null). */
  #nodeId(): Uint8Array | null {
    const rt = this.#o.runtime();
    if (rt) return rt.options.identity.nodeId;
    const p = loadProvisioning(this.#o.storage);
    if (p) return p.record.nodeId;
    try {
      const f = readBytes(this.#o.storage, KEY_FACTORY_NODE_ID);
      return f && f.length === 8 ? f : null;
    } catch {
      return null;
    }
  }

  identify(): NodeIdentity {
    const id = this.#nodeId();
    return {
      nodeId: id ? toHex(id) : "unprovisioned",
      firmwareVersion: this.#o.firmwareVersion,
      variant: this.#o.variant,
    };
  }

  /**
   * The committed record, byte for byte as it was sent (so ID's cfgcrc is the CRC CFG.BEGIN announced),
   * unless a config downlink has changed the runtime's parameters since: then with those in it.
   */
  readConfig(): Uint8Array {
    const p = loadProvisioning(this.#o.storage);
    if (!p) return new Uint8Array(0);
    const rt = this.#o.runtime();
    // Not applied yet (another profile or location waits for the next boot): the runtime's parameters are
    // the old record's, so the committed bytes are the truth.
    let applied: number | undefined;
    try {
      applied = readU32(this.#o.storage, KEY_PROV_APPLIED);
    } catch {
      applied = undefined;
    }
    if (!rt || applied === undefined || applied < p.seq) return p.bytes;
    const live = encodeConfig(rt.config);
    for (let i = 0; i < CONFIG_RECORD_BYTES; i++)
      if (live[i] !== p.bytes[CONFIG_OFFSET + i]) {
        p.record.config = rt.config;
        return encodeProvisioning(p.record);
      }
    return p.bytes;
  }

  validateConfig(bytes: Uint8Array): ConsoleRefusal | null {
    try {
      this.#check(decodeProvisioning(bytes));
      return null;
    } catch (e) {
      return refusalOf(e);
    }
  }

  /**
   * A record this node can store and boot with: its own rules (checkRecord), this node's identity (a
   * record for another node would clone that node's id), and a dry run of the gas pipelines and the
   * interlock's trip levels for its profile and location, so a stored record can never fail the next boot.
   */
  #check(r: ProvisioningRecord): void {
    checkRecord(r);
    const id = this.#nodeId();
    if (id) {
      let same = true;
      for (let i = 0; i < 8; i++) if (id[i] !== r.nodeId[i]) same = false;
      if (!same)
        throw new ProvisioningError(
          "wrong-node",
          "nodeId",
          `this node is ${toHex(id)}; the record is for ${toHex(r.nodeId)}`,
          toHex(r.nodeId),
        );
    }
    const rt = this.#o.runtime();
    const fitted: number[] = [];
    for (let ch = 0; ch < 4; ch++) if (!rt || rt.gas?.pipelines[ch]) fitted.push(ch);
    try {
      if (fitted.length > 0)
        new GasChannels({ profile: r.profile, location: r.location }, fitted, r.config, this.#o.clock.now());
      const interlock = rt
        ? rt.interlock !== undefined
        : (this.#o.interlockFitted ?? this.#o.variant !== "vibration");
      if (interlock) resolveCh4Trip(r.profile, r.location);
    } catch (e) {
      throw new ProvisioningError(
        "out-of-range",
        "setpoints",
        (e as Error).message,
        (e as { value?: unknown }).value,
      );
    }
  }

  commitConfig(bytes: Uint8Array): ConsoleRefusal | null {
    let record: ProvisioningRecord;
    try {
      record = decodeProvisioning(bytes);
      this.#check(record);
    } catch (e) {
      return refusalOf(e);
    }
    return this.#commit(record, bytes.slice(), -1);
  }

  /** `calibratedCh`: the gas a CAL command just calibrated (its age restarts), -1 for none. */
  #commit(record: ProvisioningRecord, bytes: Uint8Array, calibratedCh: number): ConsoleRefusal | null {
    const kv = this.#o.storage;
    let seq: number;
    try {
      seq = storeProvisioning(kv, bytes);
    } catch (e) {
      return refusal(
        "storage",
        "config",
        `storing the record failed, the previous one stays: ${(e as Error).message}`,
      );
    }
    // Committed: from here a power cut is finished by the next boot (bootProvisioning).
    const rt = this.#o.runtime();
    if (!rt) {
      try {
        finishCommit(kv, { seq, slot: -1, record, bytes });
      } catch {
        // The boot finishes it.
      }
      return null;
    }
    const gas = rt.gas;
    // Another profile or location re-bases every set-point and the interlock's trip level: that takes the
    // clean start of a boot (the tool sends REBOOT after a commit); the boot finishes the commit.
    if (gas && (gas.setup.profile !== record.profile || gas.setup.location !== record.location)) return null;
    const calibrationsBefore = gas?.setup.calibrations;
    // Every gas keeps its calibration's age across a config commit; only the one just calibrated restarts.
    const ages = this.#agesNow();
    if (ages && calibratedCh >= 0) ages[calibratedCh] = 0;
    if (gas) gas.setup.calibrations = calibrationsOf(record, this.#o.clock.now(), ages);
    const refusedBefore = rt.configRefused;
    const entries = [];
    for (let id = 0; id < CONFIG_PARAMS.length; id++)
      entries.push({ param: id, value: record.config.params[id]! });
    // The record passed the same check on CFG.COMMIT, its override reason included (alarm-limits.ts).
    rt.applyConfig(
      { type: FrameType.Config, revision: record.config.revision, entries },
      record.override.length > 0,
    );
    if (rt.configRefused !== refusedBefore) {
      if (gas) gas.setup.calibrations = calibrationsBefore;
      return refusal(
        "storage",
        "config",
        `stored, but the runtime could not apply it now: ${rt.lastDownlinkError}`,
      );
    }
    try {
      writeU32(kv, KEY_PROV_APPLIED, seq);
    } catch {
      // "config" already holds these parameters; the boot rewrites the same bytes.
    }
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
    const copy = key.slice();
    try {
      this.#o.storage.write(s.kv, copy.buffer as ArrayBuffer);
    } catch (e) {
      return refusal("storage", "key", `storing the ${slot} key failed: ${(e as Error).message}`);
    } finally {
      copy.fill(0);
    }
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
    try {
      this.#o.storage.write(KEY_SECRET, secret.slice().buffer as ArrayBuffer);
    } catch (e) {
      return refusal(
        "storage",
        "secret",
        `storing the secret failed, the old one stays: ${(e as Error).message}`,
      );
    }
    return null;
  }

  #channel(rt: NodeRuntime, gas: string): number | ConsoleRefusal {
    let ch = -1;
    const name = gas.toUpperCase();
    for (let i = 0; i < GAS_CONSOLE_NAMES.length; i++) if (GAS_CONSOLE_NAMES[i] === name) ch = i;
    if (ch < 0)
      return refusal("unknown-gas", "gas", `no gas "${gas}" (known: ${GAS_CONSOLE_NAMES.join(", ")})`);
    if (!rt.gas?.pipelines[ch])
      return refusal("unknown-gas", "gas", `this node has no ${GAS_CONSOLE_NAMES[ch]} sensor`);
    return ch;
  }

  reading(gas: string): GasReading | ConsoleRefusal {
    const rt = this.#o.runtime();
    if (!rt) return NOT_RUNNING;
    const ch = this.#channel(rt, gas);
    if (typeof ch !== "number") return ch;
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
    const rt = this.#o.runtime();
    if (!rt) return NOT_RUNNING;
    const ch = this.#channel(rt, gas);
    if (typeof ch !== "number") return ch;
    const p = loadProvisioning(this.#o.storage);
    if (!p)
      return refusal(
        "missing",
        "config",
        "this node is not provisioned yet: write its config before calibrating",
      );
    const r = p.record;
    const step = newCalibration(rt, r, ch, kind, value, this.#o.clock.now());
    if (isRefusal(step)) return step;
    const { gain, offset } = step;
    r.calGain[ch] = gain;
    r.calOffset[ch] = offset;
    r.config = rt.config;
    const failed = this.#commit(r, encodeProvisioning(r), ch);
    if (failed) return failed;
    try {
      // The new calibration's age (0) reaches storage now, not at the next save tick. A power cut before
      // this write leaves the old age with the new calibration: overdue then shows early, never late.
      this.saveCalibrationAges();
    } catch {
      // Stored with the next tick.
    }
    return { value: step.value, unit: UNITS[ch]! };
  }

  setBumpTest(on: boolean, gas: string | null): ConsoleRefusal | null {
    if (this.#bumpTimer !== undefined) this.#o.clock.clearTimer(this.#bumpTimer);
    this.#bumpTimer = undefined;
    if (!on) {
      this.bumpChannel = -1;
      return null;
    }
    const rt = this.#o.runtime();
    if (!rt) return NOT_RUNNING;
    const ch = this.#channel(rt, gas ?? "");
    if (typeof ch !== "number") return ch;
    this.bumpChannel = ch;
    this.#bumpTimer = this.#o.clock.setTimer(this.#onBumpTimeout, this.#o.bumpMaxMs ?? BUMP_MAX_MS);
    return null;
  }

  reboot(): void {
    if (this.#bumpTimer !== undefined) this.#o.clock.clearTimer(this.#bumpTimer);
    this.#bumpTimer = undefined;
    this.bumpChannel = -1;
    this.#o.reboot();
  }

  resetInterlock(): InterlockResetResult | ConsoleRefusal {
    const rt = this.#o.runtime();
    if (!rt) return NOT_RUNNING;
    const il = rt.interlock;
    if (!il) return refusal("no-interlock", "interlock", "this node has no methane power interlock");
    const t = il.trip;
    const resetBelow = t.settings.resetBelowPctVol;
    const result = rt.resetInterlock(ResetSource.Console);
    const reading = round(t.lastPctVol);
    switch (result) {
      case ResetResult.Done:
        return { state: INTERLOCK_STATE_NAMES[il.state]!, ch4PctVol: reading, resetBelowPctVol: resetBelow };
      case ResetResult.NothingLatched:
        return refusal("nothing-latched", "interlock", "no interlock trip is latched: nothing to reset");
      case ResetResult.GasNotBelowReset:
        return refusal(
          "gas-high",
          "ch4",
          `CH4 reads ${reading} %vol, not below the reset point ${resetBelow} %vol: the relay stays off`,
        );
      case ResetResult.SensorFault:
        return refusal("sensor-fault", "ch4", "the CH4 sensor has no trusted reading: the relay stays off");
      case ResetResult.RelayFault:
        return refusal(
          "relay-fault",
          "relay",
          `the relay feedback disagrees with its command (fault ${il.monitor.fault}): the relay stays off`,
        );
      default:
        return refusal("no-interlock", "interlock", "this node has no methane power interlock");
    }
  }
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(NOT_RUNNING);
