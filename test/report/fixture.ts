/**
 * Hand-built SimResults for the report tests: a methane face node that crosses A1 and A2 during a broker
 * outage, a vibration node with a triggered event, and node ids / texts that try to inject markup. Traces
 * are synthetic but shaped like the real thing (a methane ramp, O2 dip, STA/LTA burst), from a seeded Prng.
 */
import { Prng } from "../../host-sim/prng.js";
import {
  type FrameRecord,
  type NodeResult,
  type Series,
  SIM_RESULT_FORMAT,
  type SimResult,
} from "../../host-sim/sim/result.js";

export const HOSTILE_ID = `face-1"><img src=x onerror="alert(1)"></script><script>alert(2)</script>`;
export const HOSTILE_REASON = `node <b>face</b> & "friends" </td></tr><script>alert(3)</script>`;

export interface FixtureOptions {
  durationMs?: number;
  /** Trace sampling period, ms. */
  periodMs?: number;
  seed?: number;
}

function series(durationMs: number, periodMs: number, f: (tMs: number, i: number) => number | null): Series {
  const tMs: number[] = [];
  const v: (number | null)[] = [];
  for (let t = 0, i = 0; t <= durationMs; t += periodMs, i++) {
    tMs.push(t);
    v.push(f(t, i));
  }
  return { tMs, v };
}

function frames(prng: Prng, durationMs: number, everyMs: number, outage: [number, number]): FrameRecord[] {
  const out: FrameRecord[] = [];
  let counter = 1;
  for (let t = 1000; t < durationMs; t += everyMs) {
    const inOutage = t >= outage[0] && t < outage[1];
    const latencyMs = inOutage ? outage[1] - t + 350 : 120 + prng.int(0, 400);
    const deliveredMs = t + latencyMs <= durationMs ? t + latencyMs : null;
    out.push({
      counter: counter++,
      type: "telemetry",
      builtMs: t,
      sentMs: [t],
      deliveredMs,
      latencyMs: deliveredMs === null ? null : latencyMs,
      via: deliveredMs === null ? null : "mqtt",
      bytes: 22,
      duplicates: 0,
      lost: false,
    });
  }
  return out;
}

export function buildResult(opts: FixtureOptions = {}): SimResult {
  const durationMs = opts.durationMs ?? 2 * 3_600_000;
  const periodMs = opts.periodMs ?? 1000;
  const prng = new Prng(opts.seed ?? 7);
  const outage: [number, number] = [durationMs * 0.4, durationMs * 0.55];
  const inrushMs = durationMs * 0.45;

  const ch4 = series(durationMs, periodMs, (t) => {
    const rise = t < inrushMs ? 0 : Math.min(1.9, ((t - inrushMs) / (durationMs * 0.1)) * 1.9);
    return 0.2 + rise + prng.gaussian(0, 0.02);
  });
  const ch4Value = { tMs: ch4.tMs, v: ch4.v.map((v, i) => (i < 3 ? null : v! + 0.01)) };
  const o2 = series(durationMs, periodMs, (t) => 20.9 - (t > inrushMs ? 0.8 : 0) + prng.gaussian(0, 0.03));
  const a1Ms = inrushMs + durationMs * 0.1 * (0.8 / 1.9);
  const a2Ms = inrushMs + durationMs * 0.1 * (1.3 / 1.9);
  const gasFrames = frames(prng, durationMs, 60_000, outage);
  const nextCounter = gasFrames.length + 1;
  const alarmFrames: FrameRecord[] = [a1Ms, a2Ms].map((t, k) => ({
    counter: nextCounter + k,
    type: "alarm",
    builtMs: t,
    sentMs: [t],
    deliveredMs: t + (t < outage[1] ? outage[1] - t + 420 : 380),
    latencyMs: t < outage[1] ? outage[1] - t + 420 : 380,
    via: "mqtt",
    bytes: 11,
    duplicates: k,
    lost: false,
  }));
  const lostFrame: FrameRecord = {
    counter: nextCounter + 2,
    type: "status",
    builtMs: durationMs * 0.5,
    sentMs: [],
    deliveredMs: null,
    latencyMs: null,
    via: null,
    bytes: 14,
    duplicates: 0,
    lost: true,
  };

  const gasNode: NodeResult = {
    id: HOSTILE_ID,
    eui: "70b3d57ed0000001",
    variant: "gas",
    location: "face",
    profile: "us-coal-75.323",
    transports: ["mqtt", "lorawan"],
    boots: 2,
    taskErrors: 0,
    traces: {
      periodMs,
      gas: [
        {
          channel: "ch4",
          unit: "pct_vol",
          value: ch4Value,
          truth: ch4,
          setPoints: [
            { level: "A1", value: 1.0, direction: "rising", hysteresis: 0.1 },
            { level: "A2", value: 1.5, direction: "rising", hysteresis: 0.1 },
          ],
        },
        {
          channel: "o2",
          unit: "pct_vol",
          value: o2,
          truth: o2,
          setPoints: [{ level: "A1", value: 19.5, direction: "falling", hysteresis: 0.2 }],
        },
      ],
      vibration: null,
    },
    alarms: alarmFrames.map((f, k) => ({
      channel: "ch4",
      level: k === 0 ? "A1" : "A2",
      counter: f.counter,
      raisedMs: f.builtMs,
      deliveredMs: f.deliveredMs,
      value: k === 0 ? 100 : 150,
    })),
    events: [],
    frames: [...gasFrames, ...alarmFrames, lostFrame].sort((a, b) => a.builtMs - b.builtMs),
    radio: {
      region: "EU868",
      dataRate: 5,
      transmissions: 140,
      lostTransmissions: 9,
      airtimeMs: 140 * 61.7,
      maxDutyCyclePct: 0.12,
      limitPct: 1,
      dutyCycleViolations: 0,
      airtimePerHourMs: Array.from({ length: Math.ceil(durationMs / 3_600_000) }, (_, h) => 3000 + h * 900),
    },
    outbox: series(durationMs, periodMs * 10, (t) =>
      t >= outage[0] && t < outage[1] ? Math.floor((t - outage[0]) / 60_000) + 1 : 0,
    ),
    outputs: {
      relay: series(durationMs, periodMs * 10, (t) => (t >= a2Ms ? 0 : 1)),
      beacon: series(durationMs, periodMs * 10, (t) => (t >= a2Ms ? 3 : t >= a1Ms ? 2 : 0)),
      events: [{ tMs: a2Ms, kind: "trip", detail: 1 }],
    },
    labels: [
      { tMs: a1Ms - 800, kind: "gas-crossing", channel: "ch4", level: "A1" },
      { tMs: a2Ms - 800, kind: "gas-crossing", channel: "ch4", level: "A2" },
    ],
  };

  const burstMs = durationMs * 0.3;
  const vibNode: NodeResult = {
    id: "vib-2",
    eui: "70b3d57ed0000002",
    variant: "vibration",
    location: "return",
    profile: "seismic-default",
    transports: ["lorawan"],
    boots: 1,
    taskErrors: 0,
    traces: {
      periodMs,
      gas: [],
      vibration: {
        staLta: series(durationMs, periodMs, (t) => {
          const dt = t - burstMs;
          return (
            1 + Math.abs(prng.gaussian(0, 0.15)) + (dt >= 0 && dt < 20_000 ? 6 * Math.exp(-dt / 5000) : 0)
          );
        }),
        onThreshold: 3.5,
        offThreshold: 1.5,
        triggers: [
          { onMs: burstMs + 1000, offMs: burstMs + 9000 },
          { onMs: durationMs - 5000, offMs: null },
        ],
      },
    },
    alarms: [
      {
        channel: "vibration",
        level: "A2",
        counter: 3,
        raisedMs: burstMs + 1100,
        deliveredMs: burstMs + 2900,
        value: 12500,
      },
    ],
    events: [
      {
        counter: 4,
        builtMs: burstMs + 9500,
        deliveredMs: burstMs + 11_000,
        onsetMs: burstMs + 1000,
        durationMs: 8000,
        ppvUmPerS: 12_500,
        pgaMilliG: 240,
        dominantFreqDeciHz: 123,
      },
    ],
    frames: frames(prng, durationMs, 300_000, [0, 0]),
    radio: null,
    outbox: series(durationMs, periodMs * 10, () => 0),
    outputs: null,
    labels: [{ tMs: burstMs, kind: "microseismic", channel: "vibration" }],
  };

  const nodes = [gasNode, vibNode];
  const allFrames = nodes.flatMap((n) => n.frames);
  return {
    format: SIM_RESULT_FORMAT,
    scenario: {
      name: "methane inrush <face> & friends",
      file: "host-sim/scenarios/methane inrush's.yaml",
      description: "A methane inrush at a face during a broker outage; <script>alert(4)</script>",
      durationMs,
    },
    seed: 424242,
    site: "kz-ulytau-01",
    broker: { kind: "aedes", url: "mqtt://127.0.0.1:18830" },
    nodes,
    faults: [
      { kind: "broker-outage", nodes: [], atMs: outage[0], untilMs: outage[1], detail: "broker down <1 h>" },
      {
        kind: "power-cut",
        nodes: [HOSTILE_ID],
        atMs: durationMs * 0.6,
        untilMs: null,
        detail: "cut during alarm",
      },
    ],
    expectations: [
      {
        name: "alarm-within 10 s",
        kind: "alarm-within",
        passed: false,
        reason: HOSTILE_REASON,
        nodes: [HOSTILE_ID],
        measured: 540.4,
        unit: "s",
      },
      {
        name: "no-frame-lost",
        kind: "no-frame-lost",
        passed: true,
        reason: "every frame delivered or in an outbox",
        nodes: [HOSTILE_ID, "vib-2"],
        measured: 0,
        unit: "frames",
      },
    ],
    passed: false,
    totals: {
      nodes: nodes.length,
      framesBuilt: allFrames.length,
      framesDelivered: allFrames.filter((f) => f.deliveredMs !== null).length,
      framesLost: allFrames.filter((f) => f.lost).length,
      framesPending: allFrames.filter((f) => f.deliveredMs === null && !f.lost).length,
      duplicatesDropped: 1,
      alarmsRaised: 3,
      alarmsDelivered: 3,
    },
    timing: { wallMs: 812, speedup: 8866, shards: 1 },
  };
}
