/**
 * The run's plan (host-sim/fault-plan.ts): named streams keep their historical fork labels (so every pinned
 * figure stays), siblings never share a label, and drawn faults are a pure function of the seed, land only
 * where they can happen, and replay exactly in a run.
 */
import { describe, expect, it } from "vitest";
import { FORKS, fork, nodeSeeds, type PlanNode, planFaults, root } from "../../host-sim/fault-plan.js";
import { Prng } from "../../host-sim/prng.js";
import { ScenarioError } from "../../host-sim/sim/errors.js";
import { runFleet } from "../../host-sim/sim/fleet.js";
import { parseScenario } from "../../host-sim/sim/load.js";
import { deterministicPart } from "../../host-sim/sim/result.js";

/** The forks of each parent stream (see the tree in fault-plan.ts). */
const SIBLINGS: (keyof typeof FORKS)[][] = [
  ["run/node", "run/collector-password", "run/radio", "run/faults"],
  ["node/board", "node/identity", "node/gas-noise", "node/quiet-ground", "node/mqtt-jitter", "node/lorawan"],
  ["lorawan/loss", "lorawan/jitter"],
  ["recording/gas", "recording/accel", "recording/accel-noise", "recording/random-scenario"],
];

describe("named streams", () => {
  it("siblings have distinct labels (families: node 0..999, region 0..99, drawn entry 0..99)", () => {
    const span: Partial<Record<keyof typeof FORKS, number>> = {
      "run/node": 1000,
      "run/radio": 100,
      "run/faults": 100,
    };
    for (const family of SIBLINGS) {
      const used = new Set<number>();
      for (const name of family) {
        for (let i = 0; i < (span[name] ?? 1); i++) {
          const label = FORKS[name] + i;
          expect(used.has(label), `${name} + ${i}`).toBe(false);
          used.add(label);
        }
      }
    }
  });

  it("are the forks the simulator always used (a renamed stream is the same stream)", () => {
    const run = new Prng(42);
    expect(fork(run, "run/node", 3).nextUint32()).toBe(run.fork(1003).nextUint32());
    expect(fork(root(7), "node/lorawan").seed).toBe(new Prng(7).fork(77).seed);
    expect(fork(fork(root(9), "recording/accel"), "accel/events").seed).toBe(
      new Prng(9).fork(2).fork(1).seed,
    );
    const s = nodeSeeds(42, 3, undefined);
    const r = new Prng(42).fork(1003);
    expect(s.node).toBe(r.nextUint32());
    expect(s.recording).toBe(r.nextUint32());
    expect(nodeSeeds(42, 3, 5).recording).toBe(5);
    expect(fork(root(3), "board/adxl355").seed).toBe(new Prng(3).fork(0x355).seed);
  });
});

const NODES: PlanNode[] = [
  { id: "gas-1", variant: "gas", transport: "mqtt" },
  { id: "vib-1", variant: "vibration", transport: "mqtt" },
  { id: "lora-1", variant: "combo", transport: "lorawan" },
];

describe("planFaults", () => {
  const drawn = {
    kind: "drawn" as const,
    count: 40,
    kinds: ["broker-outage", "gateway-down", "radio-loss", "power-cut", "sensor-fault"] as const,
    nodes: NODES.map((n) => n.id),
    minDurationS: 5,
    maxDurationS: 60,
  };
  const pinned = { kind: "power-cut" as const, atS: 10, durationS: 5, nodes: ["gas-1"] };

  it("keeps pinned faults, replaces a drawn entry by its draws, the same for the same seed", () => {
    const a = planFaults([pinned, { ...drawn, kinds: [...drawn.kinds] }], NODES, 600, 1);
    const b = planFaults([pinned, { ...drawn, kinds: [...drawn.kinds] }], NODES, 600, 1);
    const c = planFaults([pinned, { ...drawn, kinds: [...drawn.kinds] }], NODES, 600, 2);
    expect(a[0]).toEqual(pinned);
    expect(a).toHaveLength(41);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(new Set(a.map((f) => f.kind)).size).toBe(5);
  });

  it("draws each fault where it can happen, inside the run", () => {
    for (const f of planFaults([{ ...drawn, kinds: [...drawn.kinds] }], NODES, 600, 3)) {
      if (f.kind === "clock-drift") throw new Error("clock drift is never drawn");
      expect(f.atS).toBeGreaterThanOrEqual(0);
      expect(f.durationS).toBeGreaterThanOrEqual(5);
      expect(f.durationS).toBeLessThanOrEqual(60);
      expect(f.atS + f.durationS).toBeLessThanOrEqual(600 + 1e-9);
      if (f.kind === "radio-loss") {
        expect(f.nodes).toEqual(["lora-1"]);
        expect(f.rate).toBeGreaterThan(0);
        expect(f.rate).toBeLessThan(1);
      }
      if (f.kind === "sensor-fault") {
        const v = NODES.find((n) => n.id === f.nodes[0])!.variant;
        if (v === "gas") expect(f.sensor).not.toBe("accel");
        if (v === "vibration") expect(f.sensor).toBe("accel");
      }
    }
  });

  it("an edited entry does not move another entry's draws", () => {
    const other = { ...drawn, count: 3, kinds: ["power-cut" as const] };
    const a = planFaults([other, { ...drawn, kinds: [...drawn.kinds] }], NODES, 600, 4);
    const b = planFaults(
      [
        { ...other, count: 2 },
        { ...drawn, kinds: [...drawn.kinds] },
      ],
      NODES,
      600,
      4,
    );
    expect(b.slice(2)).toEqual(a.slice(3));
  });
});

const DRAWN = `name: drawn-faults
durationS: 180
traceEveryS: 5
nodes:
  - id: g
    variant: gas
    gas:
      events:
        - { kind: gas-inrush, tS: 60, channel: ch4, peak: 1.8, riseTauS: 10, holdS: 60, decayTauS: 20 }
faults:
  - { kind: drawn, count: 3, kinds: [power-cut, sensor-fault, broker-outage], maxDurationS: 20 }
expect:
  - { kind: no-frame-lost }
`;

describe("a scenario with drawn faults", () => {
  it("refuses a kind no listed node can take", () => {
    expect(() =>
      parseScenario(DRAWN.replace("[power-cut, sensor-fault, broker-outage]", "[radio-loss]"), "x.yaml"),
    ).toThrow(ScenarioError);
  });

  it("reports the drawn faults, and the same seed replays them exactly", async () => {
    const scenario = parseScenario(DRAWN, "drawn.yaml");
    const a = await runFleet({ scenario, file: "drawn.yaml", seed: 11, shards: 1 });
    const b = await runFleet({ scenario, file: "drawn.yaml", seed: 11, shards: 1 });
    expect(a.faults).toHaveLength(3);
    expect(a.faults.map((f) => f.atMs)).toEqual(
      planFaults(scenario.faults, scenario.nodes, 180, 11)
        .map((f) => ("atS" in f ? Math.round(f.atS * 1000) : 0))
        .sort((x, y) => x - y),
    );
    expect(JSON.stringify(deterministicPart(b))).toBe(JSON.stringify(deterministicPart(a)));
    const c = await runFleet({ scenario, file: "drawn.yaml", seed: 12, shards: 1 });
    expect(c.faults).not.toEqual(a.faults);
  });
});
