/**
 * What the beacon and sounder show for the runtime's alarm levels (one protocol level bit set per channel,
 * runtime.ts `levels`): danger for an A2 or STEL on any channel (the action levels), warning for an A1 or
 * TWA, fault for a sensor fault, else none. The interlock adds its own (a gas trip is danger, a fault trip
 * is fault) and shows the most severe (patterns.ts). Pure, no allocation.
 */
import { AlarmLevel } from "../../../protocol/schema.js";
import { Annunciation } from "./patterns.js";

const DANGER = (1 << AlarmLevel.A2) | (1 << AlarmLevel.Stel);
const WARNING = (1 << AlarmLevel.A1) | (1 << AlarmLevel.Twa);
const FAULT = 1 << AlarmLevel.Fault;

export function annunciationOf(levels: Uint8Array): number {
  let all = 0;
  for (let i = 0; i < levels.length; i++) all |= levels[i]!;
  if (all & DANGER) return Annunciation.Danger;
  if (all & WARNING) return Annunciation.Warning;
  if (all & FAULT) return Annunciation.Fault;
  return Annunciation.None;
}
