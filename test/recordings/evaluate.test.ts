import { describe, expect, it } from "vitest";
import { checkGasCrossings, seismicQuality } from "../../host-sim/recordings/evaluate.js";
import type { Finding } from "../../host-sim/recordings/findings.js";
import type { Label } from "../../host-sim/recordings/labels.js";

const crossing = (t: number, level: string, channel = "ch4"): Label => ({
  t,
  kind: "gas-crossing",
  channel,
  level,
});
const alarm = (
  t: number,
  level: string,
  kind: "alarm" | "alarm-clear" = "alarm",
  channel = "ch4",
): Finding => ({
  t,
  kind,
  channel,
  level,
});

describe("gas crossings alarmed within one sample period", () => {
  it("accepts an alarm at the crossing sample or the next one, and a higher level for a lower label", () => {
    const findings = [alarm(10, "A1"), alarm(21, "A2"), alarm(7, "A2", "alarm", "h2s")];
    const labels = [crossing(10, "A1"), crossing(20, "A2"), crossing(6.5, "A1", "h2s")];
    expect(checkGasCrossings(findings, labels, 1).map((x) => [x.ok, x.latencyS])).toEqual([
      [true, 0],
      [true, 1],
      [true, 0.5],
    ]);
  });

  it("fails a late alarm, a wrong channel, a lower level, and an alarm that cleared before the crossing", () => {
    const findings = [
      alarm(5, "A1"),
      alarm(6, "A1", "alarm-clear"),
      alarm(12.5, "A1"),
      alarm(20, "A1", "alarm-clear"),
      alarm(30, "A1", "alarm", "co"),
      alarm(40, "A1"),
    ];
    const r = checkGasCrossings(findings, [crossing(10, "A1"), crossing(30, "A1"), crossing(40, "A2")], 1);
    expect(r.map((x) => x.ok)).toEqual([false, false, false]);
    expect(r.map((x) => x.latencyS)).toEqual([2.5, 10, undefined]);
  });

  it("counts an alarm already on (not cleared) at the crossing as in time", () => {
    const r = checkGasCrossings([alarm(3, "A2")], [crossing(10, "A1")], 1);
    expect(r[0]).toMatchObject({ ok: true, latencyS: -7 });
  });
});

describe("seismic recall and false triggers", () => {
  const labels: Label[] = [
    { t: 100, kind: "microseismic", channel: "accel", durationS: 0.3, ppvMmPerS: 2, pgaMPerS2: 1 },
    { t: 200, kind: "blast", channel: "accel", durationS: 0.8, ppvMmPerS: 10, pgaMPerS2: 4 },
    { t: 300, kind: "microseismic", channel: "accel", durationS: 0.3 },
    { t: 500, kind: "machinery", channel: "accel", durationS: 100 },
  ];
  const event = (t: number, ppv = 1, pga = 1): Finding => ({
    t,
    kind: "event",
    channel: "accel",
    ppvMmPerS: ppv,
    pgaMPerS2: pga,
  });

  it("matches onsets to labels, counts splits and false triggers, scales to a node-day", () => {
    const q = seismicQuality(
      [event(100.05, 3, 1.5), event(200.2, 10, 4), event(200.6), event(550), event(900)],
      labels,
      43200,
      0.002,
    );
    expect(q.labelled).toBe(3);
    expect(q.detected).toBe(5);
    expect(q.recall).toBeCloseTo(2 / 3, 12);
    expect(q.byKind).toEqual({
      microseismic: { labelled: 2, matched: 1, merged: 0 },
      blast: { labelled: 1, matched: 1, merged: 0 },
    });
    expect(q.split).toBe(1);
    expect(q.falseTriggers).toBe(2);
    expect(q.falseDuringMachinery).toBe(1);
    expect(q.falsePerNodeDay).toBe(4);
    expect(q.ppvRatioMedian).toBeCloseTo(1.25, 12);
    expect(q.pgaRatioMedian).toBeCloseTo(1.25, 12);
    expect(q.missed.map((l) => l.t)).toEqual([300]);
  });

  it("counts an event inside another event's report as merged (recalled), not missed", () => {
    const close: Label[] = [
      { t: 100, kind: "microseismic", channel: "accel", durationS: 0.1 },
      { t: 100.6, kind: "microseismic", channel: "accel", durationS: 0.1 },
      { t: 103, kind: "microseismic", channel: "accel", durationS: 0.1 },
    ];
    const q = seismicQuality([{ ...event(100.01), durationS: 0.8 }], close, 3600, 0.002);
    expect(q.merged).toBe(1);
    expect(q.recall).toBeCloseTo(2 / 3, 12);
    expect(q.missed.map((l) => l.t)).toEqual([103]);
  });

  it("widens the onset tolerance to 10 sample periods for slow channels", () => {
    const slow = seismicQuality([event(92)], [{ t: 100, kind: "teleseism", channel: "X" }], 3600, 1);
    expect(slow.recall).toBe(1);
    const fast = seismicQuality([event(92)], [{ t: 100, kind: "teleseism", channel: "X" }], 3600, 0.01);
    expect(fast.recall).toBe(0);
  });
});
