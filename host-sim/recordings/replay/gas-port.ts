/**
 * The wiring between detect and firmware/sensing/gas (the same pipeline the node runs). Kept to this one
 * file so that a change in the gas pipeline's API is a change here only.
 *
 * Replay assumptions (a recording is data from a node already in service): the sensors are warm (power-on a
 * day before the first sample) and calibrated at the first sample; values are already in the channel's unit
 * (identity calibration). Without a location, the profile's strictest CH4 location is used (lowest A1).
 */
import {
  DEFAULT_GAS_PROFILE,
  GasChannelPipeline,
  gasAlarmNames,
  gasFaultNames,
  gasProfileNamed,
  identityCalibration,
} from "../../../firmware/sensing/gas/index.js";
import type { GasChannel } from "../channels.js";
import { LOCATIONS } from "../recording.js";
import { profileSetPoints } from "../set-points.js";
import type { SetPoint } from "../synth/scenario.js";
import type { GasPort, GasPortOptions } from "./gas.js";

const WARM_BEFORE_MS = 86_400_000;

/** The location used when none is given: the one of LOCATIONS with the lowest CH4 A1 in the profile. */
export function strictestLocation(profileName: string): string {
  const p = gasProfileNamed(profileName);
  const known = LOCATIONS.filter((l) => p.locations.includes(l));
  let best = known[0] ?? p.locations[0]!;
  for (const l of known) {
    if (
      (p.ch4ByLocation[l]?.a1.value ?? Number.POSITIVE_INFINITY) <
      (p.ch4ByLocation[best]?.a1.value ?? Number.POSITIVE_INFINITY)
    ) {
      best = l;
    }
  }
  return best;
}

export function resolvedProfile(
  profile: string | undefined,
  location: string | undefined,
): { profile: string; location: string } {
  const name = profile ?? DEFAULT_GAS_PROFILE;
  return { profile: name, location: location ?? strictestLocation(name) };
}

/**
 * The instantaneous set-points of a profile at a location (default profile, strictest location), O2
 * enrichment included, for labelling crossings (synth/gas.ts): ../set-points.ts.
 */
export function gasSetPoints(profile: string | undefined, location: string | undefined): SetPoint[] {
  const r = resolvedProfile(profile, location);
  return profileSetPoints(r.profile, r.location);
}

export function openGasPort(options: GasPortOptions): GasPort {
  const r = resolvedProfile(options.profile, options.location);
  const periodMs = options.periodS * 1000;
  let pipes: GasChannelPipeline[] | undefined;
  const index = (ch: GasChannel) => options.channels.indexOf(ch);
  const names = (bits: number, get: (b: number) => string[], into: Set<string>) => {
    if (bits !== 0) for (const n of get(bits)) into.add(n);
  };
  return {
    push(tMs, values) {
      pipes ??= options.channels.map(
        (gas) =>
          new GasChannelPipeline({
            gas,
            profile: r.profile,
            location: r.location,
            calibration: identityCalibration(tMs),
            periodMs,
            startMs: tMs - WARM_BEFORE_MS,
          }),
      );
      for (let c = 0; c < pipes.length; c++) pipes[c]!.push(tMs, values[c]!);
    },
    alarms(channel, into) {
      const p = pipes?.[index(channel)];
      if (p) names(p.alarms, gasAlarmNames, into);
    },
    faults(channel, into) {
      const p = pipes?.[index(channel)];
      if (p) names(p.faults, gasFaultNames, into);
    },
  };
}
