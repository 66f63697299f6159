import { beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { Prng } from "../../host-sim/prng.js";
import { lorawanUplinkAirtimeMs } from "../../host-sim/radio/airtime.js";
import { type LinkSpec, LoRaChannel } from "../../host-sim/radio/channel.js";
import { Gateway } from "../../host-sim/radio/gateway.js";
import { NetworkServer } from "../../host-sim/radio/network-server.js";
import { decodeFrame } from "../../protocol/decode.js";
import { frameToJson } from "../../protocol/json.js";
import { EU868 } from "../../protocol/lorawan-regions.js";
import {
  type ChirpStackUplinkEvent,
  commandDownTopic,
  DEFAULT_APPLICATION_ID,
  eventTopic,
  fromBase64,
} from "../../site/network-server/chirpstack.js";
import { loadGeneratedCodec, type VmCodec } from "../../site/network-server/codec.js";
import { AlarmLevel, alarm, KEY_A, NODE_A, seal, telemetry } from "../collector/frames.js";

const GW1 = "00800000a0000001";
const GW2 = "00800000a0000002";
const F1 = 868_100_000;
const DR = 5;

let codec: VmCodec;
beforeAll(async () => {
  codec = await loadGeneratedCodec();
});

function rig(links: Record<string, LinkSpec>, gateways = [GW1, GW2]) {
  const clock = new VirtualClock();
  const gws = gateways.map((id) => new Gateway({ id, region: EU868 }));
  const channel = new LoRaChannel({
    region: EU868,
    prng: new Prng(5),
    gateways: gws,
    links: { [NODE_A]: links },
  });
  const published: { atMs: number; topic: string; event: ChirpStackUplinkEvent }[] = [];
  const ns = new NetworkServer({
    clock,
    channel,
    codec,
    epochMs: Date.UTC(2026, 2, 1),
    publish: (topic, payload) =>
      published.push({ atMs: clock.now(), topic, event: JSON.parse(new TextDecoder().decode(payload)) }),
  });
  let fCnt = 0;
  /** A node uplink transmitted now; the network server answers at its end. */
  const send = (bytes: Uint8Array, confirmed: boolean, sameFCnt = false) => {
    const airtimeMs = lorawanUplinkAirtimeMs(EU868, DR, bytes.length);
    const tx = channel.begin({
      nodeId: NODE_A,
      startMs: clock.now(),
      airtimeMs,
      frequencyHz: F1,
      sf: 7,
      bandwidthHz: 125_000,
    });
    clock.advance(airtimeMs);
    if (!sameFCnt) fCnt++;
    return ns.uplink({ devEui: NODE_A, tx, fCnt: fCnt - 1, fPort: 10, confirmed, bytes, dr: DR });
  };
  return { clock, channel, gws, ns, published, send };
}

describe("network server: ChirpStack-shaped uplink events", () => {
  it("one event per uplink heard by two gateways, after the 200 ms deduplication delay, decoded by the generated codec", () => {
    const { clock, ns, published, send } = rig({ [GW1]: { rssiDbm: -95 }, [GW2]: { distanceM: 300 } });
    const bytes = seal(alarm(AlarmLevel.A2, 0, 180, 1), 0, KEY_A);
    send(bytes, false);
    const endMs = clock.now();
    clock.advance(1000);
    expect(published).toHaveLength(1);
    const { atMs, topic, event } = published[0]!;
    expect(atMs).toBeCloseTo(endMs + 200, 6);
    expect(topic).toBe(eventTopic(DEFAULT_APPLICATION_ID, NODE_A));
    expect(topic).toBe(`application/${DEFAULT_APPLICATION_ID}/device/${NODE_A}/event/up`);
    expect(event.deviceInfo).toMatchObject({ devEui: NODE_A, applicationId: DEFAULT_APPLICATION_ID });
    expect(event).toMatchObject({ fCnt: 0, fPort: 10, confirmed: false, dr: DR, devAddr: NODE_A.slice(8) });
    expect(fromBase64(event.data)).toEqual(bytes);
    // object = the codec's data: the frame's JSON view plus the MAC fields the codec adds.
    const expected = frameToJson(decodeFrame(bytes).frame);
    expect(event.object).toMatchObject(expected as Record<string, unknown>);
    expect(event.object).toMatchObject({ counterLow16: 0 });
    expect(event.rxInfo.map((r) => r.gatewayId)).toEqual([GW1, GW2]);
    expect(event.rxInfo[0]).toMatchObject({ rssi: -95, crcStatus: "CRC_OK", channel: 0 });
    expect(event.txInfo).toEqual({
      frequency: F1,
      modulation: { lora: { bandwidth: 125_000, spreadingFactor: 7, codeRate: "CR_4_5" } },
    });
    expect(event.time).toMatch(/^2026-03-01T00:00:00\.\d{3}Z$/);
    expect(event.deduplicationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ns.stats).toMatchObject({ uplinksHeard: 1, published: 1, codecErrors: 0 });
  });

  it("bytes the codec cannot decode: event without object, an UPLINK_CODEC log entry", () => {
    const { clock, ns, published, send } = rig({ [GW1]: { rssiDbm: -90 } });
    send(Uint8Array.of(0xff, 0x00, 0x01), false);
    clock.advance(1000);
    expect(published[0]!.event.object).toBeUndefined();
    expect(ns.stats.codecErrors).toBe(1);
    expect(ns.log[0]).toMatchObject({ devEui: NODE_A, code: "UPLINK_CODEC" });
  });
});

describe("network server: ACKs and downlinks", () => {
  it("no ACK for a confirmed uplink no gateway heard; ACK when heard", () => {
    const { clock, channel, ns, send } = rig({ [GW1]: { rssiDbm: -90 } });
    channel.setLossRate(1);
    expect(send(seal(telemetry(), 0, KEY_A), true)).toEqual({ ack: false });
    expect(ns.stats).toMatchObject({ uplinksLost: 1, acksSent: 0 });
    channel.setLossRate(0);
    clock.advance(60_000);
    expect(send(seal(telemetry(), 1, KEY_A), true)).toEqual({ ack: true });
    expect(ns.stats).toMatchObject({ uplinksHeard: 1, acksSent: 1 });
  });

  it("the ACK itself can be lost; the device's retransmission is acknowledged but not published twice", () => {
    const { clock, channel, ns, published, send } = rig({ [GW1]: { rssiDbm: -90 } });
    const bytes = seal(alarm(AlarmLevel.A1), 0, KEY_A);
    const airtimeMs = lorawanUplinkAirtimeMs(EU868, DR, bytes.length);
    const tx = channel.begin({
      nodeId: NODE_A,
      startMs: 0,
      airtimeMs,
      frequencyHz: F1,
      sf: 7,
      bandwidthHz: 125_000,
    });
    clock.advance(airtimeMs);
    channel.setLossRate(1); // the uplink's fate was drawn at its start; the downlink's is drawn now
    expect(ns.uplink({ devEui: NODE_A, tx, fCnt: 0, fPort: 10, confirmed: true, bytes, dr: DR })).toEqual({
      ack: false,
    });
    expect(ns.stats).toMatchObject({ acksSent: 1, acksLost: 1 });
    channel.setLossRate(0);
    clock.advance(30_000);
    expect(send(bytes, true, false)).toEqual({ ack: true }); // the rig's fCnt 0 again: a retransmission
    clock.advance(1000);
    expect(ns.stats).toMatchObject({ retransmissions: 1, published: 1 });
    expect(published).toHaveLength(1);
  });

  it("a gateway out of duty cycle cannot ACK; the next-best gateway does, or no one", () => {
    const two = rig({ [GW1]: { rssiDbm: -80 }, [GW2]: { rssiDbm: -100 } });
    two.send(seal(telemetry(), 0, KEY_A), true);
    two.clock.advance(2000); // GW1's 1 % off-time after an ACK is ~4 s
    expect(two.send(seal(telemetry(), 1, KEY_A), true)).toEqual({ ack: true });
    expect(two.gws.map((g) => g.counters.txPacketsEmitted)).toEqual([1, 1]);
    const one = rig({ [GW1]: { rssiDbm: -80 } }, [GW1]);
    one.send(seal(telemetry(), 0, KEY_A), true);
    one.clock.advance(2000);
    expect(one.send(seal(telemetry(), 1, KEY_A), true)).toEqual({ ack: false });
    expect(one.ns.stats.acksNotSent).toBe(1);
  });

  it("a downlink command queues for the next uplink's RX1; a bad command is refused with the reason", () => {
    const { ns, send } = rig({ [GW1]: { rssiDbm: -90 } });
    const body = {
      devEui: NODE_A,
      confirmed: false,
      fPort: 10,
      data: Buffer.from([0x27, 0x01]).toString("base64"),
    };
    const topic = commandDownTopic(DEFAULT_APPLICATION_ID, NODE_A);
    expect(ns.command(topic, new TextEncoder().encode(JSON.stringify(body)))).toBe(true);
    expect(ns.command(topic, new TextEncoder().encode(JSON.stringify({ ...body, fPort: 0 })))).toBe(false);
    expect(ns.log.at(-1)!.description).toMatch(/fPort must be 1..223, got 0/);
    expect(ns.queued(NODE_A)).toBe(1);
    const reply = send(seal(telemetry(), 0, KEY_A), false);
    expect(reply.ack).toBe(false);
    expect(reply.downlink).toEqual({ fPort: 10, bytes: Uint8Array.of(0x27, 0x01) });
    expect(ns.queued(NODE_A)).toBe(0);
    expect(ns.stats).toMatchObject({ downlinksQueued: 1, downlinksSent: 1, downlinkCommandsRejected: 1 });
  });
});
