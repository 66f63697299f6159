/**
 * The simulator's site radio (host-sim/radio/site.ts) and the per-node loss rate it applies (a radio-loss
 * fault on some nodes): one gateway, every node linked to it, faults acting on the channel and the gateway.
 */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { bindMqttClient } from "../../host-sim/mqtt/client.js";
import { NetGate } from "../../host-sim/net/gate.js";
import { runVirtual } from "../../host-sim/net/run.js";
import { Prng } from "../../host-sim/prng.js";
import { LoRaChannel, RadioError } from "../../host-sim/radio/channel.js";
import { Gateway } from "../../host-sim/radio/gateway.js";
import { SITE_GATEWAY_ID, SiteRadio } from "../../host-sim/radio/site.js";
import { EU868 } from "../../protocol/lorawan-regions.js";
import { AedesBroker } from "../../site/broker/broker.js";
import { MqttSession } from "../../site/collector/session.js";
import { eventTopic } from "../../site/network-server/chirpstack.js";

const A = "70b3d57ed0000a01";
const B = "70b3d57ed0000b02";
const tx = (nodeId: string, startMs: number) => ({
  nodeId,
  startMs,
  airtimeMs: 50,
  frequencyHz: 868_100_000,
  sf: 7,
  bandwidthHz: 125_000,
});

describe("per-node loss rate", () => {
  it("applies to that node only, replaces the site-wide rate, and is cleared with undefined", () => {
    const gw = new Gateway({ id: SITE_GATEWAY_ID, region: EU868 });
    const link = { [SITE_GATEWAY_ID]: { distanceM: 300 } };
    const channel = new LoRaChannel({
      region: EU868,
      prng: new Prng(4),
      gateways: [gw],
      links: { [A]: link, [B]: link },
    });
    channel.setNodeLossRate(A, 1);
    let t = 0;
    const send = (id: string) => channel.resolve(channel.begin(tx(id, (t += 1000)))).delivered;
    expect([send(A), send(A), send(B), send(B)]).toEqual([false, false, true, true]);
    expect(channel.stats.lostBy["random-loss"]).toBe(2);
    channel.setLossRate(1);
    channel.setNodeLossRate(A, 0);
    expect([send(A), send(B)]).toEqual([true, false]);
    channel.setNodeLossRate(A, undefined);
    expect(send(A)).toBe(false);
    expect(() => channel.setNodeLossRate(A, 1.5)).toThrowError(RadioError);
  });
});

describe("SiteRadio", () => {
  it("links every node to the gateway; faults act on the gateway and on one node's losses", async () => {
    const clock = new VirtualClock();
    const gate = new NetGate(clock);
    const Client = bindMqttClient(gate);
    const broker = await AedesBroker.start({ gate });
    const got: string[] = [];
    const app = new MqttSession({
      Client,
      clock,
      host: broker.host,
      port: broker.port,
      clientId: "app",
      subscriptions: ["application/+/device/+/event/up"],
      onMessage: (topic) => got.push(topic),
    });
    const site = new SiteRadio({
      clock,
      region: EU868,
      prng: new Prng(1),
      devEuis: [A, B],
      Client,
      host: broker.host,
      port: broker.port,
      clientId: "ns",
    });
    try {
      await runVirtual(clock, gate, 1000);
      const stats = { transmissions: 0, lost: 0 };
      expect(site.link(A, stats).stats).toBe(stats);
      let fCnt = 0;
      const uplink = (startMs: number) => {
        const t = site.channel.begin(tx(A, startMs));
        return site.server.uplink({
          devEui: A,
          tx: t,
          fCnt: fCnt++,
          fPort: 10,
          confirmed: true,
          bytes: Uint8Array.of(1, 2),
          dr: 5,
        });
      };
      expect(uplink(2000).ack).toBe(true);
      site.setGatewayUp(false);
      expect(uplink(4000).ack).toBe(false);
      site.setGatewayUp(true);
      site.setLossRate([A], 1);
      expect(uplink(6000).ack).toBe(false);
      site.setLossRate([A], undefined);
      expect(uplink(8000).ack).toBe(true);
      expect(site.channel.stats.lostBy).toMatchObject({ "gateway-down": 1, "random-loss": 1 });
      await runVirtual(clock, gate, 12_000);
      // Two heard uplinks, two ChirpStack events on the broker.
      const topic = eventTopic(site.server.applicationId, A);
      expect(got).toEqual([topic, topic]);
    } finally {
      site.close();
      app.close();
      await gate.settle();
      await broker.stop();
    }
  });
});
