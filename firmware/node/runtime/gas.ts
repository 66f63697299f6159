/**
 * The node's gas channels: one firmware/sensing/gas pipeline per fitted gas, built from the set-point
 * profile, the location class and the config downlink's overrides, and the mapping of its alarm and fault
 * bits to the protocol's alarm levels. The runtime pushes readings; this says which protocol levels are on.
 *
 * Bits -> levels: A1 and rate of rise -> A1; A2, over-range (the truth is at least full scale) and O2
 * enrichment (fire hazard) -> A2; STEL -> STEL; TWA -> TWA; any fault but warm-up -> fault (warm-up is a
 * state during which alarms stay live: firmware/sensing/gas/bits.ts).
 * Fault code of a channel (status frame, 4 bits): the driver's SensorFault code (1..7) when the driver
 * failed, else 8 + the index of the lowest gas fault bit (8 no data, 9 out of range, 10 stuck, 11 warm-up,
 * 12 calibration overdue), 0 when healthy.
 */
import { type NodeConfig, Param } from "../../../protocol/config-record.js";
import { deepFreeze } from "../../../protocol/freeze.js";
import { AlarmLevel, Channel } from "../../../protocol/schema.js";
import {
  type Calibration,
  GasAlarm,
  GasChannelPipeline,
  GasFault,
  type GasSettings,
  identityCalibration,
  resolveGasSettings,
} from "../../sensing/gas/index.js";
import { RuntimeError } from "./errors.js";
import { CHANNEL_GAS } from "./sensors.js";

export interface GasSetup {
  /** Set-point profile name (firmware/sensing/profiles) and the node's location class in it. */
  profile: string;
  location: string;
  /** Calibration per protocol channel (default: readings already in the gas's unit, calibrated at boot). */
  calibrations?: (Calibration | undefined)[];
  /** Nominal sample period per channel, ms (default 1000). */
  periodMs?: number;
}

/** Telemetry scale per channel: centi-%vol, ppm, deci-%vol, deci-ppm (protocol/schema.ts CHANNEL_UNITS). */
export const TELEMETRY_SCALE: readonly number[] = Object.freeze([100, 1, 10, 10]);

/** The config parameters that override each gas's set-points: [a1, a2, stel, twa, enrichment]. */
const OVERRIDES: readonly (readonly number[])[] = [
  [Param.ch4A1CentiPctVol, Param.ch4A2CentiPctVol, -1, -1, -1],
  [Param.coA1Ppm, Param.coA2Ppm, Param.coStelPpm, Param.coTwaPpm, -1],
  [Param.o2LowA1DeciPctVol, Param.o2LowA2DeciPctVol, -1, -1, Param.o2HighDeciPctVol],
  [Param.h2sA1DeciPpm, Param.h2sA2DeciPpm, Param.h2sStelDeciPpm, Param.h2sTwaDeciPpm, -1],
];
const FIELDS = ["a1", "a2", "stel", "twa", "enrichment"] as const;

/** Profile settings with the config's overrides applied (in the gas's unit; hysteresis kept). */
export function gasOverrides(setup: GasSetup, channel: number, config: NodeConfig): Partial<GasSettings> {
  const gas = CHANNEL_GAS[channel]!;
  const base = resolveGasSettings(setup.profile, gas, setup.location);
  const out: Partial<GasSettings> = {};
  const ids = OVERRIDES[channel]!;
  for (let k = 0; k < FIELDS.length; k++) {
    const id = ids[k]!;
    if (id < 0) continue;
    const v = config.params[id]!;
    if (Number.isNaN(v)) continue;
    const field = FIELDS[k]!;
    const sp = base[field];
    // A set-point the profile does not watch cannot be switched on by a downlink without a hysteresis: use
    // 5 % of the value (DEFAULT), the order of the profiles' own bands.
    out[field] = {
      value: v / TELEMETRY_SCALE[channel]!,
      hysteresis: sp ? sp.hysteresis : (0.05 * v) / TELEMETRY_SCALE[channel]!,
    };
  }
  return out;
}

export class GasChannels {
  /** Pipelines by protocol channel (undefined where no sensor is fitted). */
  readonly pipelines: (GasChannelPipeline | undefined)[] = [undefined, undefined, undefined, undefined];
  /** Time of the last push per channel. */
  readonly lastPushMs = new Float64Array(4).fill(Number.NEGATIVE_INFINITY);
  /** Driver fault code per channel. */
  readonly driverFault = new Uint8Array(4);
  readonly setup: GasSetup;
  readonly periodMs: number;
  #state = new Float64Array(0);

  constructor(setup: GasSetup, fitted: readonly number[], config: NodeConfig, startMs: number) {
    this.setup = setup;
    this.periodMs = setup.periodMs ?? 1000;
    for (const ch of fitted) {
      if (!(ch >= Channel.Ch4 && ch <= Channel.H2s))
        throw new RuntimeError("bad-option", `gas channel ${ch} is not 0..3`, ch);
      this.pipelines[ch] = this.#build(ch, config, startMs, startMs);
    }
  }

  /** `uncalibratedAtMs`: the calibration time when setup.calibrations has none for `ch` (factory front end). */
  #build(ch: number, config: NodeConfig, startMs: number, uncalibratedAtMs: number): GasChannelPipeline {
    return new GasChannelPipeline({
      gas: CHANNEL_GAS[ch]!,
      profile: this.setup.profile,
      location: this.setup.location,
      calibration: this.setup.calibrations?.[ch] ?? identityCalibration(uncalibratedAtMs),
      periodMs: this.periodMs,
      startMs,
      settings: gasOverrides(this.setup, ch, config),
    });
  }

  /**
   * Rebuilds every pipeline for a new configuration (set-points, or calibrations put in setup.calibrations).
   * The sensors stayed powered, so each new pipeline keeps the old one's power-on time (warm-up is not
   * flagged again: it belongs to sensor power-on, boot or sensor reset, not to a config apply), its
   * readings (READ and calibration continue), its A2 latch and its STEL/TWA integrals; a latch the new
   * set-points no longer have is dropped, STEL/TWA are judged against the new limits at once.
   * Throws (GasError) before anything changes when the new settings are invalid.
   */
  reconfigure(config: NodeConfig, _nowMs: number): void {
    const next: (GasChannelPipeline | undefined)[] = [];
    for (let ch = 0; ch < 4; ch++) {
      const old = this.pipelines[ch];
      next[ch] = old ? this.#build(ch, config, old.startMs, old.calibratedAtMs) : undefined;
    }
    for (let ch = 0; ch < 4; ch++) {
      const old = this.pipelines[ch];
      const p = next[ch];
      if (!old || !p) continue;
      p.continueReadings(old);
      if (!Number.isNaN(old.lastMs)) {
        if (this.#state.length < old.stateLength) this.#state = new Float64Array(old.stateLength);
        old.exportState(this.#state, 0);
        p.importState(this.#state, 0, 0);
      }
      this.pipelines[ch] = p;
    }
  }

  /** Protocol levels on for a channel, as a bit set (1 << AlarmLevel). */
  levels(ch: number): number {
    const p = this.pipelines[ch];
    if (!p) return 0;
    const a = p.alarms;
    let bits = 0;
    if (a & (GasAlarm.A1 | GasAlarm.ROR)) bits |= 1 << AlarmLevel.A1;
    if (a & (GasAlarm.A2 | GasAlarm.OVER_RANGE | GasAlarm.O2_HIGH)) bits |= 1 << AlarmLevel.A2;
    if (a & GasAlarm.STEL) bits |= 1 << AlarmLevel.Stel;
    if (a & GasAlarm.TWA) bits |= 1 << AlarmLevel.Twa;
    if (p.faults & ~GasFault.WARM_UP) bits |= 1 << AlarmLevel.Fault;
    return bits;
  }

  /** 4-bit fault code of a channel (see the file comment). */
  faultCode(ch: number): number {
    const d = this.driverFault[ch]!;
    if (d !== 0) return d & 0x0f;
    const p = this.pipelines[ch];
    if (!p || p.faults === 0) return 0;
    for (let i = 0; i < 5; i++) if (p.faults & (1 << i)) return 8 + i;
    return 0;
  }

  /** Last calibrated reading in telemetry scale (NaN when none). */
  scaled(ch: number): number {
    const p = this.pipelines[ch];
    return p ? p.value * TELEMETRY_SCALE[ch]! : Number.NaN;
  }

  /** Smoothed reading in telemetry scale, for telemetry frames. */
  filteredScaled(ch: number): number {
    const p = this.pipelines[ch];
    return p ? p.filtered * TELEMETRY_SCALE[ch]! : Number.NaN;
  }
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(FIELDS);
deepFreeze(OVERRIDES);
