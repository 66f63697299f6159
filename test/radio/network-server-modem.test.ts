/**
 * LoRa-E5 modem models (the node's real UART peer) -> channel model -> gateways -> network server ->
 * collector, on the virtual clock: two nodes transmit confirmed alarms at the same instants; where the modems
 * pick the same channel the frames collide, go unacknowledged and are retransmitted by the modems; the
 * collector must end with every frame exactly once.
 */
import { describe, expect, it } from "vitest";
import { SimBoard } from "../../host-sim/board.js";
import { LoraE5Model } from "../../host-sim/chips/lora-e5.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { Prng } from "../../host-sim/prng.js";
import { LoRaChannel } from "../../host-sim/radio/channel.js";
import { Gateway } from "../../host-sim/radio/gateway.js";
import { NetworkServer } from "../../host-sim/radio/network-server.js";
import { ModemRadioLink } from "../../host-sim/radio/network-server-modem.js";
import { EU868 } from "../../protocol/lorawan-regions.js";
import { Collector } from "../../site/collector/collector.js";
import { AlarmLevel, alarm, KEY_A, KEY_B, keys, NODE_A, NODE_B, seal } from "../collector/frames.js";

const GW = "00800000a0000001";

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex").toUpperCase();
}

function fleet(seed: number) {
  const clock = new VirtualClock();
  const prng = new Prng(seed);
  const gateway = new Gateway({ id: GW, region: EU868 });
  const channel = new LoRaChannel({
    region: EU868,
    prng: prng.fork(1),
    gateways: [gateway],
    links: { [NODE_A]: { [GW]: { distanceM: 400 } }, [NODE_B]: { [GW]: { distanceM: 400 } } },
  });
  const collector = new Collector({ keys: keys() });
  const ns = new NetworkServer({
    clock,
    channel,
    publish: (topic, payload) => collector.onMqttMessage(topic, payload, clock.now()),
  });
  const nodes = [NODE_A, NODE_B].map((nodeId, i) => {
    const board = new SimBoard(clock, prng.fork(10 + i));
    const link = new ModemRadioLink(ns, nodeId);
    const modem = new LoraE5Model(board, { port: 2, network: link.network, devEui: nodeId });
    link.attach(modem);
    const lines: string[] = [];
    modem.connect({ baud: 9600, send: (b) => lines.push(String.fromCharCode(...b)) });
    const at = (s: string) => modem.receive(Uint8Array.from(`${s}\r\n`, (c) => c.charCodeAt(0)));
    return { nodeId, modem, link, lines, at, key: i === 0 ? KEY_A : KEY_B };
  });
  return { clock, channel, gateway, collector, ns, nodes };
}

describe("LoRa-E5 modems through the channel, gateway and network server", () => {
  it("simultaneous confirmed alarms: collisions on shared channels, retransmissions, every frame once", () => {
    const { clock, channel, collector, ns, nodes } = fleet(11);
    for (const n of nodes) {
      n.at("AT+MODE=LWOTAA");
      n.at("AT+DR=DR5");
      n.at("AT+PORT=10"); // minewatch's FPort (protocol/codec.ts MINEWATCH_FPORT)
      n.at("AT+RETRY=8");
    }
    clock.advance(100);
    // Joins at different times (the join-requests go on air through the channel too).
    nodes[0]!.at("AT+JOIN");
    clock.advance(3000);
    nodes[1]!.at("AT+JOIN");
    clock.advance(10_000);
    expect(nodes.map((n) => n.modem.joined)).toEqual([true, true]);
    const rounds = 20;
    for (let r = 0; r < rounds; r++) {
      for (const n of nodes) n.at(`AT+CMSGHEX="${hex(seal(alarm(AlarmLevel.A1, 0, 100 + r), r, n.key))}"`);
      clock.advance(120_000);
    }
    channel.flush();
    expect(nodes.map((n) => n.link.lateRegistrations)).toEqual([0, 0]);
    // 2 joins + 2 x 20 first transmissions + the retransmissions.
    expect(channel.stats.transmissions).toBe(
      2 + 2 * rounds + ns.stats.retransmissions + ns.stats.uplinksLost,
    );
    expect(channel.stats.lostBy.collision).toBeGreaterThan(0);
    expect(ns.stats.uplinksLost).toBe(channel.stats.lostBy.collision);
    // Every collision made the modem retransmit (same FCnt) until its ACK came.
    const said = nodes.map((n) => n.lines.join(""));
    for (const s of said) expect(s.match(/ACK Received/g)).toHaveLength(rounds);
    const r = collector.results();
    expect(r.accepted).toBe(2 * rounds);
    expect(r.rejects).toEqual({});
    expect(r.duplicates).toBe(0);
    for (const n of nodes) expect(collector.lastCounter(n.nodeId)).toBe(rounds - 1);
    // The channel's own duty-cycle account (what was on air) shows no node broke the 1 % sub-band rule.
    for (const d of channel.dutyCycleReport()) expect(d.violations).toBe(0);
  });

  it("the same seed replays the same run; another seed differs", () => {
    const run = (seed: number) => {
      const { clock, channel, nodes, collector } = fleet(seed);
      for (const n of nodes) {
        n.modem.joined = true;
        n.at("AT+DR=DR5");
        n.at("AT+PORT=10");
      }
      for (let r = 0; r < 10; r++) {
        for (const n of nodes) n.at(`AT+CMSGHEX="${hex(seal(alarm(AlarmLevel.A2), r, n.key))}"`);
        clock.advance(60_000);
      }
      return { lost: { ...channel.stats.lostBy }, at: collector.frames.map((f) => f.atMs) };
    };
    expect(run(3)).toEqual(run(3));
    expect(run(4).at).not.toEqual(run(3).at);
  });
});
