/**
 * Detection quality against labels (the done-when): every labelled gas crossing must be alarmed
 * within one sample period; seismic recall and false triggers per node-day.
 *
 * Matching rules (FORMAT.md, Labels):
 * - a gas crossing (channel, level, t) is alarmed when an alarm of that level or higher on that channel is on
 *   at some instant of [t, t + period]: its onset is at or before t + period and it has not cleared before t;
 * - a seismic detection matches a labelled event when its onset lies in [t - tol, t + max(durationS, tol)],
 *   tol = max(1 s, 10 sample periods); each label is matched once; further detections on an already matched
 *   label are "split" (one event reported twice), not false; every other detection is a false trigger;
 * - a labelled event no detection matched but whose onset lies inside a detection's span (its onset - tol to
 *   its end + tol) was "merged" into that detection (two events closer than the post-event window are one
 *   report, whose peaks cover both): it counts as recalled and is also reported on its own.
 */
import type { Finding } from "./findings.js";
import { type Label, SEISMIC_EVENT_KINDS } from "./labels.js";

/**
 * Whether an alarm level answers a labelled crossing: the same level; A2 for an A1 crossing (a gas that jumps
 * straight to A2 has crossed A1 too); CH4 over-range for A1 or A2 (over-range is above both).
 */
function answers(label: string, alarm: string): boolean {
  if (alarm === label) return true;
  if (label === "A1" && alarm === "A2") return true;
  return (label === "A1" || label === "A2") && alarm === "OVER-RANGE";
}
/** Float slack on times read back from text (CSV seconds), far below any sample period. */
const EPS_S = 1e-6;

export interface GasCrossingResult {
  label: Label;
  /** Onset of the first alarm still on at or after the crossing, minus the crossing time, s (<= 0 when the
   * alarm was already on); undefined when no such alarm. */
  latencyS: number | undefined;
  ok: boolean;
}

export function checkGasCrossings(
  findings: readonly Finding[],
  labels: readonly Label[],
  periodS: number,
): GasCrossingResult[] {
  const out: GasCrossingResult[] = [];
  for (const label of labels) {
    if (label.kind !== "gas-crossing") continue;
    let best: number | undefined;
    const on = new Map<string, number>();
    for (const f of findings) {
      if (f.channel !== label.channel || f.level === undefined) continue;
      if (!answers(label.level ?? "", f.level)) continue;
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

export interface SeismicQuality {
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
  missed: Label[];
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

export function seismicQuality(
  findings: readonly Finding[],
  labels: readonly Label[],
  durationS: number,
  periodS: number,
): SeismicQuality {
  const events = labels.filter((l) => SEISMIC_EVENT_KINDS.includes(l.kind)).sort((a, b) => a.t - b.t);
  const machinery = labels.filter((l) => l.kind === "machinery");
  const detections = findings.filter((f) => f.kind === "event").sort((a, b) => a.t - b.t);
  const tol = Math.max(1, 10 * periodS);
  const matched = new Set<Label>();
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
  const merged = new Set<Label>();
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
