/**
 * The simulator's LoRaWAN path end to end (issue 6): node firmware -> LoRa-E5 model -> channel model ->
 * gateway -> network server -> ChirpStack v4 JSON on a real broker (TCP through the gate) -> collector.
 * The shipped lorawan-collisions scenario has two nodes whose schedules run in step: some of their uplinks
 * start at the same instant on the same channel and SF and collide at the gateway (equal power: neither is
 * received). Both nodes retry every collided uplink until the network server hears it, and the collector
 * ends with every frame once, all by the LoRaWAN path.
 */
import { describe, expect, it } from "vitest";
import { evaluate } from "../../host-sim/sim/expectations.js";
import { loadScenario } from "../../host-sim/sim/load.js";
import { runShard, type ShardProbe } from "../../host-sim/sim/shard.js";

interface Uplink {
  devEui: string;
  fCnt: number;
  startMs: number;
  frequencyHz: number;
  sf: number;
  bytes: string;
  outcome: string;
}

describe("LoRaWAN through channel, gateway, network server and broker", () => {
  it("two nodes collide on the same channel and SF at the same instant; both retried, nothing lost", async () => {
    const { scenario } = loadScenario("lorawan-collisions");
    const uplinks: Uplink[] = [];
    let shard: ShardProbe | undefined;
    const r = await runShard({
      scenario,
      seed: scenario.seed,
      indices: [0, 1],
      shardIndex: 0,
      brokerUrl: undefined,
      probe: (s) => {
        shard = s;
        // Record what reaches the network server (the real one; this only observes its calls).
        const site = s.lorawan!.sites[0]!;
        const uplink = site.server.uplink.bind(site.server);
        site.server.uplink = (u) => {
          const outcome = site.channel.resolve(u.tx).receptions[0]!.outcome;
          uplinks.push({
            devEui: u.devEui,
            fCnt: u.fCnt,
            startMs: u.tx.startMs,
            frequencyHz: u.tx.frequencyHz,
            sf: u.tx.sf,
            bytes: Buffer.from(u.bytes).toString("hex"),
            outcome,
          });
          return uplink(u);
        };
      },
    });
    const site = shard!.lorawan!.sites[0]!;
    const [a, b] = [shard!.euis.get("lora-a")!, shard!.euis.get("lora-b")!];

    // Same instant, same frequency, same SF, one from each node, both lost to the collision.
    const collided = uplinks.filter((u) => u.outcome === "collision");
    const pairs = collided.filter(
      (u) =>
        u.devEui === a &&
        collided.some(
          (v) =>
            v.devEui === b && v.startMs === u.startMs && v.frequencyHz === u.frequencyHz && v.sf === u.sf,
        ),
    );
    expect(pairs.length).toBeGreaterThan(0);
    expect(site.channel.stats.lostBy.collision).toBe(collided.length);
    // Every collided uplink was sent again (same bytes) and heard afterwards.
    for (const u of collided) {
      const retried = uplinks.find(
        (v) => v.devEui === u.devEui && v.bytes === u.bytes && v.startMs > u.startMs && v.outcome === "ok",
      );
      expect(retried, `${u.devEui} fCnt ${u.fCnt} at ${u.startMs} ms`).toBeDefined();
    }

    // Nothing lost; every frame delivered once, by LoRaWAN, through the broker as ChirpStack events.
    const nodes = r.nodes.map((n) => n.result);
    const results = evaluate(scenario.expect, nodes);
    for (const e of results) expect(e, `${e.name}: ${e.reason}`).toMatchObject({ passed: true });
    const delivered = nodes.flatMap((n) => n.frames).filter((f) => f.deliveredMs !== null);
    expect(delivered.length).toBeGreaterThan(20);
    expect(delivered.every((f) => f.via === "lorawan")).toBe(true);
    const c = shard!.collector.results();
    expect(c.acceptedByPath).toEqual({ mqtt: 0, lorawan: delivered.length });
    expect(c.rejects).toEqual({});
    expect(site.server.stats.published).toBe(site.session.counters.acked);
    expect(nodes.every((n) => n.radio!.lostTransmissions > 0)).toBe(true);
    expect(r.stalls).toEqual([]);
  });
});
