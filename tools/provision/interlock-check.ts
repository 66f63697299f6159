/**
 * `bump-test --gas CH4 --reset-interlock`: after a methane bump test, proves the power interlock tripped
 * and re-energises it, as the tech standing at the node would (protocol/SPEC-console.md "Methane interlock
 * reset": a deliberate local act; the node itself refuses while CH4 is not below the reset point, while
 * the sensor is not trusted, or while the relay feedback disagrees). A bump gas above the trip level that
 * leaves nothing latched means the interlock did not trip: the bump test fails.
 */

import { resolveCh4Trip } from "../../firmware/sensing/profiles/index.js";
import type { ProvisioningRecord } from "../../protocol/provisioning-record.js";
import type { NodePort } from "./port.js";
import { authed, step } from "./session.js";
import { POLL_MS } from "./tolerances.js";

/** How long the tool waits for the methane to clear below the reset point after the gas is removed. DEFAULT. */
export const CLEAR_WAIT_MS = 120_000;

export interface InterlockCheck {
  /** false: the interlock should have tripped and did not (a failed bump test); undefined: not judged. */
  ok: boolean | undefined;
  text: string;
}

export async function resetInterlockAfterBump(
  port: NodePort,
  secret: string,
  r: ProvisioningRecord,
  applied: number,
): Promise<InterlockCheck> {
  let trip: ReturnType<typeof resolveCh4Trip>;
  try {
    trip = resolveCh4Trip(r.profile, r.location);
  } catch {
    return { ok: undefined, text: `profile ${r.profile} has no interlock trip level at ${r.location}` };
  }
  const shouldTrip = applied >= trip.tripPctVol;
  const t0 = port.clock.now();
  let ch4 = Number.NaN;
  while (port.clock.now() - t0 < CLEAR_WAIT_MS) {
    ch4 = (await step(port, "reading CH4", port.client.reading("CH4"))).value;
    if (ch4 < trip.resetBelowPctVol) break;
    await port.sleep(POLL_MS);
  }
  const reply = await authed(port, secret, "resetting the interlock", () =>
    port.client.request("INTERLOCK.RESET"),
  );
  if (reply.ok)
    return { ok: true, text: `interlock tripped and was reset (relay ${reply.fields.interlock ?? "?"})` };
  switch (reply.code) {
    case "nothing-latched":
      return shouldTrip
        ? {
            ok: false,
            text: `the methane interlock did not trip at ${applied} %vol (trip level ${trip.tripPctVol} %vol)`,
          }
        : {
            ok: undefined,
            text: `bump gas below the trip level ${trip.tripPctVol} %vol: interlock not tested`,
          };
    case "no-interlock":
      return { ok: undefined, text: "this node has no methane interlock" };
    case "gas-high":
      return {
        ok: undefined,
        text: `interlock not reset: CH4 still ${ch4} %vol after ${CLEAR_WAIT_MS / 1000} s: ventilate and reset it by hand`,
      };
    default:
      return { ok: undefined, text: `interlock not reset: ${reply.code} ${reply.detail}` };
  }
}
