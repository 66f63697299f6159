/** The expectation checks on hand-made node results: each passes and fails for the stated reason. */
import { describe, expect, it } from "vitest";
import { evaluate } from "../../host-sim/sim/expectations.js";
import type { AlarmRecord, FrameRecord, NodeResult } from "../../host-sim/sim/result.js";

function node(over: Partial<NodeResult>): NodeResult {
  return {
    id: "n1",
    eui: "70b3d57e00000001",
    variant: "gas",
    location: "face",
    profile: "kz-ru-coal",
    transports: ["mqtt"],
    boots: 1,
    taskErrors: 0,
    traces: { periodMs: 1000, gas: [], vibration: null },
    alarms: [],
    events: [],
    frames: [],
    radio: null,
    outbox: { tMs: [], v: [] },
    outputs: null,
    labels: [],
    ...over,
  };
}

const alarm = (level: AlarmRecord["level"], raisedMs: number, deliveredMs: number | null): AlarmRecord => ({
  channel: "ch4",
  level,
  counter: 1,
  raisedMs,
  deliveredMs,
  value: 120,
});
const frame = (counter: number, deliveredMs: number | null, lost: boolean): FrameRecord => ({
  counter,
  type: "telemetry",
  builtMs: 0,
  sentMs: [],
  deliveredMs,
  latencyMs: deliveredMs,
  via: "mqtt",
  bytes: 20,
  duplicates: 0,
  lost,
});
const crossing = { tMs: 10_000, kind: "gas-crossing", channel: "ch4", level: "A1" };

describe("expectations", () => {
  const within = { kind: "alarm-within" as const, withinS: 5, nodes: ["n1"], labels: ["gas-crossing"] };

  it("alarm-within passes when the alarm is delivered in time and reports the worst latency", () => {
    const [r] = evaluate([within], [node({ labels: [crossing], alarms: [alarm("A1", 11_000, 11_005)] })]);
    expect(r).toMatchObject({ passed: true, measured: 1005, unit: "ms" });
  });

  it("alarm-within fails naming the node, the label and how late", () => {
    const [r] = evaluate([within], [node({ labels: [crossing], alarms: [alarm("A1", 11_000, 16_000)] })]);
    expect(r!.passed).toBe(false);
    expect(r!.reason).toContain("n1: gas-crossing ch4 A1 at 10 s answered after 6 s");
  });

  it("alarm-within fails when the alarm never arrived, and does not pass vacuously", () => {
    const [late] = evaluate([within], [node({ labels: [crossing], alarms: [alarm("A1", 11_000, null)] })]);
    expect(late!.reason).toContain("never answered");
    const [none] = evaluate([within], [node({})]);
    expect(none!.passed).toBe(false);
  });

  it("a label inside a power cut counts from when the power returns", () => {
    const cut = { kind: "power-cut", nodes: ["n1"], atMs: 9000, untilMs: 20_000, detail: "" };
    const nodes = [node({ labels: [crossing], alarms: [alarm("A1", 21_000, 21_005)] })];
    expect(evaluate([within], nodes)[0]!.passed).toBe(false);
    expect(evaluate([within], nodes, [cut])[0]!.passed).toBe(true);
  });

  it("no-frame-lost counts lost frames, not queued ones", () => {
    const spec = { kind: "no-frame-lost" as const, nodes: ["n1"] };
    const ok = evaluate([spec], [node({ frames: [frame(0, 5, false), frame(1, null, false)] })])[0]!;
    expect(ok).toMatchObject({ passed: true, measured: 0 });
    const bad = evaluate([spec], [node({ frames: [frame(0, 5, false), frame(1, null, true)] })])[0]!;
    expect(bad).toMatchObject({ passed: false, measured: 1 });
    expect(bad.reason).toContain("n1 #1 (telemetry");
  });

  it("no-false-alarm flags an alarm with no labelled cause, accepts a latched A2 re-announced", () => {
    const spec = { kind: "no-false-alarm" as const, nodes: ["n1"], toleranceS: 30 };
    const a2 = { ...crossing, level: "A2", tMs: 12_000 };
    const explained = node({
      labels: [crossing, a2],
      alarms: [alarm("A1", 11_000, 11_005), alarm("A2", 12_500, 12_505), alarm("A2", 100_000, 100_005)],
    });
    expect(evaluate([spec], [explained])[0]!.passed).toBe(true);
    const [r] = evaluate([spec], [node({ alarms: [alarm("A1", 50_000, 50_005)] })]);
    expect(r!.passed).toBe(false);
    expect(r!.reason).toContain("n1: ch4 A1 at 50 s");
  });

  it("duty-cycle fails on an off-time violation and needs a radio", () => {
    const spec = { kind: "duty-cycle" as const, nodes: ["n1"] };
    const radio = {
      region: "EU868",
      dataRate: 5,
      transmissions: 10,
      lostTransmissions: 0,
      airtimeMs: 500,
      maxDutyCyclePct: 0.2,
      limitPct: 1,
      dutyCycleViolations: 0,
      airtimePerHourMs: [500],
    };
    expect(evaluate([spec], [node({ radio })])[0]!.passed).toBe(true);
    expect(evaluate([spec], [node({ radio: { ...radio, dutyCycleViolations: 2 } })])[0]!.passed).toBe(false);
    expect(evaluate([spec], [node({})])[0]!.passed).toBe(false);
  });
});
