/**
 * Axis arithmetic for the report's charts: linear and log scales, "nice" ticks, and elapsed virtual time
 * as text. Pure functions, no DOM.
 */

export interface Scale {
  (v: number): number;
  ticks: number[];
}

/** Linear map of [d0, d1] onto [r0, r1], with about `count` ticks at 1/2/5 x 10^k. */
export function linearScale(d0: number, d1: number, r0: number, r1: number, count = 5): Scale {
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  f.ticks = niceTicks(d0, d1, count);
  return f;
}

/** Log10 map of [d0, d1] (both > 0) onto [r0, r1]; ticks at the powers of ten inside. */
export function logScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const span = l1 - l0 || 1;
  const f = ((v: number) => r0 + ((Math.log10(Math.max(v, d0)) - l0) / span) * (r1 - r0)) as Scale;
  f.ticks = [];
  for (let e = Math.ceil(l0); e <= Math.floor(l1); e++) f.ticks.push(10 ** e);
  return f;
}

export function niceStep(span: number, count: number): number {
  const raw = Math.abs(span) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

export function niceTicks(d0: number, d1: number, count: number): number[] {
  const step = niceStep(d1 - d0, count);
  const out: number[] = [];
  // Integer multiples of the step, so ticks print without float noise (0.30000000000000004).
  for (let k = Math.ceil(d0 / step - 1e-9); k * step <= d1 + step * 1e-9; k++) out.push(k * step);
  return out;
}

/** Prints a tick value with just the decimals its step needs. */
export function formatTick(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  100,
  200,
  500,
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

/** Tick times (ms) at a round step, about `count` of them, over [t0Ms, t1Ms]. */
export function timeTicks(t0Ms: number, t1Ms: number, count = 8): { stepMs: number; ticksMs: number[] } {
  const want = (t1Ms - t0Ms) / Math.max(1, count);
  const stepMs = TIME_STEPS.find((s) => s >= want) ?? Math.ceil(want / DAY) * DAY;
  const ticksMs: number[] = [];
  for (let t = Math.ceil(t0Ms / stepMs) * stepMs; t <= t1Ms; t += stepMs) ticksMs.push(t);
  return { stepMs, ticksMs };
}

/**
 * Elapsed virtual time since the scenario started: `h:mm:ss` (days as `Nd h:mm:ss`), with tenths when
 * `withTenths` (sub-second latencies and tick steps).
 */
export function formatElapsed(ms: number, withTenths = false): string {
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  const tenths = Math.floor((rest % SECOND) / 100);
  rest = Math.floor(rest / SECOND);
  const s = rest % 60;
  const m = Math.floor(rest / 60) % 60;
  const h = Math.floor(rest / 3600) % 24;
  const d = Math.floor(rest / 86400);
  const hms = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}${withTenths ? `.${tenths}` : ""}`;
  return `${sign}${d > 0 ? `${d}d ` : ""}${hms}`;
}

/** A duration for tables: `420 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number): string {
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < MINUTE) return `${(ms / SECOND).toFixed(1)} s`;
  if (ms < HOUR)
    return `${Math.floor(ms / MINUTE)} min ${String(Math.floor((ms % MINUTE) / SECOND)).padStart(2, "0")} s`;
  return `${Math.floor(ms / HOUR)} h ${String(Math.floor((ms % HOUR) / MINUTE)).padStart(2, "0")} min`;
}
