/**
 * The same transport against Debian's mosquitto (2.0): credentials, acl_file, an outage with persistence.
 * Skipped, with a visible message, where mosquitto is not installed (.ci/run installs it).
 */
import { afterEach, describe, expect, it } from "vitest";
import { runVirtual } from "../../host-sim/net/run.js";
import { FrameType } from "../../protocol/schema.js";
import { upTopic } from "../../protocol/topics.js";
import { findMosquitto, MosquittoBroker } from "../../site/broker/mosquitto.js";
import { ACCOUNTS, Collector, makeSim, NODE_A, NODE_B, nodeTransport, SITE } from "./helpers.js";

const binary = findMosquitto();
if (!binary)
  console.warn("SKIPPED test/mqtt/mosquitto.test.ts: mosquitto is not installed (apt-get install mosquitto)");

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!binary)("MQTT transport on Debian's mosquitto", () => {
  it("publishes QoS 1 with credentials, refuses another node's topic, and rides out an outage", async () => {
    const sim = makeSim(21);
    const broker = await MosquittoBroker.start({ accounts: ACCOUNTS, gate: sim.gate });
    cleanups.push(() => broker.dispose());
    const collector = new Collector(sim, broker.port);
    cleanups.push(() => collector.close());
    const acked: number[] = [];
    const t = nodeTransport(sim, broker.port, NODE_A, { onAck: (tag) => acked.push(tag) });
    cleanups.push(() => t.stop());
    t.start();
    await runVirtual(sim.clock, sim.gate, 1000);
    expect(t.connected).toBe(true);
    t.send(FrameType.Telemetry, Uint8Array.of(1, 1), 1);
    await runVirtual(sim.clock, sim.gate, 2000);
    expect(acked).toEqual([1]);

    // Node B's credentials on node A's alarm topic: mosquitto acknowledges (MQTT 3.1.1 cannot refuse a
    // PUBLISH) and drops it; the collector must never see it.
    const intruderAcks: number[] = [];
    const intruder = new sim.Client({
      host: "127.0.0.1",
      port: broker.port,
      id: `mw-${NODE_B}`,
      user: `mw-${NODE_B}`,
      password: "node-b-secret",
      onControl(m) {
        if (m.operation === 2)
          this.write(Uint8Array.of(9), { topic: upTopic(SITE, NODE_A, FrameType.Alarm), QoS: 1 });
        if (m.operation === 4) intruderAcks.push(m.id);
      },
    });
    cleanups.push(() => intruder.close());
    await runVirtual(sim.clock, sim.gate, 3000);
    expect(intruderAcks).toEqual([1]);

    // Outage: mosquitto stops at 4 s and comes back at 64 s; a frame sent during it arrives afterwards.
    sim.clock.at(4000, () => void broker.stop());
    sim.clock.at(10_000, () => t.send(FrameType.Alarm, Uint8Array.of(2, 2), 2));
    sim.clock.at(64_000, () => void broker.restart());
    await runVirtual(sim.clock, sim.gate, 120_000);
    expect(acked).toEqual([1, 2]);
    expect(t.stats.reconnects).toBe(1);
    const topics = collector.received.map((r) => `${r.topic} ${r.hex}`);
    expect(topics).toContain(`${upTopic(SITE, NODE_A, FrameType.Telemetry)} 0101`);
    expect(topics).toContain(`${upTopic(SITE, NODE_A, FrameType.Alarm)} 0202`);
    expect(topics.some((t) => t.endsWith(" 09"))).toBe(false);
    expect(sim.gate.stalls).toEqual([]);
  });
});
