/**
 * Done-when of issue 6: every shipped scenario passes (in-process aedes broker, default seed), and each one
 * shows what it is about (an alarm, a delivery after an outage, losses, reboots).
 */
import { describe, expect, it } from "vitest";
import { runFleet } from "../../host-sim/sim/fleet.js";
import { loadScenario, shippedScenarios } from "../../host-sim/sim/load.js";
import type { SimResult } from "../../host-sim/sim/result.js";

const checks: Record<string, (r: SimResult) => void> = {
  demo: (r) => {
    expect(r.nodes[0]!.alarms.some((a) => a.channel === "ch4")).toBe(true);
    expect(r.nodes[0]!.events.length).toBeGreaterThan(0);
  },
  "methane-inrush": (r) => {
    expect(r.nodes.find((n) => n.id === "intake-1")!.alarms.filter((a) => a.level !== "clear")).toEqual([]);
    expect(r.nodes.find((n) => n.id === "face-12")!.alarms.some((a) => a.level === "A2")).toBe(true);
    // The interlock: tripped on the two nodes that saw methane past A2, never on the intake node.
    const trips = (id: string) =>
      r.nodes.find((n) => n.id === id)!.outputs!.events!.filter((e) => e.kind === "trip");
    expect(trips("face-12").length).toBe(1);
    expect(trips("return-3").length).toBe(1);
    expect(trips("intake-1")).toEqual([]);
    expect(r.expectations.map((e) => e.kind)).toContain("relay-trip-within");
  },
  rockburst: (r) => {
    expect(r.nodes.filter((n) => n.events.length > 0).length).toBe(4);
  },
  "broker-outage-1h": (r) => {
    // Frames built during the outage (600..4200 s) were delivered after it.
    const during = r.nodes
      .flatMap((n) => n.frames)
      .filter((f) => f.builtMs > 700_000 && f.builtMs < 4_100_000);
    expect(during.length).toBeGreaterThan(20);
    expect(during.every((f) => f.deliveredMs !== null && f.deliveredMs >= 4_200_000)).toBe(true);
  },
  "radio-loss-30": (r) => {
    const radio = r.nodes.map((n) => n.radio!);
    const sent = radio.reduce((s, x) => s + x.transmissions, 0);
    const lost = radio.reduce((s, x) => s + x.lostTransmissions, 0);
    expect(lost / sent).toBeGreaterThan(0.15);
    expect(lost / sent).toBeLessThan(0.45);
  },
  "power-cuts-during-alarms": (r) => {
    expect(r.nodes.map((n) => n.boots)).toEqual([3, 3]);
    // Power cuts after the trip: the relay stays de-energised through every reboot (latched in storage).
    for (const n of r.nodes) {
      const relay = n.outputs!.relay;
      const tripMs = n.outputs!.events!.find((e) => e.kind === "trip")!.tMs;
      expect(relay.v.filter((_v, i) => relay.tMs[i]! > tripMs)).not.toContain(1);
    }
    expect(r.expectations.map((e) => e.kind)).toContain("relay-no-auto-reenergise");
    // The beacon lane: dark while the node is off (600..645 s), danger again at once after the reboot.
    const beacon = r.nodes[0]!.outputs!.beacon;
    const at = (tMs: number) => beacon.v[beacon.tMs.findLastIndex((t) => t <= tMs)];
    expect([at(599_000), at(620_000), at(646_000)]).toEqual([3, 0, 3]);
  },
  "recorded-face": (r) => {
    // Crossings come from the recorded values against the node's own set-points: CH4 A1/A2, CO A1/A2,
    // O2 A1 (diluted by the methane), CO A1/A2 (fumes), O2 A1/A2 (displaced); each answered on its channel.
    const crossings = r.nodes[0]!.labels.filter((l) => l.kind === "gas-crossing");
    expect(crossings.map((l) => `${l.tMs / 1000} ${l.channel} ${l.level}`)).toEqual([
      "130 ch4 A1",
      "133 ch4 A2",
      "159 o2 A1",
      "308 co A1",
      "320 co A2",
      "817 o2 A1",
      "848 o2 A2",
    ]);
    for (const ch of ["ch4", "co", "o2"]) expect(r.nodes[0]!.alarms.some((a) => a.channel === ch)).toBe(true);
  },
};

describe("shipped scenarios", () => {
  it.each(shippedScenarios())("%s passes every expectation", async (name) => {
    const { scenario, file } = loadScenario(name);
    const r = await runFleet({ scenario, file, shards: 1 });
    // A scenario with no check would pass here vacuously (issue 14 item 16).
    expect(r.expectations.length, `${name} has no expectation`).toBeGreaterThan(0);
    for (const e of r.expectations)
      expect(e, `${name}: ${e.name}: ${e.reason}`).toMatchObject({ passed: true });
    expect(r.totals.framesLost).toBe(0);
    checks[name]?.(r);
  });
});
