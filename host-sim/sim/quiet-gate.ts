/**
 * A NetGate that knows when the network cannot have anything to say, so the run loop may step the clock
 * without settling (net/gate.ts: settling costs at least two event-loop turns per clock event, which caps
 * a run at a few hundred times real time; most events are samples that touch no socket).
 *
 * Every way node or host code reaches the network passes through the gate: a client opens and closes links,
 * begins requests that the peer answers, reports socket activity, and everything that arrives runs as a
 * gate delivery. So after a settle, if a clock step made no gate call and ran no delivery (a delivered
 * packet may be answered at once, e.g. a PUBACK, which the broker may follow with the next queued message),
 * no byte is on its way and the next step may run at once. `touched` says whether one of them happened.
 */
import type { VirtualClock } from "../clock.js";
import { type Link, NetGate, type NetGateOptions } from "../net/gate.js";

export class QuietGate extends NetGate {
  /** Gate calls and deliveries since the last settle. */
  touched = 0;

  constructor(clock: VirtualClock, options: NetGateOptions = {}) {
    super(clock, options);
  }

  override openLink(label: string): Link {
    this.touched++;
    return super.openLink(label);
  }

  override closeLink(link: Link): void {
    this.touched++;
    super.closeLink(link);
  }

  /**
   * A request on a link whose socket has already closed can never be answered: it must not hold virtual
   * time. This happens when the broker goes away (an outage) and, at the same virtual instant, before the
   * client's "connection lost" has been delivered on the virtual clock, the node publishes or its
   * keep-alive sends PINGREQ. NetGate would hold time until `stallMs` of wall time (2 s per request, most
   * of a broker-outage run's wall time) and then drop it as a stall; the virtual outcome is the same (no
   * answer, the loss arrives through deliver), so end it at once.
   */
  override begin(link: Link, what: string): number {
    this.touched++;
    const id = super.begin(link, what);
    if (link.closed) super.end(id);
    return id;
  }

  override end(opId: number): void {
    this.touched++;
    super.end(opId);
  }

  override deliver(link: Link, run: () => void): void {
    this.touched++;
    super.deliver(link, () => {
      this.touched++;
      run();
    });
  }

  override activity(): void {
    this.touched++;
    super.activity();
  }

  override track<T>(work: Promise<T>): Promise<T> {
    this.touched++;
    return super.track(work);
  }

  override async settle(): Promise<void> {
    await super.settle();
    this.touched = 0;
  }

  /** True when the last settle still holds: nothing touched the network since, nothing in flight. */
  get quiet(): boolean {
    return this.touched === 0 && this.inFlight === 0;
  }
}
