/**
 * The broker's limits (site/broker/limits.ts, issue 14 item 7) against a real MQTT client (npm `mqtt`) on
 * both brokers: a node account that publishes a huge payload on its own topic, retains a large message, or
 * floods is disconnected and nothing of it reaches the collector, while an ordinary frame still does.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { FrameType } from "../../protocol/schema.js";
import { siteFilter, stateTopic, upTopic } from "../../protocol/topics.js";
import { AedesBroker } from "../../site/broker/broker.js";
import { DEFAULT_BROKER_LIMITS, PacketScanner, PublishRate } from "../../site/broker/limits.js";
import { findMosquitto, MosquittoBroker } from "../../site/broker/mosquitto.js";
import { ACCOUNTS, NODE_A, SITE } from "./helpers.js";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const nodeAccount = ACCOUNTS.find((a) => a.role === "node" && a.nodeId === NODE_A)!;
const collectorAccount = ACCOUNTS.find((a) => a.role === "collector")!;
const FRAME_TOPIC = upTopic(SITE, NODE_A, FrameType.Telemetry);

async function connect(port: number, user: string, password: string): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    clientId: user,
    username: user,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  cleanups.push(() => client.endAsync(true));
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
  });
  return client;
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once("close", () => resolve()));
}

async function collectorOn(port: number): Promise<{ got: { topic: string; bytes: number }[] }> {
  const c = await connect(port, collectorAccount.user, collectorAccount.password);
  const got: { topic: string; bytes: number }[] = [];
  c.on("message", (topic, payload) => got.push({ topic, bytes: payload.length }));
  await c.subscribeAsync(siteFilter(SITE), { qos: 1 });
  return { got };
}

/** Publishes and waits until the client is disconnected or the deadline passes; true if it was cut off. */
async function cutOff(client: MqttClient, send: () => void, ms = 3000): Promise<boolean> {
  const gone = closed(client).then(() => true);
  send();
  return Promise.race([gone, new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

const settle = () => new Promise((r) => setTimeout(r, 200));

describe("packet scanner and publish rate", () => {
  it("finds packet sizes across chunk boundaries, with 1- to 4-byte remaining lengths", () => {
    // PUBLISH of 321 bytes body (remaining length 0xc1 0x02), then PINGREQ, split everywhere.
    const big = new Uint8Array(3 + 321);
    big.set([0x30, 0xc1, 0x02]);
    const stream = new Uint8Array([...big, 0xc0, 0x00]);
    for (let cut = 1; cut < stream.length; cut += 37) {
      const scanner = new PacketScanner();
      const seen: [number, number][] = [];
      const on = (type: number, total: number) => {
        seen.push([type, total]);
        return true;
      };
      expect(scanner.scan(stream.subarray(0, cut), on)).toBe(-1);
      expect(scanner.scan(stream.subarray(cut), on)).toBe(-1);
      expect(seen).toEqual([
        [3, 324],
        [12, 2],
      ]);
    }
    // 2^28 - 1, the largest length MQTT can express: four length bytes.
    const seen: number[] = [];
    new PacketScanner().scan(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0x7f]), (_t, total) => {
      seen.push(total);
      return true;
    });
    expect(seen).toEqual([1 + 4 + 268_435_455]);
    // A fifth length byte is malformed: refused at the packet's first byte.
    const fifth = new Uint8Array([0xc0, 0x00, 0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(new PacketScanner().scan(fifth, () => true)).toBe(2);
    // A refused packet: the offset of its first byte, so what came before it is still delivered.
    const refused = new Uint8Array([0xc0, 0x00, 0x30, 0x02, 1, 2]);
    expect(new PacketScanner().scan(refused, (t) => t !== 3)).toBe(2);
  });

  it("lets a burst through, then refills at the rate on the given clock", () => {
    let now = 0;
    const rate = new PublishRate({ now: () => now }, { publishBurst: 3, publishesPerSecond: 2 });
    expect([rate.take(), rate.take(), rate.take(), rate.take()]).toEqual([true, true, true, false]);
    now = 499;
    expect(rate.take()).toBe(false);
    now = 500;
    expect(rate.take()).toBe(true);
    expect(rate.take()).toBe(false);
  });
});

describe("aedes with the site's limits", () => {
  async function start() {
    const broker = await AedesBroker.start({ accounts: ACCOUNTS });
    cleanups.push(() => broker.stop());
    return broker;
  }

  it("passes a frame, and cuts off a 32 MB publish on the node's own topic before forwarding it", async () => {
    const broker = await start();
    const collector = await collectorOn(broker.port);
    const node = await connect(broker.port, nodeAccount.user, nodeAccount.password);
    await node.publishAsync(FRAME_TOPIC, Buffer.alloc(40, 7), { qos: 1 });
    await settle();
    expect(collector.got).toEqual([{ topic: FRAME_TOPIC, bytes: 40 }]);
    const heapBefore = process.memoryUsage().heapUsed;
    expect(await cutOff(node, () => node.publish(FRAME_TOPIC, Buffer.alloc(32 * 1024 * 1024, 1)))).toBe(true);
    await settle();
    expect(collector.got).toHaveLength(1);
    expect(broker.refusals.map((r) => r.kind)).toEqual(["packet-size"]);
    expect(broker.refusals[0]!.what).toMatch(/^33554\d+-byte packet > 4096$/);
    expect(broker.refusals[0]!.user).toBe(nodeAccount.user);
    // The broker did not buffer the payload (the client's own 32 MB buffer is most of any growth here).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(80 * 1024 * 1024);
  });

  it("refuses a retained message over the retained limit, and keeps nothing retained", async () => {
    const broker = await start();
    const node = await connect(broker.port, nodeAccount.user, nodeAccount.password);
    const topic = stateTopic(SITE, NODE_A);
    const big = Buffer.alloc(DEFAULT_BROKER_LIMITS.maxRetainedBytes + 1, 2);
    expect(await cutOff(node, () => node.publish(topic, big, { qos: 1, retain: true }))).toBe(true);
    expect(broker.refusals.map((r) => r.kind)).toEqual(["retained-size"]);
    const late = await collectorOn(broker.port);
    await settle();
    expect(late.got).toEqual([]);
  });

  it("cuts off a node that publishes faster than the bucket allows", async () => {
    const broker = await start();
    const collector = await collectorOn(broker.port);
    const node = await connect(broker.port, nodeAccount.user, nodeAccount.password);
    const burst = DEFAULT_BROKER_LIMITS.publishBurst;
    const flood = () => {
      for (let i = 0; i < 3 * burst; i++) node.publish(FRAME_TOPIC, Buffer.alloc(20, i & 0xff), { qos: 0 });
    };
    expect(await cutOff(node, flood)).toBe(true);
    await settle();
    expect(broker.refusals.map((r) => r.kind)).toEqual(["publish-rate"]);
    expect(collector.got.length).toBeGreaterThan(0);
    expect(collector.got.length).toBeLessThanOrEqual(burst + 1);
  });
});

const mosquitto = findMosquitto();
if (!mosquitto)
  console.log("SKIPPED mosquitto limits: mosquitto is not installed (apt-get install mosquitto)");

describe.skipIf(!mosquitto)("mosquitto with the site's limits", () => {
  it("cuts off a 32 MB publish on the node's own topic and forwards nothing of it", async () => {
    const broker = await MosquittoBroker.start({ accounts: ACCOUNTS });
    cleanups.push(() => broker.stop());
    const collector = await collectorOn(broker.port);
    const node = await connect(broker.port, nodeAccount.user, nodeAccount.password);
    await node.publishAsync(FRAME_TOPIC, Buffer.alloc(40, 7), { qos: 1 });
    await settle();
    expect(collector.got).toEqual([{ topic: FRAME_TOPIC, bytes: 40 }]);
    expect(await cutOff(node, () => node.publish(FRAME_TOPIC, Buffer.alloc(32 * 1024 * 1024, 1)))).toBe(true);
    await settle();
    expect(collector.got).toHaveLength(1);
  });
});
