/**
 * The self-contained report page: one HTML file with its stylesheet, its small script and its plots inline
 * (SVG drawn in Node by svg.ts), so it opens from disk with no network. A Content-Security-Policy with the
 * hashes of the page's own style and script forbids everything else: no fetch, no remote font, and no script
 * that might have slipped in through result text (all of which the `html` tag escapes anyway).
 */
import { createHash } from "node:crypto";
import type { ExpectationResult, NodeResult, SimResult } from "../sim/result.js";
import { REPORT_CSS, REPORT_SCRIPT } from "./assets.js";
import { nodeCharts } from "./charts.js";
import { html, Raw, shellQuote } from "./escape.js";
import { formatDuration, formatElapsed } from "./scale.js";
import { type ChartSpec, renderChart } from "./svg.js";

/** The command that replays the run exactly: same scenario, same seed (the run is a pure function of both). */
export function replayCommand(r: SimResult): string {
  return `npx minewatch sim ${shellQuote(r.scenario.file)} --seed ${r.seed}`;
}

function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

function verdict(passed: boolean): Raw {
  return passed ? html`<span class="verdict pass">PASS</span>` : html`<span class="verdict fail">FAIL</span>`;
}

function expectationsTable(list: ExpectationResult[]): Raw {
  if (list.length === 0) return html`<p class="note">The scenario states no expectations.</p>`;
  const failed = list.filter((e) => !e.passed).length;
  const rows = list.map(
    (e) =>
      html`<tr class="${e.passed ? "passed" : "failed"}"><td>${verdict(e.passed)}</td><td><code>${e.name}</code></td><td class="num">${e.measured === null ? "-" : `${e.measured} ${e.unit}`}</td><td>${e.nodes.join(", ")}</td><td>${e.reason}</td></tr>`,
  );
  return html`<p>${list.length - failed} of ${list.length} expectations hold${failed ? html`; <strong>${failed} failed</strong>` : ""}.</p>
<table id="expectations"><thead><tr><th>result</th><th>expectation</th><th>measured</th><th>nodes</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

interface NodeStats {
  built: number;
  delivered: number;
  pending: number;
  lost: number;
  worstAlarmMs: number | null;
}

export function nodeStats(n: NodeResult): NodeStats {
  let delivered = 0;
  let lost = 0;
  for (const f of n.frames) {
    if (f.deliveredMs !== null) delivered++;
    else if (f.lost) lost++;
  }
  let worst: number | null = null;
  for (const a of n.alarms)
    if (a.deliveredMs !== null) worst = Math.max(worst ?? 0, a.deliveredMs - a.raisedMs);
  return {
    built: n.frames.length,
    delivered,
    pending: n.frames.length - delivered - lost,
    lost,
    worstAlarmMs: worst,
  };
}

function nodesTable(r: SimResult): Raw {
  const rows = r.nodes.map((n, i) => {
    const s = nodeStats(n);
    return html`<tr${s.lost ? html` class="failed"` : ""}><td><a href="#node-${i}">${n.id}</a></td><td><code>${n.eui}</code></td><td>${n.variant}</td><td>${n.location}</td><td>${n.transports.join(", ")}</td><td class="num">${n.boots}</td><td class="num">${s.built}</td><td class="num">${s.delivered}</td><td class="num">${s.pending}</td><td class="num">${s.lost}</td><td class="num">${n.alarms.length}</td><td class="num">${s.worstAlarmMs === null ? "-" : formatDuration(s.worstAlarmMs)}</td></tr>`;
  });
  return html`<table id="nodes"><thead><tr><th>node</th><th>EUI</th><th>variant</th><th>location</th><th>transports</th><th>boots</th><th>frames built</th><th>delivered</th><th>pending</th><th>lost</th><th>alarms</th><th>worst alarm latency</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function faultsTable(r: SimResult): Raw {
  if (r.faults.length === 0) return html`<p class="note">No faults were injected.</p>`;
  const rows = r.faults.map(
    (f) =>
      html`<tr><td>${f.kind}</td><td>${f.nodes.length ? f.nodes.join(", ") : "site"}</td><td>${formatElapsed(f.atMs, true)}</td><td>${f.untilMs === null ? "-" : formatElapsed(f.untilMs, true)}</td><td>${f.detail}</td></tr>`,
  );
  return html`<table id="faults"><thead><tr><th>fault</th><th>nodes</th><th>from</th><th>until</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function radioTable(n: NodeResult): Raw {
  const x = n.radio;
  if (!x) return html``;
  const bad = x.dutyCycleViolations > 0 || x.maxDutyCyclePct > x.limitPct;
  return html`<table class="radio"><thead><tr><th>region</th><th>DR</th><th>transmissions</th><th>lost on air</th><th>airtime</th><th>worst hour duty</th><th>limit</th><th>off-time violations</th></tr></thead><tbody><tr${bad ? html` class="failed"` : ""}><td>${x.region}</td><td class="num">${x.dataRate}</td><td class="num">${x.transmissions}</td><td class="num">${x.lostTransmissions}</td><td class="num">${formatDuration(x.airtimeMs)}</td><td class="num">${x.maxDutyCyclePct.toFixed(3)} %</td><td class="num">${x.limitPct} %</td><td class="num">${x.dutyCycleViolations}</td></tr></tbody></table>`;
}

function nodeSection(r: SimResult, i: number, charts: ChartSpec[]): Raw {
  const n = r.nodes[i]!;
  return html`<details class="node" id="node-${i}" open><summary><h2>${n.id}</h2> <span class="note">${n.variant}, ${n.location}, profile ${n.profile}, EUI ${n.eui}, ${n.boots} boot(s), ${n.taskErrors} task error(s)</span></summary>
${radioTable(n)}${charts.map((c) => renderChart(c))}</details>`;
}

export interface RenderedReport {
  html: string;
  /** Charts on the page (what the page's script reports as `data-charts`). */
  charts: number;
}

export function renderReportHtml(r: SimResult): RenderedReport {
  const perNode = r.nodes.map((_, i) => nodeCharts(r, i));
  const charts = perNode.reduce((k, list) => k + list.length, 0);
  const t = r.totals;
  const csp = `default-src 'none'; style-src ${sha256(REPORT_CSS)}; script-src ${sha256(REPORT_SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>minewatch sim: ${r.scenario.name} (seed ${r.seed})</title>
<style>${new Raw(REPORT_CSS)}</style></head>
<body>
<h1>${r.scenario.name} ${verdict(r.passed)}</h1>
<p>${r.scenario.description}</p>
<table id="run"><tbody>
<tr><th>scenario file</th><td><code>${r.scenario.file}</code></td></tr>
<tr><th>seed</th><td><code id="seed">${r.seed}</code></td></tr>
<tr><th>replay</th><td><code id="replay">${replayCommand(r)}</code></td></tr>
<tr><th>simulated</th><td>${formatDuration(r.scenario.durationMs)} of virtual time, ${r.nodes.length} node(s), site <code>${r.site}</code></td></tr>
<tr><th>broker</th><td>${r.broker.kind} <code>${r.broker.url}</code></td></tr>
<tr><th>host timing</th><td>${formatDuration(r.timing.wallMs)} wall, ${Math.round(r.timing.speedup)}x real time, ${r.timing.shards} shard(s) <span class="note">(host-dependent, not part of the deterministic result)</span></td></tr>
</tbody></table>
<h3>Expectations</h3>
${expectationsTable(r.expectations)}
<h3>Totals</h3>
<table id="totals"><tbody><tr><th>frames built</th><th>delivered</th><th>pending in outboxes</th><th>lost</th><th>duplicates dropped</th><th>alarms raised</th><th>alarms delivered</th></tr>
<tr><td class="num">${t.framesBuilt}</td><td class="num">${t.framesDelivered}</td><td class="num">${t.framesPending}</td><td class="num">${t.framesLost}</td><td class="num">${t.duplicatesDropped}</td><td class="num">${t.alarmsRaised}</td><td class="num">${t.alarmsDelivered}</td></tr></tbody></table>
<h3>Faults</h3>
${faultsTable(r)}
<h3>Nodes</h3>
${nodesTable(r)}
<p class="note">Times are virtual, elapsed since the scenario started (h:mm:ss). Shaded: faults (red), detector triggers (violet). Dashed horizontal lines: set-points and thresholds. Markers: labels from the recording (dotted), alarms raised (solid) and delivered (dashed). Hover a marker for details. Traces are decimated to min/max per pixel column, so every peak keeps its height.</p>
${r.nodes.map((_, i) => nodeSection(r, i, perNode[i]!))}
<p class="note">Format ${r.format}. The full, undecimated result is report.json next to this file.</p>
<script>${new Raw(REPORT_SCRIPT)}</script>
</body></html>
`;
  return { html: page.markup, charts };
}
