/**
 * The one home of the rules that match what nodes reported (alarms, seismic events) against ground truth
 * (labels): `detect --evaluate` and the recordings bench (host-sim/recordings/evaluate.ts), the scenario
 * expectations of a simulated run (host-sim/sim/expectations.ts) and the collector's latency view
 * (site/collector/alarms.ts evaluateLatency). Pure: numbers and records in, verdicts out; no I/O, no clock.
 * It lives in site/ so that the site itself can score live data with it (site may not import the simulator).
 *
 * Each caller still has its own rule, as before this module existed (issue 15 replaces them with one
 * judge); they are written next to each other here so that they can be read, compared and changed together:
 *
 * 1. Recordings (`checkGasCrossings`, `seismicQuality`), times in s from the recording's start:
 *    - a gas crossing (channel, level, t) is alarmed when an alarm of that level or higher on that channel is
 *      on at some instant of [t, t + period]: its onset is at or before t + period and it has not cleared
 *      before t (`answersCrossing`: the same level; A2 for an A1 crossing, a gas that jumps straight to A2 has
 *      crossed A1 too; CH4 over-range for A1 or A2);
 *    - a seismic detection matches a labelled event when its onset lies in [t - tol, t + max(durationS, tol)],
 *      tol = max(1 s, 10 sample periods); each label is matched once; further detections on an already
 *      matched label are "split" (one event reported twice), not false; every other detection is a false
 *      trigger; a labelled event no detection matched but whose onset lies inside a detection's span (its
 *      onset - tol to its end + tol) was "merged" into that detection: it counts as recalled and is also
 *      reported on its own.
 * 2. Scenario expectations (`answeredAtMs`, `alarmExplained`), virtual ms:
 *    - a gas crossing is answered by the first DELIVERED alarm frame of its channel at the label's level or
 *      above (setPointRank: A2 answers A1) raised no earlier than ONSET_SLACK_MS before the label;
 *    - a seismic label by a delivered vibration alarm raised no earlier than ONSET_SLACK_MS before it, or by a
 *      delivered event frame whose onset is within ONSET_SLACK_MS of it;
 *    - an A1 / A2 alarm is explained (not false) by a label of its channel and level within the tolerance
 *      before it (seismic: any seismic label, from ONSET_SLACK_MS before to the tolerance after), or by an
 *      A2 of its channel still latched (an A2 frame re-announced when the channel's A1 clears).
 * 3. The collector's latency (`matchLatency`), on protocol levels and collector receipt times: a label's
 *    alarm is the first alarm frame for its node and channel received in [onset, onset + window] at the
 *    label's level or above (any non-clear, non-fault level when it names none); a channel already at the
 *    level when the event began counts with latency 0; a raise that no label's window explains is
 *    unexpected.
 */
import { severityRankOfName } from "../protocol/alarm-severity.js";
import { AlarmLevel } from "../protocol/schema.js";

/** Kinds a seismic detector should trigger on (recall counts these; anything else it triggers on is false). */
export const SEISMIC_EVENT_KINDS = ["microseismic", "blast", "teleseism"] as const;
const SEISMIC: ReadonlySet<string> = new Set(SEISMIC_EVENT_KINDS);

// ---- 1. recordings: detect --evaluate and the benches ------------------------------------------------------

/** A label of a recording (host-sim/recordings/labels.ts Label): times in s from the recording's start. */
export interface RecordingLabel {
  t: number;
  kind: string;
  channel: string;
  level?: string;
  durationS?: number;
  ppvMmPerS?: number;
  pgaMPerS2?: number;
  cornerHz?: number;
}

/** What a replay reported (host-sim/recordings/findings.ts Finding). */
export interface RecordingFinding {
  t: number;
  kind: string;
  channel: string;
  level?: string;
  durationS?: number;
  pgaMPerS2?: number | null;
  ppvMmPerS?: number | null;
  dominantHz?: number;
}

/** Whether an alarm level answers a labelled crossing's level (rule 1). */
export function answersCrossing(label: string, alarm: string): boolean {
  if (alarm === label) return true;
  if (label === "A1" && alarm === "A2") return true;
  return (label === "A1" || label === "A2") && alarm === "OVER-RANGE";
}

/** Float slack on times read back from text (CSV seconds), far below any sample period. */
const EPS_S = 1e-6;

export interface GasCrossingResult<L extends RecordingLabel = RecordingLabel> {
  label: L;
  /** Onset of the first alarm still on at or after the crossing, minus the crossing time, s (<= 0 when the
   * alarm was already on); undefined when no such alarm. */
  latencyS: number | undefined;
  ok: boolean;
}

export function checkGasCrossings<L extends RecordingLabel>(
  findings: readonly RecordingFinding[],
  labels: readonly L[],
  periodS: number,
): GasCrossingResult<L>[] {
  const out: GasCrossingResult<L>[] = [];
  for (const label of labels) {
    if (label.kind !== "gas-crossing") continue;
    let best: number | undefined;
    const on = new Map<string, number>();
    for (const f of findings) {
      if (f.channel !== label.channel || f.level === undefined) continue;
      if (!answersCrossing(label.level ?? "", f.level)) continue;
      if (f.kind === "alarm") {
        if (!on.has(f.level)) on.set(f.level, f.t);
      } else if (f.kind === "alarm-clear") {
        const start = on.get(f.level);
        on.delete(f.level);
        if (start !== undefined && f.t >= label.t - EPS_S) {
          best = Math.min(best ?? Number.POSITIVE_INFINITY, start - label.t);
        }
      }
    }
    for (const start of on.values()) best = Math.min(best ?? Number.POSITIVE_INFINITY, start - label.t);
    out.push({ label, latencyS: best, ok: best !== undefined && best <= periodS + EPS_S });
  }
  return out;
}

export interface SeismicQuality<L extends RecordingLabel = RecordingLabel> {
  labelled: number;
  detected: number;
  /** (matched + merged) labels / labelled, per kind too. */
  recall: number;
  merged: number;
  byKind: Record<string, { labelled: number; matched: number; merged: number }>;
  falseTriggers: number;
  /** False triggers inside a labelled machinery span (where they are expected if any). */
  falseDuringMachinery: number;
  split: number;
  durationS: number;
  falsePerNodeDay: number;
  /** Median of detected / labelled PPV and PGA over matched events (labels with ground truth only). */
  ppvRatioMedian: number | undefined;
  pgaRatioMedian: number | undefined;
  /** Median of detected dominant frequency / labelled corner frequency over matched events. */
  freqRatioMedian: number | undefined;
  missed: L[];
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

export function seismicQuality<L extends RecordingLabel>(
  findings: readonly RecordingFinding[],
  labels: readonly L[],
  durationS: number,
  periodS: number,
): SeismicQuality<L> {
  const events = labels.filter((l) => SEISMIC.has(l.kind)).sort((a, b) => a.t - b.t);
  const machinery = labels.filter((l) => l.kind === "machinery");
  const detections = findings.filter((f) => f.kind === "event").sort((a, b) => a.t - b.t);
  const tol = Math.max(1, 10 * periodS);
  const matched = new Set<L>();
  const ppvRatios: number[] = [];
  const pgaRatios: number[] = [];
  const freqRatios: number[] = [];
  let falseTriggers = 0;
  let falseDuringMachinery = 0;
  let split = 0;
  for (const d of detections) {
    const candidates = events.filter((l) => d.t >= l.t - tol && d.t <= l.t + Math.max(l.durationS ?? 0, tol));
    const fresh = candidates.find((l) => !matched.has(l));
    if (fresh) {
      matched.add(fresh);
      if (fresh.ppvMmPerS && d.ppvMmPerS) ppvRatios.push(d.ppvMmPerS / fresh.ppvMmPerS);
      if (fresh.pgaMPerS2 && d.pgaMPerS2) pgaRatios.push(d.pgaMPerS2 / fresh.pgaMPerS2);
      if (fresh.cornerHz && d.dominantHz) freqRatios.push(d.dominantHz / fresh.cornerHz);
    } else if (candidates.length > 0) split++;
    else {
      falseTriggers++;
      if (machinery.some((m) => d.t >= m.t && d.t <= m.t + (m.durationS ?? 0))) falseDuringMachinery++;
    }
  }
  const merged = new Set<L>();
  for (const l of events) {
    if (matched.has(l)) continue;
    if (detections.some((d) => l.t >= d.t - tol && l.t <= d.t + (d.durationS ?? 0) + tol)) merged.add(l);
  }
  const byKind: Record<string, { labelled: number; matched: number; merged: number }> = {};
  for (const l of events) {
    const k = (byKind[l.kind] ??= { labelled: 0, matched: 0, merged: 0 });
    k.labelled++;
    if (matched.has(l)) k.matched++;
    if (merged.has(l)) k.merged++;
  }
  return {
    labelled: events.length,
    detected: detections.length,
    recall: events.length === 0 ? Number.NaN : (matched.size + merged.size) / events.length,
    merged: merged.size,
    byKind,
    falseTriggers,
    falseDuringMachinery,
    split,
    durationS,
    falsePerNodeDay: durationS > 0 ? falseTriggers / (durationS / 86400) : Number.NaN,
    ppvRatioMedian: median(ppvRatios),
    pgaRatioMedian: median(pgaRatios),
    freqRatioMedian: median(freqRatios),
    missed: events.filter((l) => !matched.has(l) && !merged.has(l)),
  };
}

// ---- 2. scenario expectations of a simulated run ---------------------------------------------------------

/** How early an alarm or event onset may be and still answer a label (rule 2). */
export const ONSET_SLACK_MS = 2000;
/**
 * A scenario label's set-point level (A1, A2) ranked by the one severity order (protocol/alarm-severity.ts);
 * 0 for any other level, which answers no gas-crossing label (rule 2: a label at A1 is answered by A1 or A2).
 */
function setPointRank(level: string): number {
  return level === "A1" || level === "A2" ? severityRankOfName(level) : 0;
}

/** A label of a simulated node (host-sim/sim/result.ts LabelRecord). */
export interface RunLabel {
  tMs: number;
  kind: string;
  channel: string;
  level?: string;
}

/** An alarm frame a simulated node built (host-sim/sim/result.ts AlarmRecord). */
export interface RunAlarm {
  channel: string;
  level: string;
  raisedMs: number;
  deliveredMs: number | null;
}

/** An event frame a simulated node built. */
export interface RunEvent {
  onsetMs: number;
  deliveredMs: number | null;
}

/**
 * When the label was first answered by a frame delivered to the collector (rule 2), virtual ms;
 * +Infinity when never (and for a label kind nothing answers).
 */
export function answeredAtMs(
  label: RunLabel,
  alarms: readonly RunAlarm[],
  events: readonly RunEvent[],
): number {
  let answeredMs = Number.POSITIVE_INFINITY;
  if (label.kind === "gas-crossing") {
    // A label naming no set-point level (or another level) asks for A1 or above.
    const need = setPointRank(label.level ?? "") || setPointRank("A1");
    for (const a of alarms) {
      if (a.channel !== label.channel || setPointRank(a.level) < need || a.deliveredMs === null) continue;
      if (a.raisedMs >= label.tMs - ONSET_SLACK_MS) answeredMs = Math.min(answeredMs, a.deliveredMs);
    }
  } else if (SEISMIC.has(label.kind)) {
    for (const a of alarms) {
      if (a.channel === "vibration" && a.level !== "clear" && a.level !== "fault" && a.deliveredMs !== null)
        if (a.raisedMs >= label.tMs - ONSET_SLACK_MS) answeredMs = Math.min(answeredMs, a.deliveredMs);
    }
    for (const e of events) {
      if (e.deliveredMs !== null && Math.abs(e.onsetMs - label.tMs) <= ONSET_SLACK_MS)
        answeredMs = Math.min(answeredMs, e.deliveredMs);
    }
  }
  return answeredMs;
}

/**
 * Whether an A1 / A2 alarm (one of `alarms`, the node's alarms in build order) has a cause (rule 2): a label
 * within `toleranceMs` before it, or an A2 of its channel still latched.
 */
export function alarmExplained<A extends RunAlarm>(
  alarm: A,
  labels: readonly RunLabel[],
  alarms: readonly A[],
  toleranceMs: number,
): boolean {
  return (
    labels.some((l) =>
      alarm.channel === "vibration"
        ? SEISMIC.has(l.kind) &&
          alarm.raisedMs >= l.tMs - ONSET_SLACK_MS &&
          alarm.raisedMs <= l.tMs + toleranceMs
        : l.kind === "gas-crossing" &&
          l.channel === alarm.channel &&
          l.level === alarm.level &&
          alarm.raisedMs >= l.tMs - toleranceMs &&
          alarm.raisedMs <= l.tMs + ONSET_SLACK_MS,
    ) || stillLatched(alarm, alarms)
  );
}

/** An A2 frame re-announced while the channel's A2 is still latched (e.g. when its A1 clears). */
function stillLatched<A extends RunAlarm>(a: A, alarms: readonly A[]): boolean {
  if (a.level !== "A2") return false;
  let latched = false;
  for (const b of alarms) {
    if (b === a) return latched;
    if (b.channel !== a.channel) continue;
    if (b.level === "A2") latched = true;
    else if (b.level === "clear") latched = false;
  }
  return false;
}

// ---- 3. the collector's latency view -------------------------------------------------------------------

/** An alarm frame as the collector received it (site/collector/alarms.ts AlarmEvent). */
export interface ReceivedAlarm {
  nodeId: string;
  channel: number;
  level: number;
  counter: number;
  /** Collector receipt time (ms). */
  atMs: number;
  /** The level is above the channel's previous level (in counter order). */
  raise: boolean;
}

/** A label resolved to the protocol's channel number and the lowest level that answers it. */
export interface LatencyTarget<L> {
  label: L;
  nodeId: string;
  channel: number;
  onsetMs: number;
  /** Lowest protocol level that answers (AlarmLevel.A1 when the label names none). */
  minLevel: number;
}

export interface LatencyMatch<L, E extends ReceivedAlarm> {
  matched: { label: L; alarmAtMs: number; latencyMs: number; level: number; alarm: E | undefined }[];
  missing: L[];
  unexpected: E[];
}

/** Rule 3: the first qualifying alarm of each label's window; raises no window explains are unexpected. */
export function matchLatency<L, E extends ReceivedAlarm>(
  events: readonly E[],
  targets: readonly LatencyTarget<L>[],
  windowMs: number,
): LatencyMatch<L, E> {
  const byArrival = events.slice().sort((a, b) => a.atMs - b.atMs || a.counter - b.counter);
  const result: LatencyMatch<L, E> = { matched: [], missing: [], unexpected: [] };
  const spans: { nodeId: string; channel: number; from: number; to: number }[] = [];
  for (const t of targets) {
    const min = t.minLevel;
    const qualifies = (lvl: number): boolean =>
      lvl >= min && lvl !== AlarmLevel.Clear && (min === AlarmLevel.Fault || lvl !== AlarmLevel.Fault);
    spans.push({ nodeId: t.nodeId, channel: t.channel, from: t.onsetMs, to: t.onsetMs + windowMs });
    const mine = byArrival.filter((e) => e.nodeId === t.nodeId && e.channel === t.channel);
    // The channel's level when the event began: the highest-counter frame received by then.
    let before: E | undefined;
    for (const e of mine) if (e.atMs < t.onsetMs && (!before || e.counter > before.counter)) before = e;
    if (before && qualifies(before.level)) {
      result.matched.push({
        label: t.label,
        alarmAtMs: t.onsetMs,
        latencyMs: 0,
        level: before.level,
        alarm: undefined,
      });
      continue;
    }
    const hit = mine.find((e) => e.atMs >= t.onsetMs && e.atMs <= t.onsetMs + windowMs && qualifies(e.level));
    if (hit) {
      result.matched.push({
        label: t.label,
        alarmAtMs: hit.atMs,
        latencyMs: hit.atMs - t.onsetMs,
        level: hit.level,
        alarm: hit,
      });
    } else {
      result.missing.push(t.label);
    }
  }
  for (const e of byArrival) {
    if (!e.raise || e.level === AlarmLevel.Fault) continue;
    const explained = spans.some(
      (s) => s.nodeId === e.nodeId && s.channel === e.channel && e.atMs >= s.from && e.atMs <= s.to,
    );
    if (!explained) result.unexpected.push(e);
  }
  return result;
}
