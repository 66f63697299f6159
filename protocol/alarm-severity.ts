/**
 * The one alarm-severity order of the system: which protocol alarm level (schema.ts AlarmLevel) outranks
 * which. The node announces a channel's levels in this order and reports its most severe one
 * (firmware/node/runtime/alarm-policy.ts); the site and the simulator's expectations rank alarms by it.
 * Severity: A2 > STEL > A1 > TWA > fault (an exposure limit reached in 15 minutes needs action sooner than
 * an 8-hour average; a fault says "no information", which the alarm levels outrank while they hold).
 * Pure and allocation-free; runs on XS.
 */
import { AlarmLevel, LEVEL_NAMES } from "./schema.js";

/** Levels in the order they are announced and ranked, most severe first. */
export const SEVERITY: readonly number[] = Object.freeze([
  AlarmLevel.A2,
  AlarmLevel.Stel,
  AlarmLevel.A1,
  AlarmLevel.Twa,
  AlarmLevel.Fault,
]);

/** A level's rank: higher is more severe (A2 5 ... fault 1); Clear and unknown levels 0. */
export function severityRank(level: number): number {
  for (let i = 0; i < SEVERITY.length; i++) if (SEVERITY[i] === level) return SEVERITY.length - i;
  return 0;
}

/** The rank of a level named as on the wire (LEVEL_NAMES: "A1", "STEL", ...); 0 for Clear or no such name. */
export function severityRankOfName(name: string): number {
  const level = (LEVEL_NAMES as readonly string[]).indexOf(name);
  return level < 0 ? 0 : severityRank(level);
}

/** The most severe level in `levels` (a bit set, bit 1 << AlarmLevel), or Clear. */
export function highestLevel(levels: number): number {
  for (let i = 0; i < SEVERITY.length; i++) {
    const l = SEVERITY[i]!;
    if (levels & (1 << l)) return l;
  }
  return AlarmLevel.Clear;
}
