/**
 * Output self-test: the relay's feedback contact, read back on a digital input, must follow the relay's
 * command. Pure (times come in), nothing allocated.
 *
 * The relay is a force-guided safety relay (EN 50205 class A, e.g. Omron G7SA-3A1B: 3 NO load contacts and
 * 1 NC contact, mechanically linked: "If an NO contact becomes welded, all NC contacts will maintain a
 * minimum distance of 0.5 mm when the coil is not energized", G7SA datasheet). The NC contact is the mirror
 * contact wired to the feedback input: it reads 1 (closed) only when every load contact is open. So:
 * - commanded de-energised, feedback 0 after the settle time: a load contact is still closed (welded):
 *   power is NOT cut. Fault "welded" (the dangerous one: reported at once, it cannot be fixed by software).
 * - commanded energised, feedback 1 after the settle time: the relay did not pull in (open coil, driver
 *   failure): power is off, safe, but the node would be lying about the equipment's supply. Fault
 *   "no pull-in".
 * Settle time: the G7SA's operate and release times are 20 ms max each (datasheet); 50 ms (DEFAULT,
 * 2.5 x) leaves margin for contact bounce. The check runs on every pattern tick (100 ms) and after every
 * command change, so a welded contact is found within settle + one tick of the trip.
 */
export const RelayFeedbackFault = Object.freeze({ None: 0, Welded: 1, NoPullIn: 2 });
export type RelayFeedbackFaultCode = (typeof RelayFeedbackFault)[keyof typeof RelayFeedbackFault];

export const RELAY_SETTLE_MS = 50;

export class RelayMonitor {
  readonly settleMs: number;
  /** Last command (1 = energised) and when it changed. */
  commanded: 0 | 1 = 0;
  changedAtMs: number;
  /** Verdict of the last check. */
  fault: RelayFeedbackFaultCode = RelayFeedbackFault.None;

  constructor(nowMs: number, settleMs = RELAY_SETTLE_MS) {
    this.settleMs = settleMs;
    this.changedAtMs = nowMs;
  }

  command(level: 0 | 1, nowMs: number): void {
    if (level === this.commanded) return;
    this.commanded = level;
    this.changedAtMs = nowMs;
  }

  /** `feedback` = the mirror contact input (1 = closed = load contacts open). Returns the verdict. */
  check(nowMs: number, feedback: number): RelayFeedbackFaultCode {
    // During the settle time the last verdict stands (a weld found before a command change is not cleared
    // by the relay being told to do what it is stuck doing anyway).
    if (nowMs - this.changedAtMs < this.settleMs) return this.fault;
    const expected = this.commanded === 1 ? 0 : 1;
    if (feedback === expected) this.fault = RelayFeedbackFault.None;
    else this.fault = this.commanded === 1 ? RelayFeedbackFault.NoPullIn : RelayFeedbackFault.Welded;
    return this.fault;
  }
}
