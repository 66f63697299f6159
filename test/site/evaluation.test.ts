/**
 * site/evaluation.ts, the one home of the rules matching reports to labels: each rule's edges, called
 * directly (the callers' own tests, test/recordings/evaluate.test.ts, test/sim/expectations.test.ts and
 * test/collector/alarms.test.ts, hold them through their callers).
 */
import { describe, expect, it } from "vitest";
import { AlarmLevel } from "../../protocol/schema.js";
import {
  alarmExplained,
  answeredAtMs,
  answersCrossing,
  checkGasCrossings,
  matchLatency,
  ONSET_SLACK_MS,
} from "../../site/evaluation.js";

describe("rule 1: recordings", () => {
  it("A2 and over-range answer an A1 crossing; A1 does not answer A2", () => {
    expect(answersCrossing("A1", "A2")).toBe(true);
    expect(answersCrossing("A2", "OVER-RANGE")).toBe(true);
    expect(answersCrossing("A2", "A1")).toBe(false);
    const label = { t: 10, kind: "gas-crossing", channel: "ch4", level: "A1" };
    const [r] = checkGasCrossings([{ t: 10.5, kind: "alarm", channel: "ch4", level: "A2" }], [label], 1);
    expect(r).toEqual({ label, latencyS: 0.5, ok: true });
  });
});

describe("rule 2: scenario expectations", () => {
  const crossing = { tMs: 10_000, kind: "gas-crossing", channel: "ch4", level: "A1" };
  it("a crossing is answered by the first delivered alarm at its level or above, not one raised too early", () => {
    const alarms = [
      { channel: "ch4", level: "A1", raisedMs: 10_000 - ONSET_SLACK_MS - 1, deliveredMs: 9_000 },
      { channel: "ch4", level: "A2", raisedMs: 10_200, deliveredMs: 10_400 },
      { channel: "ch4", level: "A1", raisedMs: 10_100, deliveredMs: null },
    ];
    expect(answeredAtMs(crossing, alarms, [])).toBe(10_400);
    expect(answeredAtMs({ ...crossing, level: "A2" }, alarms.slice(2), [])).toBe(Number.POSITIVE_INFINITY);
  });

  it("a seismic label is answered by an event whose onset is within the slack", () => {
    const blast = { tMs: 5_000, kind: "blast", channel: "vibration" };
    expect(answeredAtMs(blast, [], [{ onsetMs: 6_900, deliveredMs: 7_000 }])).toBe(7_000);
    expect(answeredAtMs(blast, [], [{ onsetMs: 7_100, deliveredMs: 7_200 }])).toBe(Number.POSITIVE_INFINITY);
  });

  it("an A2 re-announced while latched is explained; an unlabelled A1 is not", () => {
    const a2 = { channel: "co", level: "A2", raisedMs: 1_000, deliveredMs: 1_100 };
    const again = { channel: "co", level: "A2", raisedMs: 90_000, deliveredMs: 90_100 };
    const labels = [{ tMs: 1_000, kind: "gas-crossing", channel: "co", level: "A2" }];
    expect(alarmExplained(again, labels, [a2, again], 30_000)).toBe(true);
    const a1 = { channel: "co", level: "A1", raisedMs: 50_000, deliveredMs: 50_100 };
    expect(alarmExplained(a1, labels, [a2, a1], 30_000)).toBe(false);
  });
});

describe("rule 3: the collector's latency", () => {
  const ev = (atMs: number, level: number, counter: number, raise = true) => ({
    nodeId: "n",
    channel: 0,
    level,
    counter,
    atMs,
    raise,
  });
  const target = { label: "L", nodeId: "n", channel: 0, onsetMs: 1_000, minLevel: AlarmLevel.A1 };

  it("counts a channel already alarmed at the onset as latency 0, else the first qualifying frame", () => {
    const already = matchLatency([ev(500, AlarmLevel.A1, 1)], [target], 10_000);
    expect(already.matched).toEqual([
      { label: "L", alarmAtMs: 1_000, latencyMs: 0, level: AlarmLevel.A1, alarm: undefined },
    ]);
    const later = matchLatency(
      [ev(1_200, AlarmLevel.Fault, 1), ev(1_300, AlarmLevel.A2, 2)],
      [target],
      10_000,
    );
    expect(later.matched.map((m) => m.latencyMs)).toEqual([300]);
    expect(later.unexpected).toEqual([]);
  });

  it("a raise outside every window is unexpected; a label with no frame is missing", () => {
    const r = matchLatency([ev(20_000, AlarmLevel.A1, 1)], [target], 10_000);
    expect(r.missing).toEqual(["L"]);
    expect(r.unexpected.map((e) => e.atMs)).toEqual([20_000]);
  });
});
