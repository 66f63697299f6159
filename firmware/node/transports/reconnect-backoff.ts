/**
 * Reconnect delay: exponential backoff with "equal jitter" (M. Brooker, "Exponential Backoff And Jitter",
 * AWS Architecture Blog, 2015): half of the capped exponential delay is fixed, half is random. The fixed half
 * bounds how fast a node hammers a broker that is down; the random half spreads a fleet that lost the same
 * broker at the same instant, so a restarted broker is not hit by every node in the same millisecond.
 * Randomness is injected (house rule 2). Runs on XS; allocates nothing.
 */
import { MqttTransportError } from "./mqtt-error.js";

export interface BackoffPolicy {
  /** Delay before the first retry, ms (before jitter). */
  initialMs: number;
  /** Cap on the exponential delay, ms (before jitter). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 1000, maxMs: 30_000 });

/**
 * Delay before retry number `attempt` (0 = first retry after a failure): in [d/2, d) with
 * d = min(maxMs, initialMs * 2^attempt); `random` returns a number in [0, 1).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = attempt > 30 ? policy.maxMs : policy.initialMs * 2 ** attempt;
  const capped = Math.min(exp, policy.maxMs);
  let r = random();
  if (!(r >= 0 && r < 1)) r = 0; // a broken random source must not produce NaN or negative delays
  return Math.floor(capped / 2 + (r * capped) / 2);
}

export function checkBackoff(policy: BackoffPolicy): BackoffPolicy {
  if (!(policy.initialMs >= 1) || !(policy.maxMs >= policy.initialMs) || !Number.isFinite(policy.maxMs)) {
    throw new MqttTransportError(
      "bad-option",
      `backoff needs 1 <= initialMs <= maxMs (finite), got initialMs ${policy.initialMs} maxMs ${policy.maxMs}`,
      policy,
    );
  }
  return policy;
}
