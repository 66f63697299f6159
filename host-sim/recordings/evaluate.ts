/**
 * Detection quality of a replayed recording against its labels (`detect --evaluate`, the recordings bench):
 * every labelled gas crossing must be alarmed within one sample period; seismic recall and false triggers per
 * node-day. The matching rules live in site/evaluation.ts (rule 1 there), with the simulator's and the
 * collector's; this file gives them the recording's types (FORMAT.md, Labels).
 */
import {
  type GasCrossingResult as CrossingResult,
  checkGasCrossings as checkCrossings,
  type SeismicQuality as Quality,
  seismicQuality as quality,
} from "../../site/evaluation.js";
import type { Finding } from "./findings.js";
import type { Label } from "./labels.js";

export type GasCrossingResult = CrossingResult<Label>;
export type SeismicQuality = Quality<Label>;

export function checkGasCrossings(
  findings: readonly Finding[],
  labels: readonly Label[],
  periodS: number,
): GasCrossingResult[] {
  return checkCrossings(findings, labels, periodS);
}

export function seismicQuality(
  findings: readonly Finding[],
  labels: readonly Label[],
  durationS: number,
  periodS: number,
): SeismicQuality {
  return quality(findings, labels, durationS, periodS);
}
