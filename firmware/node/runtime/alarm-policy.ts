/**
 * Alarm policy: which alarm frames a change of a channel's alarm state produces. Pure and allocation-free.
 *
 * A channel's state is a bit set of protocol levels (bit 1 << AlarmLevel): several may be on at once (CO
 * above A1 and above its STEL). A change announces:
 * - every level that came on, one alarm frame each, most severe first (each onset reaches the control room,
 *   even when a more severe level is already on);
 * - when a level went off, the most severe level still on, or Clear when none is (so the receiver's view
 *   of the channel always ends at the truth).
 * Severity is the system's one order (protocol/alarm-severity.ts SEVERITY): A2 > STEL > A1 > TWA > fault.
 */
import { highestLevel } from "../../../protocol/alarm-severity.js";

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
