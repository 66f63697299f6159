/**
 * The runtime over LoRaWAN (firmware/node/runtime/lorawan-link.ts over the AT-modem transport, a LoRa-E5
 * model at the board's UART): the delivery policy of protocol/SPEC.md "LoRaWAN delivery". Every frame is a
 * confirmed uplink and leaves the outbox only on the network's ACK; an alarm the network does not
 * acknowledge stays in the outbox and is sent again, also across a reboot, until it is.
 */
import { describe, expect, it } from "vitest";
import { LoRaWanLink } from "../../firmware/node/runtime/lorawan-link.js";
import { LoraE5Model, type LoraE5Uplink } from "../../host-sim/chips/lora-e5.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { createSimNode } from "../../host-sim/node/sim-node.js";
import { Prng } from "../../host-sim/prng.js";
import { decodeFrame } from "../../protocol/decode.js";
import { AlarmLevel, Channel, FrameType } from "../../protocol/schema.js";

const MODEM_PORT = 1;

function lorawanNode(gatewayUp: (tMs: number) => boolean) {
  const clock = new VirtualClock();
  const prng = new Prng(21);
  const uplinks: (LoraE5Uplink & { acked: boolean })[] = [];
  let modem: LoraE5Model | undefined;
  const node = createSimNode({
    clock,
    seed: 12,
    variant: "gas",
    sensorsWarm: true,
    // Methane at the A2 level from 30 s: an alarm frame (and the interlock's status frames).
    sources: { ch4PctVol: (t) => (t >= 30_000 ? 1.6 : 0.05) },
    transports: (n) => {
      modem ??= new LoraE5Model(n.board, {
        port: MODEM_PORT,
        devEui: n.nodeIdHex,
        network: (u) => {
          const acked = gatewayUp(u.atMs);
          uplinks.push({ ...u, bytes: u.bytes.slice(), acked });
          return { ack: acked };
        },
      });
      return [
        new LoRaWanLink({
          serial: { io: n.device.io.Serial, port: MODEM_PORT },
          clock,
          random: () => prng.next(),
          region: "EU868",
          dataRate: 5,
        }),
      ];
    },
  });
  return { clock, node, uplinks, modem: () => modem! };
}

function isCh4A2(bytes: Uint8Array): boolean {
  const f = decodeFrame(bytes).frame;
  return f.type === FrameType.Alarm && f.channel === Channel.Ch4 && f.level === AlarmLevel.A2;
}

describe("runtime over LoRaWAN: delivery policy", () => {
  it("sends every frame confirmed and drops a frame from the outbox only on the network's ACK", () => {
    const { clock, node, uplinks, modem } = lorawanNode(() => true);
    clock.runUntil(175_000);
    expect(modem().joined).toBe(true);
    expect(uplinks.length).toBeGreaterThan(3);
    expect(uplinks.every((u) => u.confirmed)).toBe(true);
    expect(uplinks.some((u) => isCh4A2(u.bytes))).toBe(true);
    expect(node.outbox.depth).toBe(0);
    expect(node.transports[0]!.counters.txFailCount).toBe(0);
  });

  it("retries an unacknowledged alarm until the network acknowledges it, and keeps it in the outbox meanwhile", () => {
    // The gateway hears nothing from 20 s to 150 s.
    const down = (t: number) => t >= 20_000 && t < 150_000;
    const { clock, node, uplinks } = lorawanNode((t) => !down(t));
    clock.runUntil(149_000);
    const tries = uplinks.filter((u) => isCh4A2(u.bytes));
    // Each confirmed uplink goes NbTrials (4) times before the modem gives up; the link hands it back.
    expect(tries.length).toBeGreaterThanOrEqual(8);
    expect(tries.every((u) => !u.acked && u.confirmed)).toBe(true);
    // Same bytes every time: same counter, so the collector can drop a copy.
    expect(new Set(tries.map((u) => Buffer.from(u.bytes).toString("hex"))).size).toBe(1);
    expect(node.transports[0]!.counters.txFailCount).toBeGreaterThanOrEqual(2);
    const alarmIds = node.outbox.waitingIds().filter((id) => isCh4A2(node.outbox.frameBytes(id)));
    expect(alarmIds).toHaveLength(1);
    clock.runUntil(240_000);
    const acked = uplinks.filter((u) => isCh4A2(u.bytes) && u.acked);
    expect(acked).toHaveLength(1);
    expect(acked[0]!.atMs).toBeGreaterThanOrEqual(150_000);
    expect(node.outbox.waitingIds().some((id) => isCh4A2(node.outbox.frameBytes(id)))).toBe(false);
  });

  it("still holds an unacknowledged alarm after a reboot and delivers it with the same bytes", () => {
    const down = (t: number) => t >= 20_000 && t < 200_000;
    const { clock, node, uplinks } = lorawanNode((t) => !down(t));
    clock.runUntil(100_000);
    const before = uplinks.find((u) => isCh4A2(u.bytes))!;
    expect(before.acked).toBe(false);
    node.reboot();
    clock.runUntil(300_000);
    // The frame from before the reboot reaches the network, acknowledged, byte for byte the same (a new
    // boot may raise its own A2 frame too: the collector tells them apart by their counters).
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    const acked = uplinks.filter((u) => isCh4A2(u.bytes) && u.acked).map((u) => hex(u.bytes));
    expect(acked).toContain(hex(before.bytes));
    expect(node.outbox.waitingIds().some((id) => isCh4A2(node.outbox.frameBytes(id)))).toBe(false);
  });
});
