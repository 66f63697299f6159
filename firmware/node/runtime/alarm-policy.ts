/**
 * Alarm policy: which alarm frames a change of a channel's alarm state produces. Pure and allocation-free.
 *
 * A channel's state is a bit set of protocol levels (bit 1 << AlarmLevel): several may be on at once (CO
 * above A1 and above its STEL). A change announces:
 * - every level that came on, one alarm frame each, most severe first (each onset reaches the control room,
 *   even when a more severe level is already on);
 * - when a level went off, the most severe level still on, or Clear when none is (so the receiver's view
 *   of the channel always ends at the truth).
 * Severity: A2 > STEL > A1 > TWA > fault (an exposure limit reached in 15 minutes needs action sooner than
 * an 8-hour average; a fault says "no information", which the alarm levels outrank while they hold).
 */
import { AlarmLevel } from "../../../protocol/schema.js";

/** Levels in the order they are announced and ranked, most severe first. */
export const SEVERITY: readonly number[] = Object.freeze([
  AlarmLevel.A2,
  AlarmLevel.Stel,
  AlarmLevel.A1,
  AlarmLevel.Twa,
  AlarmLevel.Fault,
]);

export function levelBit(level: number): number {
  return 1 << level;
}

/** The most severe level in `levels`, or Clear. */
export function highestLevel(levels: number): number {
  for (let i = 0; i < SEVERITY.length; i++) {
    const l = SEVERITY[i]!;
    if (levels & (1 << l)) return l;
  }
  return AlarmLevel.Clear;
}

/**
 * Levels to announce for the change `before` -> `after`, as a bit set (bit 1 << AlarmLevel.Clear = Clear).
 * Emit them in SEVERITY order, then Clear.
 */
export function announcements(before: number, after: number): number {
  const on = after & ~before;
  const off = before & ~after;
  let out = on;
  if (off !== 0) out |= 1 << highestLevel(after);
  return out;
}
