/**
 * The detector's state between blocks (internal to this folder; not exported by index.ts). SeismicDetector
 * owns one and keeps it private; the per-sample loop (block.ts) and the trigger's transitions
 * (transitions.ts) read and write its fields directly, as plain functions: the loop takes everything into
 * locals for a block and hands it back at the end, so the fields are touched once per block, not per sample.
 * Allocates nothing after construction.
 */
import type { ResolvedSeismicConfig } from "./config.js";
import { EventTracker } from "./event-tracker.js";
import { PeakHistory } from "./peak-history.js";
import { OutQueue } from "./queue.js";
import { SeismicEvent, SeismicSummary } from "./records.js";
import { ClassicStaLta, DOUBLE_TINY, type StaLta } from "./stalta.js";

/** Bits returned by `push`, `pushBlock` and `flush`. */
export const PushResult = Object.freeze({
  None: 0,
  /** An Onset record was queued (the trigger went on). */
  Onset: 1,
  /** A Final event record was queued. */
  EventFinal: 2,
  /** A telemetry summary was queued. */
  Summary: 4,
});

/** Trigger states. */
export const IDLE = 0;
export const TRIGGERED = 1;
export const POST = 2;
/** After a cut at maxEventMs: waiting for the ratio to drop below `on` before a new trigger may start. */
export const DISARMED = 3;

/** Outbox sizes: more records than this between two reads are counted as dropped. */
export const EVENT_QUEUE_CAPACITY = 16;
export const SUMMARY_QUEUE_CAPACITY = 4;

export class DetectorState {
  readonly config: ResolvedSeismicConfig;
  /** Classic STA/LTA (null when the recursive one runs inline). */
  readonly classic: StaLta | null;
  readonly csta: number;
  readonly clta: number;
  readonly nlta: number;
  /** 1 - csta, 1 - clta, the sample period in s: the loop's constants, computed once. */
  readonly icsta: number;
  readonly iclta: number;
  readonly dt: number;
  readonly tracker: EventTracker;
  readonly events: OutQueue<SeismicEvent>;
  readonly summaries: OutQueue<SeismicSummary>;
  readonly history = new PeakHistory();

  // Filters, STA/LTA, trigger.
  inX = 0;
  inY = 0;
  inZ = 0;
  ax = 0;
  ay = 0;
  az = 0;
  vx = 0;
  vy = 0;
  vz = 0;
  sta = 0;
  lta = DOUBLE_TINY;
  nRec = 0;
  lastT = Number.NEGATIVE_INFINITY;
  /** Index of the last sample taken (-1 before the first). */
  index = -1;
  ratio = 0;
  state = IDLE;
  eventSeq = 0;

  // Current sub-block (peaks as squares: a^2 in (m/s^2)^2, v^2 in (m/s)^2); finished ones go to history.
  sbStartT = 0;
  sbN = 0;
  cax = 0;
  cay = 0;
  caz = 0;
  cvx = 0;
  cvy = 0;
  cvz = 0;

  // Telemetry period sums (its peaks are in history).
  /** -Infinity while the period has no samples (see block.ts). */
  sStart = Number.NEGATIVE_INFINITY;
  sEnd = 0;
  sN = 0;
  sxx = 0;
  syy = 0;
  szz = 0;
  /** Sum over the period of |v|^2 = vx^2 + vy^2 + vz^2 of the integrated velocity, (m/s)^2: the RMS velocity. */
  svv = 0;
  sWarm = 0;

  constructor(c: ResolvedSeismicConfig) {
    this.config = c;
    this.classic = c.method === "classic" ? new ClassicStaLta(c.nsta, c.nlta) : null;
    this.csta = 1 / c.nsta;
    this.clta = 1 / c.nlta;
    this.nlta = c.nlta;
    this.icsta = 1 - this.csta;
    this.iclta = 1 - this.clta;
    this.dt = 1 / c.sampleRateHz;
    this.tracker = new EventTracker(c.sampleRateHz, c.ppvProfile, c.warnFraction);
    this.events = new OutQueue(EVENT_QUEUE_CAPACITY, () => new SeismicEvent());
    this.summaries = new OutQueue(SUMMARY_QUEUE_CAPACITY, () => new SeismicSummary());
  }
}
