/**
 * Checking a run against the scenario's expectations. Each check reads only the deterministic result, names
 * what it checked, and on failure says which node and label or frame broke it (the first few). Which frame
 * answers or explains which label is decided by site/evaluation.ts (rule 2 there: answeredAtMs,
 * alarmExplained), the one home of the matching rules.
 *
 * - alarm-within N s: every alarming label (gas crossing, microseismic event, blast) of a node must be
 *   answered by a frame DELIVERED to the collector within N s of the label's time: for a gas crossing an
 *   alarm frame of that channel at the label's level or above (A2 answers A1); for a seismic label a
 *   vibration alarm frame or an event frame whose onset lies within 2 s of the label (the vibration alarm
 *   latches, so later events of one node are answered by their event frames). A label that falls inside
 *   a power cut of that node counts from the moment power returns: a node without power cannot alarm,
 *   what the cut tests is that it alarms at once when it is back.
 * - no-frame-lost: every frame a node built was delivered or is still in its outbox at the end.
 * - no-false-alarm: every A1 / A2 alarm a node raised has a label of its channel and level (seismic: any
 *   event label) within `toleranceS` before it; faults and clears are not alarms. It fails when the nodes
 *   delivered no telemetry at all: a node that never sensed or reported raises no alarm, false or not.
 * - duty-cycle: no LoRaWAN transmission started inside its sub-band's off-time, and the worst hour's duty
 *   cycle is within the sub-band's limit.
 * - relay-trip-within X ms (issue 8, the methane interlock): for every label E of the chosen kind, channel
 *   and level (default: the CH4 A2 crossing, which is the trip level at every kz-ru-coal location), the
 *   relay OUTPUT (the GPIO driving the coil) is de-energised within X ms of E. Measured on the output's
 *   change points, so exactly; a relay already de-energised at E (an earlier trip, a power cut) counts as 0,
 *   but a relay never energised before E is a miss (it was never in service, so nothing tripped).
 * - relay-no-auto-reenergise: once a trip or a relay fault latched, the relay output never goes back to
 *   energised before a reset event (power cuts and reboots included: a latched trip survives them). At least
 *   one trip must have happened on the chosen nodes, or the check would pass vacuously.
 */
import { alarmExplained, answeredAtMs } from "../../site/evaluation.js";
import type { ExpectationResult, FaultRecord, NodeResult, Series } from "./result.js";
import type { ExpectationSpec } from "./scenario.js";

type RelayTripSpec = Extract<ExpectationSpec, { kind: "relay-trip-within" }>;

const SHOW = 3;

export function evaluate(
  specs: readonly ExpectationSpec[],
  nodes: readonly NodeResult[],
  faults: readonly FaultRecord[] = [],
): ExpectationResult[] {
  return specs.map((s): ExpectationResult => {
    const chosen = nodes.filter((n) => s.nodes.includes(n.id));
    switch (s.kind) {
      case "alarm-within":
        return alarmWithin(s.withinS, s.labels, chosen, faults);
      case "no-frame-lost":
        return noFrameLost(chosen);
      case "no-false-alarm":
        return noFalseAlarm(s.toleranceS, chosen);
      case "duty-cycle":
        return dutyCycle(chosen);
      case "relay-trip-within":
        return relayTripWithin(s, chosen);
      case "relay-no-auto-reenergise":
        return relayNoAutoReenergise(chosen);
      default:
        throw new Error(`unknown expectation kind ${(s as { kind: string }).kind}`);
    }
  });
}

/** When node `id` could first react to something at `tMs`: after any power cut covering it. */
function poweredFrom(id: string, tMs: number, faults: readonly FaultRecord[]): number {
  let t = tMs;
  for (const f of faults) {
    if (f.kind === "power-cut" && f.nodes.includes(id) && f.untilMs !== null && t >= f.atMs && t < f.untilMs)
      t = f.untilMs;
  }
  return t;
}

function alarmWithin(
  withinS: number,
  kinds: string[],
  nodes: readonly NodeResult[],
  faults: readonly FaultRecord[],
): ExpectationResult {
  const limitMs = withinS * 1000;
  const misses: string[] = [];
  let checked = 0;
  let worst = 0;
  for (const n of nodes) {
    for (const l of n.labels) {
      if (!kinds.includes(l.kind)) continue;
      checked++;
      const answeredMs = answeredAtMs(l, n.alarms, n.events);
      const lateMs = answeredMs - poweredFrom(n.id, l.tMs, faults);
      if (Number.isFinite(lateMs)) worst = Math.max(worst, lateMs);
      if (!(lateMs <= limitMs)) {
        const what = `${l.kind}${l.level ? ` ${l.channel} ${l.level}` : ""} at ${fmtS(l.tMs)}`;
        misses.push(
          `${n.id}: ${what} ${Number.isFinite(lateMs) ? `answered after ${fmtS(lateMs)}` : "never answered"}`,
        );
      }
    }
  }
  const name = `alarm-within ${withinS} s`;
  if (checked === 0)
    return result(
      name,
      "alarm-within",
      false,
      "no labelled event to check (the expectation cannot pass vacuously)",
      nodes,
      null,
      "ms",
    );
  return result(
    name,
    "alarm-within",
    misses.length === 0,
    misses.length === 0
      ? `${checked} labelled events answered, worst after ${fmtS(worst)}`
      : `${misses.length} of ${checked} not answered in time: ${misses.slice(0, SHOW).join("; ")}`,
    nodes,
    worst,
    "ms",
  );
}

function noFrameLost(nodes: readonly NodeResult[]): ExpectationResult {
  const lost: string[] = [];
  let built = 0;
  let pending = 0;
  for (const n of nodes) {
    built += n.frames.length;
    for (const f of n.frames) {
      if (f.lost) lost.push(`${n.id} #${f.counter} (${f.type}, built ${fmtS(f.builtMs)})`);
      else if (f.deliveredMs === null) pending++;
    }
  }
  return result(
    "no-frame-lost",
    "no-frame-lost",
    lost.length === 0 && built > 0,
    lost.length > 0
      ? `${lost.length} of ${built} frames lost: ${lost.slice(0, SHOW).join("; ")}`
      : built === 0
        ? "no frame was built"
        : `${built} frames built: ${built - pending} delivered, ${pending} still in an outbox, 0 lost`,
    nodes,
    lost.length,
    "frames",
  );
}

function noFalseAlarm(toleranceS: number, nodes: readonly NodeResult[]): ExpectationResult {
  const tolMs = toleranceS * 1000;
  const falses: string[] = [];
  let alarms = 0;
  let telemetry = 0;
  for (const n of nodes)
    for (const f of n.frames) if (f.type === "telemetry" && f.deliveredMs !== null) telemetry++;
  if (telemetry === 0)
    return result(
      "no-false-alarm",
      "no-false-alarm",
      false,
      "the nodes delivered no telemetry: nothing sensed, so the absence of alarms proves nothing",
      nodes,
      null,
      "alarms",
    );
  for (const n of nodes) {
    for (const a of n.alarms) {
      if (a.level !== "A1" && a.level !== "A2") continue;
      alarms++;
      if (!alarmExplained(a, n.labels, n.alarms, tolMs))
        falses.push(`${n.id}: ${a.channel} ${a.level} at ${fmtS(a.raisedMs)}`);
    }
  }
  return result(
    "no-false-alarm",
    "no-false-alarm",
    falses.length === 0,
    falses.length === 0
      ? `${alarms} alarms raised, each explained by a label within ${toleranceS} s (${telemetry} telemetry frames delivered)`
      : `${falses.length} alarms with no labelled cause: ${falses.slice(0, SHOW).join("; ")}`,
    nodes,
    falses.length,
    "alarms",
  );
}

function dutyCycle(nodes: readonly NodeResult[]): ExpectationResult {
  const radios = nodes.filter((n) => n.radio !== null);
  const bad: string[] = [];
  let worst = 0;
  for (const n of radios) {
    const r = n.radio!;
    worst = Math.max(worst, r.maxDutyCyclePct);
    if (r.dutyCycleViolations > 0)
      bad.push(`${n.id}: ${r.dutyCycleViolations} transmissions inside the off-time`);
    else if (r.maxDutyCyclePct > r.limitPct + 1e-9)
      bad.push(`${n.id}: ${r.maxDutyCyclePct} % in an hour > limit ${r.limitPct} %`);
  }
  if (radios.length === 0)
    return result("duty-cycle", "duty-cycle", false, "no node has a LoRaWAN radio", nodes, null, "%");
  return result(
    "duty-cycle",
    "duty-cycle",
    bad.length === 0,
    bad.length === 0
      ? `${radios.length} radios, worst hour ${worst} % of airtime`
      : bad.slice(0, SHOW).join("; "),
    radios,
    worst,
    "%",
  );
}

/** Level of a change-point series at `tMs` (the last point at or before it), undefined before the first. */
function levelAt(s: Series, tMs: number): number | null | undefined {
  let v: number | null | undefined;
  for (let i = 0; i < s.tMs.length && s.tMs[i]! <= tMs; i++) v = s.v[i];
  return v;
}

/** Time from `tMs` to the relay output's first de-energised instant at or after it (0 if already). */
/** ms from tMs until the relay output is low (0 if already low after being energised); NaN: never energised. */
function relayDropMs(relay: Series, tMs: number): number {
  if (levelAt(relay, tMs) === 0) {
    for (let i = 0; i < relay.tMs.length && relay.tMs[i]! <= tMs; i++) if (relay.v[i] === 1) return 0;
    return Number.NaN;
  }
  for (let i = 0; i < relay.tMs.length; i++)
    if (relay.tMs[i]! >= tMs && relay.v[i] === 0) return relay.tMs[i]! - tMs;
  return Number.POSITIVE_INFINITY;
}

function relayTripWithin(s: RelayTripSpec, nodes: readonly NodeResult[]): ExpectationResult {
  const event = `${s.label} ${s.channel}${s.level ? ` ${s.level}` : ""}`;
  const name = `relay-trip-within ${s.withinMs} ms of ${event}`;
  const misses: string[] = [];
  let checked = 0;
  let worst = 0;
  for (const n of nodes) {
    for (const l of n.labels) {
      if (l.kind !== s.label || l.channel !== s.channel) continue;
      if (s.level !== undefined && l.level !== s.level) continue;
      checked++;
      if (!n.outputs) {
        misses.push(`${n.id}: no interlock outputs in the result`);
        continue;
      }
      const lateMs = relayDropMs(n.outputs.relay, l.tMs);
      if (Number.isFinite(lateMs)) worst = Math.max(worst, lateMs);
      if (!(lateMs <= s.withinMs))
        misses.push(
          `${n.id}: ${event} at ${fmtS(l.tMs)}: relay ${Number.isNaN(lateMs) ? "was never energised before it" : Number.isFinite(lateMs) ? `dropped out after ${fmtS(lateMs)}` : "never dropped out"}`,
        );
    }
  }
  if (checked === 0)
    return result(
      name,
      "relay-trip-within",
      false,
      `no ${event} label to check (the expectation cannot pass vacuously)`,
      nodes,
      null,
      "ms",
    );
  return result(
    name,
    "relay-trip-within",
    misses.length === 0,
    misses.length === 0
      ? `${checked} labelled events: relay de-energised within ${fmtS(worst)} at worst`
      : `${misses.length} of ${checked} not tripped in time: ${misses.slice(0, SHOW).join("; ")}`,
    nodes,
    worst,
    "ms",
  );
}

/**
 * Re-energisations of the relay output while a trip or relay fault was latched with no reset after it. An
 * event at the same instant as a relay change counts first (a reset and the re-energise it allows).
 */
export function reenergisedWithoutReset(o: NonNullable<NodeResult["outputs"]>): number[] {
  const events = o.events ?? [];
  const out: number[] = [];
  let latched = false;
  let e = 0;
  let prev: number | null = 0;
  for (let i = 0; i < o.relay.tMs.length; i++) {
    const t = o.relay.tMs[i]!;
    for (; e < events.length && events[e]!.tMs <= t; e++) {
      const k = events[e]!.kind;
      if (k === "trip" || k === "relay-fault") latched = true;
      else if (k === "reset") latched = false;
    }
    const v = o.relay.v[i] ?? null;
    if (prev === 0 && v === 1 && latched) out.push(t);
    prev = v;
  }
  return out;
}

function relayNoAutoReenergise(nodes: readonly NodeResult[]): ExpectationResult {
  const bad: string[] = [];
  let trips = 0;
  let count = 0;
  for (const n of nodes) {
    if (!n.outputs) {
      bad.push(`${n.id}: no interlock outputs in the result`);
      continue;
    }
    trips += (n.outputs.events ?? []).filter((e) => e.kind === "trip" || e.kind === "relay-fault").length;
    const times = reenergisedWithoutReset(n.outputs);
    count += times.length;
    if (times.length)
      bad.push(`${n.id}: re-energised without a reset at ${times.slice(0, SHOW).map(fmtS).join(", ")}`);
  }
  const name = "relay-no-auto-reenergise";
  if (bad.length === 0 && trips === 0)
    return result(
      name,
      name,
      false,
      "no trip latched on these nodes (the expectation cannot pass vacuously)",
      nodes,
      0,
      "re-energisations",
    );
  return result(
    name,
    name,
    bad.length === 0,
    bad.length === 0
      ? `${trips} trips latched; the relay stayed de-energised until a reset after each`
      : bad.slice(0, SHOW).join("; "),
    nodes,
    count,
    "re-energisations",
  );
}

function result(
  name: string,
  kind: string,
  passed: boolean,
  reason: string,
  nodes: readonly NodeResult[],
  measured: number | null,
  unit: string,
): ExpectationResult {
  return { name, kind, passed, reason, nodes: nodes.map((n) => n.id), measured, unit };
}

function fmtS(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
