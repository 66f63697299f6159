/**
 * One chart as inline SVG markup, drawn in Node so that the report shows its plots in any browser, with or
 * without scripts, and so that tests can check what is drawn without a browser. Geometry is in viewBox
 * units (960 x height); the page scales the SVG to its width. Colours come from CSS classes (the page's
 * inline stylesheet), never from inline `style` attributes, which the page's Content-Security-Policy forbids.
 */
import type { Series } from "../sim/result.js";
import { decimateMinMax } from "./decimate.js";
import { classList, classToken, html, type Raw } from "./escape.js";
import {
  formatElapsed,
  formatTick,
  linearScale,
  logScale,
  niceStep,
  type Scale,
  timeTicks,
} from "./scale.js";

export const CHART_WIDTH = 960;
const LEFT = 64;
const RIGHT = 16;
const TOP = 24;
const BOTTOM = 22;
/** Plot columns: one decimation bucket per viewBox unit of plot width. */
export const PLOT_COLUMNS = CHART_WIDTH - LEFT - RIGHT;

export interface LineSpec {
  label: string;
  cls: string;
  data: Series;
  /** Draw as steps (a level held until the next sample: outbox depth, relay state). */
  step?: boolean;
}
export interface HLineSpec {
  label: string;
  value: number;
  cls: string;
}
/** A vertical mark at `tMs` over the whole plot height (alarm raised, label, delivery). */
export interface MarkerSpec {
  tMs: number;
  label: string;
  cls: string;
}
export interface BandSpec {
  fromMs: number;
  toMs: number;
  label: string;
  cls: string;
}
export interface PointsSpec {
  label: string;
  cls: string;
  tMs: number[];
  y: number[];
}
export interface BarsSpec {
  label: string;
  cls: string;
  /** Bar start times and values; each bar is `widthMs` wide. */
  tMs: number[];
  v: number[];
  widthMs: number;
}
export interface ChartSpec {
  id: string;
  title: string;
  yLabel: string;
  t0Ms: number;
  t1Ms: number;
  height?: number;
  yLog?: boolean;
  /** Forced y limits (else from the data, set-points included so they are always on the chart). */
  yMin?: number;
  yMax?: number;
  lines?: LineSpec[];
  hLines?: HLineSpec[];
  markers?: MarkerSpec[];
  bands?: BandSpec[];
  points?: PointsSpec[];
  bars?: BarsSpec[];
}

/** Coordinates with one decimal: enough at 960 units wide, and a node-day stays small. */
function n1(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function yDomain(c: ChartSpec): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const see = (v: number | null | undefined) => {
    if (typeof v !== "number" || !Number.isFinite(v) || (c.yLog && v <= 0)) return;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  };
  for (const l of c.lines ?? []) for (const v of l.data.v) see(v);
  for (const h of c.hLines ?? []) see(h.value);
  for (const p of c.points ?? []) for (const v of p.y) see(v);
  for (const b of c.bars ?? []) {
    see(0);
    for (const v of b.v) see(v);
  }
  if (c.yMin !== undefined) lo = c.yMin;
  if (c.yMax !== undefined) hi = c.yMax;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return c.yLog ? [0.1, 10] : [0, 1];
  if (c.yLog)
    return [
      c.yMin ?? 10 ** Math.floor(Math.log10(lo) + 1e-9),
      c.yMax ?? 10 ** Math.ceil(Math.log10(hi) - 1e-9),
    ];
  if (lo === hi)
    return c.yMin !== undefined ? [lo, lo + 1] : c.yMax !== undefined ? [hi - 1, hi] : [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.06;
  return [c.yMin ?? lo - pad, c.yMax ?? hi + pad];
}

/** SVG path data for a series: gaps (null) start a new sub-path; steps hold each value to the next time. */
export function linePath(
  s: Series,
  x: (t: number) => number,
  y: (v: number) => number,
  step: boolean,
): string {
  let d = "";
  let pen = false;
  for (let i = 0; i < s.tMs.length; i++) {
    const v = s.v[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    const px = n1(x(s.tMs[i]!));
    const py = n1(y(v));
    if (!pen) d += `M${px} ${py}`;
    else if (step) d += `H${px}V${py}`;
    else d += `L${px} ${py}`;
    pen = true;
  }
  // A lone point still shows (a 1-unit stub), so a single sample never renders as nothing.
  if (d !== "" && !/[LHV]/.test(d)) d += `h1`;
  return d;
}

export function renderChart(c: ChartSpec): Raw {
  const height = c.height ?? 180;
  const x0 = LEFT;
  const x1 = CHART_WIDTH - RIGHT;
  const y0 = height - BOTTOM;
  const y1 = TOP;
  const x = linearScale(c.t0Ms, c.t1Ms, x0, x1);
  const [lo, hi] = yDomain(c);
  const y: Scale = c.yLog ? logScale(lo, hi, y0, y1) : linearScale(lo, hi, y0, y1, 4);
  const clipId = `clip-${classToken(c.id)}`;
  const parts: Raw[] = [];

  // Axes and grid.
  const { stepMs, ticksMs } = timeTicks(c.t0Ms, c.t1Ms, 8);
  for (const t of ticksMs) {
    const px = n1(x(t));
    parts.push(html`<line class="grid" x1="${px}" x2="${px}" y1="${y1}" y2="${y0}"/>`);
    parts.push(
      html`<text class="tick" x="${px}" y="${height - 6}" text-anchor="middle">${formatElapsed(t, stepMs < 1000)}</text>`,
    );
  }
  const yStep = c.yLog ? 1 : niceStep(hi - lo, 4);
  for (const v of y.ticks) {
    const py = n1(y(v));
    parts.push(html`<line class="grid" x1="${x0}" x2="${x1}" y1="${py}" y2="${py}"/>`);
    const label = c.yLog ? (v >= 1 ? String(v) : v.toPrecision(1)) : formatTick(v, yStep);
    parts.push(html`<text class="tick" x="${x0 - 4}" y="${py}" dy="3" text-anchor="end">${label}</text>`);
  }
  parts.push(html`<rect class="frame" x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}"/>`);

  const plot: Raw[] = [];
  for (const b of c.bands ?? []) {
    const a = Math.max(x0, x(b.fromMs));
    const z = Math.min(x1, Math.max(a + 1, x(b.toMs)));
    plot.push(
      html`<rect class="band ${classList(b.cls)}" x="${n1(a)}" y="${y1}" width="${n1(z - a)}" height="${y0 - y1}"><title>${b.label}</title></rect>`,
    );
  }
  for (const b of c.bars ?? []) {
    let d = "";
    for (let i = 0; i < b.tMs.length; i++) {
      const a = x(b.tMs[i]!);
      const w = Math.max(1, x(b.tMs[i]! + b.widthMs) - a - 1);
      const top = y(b.v[i]!);
      d += `M${n1(a)} ${n1(y0)}V${n1(top)}h${n1(w)}V${n1(y0)}Z`;
    }
    if (d) plot.push(html`<path class="bars ${classList(b.cls)}" d="${d}"><title>${b.label}</title></path>`);
  }
  for (const h of c.hLines ?? []) {
    const py = n1(y(h.value));
    plot.push(
      html`<line class="hline ${classList(h.cls)}" x1="${x0}" x2="${x1}" y1="${py}" y2="${py}"><title>${h.label}</title></line>`,
    );
    plot.push(
      html`<text class="hlabel ${classList(h.cls)}" x="${x1 - 2}" y="${py}" dy="-2" text-anchor="end">${h.label}</text>`,
    );
  }
  for (const l of c.lines ?? []) {
    const dec = decimateMinMax(l.data, c.t0Ms, c.t1Ms, PLOT_COLUMNS);
    const d = linePath(dec, x, y, l.step === true);
    if (d)
      plot.push(html`<path class="series ${classList(l.cls)}" d="${d}"><title>${l.label}</title></path>`);
  }
  for (const p of c.points ?? []) {
    // Scatter decimation: one dot per occupied pixel, drawn as zero-length round-capped segments in one path.
    const seen = new Set<string>();
    let d = "";
    for (let i = 0; i < p.tMs.length; i++) {
      const px = Math.round(x(p.tMs[i]!));
      const py = Math.round(y(p.y[i]!));
      const key = `${px},${py}`;
      if (seen.has(key)) continue;
      seen.add(key);
      d += `M${px} ${py}h0`;
    }
    if (d)
      plot.push(html`<path class="points ${classList(p.cls)}" d="${d}"><title>${p.label}</title></path>`);
  }
  for (const m of c.markers ?? []) {
    const px = n1(x(m.tMs));
    plot.push(
      html`<g class="marker ${classList(m.cls)}"><line x1="${px}" x2="${px}" y1="${y1}" y2="${y0}"/><path d="M${px} ${y1}l-4 -6h8z"/><title>${m.label}</title></g>`,
    );
  }

  const legend: Raw[] = [];
  let lx = x1;
  const entries = [
    ...(c.lines ?? []).map((l) => [l.label, `series ${l.cls}`]),
    ...(c.points ?? []).map((p) => [p.label, `points ${p.cls}`]),
    ...(c.bars ?? []).map((b) => [b.label, `bars ${b.cls}`]),
  ].reverse();
  for (const [label, cls] of entries) {
    const w = 18 + label!.length * 6.2;
    lx -= w + 10;
    legend.push(
      html`<g class="legend"><rect class="swatch ${classList(cls!)}" x="${n1(lx)}" y="6" width="12" height="8"/><text x="${n1(lx + 16)}" y="14">${label}</text></g>`,
    );
  }

  return html`<svg class="chart" id="${c.id}" viewBox="0 0 ${CHART_WIDTH} ${height}" role="img" aria-label="${c.title}" data-t0="${c.t0Ms}" data-t1="${c.t1Ms}" data-x0="${x0}" data-x1="${x1}" data-y0="${y0}" data-y1="${y1}"><defs><clipPath id="${clipId}"><rect x="${x0}" y="${y1 - 8}" width="${x1 - x0}" height="${y0 - y1 + 8}"/></clipPath></defs><text class="ctitle" x="${x0}" y="14">${c.title}</text><text class="ylabel" x="4" y="14">${c.yLabel}</text>${parts}<g clip-path="url(#${clipId})">${plot}</g>${legend}</svg>`;
}
