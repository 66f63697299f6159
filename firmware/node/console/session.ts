/**
 * The provisioning session: writes need the secret (AUTH), a session ends after SESSION_IDLE_MS without an
 * authenticated command (on the injected Clock), and wrong secrets are rate-limited: AUTH_FREE_TRIES free,
 * then a lockout of LOCKOUT_BASE_MS that doubles with every further wrong secret up to LOCKOUT_MAX_MS
 * (OWASP ASVS 4.0 V2.2.1 asks for anti-automation on authentication; NIST SP 800-63B 5.2.2 for a limit on
 * failed attempts). Secrets are compared in constant time: the loop always runs over the whole stored
 * secret whatever the candidate, so the time taken does not tell an attacker how many bytes were right.
 *
 * The lockout counter lives in RAM: a power cycle resets it, but that needs hands on the node and ~seconds
 * per try, which bounds guessing far below what a serial script could do otherwise.
 */
import {
  AUTH_FREE_TRIES,
  LOCKOUT_BASE_MS,
  LOCKOUT_MAX_MS,
  SESSION_IDLE_MS,
} from "../../../protocol/console-wire.js";
import type { Clock, TimerId } from "../clock.js";

export const AuthResult = Object.freeze({ Ok: 0, Wrong: 1, LockedOut: 2, NoSecret: 3 });
export type AuthResultCode = (typeof AuthResult)[keyof typeof AuthResult];

/** True when candidate[from, to) equals `secret`, in time that depends only on secret.length. */
export function secretEquals(secret: Uint8Array, candidate: Uint8Array, from: number, to: number): boolean {
  const n = to - from;
  let diff = n ^ secret.length;
  for (let i = 0; i < secret.length; i++) {
    // Past the candidate's end, compare with a byte no secret contains (0) so a prefix never matches.
    const c = i < n ? candidate[from + i]! : 0;
    diff |= c ^ secret[i]!;
  }
  return diff === 0 && secret.length > 0;
}

export class Session {
  readonly #clock: Clock;
  readonly #onEnd: () => void;
  readonly #onTimer: () => void;
  #open = false;
  #lastActivityMs = 0;
  #timer: TimerId | undefined;
  #failures = 0;
  #lockedUntilMs = 0;

  /** `onEnd` runs when an open session ends (timeout, LOCK, reboot) to undo what must not outlive it. */
  constructor(clock: Clock, onEnd: () => void) {
    this.#clock = clock;
    this.#onEnd = onEnd;
    this.#onTimer = () => this.#expireCheck();
  }

  get open(): boolean {
    return this.#open;
  }

  /** Wrong secrets since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Milliseconds until AUTH is accepted again (0 when not locked out). */
  lockoutRemainingMs(): number {
    return Math.max(0, this.#lockedUntilMs - this.#clock.now());
  }

  /** Wrong secrets still allowed before the lockout starts. */
  freeTriesLeft(): number {
    return Math.max(0, AUTH_FREE_TRIES - this.#failures);
  }

  authenticate(secret: Uint8Array, candidate: Uint8Array, from: number, to: number): AuthResultCode {
    if (this.lockoutRemainingMs() > 0) return AuthResult.LockedOut;
    if (secret.length === 0) return AuthResult.NoSecret;
    if (!secretEquals(secret, candidate, from, to)) {
      this.#failures++;
      if (this.#failures >= AUTH_FREE_TRIES) {
        const doublings = Math.min(this.#failures - AUTH_FREE_TRIES, 16);
        this.#lockedUntilMs = this.#clock.now() + Math.min(LOCKOUT_MAX_MS, LOCKOUT_BASE_MS * 2 ** doublings);
      }
      this.end();
      return AuthResult.Wrong;
    }
    this.#failures = 0;
    this.#open = true;
    this.touch();
    return AuthResult.Ok;
  }

  /** An authenticated command ran: the idle timeout starts again. */
  touch(): void {
    this.#lastActivityMs = this.#clock.now();
    if (this.#timer === undefined) this.#timer = this.#clock.setTimer(this.#onTimer, SESSION_IDLE_MS);
  }

  /** Ends the session now (LOCK, a wrong secret, reboot). */
  end(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    if (!this.#open) return;
    this.#open = false;
    this.#onEnd();
  }

  /** One timer per idle period, re-armed for the remainder, rather than one per command. */
  #expireCheck(): void {
    this.#timer = undefined;
    if (!this.#open) return;
    const idleMs = this.#clock.now() - this.#lastActivityMs;
    if (idleMs >= SESSION_IDLE_MS) this.end();
    else this.#timer = this.#clock.setTimer(this.#onTimer, SESSION_IDLE_MS - idleMs);
  }
}
