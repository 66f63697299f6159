/**
 * A run is a pure function of (scenario, seed): two runs give identical results, and splitting the nodes
 * over worker threads (2 or 3 shards) gives the same result as one shard. A different seed gives a different
 * run (the seed reaches the nodes).
 */
import { describe, expect, it } from "vitest";
import { runFleet } from "../../host-sim/sim/fleet.js";
import { loadScenario, parseScenario } from "../../host-sim/sim/load.js";
import { deterministicPart } from "../../host-sim/sim/result.js";

// Six short nodes, a blast and gas, a power cut, two LoRaWAN nodes through the channel, gateway and network
// server (always together in shard 0: they share the air): enough to exercise every record.
const FLEET = `name: shard-check
durationS: 240
traceEveryS: 5
nodes:
  - id: g
    variant: gas
    count: 2
    gas:
      events:
        - { kind: gas-inrush, tS: 60, channel: ch4, peak: 1.8, riseTauS: 10, holdS: 60, decayTauS: 20 }
  - id: v
    variant: vibration
    seismic:
      events:
        - { kind: blast, tS: 100, pgaMPerS2: 2, cornerHz: 15, holes: 4, delayMs: 25 }
  - id: c
    variant: combo
  - id: l
    variant: gas
    transport: lorawan
    count: 2
faults:
  - { kind: power-cut, atS: 70, durationS: 10, nodes: [g-2] }
expect:
  - { kind: no-frame-lost }
`;

describe("simulation determinism", () => {
  it("two runs of the demo with one seed are identical; another seed differs", async () => {
    const { scenario, file } = loadScenario("demo");
    const a = await runFleet({ scenario, file, seed: 5, shards: 1 });
    const b = await runFleet({ scenario, file, seed: 5, shards: 1 });
    expect(a.nodes[0]!.frames.length).toBeGreaterThan(5);
    expect(JSON.stringify(deterministicPart(b))).toBe(JSON.stringify(deterministicPart(a)));
    const c = await runFleet({ scenario, file, seed: 6, shards: 1 });
    expect(c.nodes[0]!.eui).not.toBe(a.nodes[0]!.eui);
    expect(JSON.stringify(c.nodes[0]!.traces)).not.toBe(JSON.stringify(a.nodes[0]!.traces));
  });

  it("1 shard, 2 shards and 3 shards (worker threads) give the same result", async () => {
    const scenario = parseScenario(FLEET, "fleet.yaml");
    const one = await runFleet({ scenario, file: "fleet.yaml", seed: 9, shards: 1 });
    const two = await runFleet({ scenario, file: "fleet.yaml", seed: 9, shards: 2 });
    // Three shards split the nodes unevenly (l-1, l-2, v | g-1, c | g-2): a node's neighbours change, its
    // result must not.
    const three = await runFleet({ scenario, file: "fleet.yaml", seed: 9, shards: 3 });
    expect(two.timing.shards).toBe(2);
    expect(three.timing.shards).toBe(3);
    expect(JSON.stringify(deterministicPart(three))).toBe(JSON.stringify(deterministicPart(one)));
    expect(one.nodes.map((n) => n.id)).toEqual(["g-1", "g-2", "v", "c", "l-1", "l-2"]);
    expect(one.nodes[4]!.frames.filter((f) => f.via === "lorawan").length).toBeGreaterThan(3);
    expect(one.nodes[4]!.radio!.transmissions).toBeGreaterThan(3);
    expect(one.nodes[1]!.boots).toBe(2);
    expect(one.nodes[2]!.events.length).toBeGreaterThan(0);
    expect(JSON.stringify(deterministicPart(two))).toBe(JSON.stringify(deterministicPart(one)));
    expect(one.passed).toBe(true);
  });
});
