/**
 * The streaming shape every recording source produces (CSV file, MiniSEED file, synthetic generator): blocks
 * of samples pulled one at a time, so a node-day is never in memory whole. A source reuses one block object
 * and its arrays: a consumer must copy what it keeps before pulling the next block.
 */
import type { Channel } from "./channels.js";

export interface SampleBlock {
  /** Number of valid samples in `tS` / `values[c]` (the arrays may be longer). */
  count: number;
  /** Sample times, seconds from the recording's start, strictly increasing within a stream. */
  readonly tS: Float64Array;
  /** One array per channel of the stream, in the stream's channel order; NaN = no data for that sample. */
  readonly values: readonly Float64Array[];
  /** Position of sample 0 in the source, for error messages: CSV line number or MiniSEED record index. */
  firstPosition: number;
  /** Seconds of missing data just before sample 0 (a MiniSEED gap), 0 when contiguous. */
  gapBeforeS: number;
}

export interface SampleStream {
  /** What error messages call this stream: the file path as given, or the generator's name. */
  readonly name: string;
  readonly channels: readonly Channel[];
  /** UTC of t = 0 in ms since the epoch, when the source knows it. */
  readonly startUtcMs: number | undefined;
  /** Nominal sample period in seconds, when the source declares one (MiniSEED, generator); else undefined. */
  readonly periodS: number | undefined;
  blocks(): AsyncIterable<SampleBlock>;
}

export function makeBlock(channelCount: number, capacity: number): SampleBlock {
  const values: Float64Array[] = [];
  for (let c = 0; c < channelCount; c++) values.push(new Float64Array(capacity));
  return { count: 0, tS: new Float64Array(capacity), values, firstPosition: 0, gapBeforeS: 0 };
}
