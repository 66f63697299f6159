/**
 * Health bits of the status frame's `sensorFaults` word (protocol/SPEC.md "Fault codes and the interlock
 * byte"): each channel's 4-bit fault code at bits 4c..4c+3, the node's battery at bits 20..21, the methane
 * interlock's byte at 24..31.
 *
 * Battery (bits 20-21): bit 20 low battery, from the ADC reading (firmware/drivers/battery.ts) against
 * `lowMv` with a 100 mV hysteresis so a battery near the line does not toggle it with load and noise; bit 21
 * no reading (no ADC fitted, or the ADC gave an impossible code: the status frame's batteryMv is then 0).
 * DEFAULT lowMv 3400: a 1S Li-ion cell has well under a fifth of its charge left there and falls to its
 * 3.0 V cut-off soon after; the node should be swapped or charged before it goes silent. A board with
 * another chemistry sets it in the manifest (config.battery.lowMv).
 */
import { AlarmLevel, Channel } from "../../../protocol/schema.js";
import type { Interlock } from "../interlock/interlock.js";
import { INTERLOCK_SHIFT, RELAY_FAULT_CODE } from "../interlock/status.js";
import type { GasChannels } from "./gas.js";

export const BATTERY_LOW_BIT = 1 << 20;
export const BATTERY_UNKNOWN_BIT = 1 << 21;
export const DEFAULT_BATTERY_LOW_MV = 3400;
export const BATTERY_HYSTERESIS_MV = 100;

export class BatteryHealth {
  readonly lowMv: number;
  /** Last reading, mV (0 = none). */
  mv = 0;
  low = false;
  unknown = true;

  constructor(lowMv: number) {
    this.lowMv = lowMv;
  }

  /** Takes a reading (mV; 0 or NaN = none); returns true when the battery has just gone low. */
  update(mv: number): boolean {
    if (!(mv > 0)) {
      this.mv = 0;
      this.unknown = true;
      return false;
    }
    this.mv = mv;
    this.unknown = false;
    const wasLow = this.low;
    if (mv < this.lowMv) this.low = true;
    else if (mv >= this.lowMv + BATTERY_HYSTERESIS_MV) this.low = false;
    return this.low && !wasLow;
  }

  bits(): number {
    return (this.low ? BATTERY_LOW_BIT : 0) | (this.unknown ? BATTERY_UNKNOWN_BIT : 0);
  }
}

/**
 * What the health word is read from: the fitted channels, the battery, the interlock (each optional). The
 * runtime passes itself, seen through this interface (no object is made for it: the heap budget counts).
 */
export interface HealthSources {
  readonly gas: Pick<GasChannels, "levels" | "faultCode"> | undefined;
  readonly vibration: { readonly port: { readonly fault: number } } | undefined;
  readonly battery: BatteryHealth;
  readonly interlock: Pick<Interlock, "monitor" | "statusByte" | "latchNotPersisted"> | undefined;
}

/**
 * A gas channel's 4-bit fault code; CH4 shows RELAY_FAULT_CODE while the interlock relay does not follow
 * its command and the sensor itself has no fault (a warm-up code gives way to it).
 */
export function channelFaultCode(src: HealthSources, ch: number): number {
  const gas = src.gas!;
  const interlock = src.interlock;
  if (
    ch === Channel.Ch4 &&
    interlock &&
    interlock.monitor.fault !== 0 &&
    (gas.levels(ch) & (1 << AlarmLevel.Fault)) === 0
  )
    return RELAY_FAULT_CODE;
  return gas.faultCode(ch);
}

/** The status frame's sensorFaults word. */
/** Health bit 22: the interlock's latched trip could not be stored, so a reboot would forget it. */
export const LATCH_NOT_PERSISTED_BIT = 1 << 22;

export function sensorFaultBits(src: HealthSources): number {
  let bits = 0;
  if (src.gas) for (let ch = 0; ch < 4; ch++) bits |= channelFaultCode(src, ch) << (4 * ch);
  const vib = src.vibration;
  if (vib) bits |= (vib.port.fault & 0x0f) << (4 * Channel.Vibration);
  bits |= src.battery.bits();
  if (src.interlock) {
    bits |= src.interlock.statusByte() << INTERLOCK_SHIFT;
    if (src.interlock.latchNotPersisted) bits |= LATCH_NOT_PERSISTED_BIT;
  }
  return bits >>> 0;
}
