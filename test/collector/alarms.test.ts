import { describe, expect, it } from "vitest";
import { AlarmView, channelNumber, evaluateLatency } from "../../site/collector/alarms.js";
import { CollectorError } from "../../site/collector/errors.js";
import { AlarmLevel, alarm, Channel, NODE_A, NODE_B } from "./frames.js";

describe("alarm view", () => {
  it("ranks by the severity order, not the wire code: STEL and TWA do not outrank A2 (issue 14 item 17)", () => {
    const v = new AlarmView();
    expect(v.apply(NODE_A, 1, alarm(AlarmLevel.A2, Channel.Co, 200), 0, "mqtt").raise).toBe(true);
    const stel = v.apply(NODE_A, 2, alarm(AlarmLevel.Stel, Channel.Co, 60), 10, "mqtt");
    const twa = v.apply(NODE_A, 3, alarm(AlarmLevel.Twa, Channel.Co, 30), 20, "mqtt");
    expect([stel.raise, twa.raise]).toEqual([false, false]);
    expect(v.state(NODE_A, Channel.Co)!.level).toBe(AlarmLevel.A2);
    // STEL then A2: A2 is the more severe, so it is a raise.
    const w = new AlarmView();
    w.apply(NODE_A, 1, alarm(AlarmLevel.Stel, Channel.Co, 60), 0, "mqtt");
    expect(w.apply(NODE_A, 2, alarm(AlarmLevel.A2, Channel.Co, 200), 10, "mqtt").raise).toBe(true);
    expect(w.state(NODE_A, Channel.Co)!.level).toBe(AlarmLevel.A2);
  });

  it("keeps A2 while it is latched on the node: A1 does not lower it until an operator acknowledges", () => {
    const v = new AlarmView();
    v.apply(NODE_A, 1, alarm(AlarmLevel.A2), 0, "mqtt");
    v.apply(NODE_A, 2, alarm(AlarmLevel.A1), 10, "mqtt");
    expect(v.state(NODE_A, Channel.Ch4)).toMatchObject({ level: AlarmLevel.A2, counter: 2 });
    expect(v.active().map((s) => s.level)).toEqual([AlarmLevel.A2]);
    // A2 reported again while latched is not a new raise.
    expect(v.apply(NODE_A, 3, alarm(AlarmLevel.A2), 20, "mqtt").raise).toBe(false);
    expect(v.acknowledge(NODE_A, Channel.Ch4)).toBe(true);
    v.apply(NODE_A, 4, alarm(AlarmLevel.A1), 30, "mqtt");
    expect(v.state(NODE_A, Channel.Ch4)!.level).toBe(AlarmLevel.A1);
    v.apply(NODE_A, 5, alarm(AlarmLevel.Clear), 40, "mqtt");
    expect(v.active()).toEqual([]);
  });

  it("raises, lowers and clears in counter order; an older frame arriving late does not overwrite", () => {
    const v = new AlarmView();
    v.apply(NODE_A, 10, alarm(AlarmLevel.A1), 1000, "mqtt");
    v.apply(NODE_A, 12, alarm(AlarmLevel.A2), 1500, "mqtt");
    // Counter 11 (A1) was queued behind and arrives last: history, not state.
    const late = v.apply(NODE_A, 11, alarm(AlarmLevel.A1), 1600, "lorawan");
    expect(late.raise).toBe(false);
    expect(v.state(NODE_A, Channel.Ch4)).toMatchObject({
      level: AlarmLevel.A2,
      counter: 12,
      raisedAtMs: 1500,
    });
    v.apply(NODE_A, 13, alarm(AlarmLevel.Clear, Channel.Ch4, 5), 9000, "mqtt");
    expect(v.active()).toEqual([]);
    expect(v.events.map((e) => e.raise)).toEqual([true, true, false, false]);
  });

  it("acknowledgement holds until the level rises again", () => {
    const v = new AlarmView();
    expect(v.acknowledge(NODE_A, Channel.Co)).toBe(false);
    v.apply(NODE_A, 1, alarm(AlarmLevel.A1, Channel.Co), 0, "mqtt");
    expect(v.acknowledge(NODE_A, Channel.Co)).toBe(true);
    expect(v.state(NODE_A, Channel.Co)!.acknowledged).toBe(true);
    v.apply(NODE_A, 2, alarm(AlarmLevel.A2, Channel.Co), 10, "mqtt");
    expect(v.state(NODE_A, Channel.Co)).toMatchObject({ acknowledged: false, raisedAtMs: 10 });
  });

  it("estimates the node's onset from the frame's age", () => {
    const v = new AlarmView();
    const e = v.apply(NODE_B, 0, alarm(AlarmLevel.A2, Channel.Vibration, 900, 3), 60_000, "lorawan");
    expect(e.nodeOnsetMs).toBe(57_000);
  });
});

describe("alarm latency against labels", () => {
  const view = () => {
    const v = new AlarmView();
    v.apply(NODE_A, 0, alarm(AlarmLevel.A1), 120_450, "mqtt"); // methane, 450 ms after its label
    v.apply(NODE_A, 1, alarm(AlarmLevel.A2), 121_800, "lorawan");
    v.apply(NODE_B, 0, alarm(AlarmLevel.A2, Channel.Vibration), 200_900, "lorawan");
    v.apply(NODE_B, 1, alarm(AlarmLevel.Fault, Channel.Co, 3), 300_000, "mqtt");
    v.apply(NODE_B, 2, alarm(AlarmLevel.A1, Channel.O2), 400_000, "mqtt"); // nothing labelled: false alarm
    return v;
  };

  it("latency = first qualifying alarm's receipt - label onset; level filters; missing and unexpected", () => {
    const r = evaluateLatency(
      view().events,
      [
        { nodeId: NODE_A, channel: "ch4", onsetMs: 120_000, kind: "gas-inrush" },
        { nodeId: NODE_A, channel: 0, onsetMs: 121_000, kind: "gas-crossing", level: "A2" },
        { nodeId: NODE_B, channel: "az", onsetMs: 200_000, kind: "microseismic" },
        { nodeId: NODE_B, channel: "h2s", onsetMs: 250_000, kind: "toxic-release" },
      ],
      30_000,
    );
    expect(r.matched.map((m) => [m.latencyMs, m.level, m.path])).toEqual([
      [450, AlarmLevel.A1, "mqtt"],
      [800, AlarmLevel.A2, "lorawan"],
      [900, AlarmLevel.A2, "lorawan"],
    ]);
    expect(r.missing.map((l) => l.channel)).toEqual(["h2s"]);
    expect(r.unexpected.map((e) => [e.nodeId, e.channel, e.level])).toEqual([
      [NODE_B, Channel.O2, AlarmLevel.A1],
    ]);
  });

  it("an alarm outside the window is missing; an alarm already active at the onset counts with 0 ms", () => {
    const late = evaluateLatency(
      view().events,
      [{ nodeId: NODE_A, channel: "ch4", onsetMs: 119_000, kind: "x" }],
      1000,
    );
    expect(late.missing).toHaveLength(1);
    const active = evaluateLatency(
      view().events,
      [{ nodeId: NODE_A, channel: "ch4", onsetMs: 125_000, kind: "x" }],
      1000,
    );
    expect(active.matched[0]).toMatchObject({ latencyMs: 0, path: "already-active", level: AlarmLevel.A2 });
  });

  it("a fault only answers a label asking for the fault level", () => {
    const events = view().events;
    const asked = evaluateLatency(
      events,
      [{ nodeId: NODE_B, channel: "co", onsetMs: 299_000, kind: "fault-stuck", level: "fault" }],
      5000,
    );
    expect(asked.matched[0]!.latencyMs).toBe(1000);
    const notAsked = evaluateLatency(
      events,
      [{ nodeId: NODE_B, channel: "co", onsetMs: 299_000, kind: "toxic-release" }],
      5000,
    );
    expect(notAsked.missing).toHaveLength(1);
  });

  it("bad labels name the offending value", () => {
    expect(() => channelNumber("methane")).toThrow(/got methane/);
    expect(() =>
      evaluateLatency([], [{ nodeId: NODE_A, channel: 0, onsetMs: 0, kind: "x", level: "A9" }], 1),
    ).toThrow(CollectorError);
    expect(() => evaluateLatency([], [], 0)).toThrow(/window must be > 0 ms, got 0/);
  });
});
