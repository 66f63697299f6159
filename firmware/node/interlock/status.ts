/**
 * The interlock's state in the status frame: the top byte of `sensorFaults` (bits 24..31), which the five
 * 4-bit channel fault codes (bits 0..19) leave free. One byte, so the control room sees the relay's state
 * and why in every status frame, and in the status frame sent at once on every trip, reset and self-test
 * failure.
 *
 * | bits  | meaning                                                                                         |
 * | ----- | ----------------------------------------------------------------------------------------------- |
 * | 24-26 | state: 0 energised, or no interlock fitted (nothing to report, as a 0 fault code), 1 held (boot, |
 * |       | no valid reading yet), 2 tripped (a condition holds), 3 tripped, reset possible (every condition |
 * |       | cleared: waiting for a deliberate reset)                                                        |
 * | 27-29 | latched causes: 1 gas at the trip level, 2 CH4 sensor fault, 4 relay fault                      |
 * | 30-31 | relay feedback now: 0 agrees, 1 welded (contact closed while commanded open), 2 no pull-in       |
 *
 * Also: a relay feedback fault is a fault on the CH4 channel (alarm frame, level fault, value
 * RELAY_FAULT_CODE) since the interlock is that channel's protective function.
 */
import { deepFreeze } from "../../../protocol/freeze.js";
export const InterlockState = Object.freeze({ Energised: 0, Held: 1, Tripped: 2, ResetReady: 3 });
export type InterlockStateCode = (typeof InterlockState)[keyof typeof InterlockState];
export const INTERLOCK_STATE_NAMES = ["energised", "held", "tripped", "reset-ready"] as const;

/** CH4 channel fault code (4 bits) for "the interlock relay does not follow its command". Codes 1..7 are
 * driver faults, 8..12 gas faults (firmware/node/runtime/gas.ts); 13 is the first free one. */
export const RELAY_FAULT_CODE = 13;

export const INTERLOCK_SHIFT = 24;

export function encodeInterlockByte(state: number, latched: number, relayFault: number): number {
  return ((state & 7) | ((latched & 7) << 3) | ((relayFault & 3) << 6)) >>> 0;
}

export interface InterlockStatus {
  state: number;
  latched: number;
  relayFault: number;
}

/** Decodes bits 24..31 of a status frame's sensorFaults (host side: collector, report). Allocates. */
export function decodeInterlockStatus(sensorFaults: number): InterlockStatus {
  const b = (sensorFaults >>> INTERLOCK_SHIFT) & 0xff;
  return { state: b & 7, latched: (b >> 3) & 7, relayFault: (b >> 6) & 3 };
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(INTERLOCK_STATE_NAMES);
