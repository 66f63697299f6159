/**
 * The node's MQTT transport against a real broker (aedes in process) over real TCP, on the virtual clock.
 */
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { backoffDelayMs, DEFAULT_BACKOFF } from "../../firmware/node/transports/reconnect-backoff.js";
import { runVirtual, runVirtualUntil } from "../../host-sim/net/run.js";
import { FrameType } from "../../protocol/schema.js";
import { stateTopic, upTopic } from "../../protocol/topics.js";
import { AedesBroker } from "../../site/broker/broker.js";
import { ACCOUNTS, Collector, hex, makeSim, NODE_A, nodeTransport, SITE } from "./helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(sim: ReturnType<typeof makeSim>): Promise<AedesBroker> {
  const b = await AedesBroker.start({ accounts: ACCOUNTS, gate: sim.gate });
  cleanups.push(() => b.stop());
  return b;
}

/** Retained messages on `topic`, read by an independent npm mqtt client in real time. */
async function retained(
  port: number,
  topic: string,
): Promise<{ payload: string; retain: boolean } | undefined> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: "collector",
    password: "collector-secret",
    clientId: `probe-${Math.random()}`,
    reconnectPeriod: 0,
  });
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 500);
      c.on("message", (t, payload, packet) => {
        if (t !== topic) return;
        clearTimeout(timer);
        resolve({ payload: payload.toString("latin1"), retain: packet.retain });
      });
      c.subscribe(topic, { qos: 1 });
    });
  } finally {
    await c.endAsync(true);
  }
}

function frame(type: number, n: number): Uint8Array {
  return Uint8Array.of(0x20 | type, 0x83, n, n >> 8, 0xaa);
}

describe("MQTT transport on aedes (real TCP, virtual time)", () => {
  it("connects, says online, publishes QoS 1 and reports each PUBACK once, at a deterministic time", async () => {
    const sim = makeSim(1);
    const b = await broker(sim);
    const acks: [number, number][] = [];
    const states: boolean[] = [];
    const t = nodeTransport(sim, b.port, NODE_A, {
      onAck: (tag) => acks.push([tag, sim.clock.now()]),
      onConnection: (up) => states.push(up),
    });
    cleanups.push(() => t.stop());
    t.start();
    await runVirtualUntil(sim.clock, sim.gate, () => t.connected, 1000);
    expect(t.connected).toBe(true);
    expect(sim.clock.now()).toBe(5); // CONNACK = one link latency after the connect
    expect(t.send(FrameType.Telemetry, frame(4, 1), 101)).toBe(true);
    expect(t.send(FrameType.Birth, frame(1, 2), 102)).toBe(true);
    await runVirtual(sim.clock, sim.gate, 1000);
    expect(acks).toEqual([
      [101, 10],
      [102, 10],
    ]);
    expect(t.stats).toMatchObject({ published: 2, acked: 2, resent: 0, reconnects: 0, connectFailures: 0 });
    expect(t.inFlight).toBe(0);
    expect(states).toEqual([true]);
    expect(sim.gate.stalls).toEqual([]);
    // What the broker accepted: the online state, then the frames on their topics (birth retained).
    const accepted = b.accepted.map((m) => [m.topic, hex(m.payload), m.retain]);
    expect(accepted).toEqual([
      [stateTopic(SITE, NODE_A), hex(Buffer.from("online")), true],
      [upTopic(SITE, NODE_A, FrameType.Telemetry), hex(frame(4, 1)), false],
      [upTopic(SITE, NODE_A, FrameType.Birth), hex(frame(1, 2)), true],
    ]);
    expect(await retained(b.port, upTopic(SITE, NODE_A, FrameType.Birth))).toEqual({
      payload: Buffer.from(frame(1, 2)).toString("latin1"),
      retain: true,
    });
  });

  it("an abrupt close (power cut) makes the broker publish the retained 'offline' will", async () => {
    const sim = makeSim(2);
    const b = await broker(sim);
    const t = nodeTransport(sim, b.port, NODE_A);
    cleanups.push(() => t.stop());
    t.start();
    await runVirtual(sim.clock, sim.gate, 100);
    expect(await retained(b.port, stateTopic(SITE, NODE_A))).toEqual({ payload: "online", retain: true });
    // ECMA-419 close() sends no DISCONNECT: to the broker this is a node that lost power.
    sim.instances.at(-1)!.client.close();
    await runVirtual(sim.clock, sim.gate, 200);
    await new Promise((r) => setTimeout(r, 50));
    expect(await retained(b.port, stateTopic(SITE, NODE_A))).toEqual({ payload: "offline", retain: true });
  });

  it("a clean stop publishes 'offline' itself (no will on DISCONNECT)", async () => {
    const sim = makeSim(3);
    const b = await broker(sim);
    const t = nodeTransport(sim, b.port, NODE_A);
    t.start();
    await runVirtual(sim.clock, sim.gate, 100);
    t.stop();
    await runVirtual(sim.clock, sim.gate, 200);
    expect(await retained(b.port, stateTopic(SITE, NODE_A))).toEqual({ payload: "offline", retain: true });
    expect(t.connected).toBe(false);
  });

  it("keeps an idle connection alive with PINGREQ on the virtual clock", async () => {
    const sim = makeSim(4);
    const b = await broker(sim);
    const t = nodeTransport(sim, b.port, NODE_A, { keepAliveMs: 10_000 });
    cleanups.push(() => t.stop());
    t.start();
    await runVirtual(sim.clock, sim.gate, 60_000);
    expect(t.connected).toBe(true);
    expect(t.stats.reconnects).toBe(0);
    // The check runs every 5 s (half the interval) from CONNACK at t = 5 ms; the last packet received is the
    // SUBACK at 10 ms, then each PINGRESP 5 ms after its PINGREQ, so a check sees 4.99 s of silence (no
    // ping), the next 9.99 s (ping): pings at 10.005 s, 20.005 s, ... 50.005 s, five in the first minute.
    expect(b.pings).toBe(5);
    expect(sim.gate.stalls).toEqual([]);
  });

  it("survives a 10-minute broker outage: backs off with jitter, reconnects, re-sends, loses nothing", async () => {
    const sim = makeSim(5);
    const b = await broker(sim);
    const collector = new Collector(sim, b.port);
    cleanups.push(() => collector.close());
    const acked = new Set<number>();
    const t = nodeTransport(sim, b.port, NODE_A, { onAck: (tag) => acked.add(tag) });
    cleanups.push(() => t.stop());
    t.start();
    await runVirtual(sim.clock, sim.gate, 1000);
    const sent: Uint8Array[] = [];
    const sendAt = (atMs: number, n: number, type: number = FrameType.Telemetry): void => {
      sim.clock.at(atMs, () => {
        const f = frame(type, n);
        sent.push(f);
        expect(t.send(type, f, n)).toBe(true);
      });
    };
    for (let i = 0; i < 5; i++) sendAt(2000 + i * 1000, i);
    // The outage: the broker dies at 10 s; frames keep coming (telemetry and an alarm) while it is down.
    sim.clock.at(10_000, () => void b.stop());
    for (let i = 5; i < 15; i++)
      sendAt(10_000 + (i - 4) * 50_000, i, i === 9 ? FrameType.Alarm : FrameType.Telemetry);
    sim.clock.at(610_000, () => void b.restart());
    await runVirtual(sim.clock, sim.gate, 700_000);

    expect(acked.size).toBe(15);
    expect(t.inFlight).toBe(0);
    expect(t.stats.reconnects).toBe(1);
    expect(t.stats.connectFailures).toBeGreaterThan(5);
    expect(sim.gate.stalls).toEqual([]);
    // Every frame reached the collector through the broker (deduplicated by content here).
    const up = collector.unique("/up/telemetry").concat(collector.unique("/up/alarm"));
    expect(new Set(up)).toEqual(new Set(sent.map(hex)));
    // The reconnect attempts follow the backoff law: attempt k waits in [d/2, d), d = min(30 s, 1 s * 2^k).
    const attempts = sim.instances.filter((i) => i.id === `mw-${NODE_A}`).map((i) => i.atMs);
    const gaps = attempts.slice(2).map((at, k) => at - attempts[k + 1]!);
    gaps.forEach((gap, k) => {
      const d = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.initialMs * 2 ** (k + 1));
      // Each failed attempt costs one link latency (5 ms) before the error reaches the node.
      expect(gap - 5).toBeGreaterThanOrEqual(Math.floor(d / 2));
      expect(gap - 5).toBeLessThan(d);
    });
    expect(attempts.at(-1)!).toBeGreaterThanOrEqual(610_000);
    expect(attempts.at(-1)!).toBeLessThan(610_000 + DEFAULT_BACKOFF.maxMs + 10);
    expect(backoffDelayMs(0, DEFAULT_BACKOFF, () => 0)).toBe(500);
  });
});
