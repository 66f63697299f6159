/**
 * MqttSession reconnect back-off (site/collector/session.ts): after a broker loss the delay doubles from
 * reconnectMs up to reconnectMaxMs, so a long outage costs a few real TCP attempts, not one a second; a
 * CONNACK resets it, and the session is back at most reconnectMaxMs after the broker.
 */
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { bindMqttClient } from "../../host-sim/mqtt/client.js";
import { NetGate } from "../../host-sim/net/gate.js";
import { runVirtual } from "../../host-sim/net/run.js";
import { AedesBroker } from "../../site/broker/broker.js";
import { MqttSession } from "../../site/collector/session.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function outage(reconnectMaxMs: number | undefined) {
  const clock = new VirtualClock();
  const gate = new NetGate(clock);
  const broker = await AedesBroker.start({ gate });
  cleanups.push(() => broker.stop());
  const s = new MqttSession({
    Client: bindMqttClient(gate),
    clock,
    host: broker.host,
    port: broker.port,
    clientId: "c",
    subscriptions: [],
    reconnectMs: 1000,
    ...(reconnectMaxMs !== undefined ? { reconnectMaxMs } : {}),
  });
  cleanups.push(() => s.close());
  clock.at(1000, () => void broker.stop());
  clock.at(61_000, () => void broker.restart());
  let backAtMs = -1;
  clock.setTimer(
    () => {
      if (backAtMs < 0 && s.connected && clock.now() > 61_000) backAtMs = clock.now();
    },
    100,
    100,
  );
  await runVirtual(clock, gate, 70_000);
  return { s, backAtMs };
}

describe("MqttSession reconnect back-off", () => {
  it("1, 2, 4, 4, ... s during a 60 s outage; back within 4 s of the broker", async () => {
    const fixed = await outage(undefined);
    const backoff = await outage(4000);
    // A fixed 1 s: about one failed attempt per second of outage.
    expect(fixed.s.counters.connectionLosses).toBeGreaterThan(50);
    // Attempts at +1, +3, +7, +11, ... s after the loss: 1 + 1 + 14 within 60 s.
    expect(backoff.s.counters.connectionLosses).toBeGreaterThanOrEqual(14);
    expect(backoff.s.counters.connectionLosses).toBeLessThanOrEqual(18);
    expect(backoff.s.counters.connects).toBe(2);
    expect(backoff.backAtMs).toBeGreaterThan(61_000);
    expect(backoff.backAtMs).toBeLessThanOrEqual(61_000 + 4000 + 200);
  });
});
