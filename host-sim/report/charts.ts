/**
 * What each node's charts show, from a SimResult: gas traces with their set-points and alarms, the STA/LTA
 * characteristic function with its thresholds and triggers, the frame timeline (latency per frame, lost and
 * pending frames), airtime / duty cycle per hour, outbox depth, and the interlock's lanes when the result
 * has them (relay output and load contacts; beacon / sounder pattern; trip and reset markers). Faults of the run are shaded on every chart of the nodes they hit (site-wide faults such
 * as a broker outage on the delivery charts of every node).
 */
import type {
  AlarmRecord,
  ChannelName,
  FaultRecord,
  FrameRecord,
  GasTrace,
  NodeResult,
  SimResult,
} from "../sim/result.js";
import { formatDuration, formatElapsed } from "./scale.js";
import type { BandSpec, ChartSpec, MarkerSpec, PointsSpec } from "./svg.js";

const HOUR_MS = 3_600_000;

/** The protocol's scaled alarm values (protocol/schema.ts) back in display units. */
const ALARM_SCALE: Record<ChannelName, { div: number; unit: string }> = {
  ch4: { div: 100, unit: "% vol" },
  co: { div: 1, unit: "ppm" },
  o2: { div: 10, unit: "% vol" },
  h2s: { div: 10, unit: "ppm" },
  vibration: { div: 1000, unit: "mm/s PPV" },
};

export function alarmValueText(channel: ChannelName, value: number): string {
  const s = ALARM_SCALE[channel];
  return s ? `${value / s.div} ${s.unit}` : String(value);
}

export function unitText(unit: string): string {
  return unit === "pct_vol" ? "% vol" : unit;
}

function deliveryText(builtMs: number, deliveredMs: number | null): string {
  return deliveredMs === null
    ? "NOT delivered"
    : `delivered at ${formatElapsed(deliveredMs, true)} (+${formatDuration(deliveredMs - builtMs)})`;
}

function alarmMarkers(alarms: AlarmRecord[]): MarkerSpec[] {
  const out: MarkerSpec[] = [];
  for (const a of alarms) {
    const what = `${a.channel} ${a.level} raised at ${formatElapsed(a.raisedMs, true)}, ${alarmValueText(a.channel, a.value)}, frame #${a.counter}: ${deliveryText(a.raisedMs, a.deliveredMs)}`;
    out.push({
      tMs: a.raisedMs,
      label: what,
      cls: `alarm lvl-${a.level}${a.deliveredMs === null ? " undelivered" : ""}`,
    });
    if (a.deliveredMs !== null)
      out.push({ tMs: a.deliveredMs, label: `delivered: ${what}`, cls: `delivered lvl-${a.level}` });
  }
  return out;
}

function faultsFor(faults: FaultRecord[], nodeId: string, siteWide: boolean): FaultRecord[] {
  return faults.filter((f) => f.nodes.includes(nodeId) || (siteWide && f.nodes.length === 0));
}

function faultText(f: FaultRecord): string {
  return `${f.kind} ${formatElapsed(f.atMs)}${f.untilMs === null ? "" : `-${formatElapsed(f.untilMs)}`}: ${f.detail}`;
}

/** Faults with a duration (broker outage, gateway down) as shaded bands. */
function faultBands(faults: FaultRecord[], nodeId: string, siteWide: boolean): BandSpec[] {
  return faultsFor(faults, nodeId, siteWide)
    .filter((f) => f.untilMs !== null)
    .map((f) => ({ fromMs: f.atMs, toMs: f.untilMs!, label: faultText(f), cls: `fault fault-${f.kind}` }));
}

/** Instantaneous faults (a power cut, a reset) as markers: a band one instant wide would not show. */
function faultMarkers(faults: FaultRecord[], nodeId: string, siteWide: boolean): MarkerSpec[] {
  return faultsFor(faults, nodeId, siteWide)
    .filter((f) => f.untilMs === null)
    .map((f) => ({ tMs: f.atMs, label: faultText(f), cls: `fault-at fault-${f.kind}` }));
}

function gasChart(r: SimResult, n: NodeResult, idx: number, g: GasTrace): ChartSpec {
  const unit = unitText(g.unit);
  const labels = n.labels.filter((l) => l.channel === g.channel);
  return {
    id: `n${idx}-gas-${g.channel}`,
    title: `${g.channel.toUpperCase()}: reading, input and set-points`,
    yLabel: unit,
    t0Ms: 0,
    t1Ms: r.scenario.durationMs,
    lines: [
      { label: "input (recording)", cls: "truth", data: g.truth },
      { label: "node reading", cls: "value", data: g.value },
    ],
    hLines: g.setPoints.map((s) => ({
      label: `${s.level} ${s.value} ${unit} ${s.direction}`,
      value: s.value,
      cls: `sp lvl-${s.level}`,
    })),
    markers: [
      ...labels.map((l) => ({
        tMs: l.tMs,
        label: `label: ${l.kind} ${l.channel}${l.level ? ` ${l.level}` : ""} at ${formatElapsed(l.tMs, true)}`,
        cls: "label",
      })),
      ...alarmMarkers(n.alarms.filter((a) => a.channel === g.channel)),
      ...faultMarkers(r.faults, n.id, false),
    ],
    bands: faultBands(r.faults, n.id, false),
  };
}

function vibrationChart(r: SimResult, n: NodeResult, idx: number): ChartSpec | null {
  const v = n.traces.vibration;
  if (!v) return null;
  const gas = new Set(n.traces.gas.map((g) => g.channel as string));
  const end = r.scenario.durationMs;
  return {
    id: `n${idx}-sta-lta`,
    title: "Vibration: STA/LTA, thresholds, triggers and events",
    yLabel: "STA/LTA",
    t0Ms: 0,
    t1Ms: end,
    lines: [{ label: "STA/LTA", cls: "stalta", data: v.staLta }],
    hLines: [
      { label: `on ${v.onThreshold}`, value: v.onThreshold, cls: "thr-on" },
      { label: `off ${v.offThreshold}`, value: v.offThreshold, cls: "thr-off" },
    ],
    bands: [
      ...v.triggers.map((t) => ({
        fromMs: t.onMs,
        toMs: t.offMs ?? end,
        label: `trigger on ${formatElapsed(t.onMs, true)}, ${t.offMs === null ? "still on at the end" : `off ${formatElapsed(t.offMs, true)}`}`,
        cls: "trigger",
      })),
      ...faultBands(r.faults, n.id, false),
    ],
    markers: [
      ...n.labels
        .filter((l) => !gas.has(l.channel))
        .map((l) => ({
          tMs: l.tMs,
          label: `label: ${l.kind} at ${formatElapsed(l.tMs, true)}`,
          cls: "label",
        })),
      ...n.events.map((e) => ({
        tMs: e.onsetMs,
        label: `event #${e.counter} onset ${formatElapsed(e.onsetMs, true)}, ${formatDuration(e.durationMs)}, PPV ${e.ppvUmPerS / 1000} mm/s, PGA ${e.pgaMilliG} mg, ${e.dominantFreqDeciHz / 10} Hz: ${deliveryText(e.builtMs, e.deliveredMs)}`,
        cls: "event",
      })),
      ...alarmMarkers(n.alarms.filter((a) => a.channel === "vibration")),
      ...faultMarkers(r.faults, n.id, false),
    ],
  };
}

/** Latency floor on the log axis: a same-instant delivery still shows, at 1 ms. */
const MIN_LATENCY_S = 0.001;

function framesChart(r: SimResult, n: NodeResult, idx: number): ChartSpec {
  const byType = new Map<string, FrameRecord[]>();
  const lost: FrameRecord[] = [];
  const pending: FrameRecord[] = [];
  let worstS = MIN_LATENCY_S;
  for (const f of n.frames) {
    if (f.lost) lost.push(f);
    else if (f.deliveredMs === null) pending.push(f);
    else {
      const list = byType.get(f.type) ?? [];
      list.push(f);
      byType.set(f.type, list);
      worstS = Math.max(worstS, (f.latencyMs ?? 0) / 1000);
    }
  }
  const yMax = 10 ** Math.ceil(Math.log10(worstS) - 1e-9) * 10; // a decade of headroom for lost/pending
  const points: PointsSpec[] = [...byType.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, list]) => ({
      label: `${type} (${list.length})`,
      cls: `ft-${type}`,
      tMs: list.map((f) => f.builtMs),
      y: list.map((f) => Math.max(MIN_LATENCY_S, (f.latencyMs ?? 0) / 1000)),
    }));
  const topLane = (label: string, cls: string, list: FrameRecord[]): PointsSpec => ({
    label: `${label} (${list.length})${
      list.length
        ? `: #${list
            .slice(0, 8)
            .map((f) => f.counter)
            .join(", #")}${list.length > 8 ? ", ..." : ""}`
        : ""
    }`,
    cls,
    tMs: list.map((f) => f.builtMs),
    y: list.map(() => yMax * 0.7),
  });
  if (pending.length) points.push(topLane("pending", "pending", pending));
  if (lost.length) points.push(topLane("LOST", "lost", lost));
  return {
    id: `n${idx}-frames`,
    title: "Frame latency to collector",
    yLabel: "latency s",
    t0Ms: 0,
    t1Ms: r.scenario.durationMs,
    yLog: true,
    yMin: MIN_LATENCY_S,
    yMax,
    points,
    bands: faultBands(r.faults, n.id, true),
    markers: faultMarkers(r.faults, n.id, true),
  };
}

function radioChart(r: SimResult, n: NodeResult, idx: number): ChartSpec | null {
  const radio = n.radio;
  if (!radio) return null;
  const pct = radio.airtimePerHourMs.map((ms) => (ms / HOUR_MS) * 100);
  return {
    id: `n${idx}-duty`,
    title: `LoRaWAN ${radio.region} DR${radio.dataRate}: airtime per hour as duty cycle`,
    yLabel: "duty %",
    t0Ms: 0,
    t1Ms: Math.max(r.scenario.durationMs, 1),
    height: 150,
    bars: [
      {
        label: "airtime / hour",
        cls: "airtime",
        tMs: pct.map((_, i) => i * HOUR_MS),
        v: pct,
        widthMs: HOUR_MS,
      },
    ],
    hLines: [{ label: `limit ${radio.limitPct} %`, value: radio.limitPct, cls: "limit" }],
  };
}

function outboxChart(r: SimResult, n: NodeResult, idx: number): ChartSpec {
  return {
    id: `n${idx}-outbox`,
    title: "Outbox depth (frames waiting, in flight included)",
    yLabel: "frames",
    t0Ms: 0,
    t1Ms: r.scenario.durationMs,
    height: 150,
    yMin: 0,
    lines: [{ label: "outbox", cls: "outbox", data: n.outbox, step: true }],
    bands: faultBands(r.faults, n.id, true),
    markers: faultMarkers(r.faults, n.id, true),
  };
}

const PATTERNS = ["none", "fault", "warning", "danger"];

/** Interlock events (trip, reset, refused reset, relay fault) as markers on the output lanes. */
function interlockMarkers(n: NodeResult): MarkerSpec[] {
  return (n.outputs?.events ?? []).map((e) => ({
    tMs: e.tMs,
    label: `interlock ${e.kind} at ${formatElapsed(e.tMs, true)} (detail ${e.detail})`,
    cls: `ilk ilk-${e.kind}`,
  }));
}

/** The relay lane: the relay output (coil driven) and, when recorded, its load contacts. */
function relayChart(r: SimResult, n: NodeResult, idx: number): ChartSpec | null {
  const o = n.outputs;
  if (!o) return null;
  return {
    id: `n${idx}-relay`,
    title: "Interlock relay: 1 = energised (power permitted), 0 = tripped",
    yLabel: "relay",
    t0Ms: 0,
    t1Ms: r.scenario.durationMs,
    height: 120,
    yMin: -0.1,
    yMax: 1.1,
    lines: [
      { label: "relay output", cls: "relay", data: o.relay, step: true },
      ...(o.load ? [{ label: "load contacts", cls: "load", data: o.load, step: true }] : []),
    ],
    bands: faultBands(r.faults, n.id, false),
    markers: [...interlockMarkers(n), ...faultMarkers(r.faults, n.id, false)],
  };
}

/** The beacon / sounder lane: which pattern runs (0 none, 1 fault, 2 warning, 3 danger). */
function beaconChart(r: SimResult, n: NodeResult, idx: number): ChartSpec | null {
  const o = n.outputs;
  if (!o) return null;
  return {
    id: `n${idx}-beacon`,
    title: "Beacon and sounder pattern: 0 none, 1 fault, 2 warning, 3 danger",
    yLabel: "pattern",
    t0Ms: 0,
    t1Ms: r.scenario.durationMs,
    height: 120,
    yMin: -0.2,
    yMax: 3.2,
    lines: [{ label: "beacon / sounder", cls: "beacon", data: o.beacon, step: true }],
    hLines: [1, 2, 3].map((v) => ({ label: PATTERNS[v]!, value: v, cls: `pat pat-${PATTERNS[v]}` })),
    bands: faultBands(r.faults, n.id, false),
    markers: [...interlockMarkers(n), ...faultMarkers(r.faults, n.id, false)],
  };
}

/** All charts of node `idx` of the result, in page order. */
export function nodeCharts(r: SimResult, idx: number): ChartSpec[] {
  const n = r.nodes[idx]!;
  const charts: (ChartSpec | null)[] = [
    ...n.traces.gas.map((g) => gasChart(r, n, idx, g)),
    vibrationChart(r, n, idx),
    framesChart(r, n, idx),
    radioChart(r, n, idx),
    outboxChart(r, n, idx),
    relayChart(r, n, idx),
    beaconChart(r, n, idx),
  ];
  return charts.filter((c): c is ChartSpec => c !== null);
}
