/**
 * The one home of "which set-points does a node run", as the crossing rules recordings are labelled with
 * (synth/gas.ts crossingLabels): A1 and A2 of each gas channel from the set-point profile at the location
 * (firmware/sensing/profiles resolveGasSettings, what the node itself resolves), then O2 enrichment (a rising
 * O2 set-point, level "O2-HIGH") where the profile has one and the caller asks for it. `detect` labels
 * against all of them; the simulator's scenarios check A1 / A2 only (their labels and plots have no O2-HIGH).
 */
import { resolveGasSettings } from "../../firmware/sensing/profiles/index.js";
import { GAS_CHANNELS, type GasChannel } from "./channels.js";
import type { SetPoint } from "./synth/scenario.js";

export interface SetPointOptions {
  /** The gas channels to list (default all four, in GAS_CHANNELS order). */
  channels?: readonly GasChannel[];
  /** Also list O2 enrichment as level "O2-HIGH" (default true). */
  enrichment?: boolean;
}

/** The set-points of `profile` at `location`, per channel in order A1, A2 (, O2-HIGH). */
export function profileSetPoints(
  profile: string,
  location: string,
  options: SetPointOptions = {},
): SetPoint[] {
  const out: SetPoint[] = [];
  for (const channel of options.channels ?? GAS_CHANNELS) {
    const s = resolveGasSettings(profile, channel, location);
    if (s.a1)
      out.push({
        channel,
        level: "A1",
        value: s.a1.value,
        direction: s.direction,
        hysteresis: s.a1.hysteresis,
      });
    if (s.a2)
      out.push({
        channel,
        level: "A2",
        value: s.a2.value,
        direction: s.direction,
        hysteresis: s.a2.hysteresis,
      });
    if (s.enrichment && options.enrichment !== false) {
      out.push({
        channel,
        level: "O2-HIGH",
        value: s.enrichment.value,
        direction: "rising",
        hysteresis: s.enrichment.hysteresis,
      });
    }
  }
  return out;
}
