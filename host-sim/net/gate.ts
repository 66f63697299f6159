/**
 * The gate between the virtual clock and real sockets (house rule 2: a run is a pure function of scenario
 * and seed, even when simulated nodes talk to a real broker over real TCP).
 *
 * The rule: **virtual time does not pass while a request is awaiting a reply that the peer has been
 * given.** A host IO object (the MQTT client in host-sim/mqtt/client.ts) opens a `Link` per connection and
 * calls `begin()` when it sends something that the peer answers (CONNECT, a QoS 1 PUBLISH, SUBSCRIBE,
 * PINGREQ, a TCP connect) and `end()` when the answer (or an error, or the close) arrives. Everything that
 * arrives from the network is not handed to node code at once: it is queued with `deliver()` and, once the
 * network has settled, scheduled on the virtual clock `latencyMs` after the instant at which time stood
 * still. So a PUBACK for a frame published at virtual time t reaches the node at exactly t + latencyMs
 * however fast or slow the host is, and two runs give the same virtual-time trace.
 *
 * `runVirtual(clock, gate, untilMs)` (run.ts) is the driver: before each clock step it awaits `settle()`.
 * Settling means: no request in flight, no tracked host task (a broker restart) pending, and two event-loop
 * turns with no socket activity (so bytes already on their way, such as a message the broker forwards
 * unasked, are in). Arrivals are then scheduled in a fixed order (link creation order, then arrival order
 * within the link, which TCP keeps), so concurrent replies on different links cannot reorder a trace.
 *
 * A peer that never answers would freeze virtual time; after `stallMs` of wall time the gate gives up on
 * that request, counts it in `stalls` (a deterministic run has 0) and lets time move, so the node's own
 * timeouts can fire.
 */
import type { VirtualClock } from "../clock.js";

export interface NetGateOptions {
  /** One-way delivery delay in virtual ms from "time stood still" to "the node sees it". Default 5 ms. */
  latencyMs?: number;
  /** Wall-clock ms after which a request with no reply stops holding virtual time. Default 2000. */
  stallMs?: number;
}

export interface Link {
  readonly id: number;
  readonly label: string;
  /** Remote TCP port, once known (the broker helper waits for links to its port to close). */
  remotePort: number;
  closed: boolean;
}

interface Arrival {
  linkId: number;
  seq: number;
  run: () => void;
}

interface Op {
  link: Link;
  what: string;
  startedWallMs: number;
}

export class NetGate {
  readonly clock: VirtualClock;
  readonly latencyMs: number;
  readonly stallMs: number;
  #nextLink = 1;
  #nextOp = 1;
  #arrivalSeq = 0;
  #ops = new Map<number, Op>();
  #tracked = 0;
  #activity = 0;
  #arrivals: Arrival[] = [];
  #links = new Set<Link>();
  #wake: (() => void) | undefined;
  /** Requests given up on after `stallMs` (label and what): a deterministic run has none. */
  readonly stalls: string[] = [];

  constructor(clock: VirtualClock, options: NetGateOptions = {}) {
    const latencyMs = options.latencyMs ?? 5;
    const stallMs = options.stallMs ?? 2000;
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) {
      throw new RangeError(`gate latencyMs must be a finite number >= 0, got ${latencyMs}`);
    }
    if (!(stallMs > 0)) throw new RangeError(`gate stallMs must be > 0, got ${stallMs}`);
    this.clock = clock;
    this.latencyMs = latencyMs;
    this.stallMs = stallMs;
  }

  openLink(label: string): Link {
    const link: Link = { id: this.#nextLink++, label, remotePort: 0, closed: false };
    this.#links.add(link);
    return link;
  }

  /** The link's socket is gone: its open requests end (their errors arrive through `deliver`). */
  closeLink(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    this.#links.delete(link);
    for (const [id, op] of this.#ops) if (op.link === link) this.#ops.delete(id);
    this.#poke();
  }

  /** Open links whose peer is `port` (the broker helper waits for these to see an outage). */
  linksTo(port: number): number {
    let n = 0;
    for (const l of this.#links) if (l.remotePort === port) n++;
    return n;
  }

  /** A request the peer will answer was sent: virtual time holds until `end`. */
  begin(link: Link, what: string): number {
    const id = this.#nextOp++;
    this.#ops.set(id, { link, what, startedWallMs: performance.now() });
    return id;
  }

  end(opId: number): void {
    if (this.#ops.delete(opId)) this.#poke();
  }

  /** Something arrived from the network: runs on the virtual clock after the network settles. */
  deliver(link: Link, run: () => void): void {
    this.#arrivals.push({ linkId: link.id, seq: this.#arrivalSeq++, run });
    this.activity();
  }

  /** Socket activity (bytes, connect, close) that may be followed by more: settling waits it out. */
  activity(): void {
    this.#activity++;
    this.#poke();
  }

  /** Host work that must finish before virtual time moves (starting or stopping a broker). */
  track<T>(work: Promise<T>): Promise<T> {
    this.#tracked++;
    const done = (): void => {
      this.#tracked--;
      this.activity();
    };
    work.then(done, done);
    return work;
  }

  get inFlight(): number {
    return this.#ops.size + this.#tracked;
  }

  /** Waits until the network is quiet, then schedules what arrived on the virtual clock. */
  async settle(): Promise<void> {
    for (;;) {
      await this.#drainOps();
      const before = this.#activity;
      await turn();
      await turn();
      if (this.#activity === before && this.inFlight === 0) break;
    }
    this.#flush();
  }

  #flush(): void {
    if (this.#arrivals.length === 0) return;
    const batch = this.#arrivals;
    this.#arrivals = [];
    batch.sort((a, b) => a.linkId - b.linkId || a.seq - b.seq);
    for (const a of batch) this.clock.setTimer(a.run, this.latencyMs);
  }

  async #drainOps(): Promise<void> {
    while (this.inFlight > 0) {
      const oldest = this.#oldestOpStart();
      const waitMs =
        oldest === undefined ? this.stallMs : Math.max(1, oldest + this.stallMs - performance.now());
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.#wake = undefined;
          resolve(false);
        }, waitMs);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve(true);
        };
      });
      if (!woke) this.#dropStalled();
    }
  }

  #oldestOpStart(): number | undefined {
    let oldest: number | undefined;
    for (const op of this.#ops.values())
      if (oldest === undefined || op.startedWallMs < oldest) oldest = op.startedWallMs;
    return oldest;
  }

  #dropStalled(): void {
    const now = performance.now();
    for (const [id, op] of this.#ops) {
      if (now - op.startedWallMs >= this.stallMs) {
        this.stalls.push(`${op.link.label}: ${op.what}`);
        this.#ops.delete(id);
      }
    }
  }

  #poke(): void {
    this.#wake?.();
  }
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
