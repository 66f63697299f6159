/**
 * The simulator's collector adapter over the real collector (host-sim/sim/collector.ts): per-frame delivery
 * time and path from the first valid copy, later copies counted as duplicates, copies that arrive before the
 * node sent that counter not counted as delivery, rejects counted per node, and the collector's own alarm
 * latency split per node.
 */
import { describe, expect, it } from "vitest";
import { SimCollector } from "../../host-sim/sim/collector.js";
import { AlarmLevel, alarm, KEY_A, KEY_B, NODE_A, NODE_B, seal, telemetry } from "../collector/frames.js";

function setup() {
  const sim = new SimCollector();
  const sent = new Map<number, number>();
  const a = {
    key: KEY_A,
    sentBefore: (c: number) => sent.get(c),
    frames: new Map(),
    rejected: 0,
    premature: 0,
  };
  const b = { key: KEY_B, sentBefore: () => 0, frames: new Map(), rejected: 0, premature: 0 };
  sim.watch(NODE_A, a);
  sim.watch(NODE_B, b);
  return { sim, sent, a, b };
}

describe("SimCollector (adapter over site/collector)", () => {
  it("first valid copy delivers, the same bytes by the other path are a duplicate, junk is rejected", () => {
    const { sim, sent, a, b } = setup();
    const f0 = seal(alarm(AlarmLevel.A1), 0, KEY_A);
    sent.set(0, 100);
    expect(sim.collector.ingest(NODE_A, f0, "lorawan", 400)).toBe("accepted");
    expect(sim.collector.ingest(NODE_A, f0, "mqtt", 450)).toBe("duplicate");
    expect(a.frames.get(0)).toEqual({ deliveredMs: 400, via: "lorawan", duplicates: 1 });
    // A's key does not sign B's frames: rejected for B, nothing delivered.
    expect(sim.collector.ingest(NODE_B, f0, "mqtt", 500)).toBe("rejected");
    expect(b.rejected).toBe(1);
    expect(b.frames.size).toBe(0);
    expect(sim.collector.ingest(NODE_A, Uint8Array.of(0x42, 1, 2, 3), "mqtt", 600)).toBe("rejected");
    expect(a.rejected).toBe(1);
    // A node this collector does not watch.
    expect(sim.collector.ingest("70b3d57effffffff", f0, "mqtt", 700)).toBe("rejected");
    expect(sim.foreign).toBe(1);
  });

  it("a copy that arrives before the node sent that counter (a stale retained message) is not a delivery", () => {
    const { sim, sent, a } = setup();
    const f1 = seal(telemetry(), 1, KEY_A);
    expect(sim.collector.ingest(NODE_A, f1, "mqtt", 50)).toBe("accepted");
    expect(a.premature).toBe(1);
    expect(a.frames.has(1)).toBe(false);
    sent.set(1, 80);
    expect(sim.collector.ingest(NODE_A, f1, "mqtt", 90)).toBe("duplicate");
    expect(a.frames.get(1)).toEqual({ deliveredMs: 90, via: "mqtt", duplicates: 0 });
  });

  it("per-node latency from the collector's evaluation against labels", () => {
    const { sim, sent } = setup();
    sent.set(0, 1000).set(1, 2000);
    sim.collector.ingest(NODE_A, seal(alarm(AlarmLevel.A1), 0, KEY_A), "mqtt", 1300);
    sim.collector.ingest(NODE_A, seal(alarm(AlarmLevel.A2), 1, KEY_A), "lorawan", 2900);
    sim.collector.ingest(NODE_B, seal(alarm(AlarmLevel.A1), 0, KEY_B), "mqtt", 5000);
    const records = sim.records(
      new Map([
        [
          NODE_A,
          [
            { tMs: 1000, kind: "gas-crossing", channel: "ch4", level: "A1" },
            { tMs: 2000, kind: "gas-crossing", channel: "ch4", level: "A2" },
            { tMs: 9000, kind: "gas-crossing", channel: "co", level: "A1" },
          ],
        ],
        [NODE_B, []],
      ]),
      10_000,
    );
    const ra = records.get(NODE_A)!;
    expect(ra.alarmLatency.map((m) => [m.latencyMs, m.level, m.via])).toEqual([
      [300, "A1", "mqtt"],
      [900, "A2", "lorawan"],
    ]);
    expect(ra.missing).toEqual([{ tMs: 9000, kind: "gas-crossing", channel: "co", level: "A1" }]);
    expect(ra.unexpectedRaises).toBe(0);
    // B raised A1 with no label: the collector calls it unexpected.
    expect(records.get(NODE_B)).toMatchObject({ alarmLatency: [], missing: [], unexpectedRaises: 1 });
  });
});
