/**
 * What `detect` reports: one finding per state change of a pipeline (an alarm goes on or off, a fault is
 * raised or cleared, a seismic event closes, a gap in the data). Host-side objects: the firmware pipelines
 * themselves allocate nothing per sample; the replay turns their state changes into findings.
 */
export type FindingKind =
  | "alarm" // a gas alarm level went on
  | "alarm-clear" // it went off (A2 only after acknowledgement: replay never acknowledges)
  | "fault" // a sensor fault or state (no data, stuck, out of range, warm-up, calibration overdue)
  | "fault-clear"
  | "event" // a seismic event closed: its final summary
  | "gap"; // the recording has missing data (a MiniSEED gap, or rows missing from a CSV: a jump in t_s)

export interface Finding {
  /** Seconds from the recording's start. */
  t: number;
  kind: FindingKind;
  /** Gas channel, `accel` for a 3-axis stream, or the stream's channel name. */
  channel: string;
  /** Alarms: `A1`, `A2`, `STEL`, `TWA`, `ROR` (rate of rise); faults: the fault name. */
  level?: string;
  /** The value that caused the change, in the channel's unit. */
  value?: number;
  /** Seismic events. */
  durationS?: number;
  pgaMPerS2?: number | null;
  ppvMmPerS?: number | null;
  dominantHz?: number;
  staLtaPeak?: number;
  /** PPV class against the limit profile (e.g. `ok`, `warning`, `exceeded`). */
  class?: string;
  /** Unit of a channel whose values are not in engineering units (MiniSEED counts). */
  unit?: string;
}

const ORDER: (keyof Finding)[] = [
  "t",
  "kind",
  "channel",
  "level",
  "value",
  "durationS",
  "pgaMPerS2",
  "ppvMmPerS",
  "dominantHz",
  "staLtaPeak",
  "class",
  "unit",
];

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/** One JSON object, keys in a fixed order, times to the microsecond, values to 6 significant digits. */
export function findingJson(f: Finding): string {
  const o: Record<string, unknown> = {};
  for (const k of ORDER) {
    const v = f[k];
    if (v === undefined) continue;
    o[k] =
      typeof v === "number" ? (k === "t" || k === "durationS" ? round(v, 6) : Number(v.toPrecision(6))) : v;
  }
  return JSON.stringify(o);
}

/** A human line: `  12.000 s  alarm  ch4 A1 1.02` / `  61.250 s  event  accel PPV 3.1 mm/s PGA 0.8 m/s^2 ...`. */
export function findingText(f: Finding): string {
  const parts = [`${f.t.toFixed(3).padStart(10)} s`, f.kind.padEnd(11), f.channel];
  if (f.level !== undefined) parts.push(f.level);
  if (f.value !== undefined) parts.push(String(Number(f.value.toPrecision(6))));
  if (f.kind === "event") {
    const u = f.unit ? ` (${f.unit})` : "";
    if (f.ppvMmPerS != null) parts.push(`PPV ${f.ppvMmPerS.toPrecision(3)} mm/s`);
    if (f.pgaMPerS2 != null) parts.push(`PGA ${f.pgaMPerS2.toPrecision(3)} m/s^2`);
    if (f.dominantHz !== undefined) parts.push(`${f.dominantHz.toPrecision(3)} Hz`);
    if (f.durationS !== undefined) parts.push(`${f.durationS.toFixed(2)} s long`);
    if (f.staLtaPeak !== undefined) parts.push(`STA/LTA ${f.staLtaPeak.toPrecision(3)}${u}`);
    if (f.class !== undefined) parts.push(f.class);
  } else if (f.kind === "gap" && f.durationS !== undefined) parts.push(`${f.durationS.toFixed(3)} s missing`);
  return parts.join("  ");
}
