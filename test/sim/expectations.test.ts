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
    const sensing = [frame(0, 1000, false)];
    const explained = node({
      labels: [crossing, a2],
      alarms: [alarm("A1", 11_000, 11_005), alarm("A2", 12_500, 12_505), alarm("A2", 100_000, 100_005)],
      frames: sensing,
    });
    expect(evaluate([spec], [explained])[0]!.passed).toBe(true);
    const [r] = evaluate([spec], [node({ alarms: [alarm("A1", 50_000, 50_005)], frames: sensing })]);
    expect(r!.passed).toBe(false);
    expect(r!.reason).toContain("n1: ch4 A1 at 50 s");
  });

  it("no-false-alarm fails when the nodes delivered no telemetry: no alarm proves nothing (issue 14 item 16)", () => {
    const spec = { kind: "no-false-alarm" as const, nodes: ["n1"], toleranceS: 30 };
    const [silent] = evaluate([spec], [node({})]);
    expect(silent).toMatchObject({ passed: false });
    expect(silent!.reason).toContain("no telemetry");
    const [undelivered] = evaluate([spec], [node({ frames: [frame(0, null, false)] })]);
    expect(undelivered!.passed).toBe(false);
    expect(evaluate([spec], [node({ frames: [frame(0, 500, false)] })])[0]!.passed).toBe(true);
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

  describe("interlock", () => {
    const a2 = { ...crossing, level: "A2", tMs: 20_000 };
    const trip = { kind: "relay-trip-within" as const, withinMs: 2000, nodes: ["n1"] };
    const spec = { ...trip, label: "gas-crossing" as const, channel: "ch4" as const, level: "A2" as const };
    const outputs = (
      relay: [number, number][],
      events: NonNullable<NodeResult["outputs"]>["events"] = [],
    ) => ({
      relay: { tMs: relay.map((p) => p[0]), v: relay.map((p) => p[1]) },
      beacon: { tMs: [0], v: [0] },
      events,
    });
    const tripAt = (tMs: number) => ({ tMs, kind: "trip" as const, detail: 1 });

    it("relay-trip-within measures from the label to the relay output dropping out", () => {
      const n = node({
        labels: [crossing, a2],
        outputs: outputs([
          [0, 0],
          [1000, 1],
          [21_000, 0],
          [60_000, 0],
        ]),
      });
      const [r] = evaluate([spec], [n]);
      // Only the A2 crossing is checked (the A1 label at 10 s is not the trip level).
      expect(r).toMatchObject({ passed: true, measured: 1000, unit: "ms" });
      expect(r!.reason).toContain("1 labelled events");
    });

    it("relay-trip-within fails naming the node, the label and how late; never = never dropped out", () => {
      const late = node({
        labels: [a2],
        outputs: outputs([
          [0, 0],
          [1000, 1],
          [25_000, 0],
        ]),
      });
      const [r] = evaluate([spec], [late]);
      expect(r).toMatchObject({ passed: false, measured: 5000 });
      expect(r!.reason).toContain("n1: gas-crossing ch4 A2 at 20 s: relay dropped out after 5 s");
      const never = node({
        labels: [a2],
        outputs: outputs([
          [0, 0],
          [1000, 1],
          [60_000, 1],
        ]),
      });
      expect(evaluate([spec], [never])[0]!.reason).toContain("never dropped out");
      expect(evaluate([spec], [node({ labels: [a2] })])[0]!.reason).toContain("no interlock outputs");
    });

    it("relay-trip-within counts a relay already de-energised at the label as 0, and is not vacuous", () => {
      const already = node({
        labels: [a2],
        outputs: outputs([
          [0, 0],
          [1000, 1],
          [15_000, 0],
        ]),
      });
      expect(evaluate([spec], [already])[0]).toMatchObject({ passed: true, measured: 0 });
      const [none] = evaluate([spec], [node({ outputs: outputs([[0, 1]]) })]);
      expect(none).toMatchObject({ passed: false });
      expect(none!.reason).toContain("cannot pass vacuously");
    });

    it("relay-trip-within fails for a relay never energised before the label (issue 14 item 16)", () => {
      const never = node({ labels: [a2], outputs: outputs([[0, 0]]) });
      const [r] = evaluate([spec], [never]);
      expect(r).toMatchObject({ passed: false });
      expect(r!.reason).toContain("was never energised before it");
    });

    it("relay-no-auto-reenergise fails when the relay comes back after a trip with no reset", () => {
      const no = { kind: "relay-no-auto-reenergise" as const, nodes: ["n1"] };
      const held = outputs(
        [
          [0, 0],
          [1000, 1],
          [21_000, 0],
          [40_000, 0],
        ],
        [tripAt(21_000)],
      );
      expect(evaluate([no], [node({ outputs: held })])[0]).toMatchObject({ passed: true, measured: 0 });
      // After a reboot (power cut 30..35 s) the relay re-energises although the trip is still latched.
      const auto = outputs(
        [
          [0, 0],
          [1000, 1],
          [21_000, 0],
          [36_000, 1],
          [40_000, 1],
        ],
        [tripAt(21_000)],
      );
      const [bad] = evaluate([no], [node({ outputs: auto })]);
      expect(bad).toMatchObject({ passed: false, measured: 1 });
      expect(bad!.reason).toContain("n1: re-energised without a reset at 36 s");
      // A reset (same instant counts first) allows it.
      const reset = outputs(
        [
          [0, 0],
          [1000, 1],
          [21_000, 0],
          [36_000, 1],
        ],
        [tripAt(21_000), { tMs: 36_000, kind: "reset", detail: 0 }],
      );
      expect(evaluate([no], [node({ outputs: reset })])[0]!.passed).toBe(true);
      // No trip at all: nothing was checked.
      expect(
        evaluate(
          [no],
          [
            node({
              outputs: outputs([
                [0, 0],
                [1000, 1],
              ]),
            }),
          ],
        )[0]!.passed,
      ).toBe(false);
    });
  });
});
