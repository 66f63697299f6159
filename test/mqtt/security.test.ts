/**
 * Broker security (aedes): per-node credentials and the ACL. A node that publishes on another node's topic
 * is refused, its frame reaches nobody, and the broker drops its connection (MQTT 3.1.1 has no negative
 * PUBACK: MQTT-3.3.5-2).
 */
import { afterEach, describe, expect, it } from "vitest";
import { runVirtual } from "../../host-sim/net/run.js";
import { FrameType } from "../../protocol/schema.js";
import { downFilter, downTopic, stateTopic, upTopic } from "../../protocol/topics.js";
import { type BrokerAccount, mayPublish, maySubscribe, mosquittoAcl } from "../../site/broker/acl.js";
import { AedesBroker } from "../../site/broker/broker.js";
import type { MqttHostError } from "../../site/broker/errors.js";
import { ACCOUNTS, Collector, makeSim, NODE_A, NODE_B, SITE } from "./helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const nodeA = ACCOUNTS[0]!;
const collectorAccount = ACCOUNTS[2]!;

describe("ACL rule", () => {
  it("lets a node publish only its own uplinks and state, and subscribe only to its own downlinks", () => {
    expect(mayPublish(nodeA, upTopic(SITE, NODE_A, FrameType.Alarm))).toBe(true);
    expect(mayPublish(nodeA, stateTopic(SITE, NODE_A))).toBe(true);
    expect(mayPublish(nodeA, upTopic(SITE, NODE_B, FrameType.Alarm))).toBe(false);
    expect(mayPublish(nodeA, stateTopic(SITE, NODE_B))).toBe(false);
    expect(mayPublish(nodeA, downTopic(SITE, NODE_A, FrameType.Config))).toBe(false);
    expect(mayPublish(nodeA, `minewatch/other/${NODE_A}/up/alarm`)).toBe(false);
    expect(mayPublish(nodeA, "anything/else")).toBe(false);
    expect(maySubscribe(nodeA, downFilter(SITE, NODE_A))).toBe(true);
    expect(maySubscribe(nodeA, downFilter(SITE, NODE_B))).toBe(false);
    expect(maySubscribe(nodeA, "minewatch/#")).toBe(false);
  });

  it("lets a collector read its site and publish only downlinks", () => {
    expect(maySubscribe(collectorAccount, `minewatch/${SITE}/#`)).toBe(true);
    expect(maySubscribe(collectorAccount, "minewatch/other-site/#")).toBe(false);
    expect(mayPublish(collectorAccount, downTopic(SITE, NODE_B, FrameType.AlarmAck))).toBe(true);
    expect(mayPublish(collectorAccount, upTopic(SITE, NODE_B, FrameType.Alarm))).toBe(false);
  });

  it("writes the same rule as a mosquitto acl_file", () => {
    const acl = mosquittoAcl(ACCOUNTS as BrokerAccount[]);
    expect(acl).toContain(`user mw-${NODE_A}\ntopic write minewatch/${SITE}/${NODE_A}/up/+\n`);
    expect(acl).toContain(`topic read minewatch/${SITE}/${NODE_A}/down/+`);
    expect(acl).toContain(
      `user collector\ntopic read minewatch/${SITE}/#\ntopic write minewatch/${SITE}/+/down/+`,
    );
  });
});

describe("aedes broker security (real TCP)", () => {
  it("refuses a node publishing on another node's topic: not delivered, connection dropped", async () => {
    const sim = makeSim(11);
    const b = await AedesBroker.start({ accounts: ACCOUNTS, gate: sim.gate });
    cleanups.push(() => b.stop());
    const collector = new Collector(sim, b.port);
    cleanups.push(() => collector.close());
    await runVirtual(sim.clock, sim.gate, 100);
    const errors: MqttHostError[] = [];
    const acks: number[] = [];
    const spoof = new sim.Client({
      host: "127.0.0.1",
      port: b.port,
      id: `mw-${NODE_A}`,
      user: `mw-${NODE_A}`,
      password: "node-a-secret",
      onControl(m) {
        // Own topic first (allowed); once it is acknowledged, node B's alarm topic (refused).
        if (m.operation === 2)
          this.write(Uint8Array.of(1), { topic: upTopic(SITE, NODE_A, FrameType.Telemetry), QoS: 1 });
        if (m.operation === 4) {
          acks.push(m.id);
          this.write(Uint8Array.of(2), { topic: upTopic(SITE, NODE_B, FrameType.Alarm), QoS: 1 });
        }
      },
      onError(e) {
        if (e) errors.push(e);
      },
    });
    cleanups.push(() => spoof.close());
    await runVirtual(sim.clock, sim.gate, 2000);
    expect(b.refusals).toEqual([
      {
        kind: "publish",
        user: `mw-${NODE_A}`,
        clientId: `mw-${NODE_A}`,
        what: upTopic(SITE, NODE_B, FrameType.Alarm),
      },
    ]);
    expect(acks).toEqual([1]);
    expect(errors.map((e) => e.code)).toEqual(["connection-lost"]);
    expect(collector.received.map((r) => r.topic)).toEqual([upTopic(SITE, NODE_A, FrameType.Telemetry)]);
    expect(sim.gate.stalls).toEqual([]);
  });

  it("refuses a subscription to another node's downlinks with SUBACK 0x80", async () => {
    const sim = makeSim(12);
    const b = await AedesBroker.start({ accounts: ACCOUNTS, gate: sim.gate });
    cleanups.push(() => b.stop());
    const granted: number[][] = [];
    const c = new sim.Client({
      host: "127.0.0.1",
      port: b.port,
      id: `mw-${NODE_A}`,
      user: `mw-${NODE_A}`,
      password: "node-a-secret",
      onControl(m) {
        if (m.operation === 2)
          this.write(null, { operation: 8, items: [{ topic: downFilter(SITE, NODE_A), QoS: 1 }] });
        if (m.operation === 9) {
          granted.push(m.payload ?? []);
          if (granted.length === 1)
            this.write(null, { operation: 8, items: [{ topic: downFilter(SITE, NODE_B), QoS: 1 }] });
        }
      },
    });
    cleanups.push(() => c.close());
    await runVirtual(sim.clock, sim.gate, 1000);
    expect(granted).toEqual([[1], [0x80]]);
  });

  it("refuses a wrong password (CONNACK 4) and a node logging in under another client id (CONNACK 2)", async () => {
    const sim = makeSim(13);
    const b = await AedesBroker.start({ accounts: ACCOUNTS, gate: sim.gate });
    cleanups.push(() => b.stop());
    const errors: string[] = [];
    const onError = (e?: MqttHostError): void => {
      errors.push(`${e?.code} ${e?.value}`);
    };
    new sim.Client({
      host: "127.0.0.1",
      port: b.port,
      id: `mw-${NODE_A}`,
      user: `mw-${NODE_A}`,
      password: "wrong-pass",
      onError,
    });
    await runVirtual(sim.clock, sim.gate, 100);
    new sim.Client({
      host: "127.0.0.1",
      port: b.port,
      id: `mw-${NODE_B}`,
      user: `mw-${NODE_A}`,
      password: "node-a-secret",
      onError,
    });
    await runVirtual(sim.clock, sim.gate, 200);
    expect(errors).toEqual(["refused 4", "refused 2"]);
    expect(b.refusals.map((r) => r.what)).toEqual(["bad user name or password", "identifier rejected"]);
  });
});
