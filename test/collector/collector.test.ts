import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { encodeFrame } from "../../protocol/encode.js";
import { EXAMPLE_CONFIG_REFUSED } from "../../protocol/examples.js";
import { STATE_ONLINE, stateTopic, upTopic } from "../../protocol/topics.js";
import { Collector } from "../../site/collector/collector.js";
import { CollectorError } from "../../site/collector/errors.js";
import { FileCounterStore, KeyStore, MemoryCounterStore } from "../../site/collector/stores.js";
import { DEFAULT_APPLICATION_ID, eventTopic, toBase64 } from "../../site/network-server/chirpstack.js";
import { AlarmLevel, alarm, Channel, KEY_A, KEY_B, keys, NODE_A, NODE_B, seal, telemetry } from "./frames.js";

const SITE = "zhez-3";
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

/** What the network server publishes for a frame (only the fields the collector reads, plus a few). */
function chirpstackUp(devEui: string, bytes: Uint8Array, fPort = 10) {
  return enc({
    deviceInfo: { devEui, applicationId: DEFAULT_APPLICATION_ID },
    fCnt: 0,
    fPort,
    data: toBase64(bytes),
  });
}

describe("collector: verify, dedupe, reject", () => {
  it("accepts a frame once; the same frame by LoRaWAN, or again by MQTT, is a duplicate per path", () => {
    const c = new Collector({ keys: keys() });
    const f = seal(alarm(AlarmLevel.A1), 0, KEY_A);
    expect(c.onMqttMessage(upTopic(SITE, NODE_A, 2), f, 100)).toBe("accepted");
    expect(c.onMqttMessage(eventTopic(DEFAULT_APPLICATION_ID, NODE_A), chirpstackUp(NODE_A, f), 300)).toBe(
      "duplicate",
    );
    expect(c.ingest(NODE_A, f, "mqtt", 400)).toBe("duplicate");
    const r = c.results();
    expect(r).toMatchObject({
      accepted: 1,
      duplicates: 2,
      framesByPath: { mqtt: 2, lorawan: 1 },
      duplicatesByPath: { mqtt: 1, lorawan: 1 },
      rejects: {},
    });
    expect(c.frames).toEqual([{ atMs: 100, nodeId: NODE_A, counter: 0, type: "alarm", path: "mqtt" }]);
  });

  it("a frame first seen by LoRaWAN is accepted there and its MQTT copy dropped", () => {
    const c = new Collector({ keys: keys() });
    const f = seal(telemetry(), 7, KEY_A);
    expect(c.onMqttMessage(eventTopic(DEFAULT_APPLICATION_ID, NODE_A), chirpstackUp(NODE_A, f), 50)).toBe(
      "accepted",
    );
    expect(c.onMqttMessage(upTopic(SITE, NODE_A, 4), f, 60)).toBe("duplicate");
    expect(c.results().acceptedByPath).toEqual({ mqtt: 0, lorawan: 1 });
  });

  it("rejects with the reason: bad MAC (wrong key, altered byte), no MAC, unknown node, bad event", () => {
    const c = new Collector({ keys: keys() });
    expect(c.ingest(NODE_A, seal(telemetry(), 1, KEY_B), "mqtt", 1)).toBe("rejected");
    const altered = seal(telemetry(), 2, KEY_A);
    altered[2]! ^= 0x01;
    expect(c.ingest(NODE_A, altered, "mqtt", 2)).toBe("rejected");
    expect(c.ingest(NODE_A, encodeFrame(telemetry()), "mqtt", 3)).toBe("rejected");
    expect(c.ingest("70b3d57ed0000c03", seal(telemetry(), 1, KEY_A), "mqtt", 4)).toBe("rejected");
    const topic = eventTopic(DEFAULT_APPLICATION_ID, NODE_A);
    expect(c.onMqttMessage(topic, chirpstackUp(NODE_B, seal(telemetry(), 3, KEY_A)), 5)).toBe("rejected");
    expect(c.onMqttMessage(topic, chirpstackUp(NODE_A, seal(telemetry(), 3, KEY_A), 11), 6)).toBe("rejected");
    expect(c.onMqttMessage(topic, new TextEncoder().encode("{not json"), 7)).toBe("rejected");
    const r = c.results();
    expect(r.rejects).toEqual({ "bad-mac": 2, unauthenticated: 1, "unknown-node": 1, "bad-event": 3 });
    expect(r.accepted).toBe(0);
    expect(r.rejectLog[0]).toMatchObject({ nodeId: NODE_A, reason: "bad-mac", path: "mqtt" });
    expect(r.rejectLog[0]!.message).toMatch(/bad MAC [0-9a-f]{8} on frame from node 70b3d57ed0000a01/);
    expect(r.rejectLog[4]!.message).toMatch(/deviceInfo.devEui 70b3d57ed0000b02 does not match/);
    expect(r.rejectLog[5]!.message).toMatch(/fPort 11 is not minewatch's 10/);
  });

  it("a replayed frame the collector does not remember (after a restart) is rejected as replayed-counter", () => {
    const store = new MemoryCounterStore();
    const first = new Collector({ keys: keys(), counters: store });
    const old = [0, 1, 2].map((n) => seal(telemetry(n), n, KEY_A));
    for (const f of old) expect(first.ingest(NODE_A, f, "mqtt", 10)).toBe("accepted");
    expect(store.counters).toEqual({ [NODE_A]: 2 });
    const restarted = new Collector({ keys: keys(), counters: store });
    expect(restarted.lastCounter(NODE_A)).toBe(2);
    for (const f of old) expect(restarted.ingest(NODE_A, f, "mqtt", 20)).toBe("rejected");
    expect(restarted.ingest(NODE_A, seal(telemetry(), 3, KEY_A), "mqtt", 21)).toBe("accepted");
    expect(restarted.results().rejects).toEqual({ "replayed-counter": 3 });
  });

  it("the file counter store survives the process: a new collector on the same file refuses old frames", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mw-counters-"));
    const file = path.join(dir, "counters.json");
    try {
      const a = new Collector({ keys: keys(), counters: new FileCounterStore(file) });
      const f = seal(alarm(AlarmLevel.A2), 41, KEY_A);
      expect(a.ingest(NODE_A, f, "lorawan", 1)).toBe("accepted");
      expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ [NODE_A]: 41 });
      const b = new Collector({ keys: keys(), counters: new FileCounterStore(file) });
      expect(b.ingest(NODE_A, f, "lorawan", 2)).toBe("rejected");
      fs.writeFileSync(file, JSON.stringify({ [NODE_A]: -1 }));
      expect(() => new FileCounterStore(file).load()).toThrow(CollectorError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("out-of-order frames inside the window are accepted once each (outbox sends alarms first)", () => {
    const c = new Collector({ keys: keys() });
    const frames = [5, 3, 4, 0, 1, 2].map((n) => seal(telemetry(n), n, KEY_A));
    for (const f of frames) expect(c.ingest(NODE_A, f, "mqtt", 1)).toBe("accepted");
    for (const f of frames) expect(c.ingest(NODE_A, f, "lorawan", 2)).toBe("duplicate");
    expect(c.frames.map((f) => f.counter)).toEqual([5, 3, 4, 0, 1, 2]);
  });

  it("keys are checked: 16 bytes, named node, hex", () => {
    expect(() => KeyStore.fromHex({ [NODE_A]: "00" })).toThrow(/32 hex digits, got "00"/);
    expect(() => new KeyStore().set(NODE_A, new Uint8Array(8))).toThrow(/16 bytes, got 8/);
    expect(KeyStore.fromHex({ [NODE_A]: "0102030405060708090a0b0c0d0e0f10" }).get(NODE_A)).toEqual(KEY_A);
  });

  it("accepts a config-refused frame like any other and lists the refusal, what and why, per node", () => {
    const c = new Collector({ keys: keys() });
    expect(c.onMqttMessage(upTopic(SITE, NODE_A, 6), seal(EXAMPLE_CONFIG_REFUSED, 3, KEY_A), 500)).toBe(
      "accepted",
    );
    expect(c.frames.map((f) => f.type)).toEqual(["config-refused"]);
    expect(c.results().configRefusals).toEqual([
      {
        atMs: 500,
        nodeId: NODE_A,
        counter: 3,
        revision: 8,
        param: 3,
        paramName: "ch4A2CentiPctVol",
        reason: 2,
        reasonName: "looser-than-profile",
        value: 300,
      },
    ]);
  });

  it("feeds the alarm view and node state", () => {
    const c = new Collector({ keys: keys() });
    c.onMqttMessage(`minewatch/${SITE}/${NODE_A}/state`, new TextEncoder().encode("online"), 0);
    c.ingest(NODE_A, seal(alarm(AlarmLevel.A2, Channel.Co, 250, 2), 0, KEY_A), "mqtt", 5000);
    const r = c.results();
    expect(r.activeAlarms).toEqual([
      expect.objectContaining({
        nodeId: NODE_A,
        channel: Channel.Co,
        level: AlarmLevel.A2,
        raisedAtMs: 5000,
        nodeOnsetMs: 3000,
      }),
    ]);
    expect(r.nodes).toEqual([{ nodeId: NODE_A, lastCounter: 0, state: "online" }]);
  });

  it("keeps online/offline state only for nodes it holds a key for (issue 14 item 11)", () => {
    const c = new Collector({ keys: keys() });
    const online = new TextEncoder().encode(STATE_ONLINE);
    for (let i = 0; i < 100; i++) {
      const id = (0x70b3d57ed1000000 + i).toString(16).padStart(16, "0");
      expect(c.onMqttMessage(stateTopic("zhez-3", id), online, i)).toBe("rejected");
    }
    expect(c.onMqttMessage(stateTopic("zhez-3", NODE_A), online, 200)).toBeUndefined();
    const r = c.results();
    expect(r.nodes.map((n) => n.nodeId)).toEqual([NODE_A]);
    expect(r.rejects["unknown-node"]).toBe(100);
  });
});
