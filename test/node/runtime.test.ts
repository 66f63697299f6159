/**
 * The node runtime on a simulated gas node (real drivers, chip models, flash outbox, key-value storage) over
 * an ideal link: boot, the alarm policy, periods, downlinks, counters across reboots.
 */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { sealDownlink } from "../../host-sim/node/downlink.js";
import { IdealLink } from "../../host-sim/node/ideal-link.js";
import {
  createSimNode,
  type SimNode,
  type SimNodeOptions,
  sha256First32,
} from "../../host-sim/node/sim-node.js";
import { FrameVerifier } from "../../protocol/auth.js";
import { encodeConfig } from "../../protocol/config-record.js";
import { decodeFrame } from "../../protocol/decode.js";
import type { AlarmFrame, BirthFrame, StatusFrame } from "../../protocol/frames.js";
import { AlarmLevel, Channel, FrameType } from "../../protocol/schema.js";
import { nobleFrameMac } from "../../site/frame-mac.js";

interface Rig {
  clock: VirtualClock;
  node: SimNode;
  link: IdealLink;
}

function rig(extra: Partial<SimNodeOptions> = {}, linkUp = true): Rig {
  const clock = new VirtualClock();
  let link!: IdealLink;
  const node = createSimNode({
    clock,
    seed: 7,
    variant: "gas",
    sensorsWarm: true,
    transports: () => {
      link = new IdealLink(clock, { up: linkUp });
      return [link];
    },
    ...extra,
  });
  return { clock, node, link: link! };
}

/** Waiting frames in the outbox, decoded, in sending order. */
function waiting(node: SimNode) {
  return node.outbox.waitingIds().map((id) => decodeFrame(node.outbox.frameBytes(id)).frame);
}

function delivered(link: IdealLink) {
  return link.delivered.map((d) => decodeFrame(d.bytes).frame);
}

describe("node runtime: boot", () => {
  it("queues a sealed birth frame at boot carrying identity, capabilities and the config hash", () => {
    const { node } = rig({}, false);
    const frames = waiting(node);
    expect(frames).toHaveLength(1);
    const birth = frames[0] as BirthFrame;
    expect(birth.type).toBe(FrameType.Birth);
    expect([...birth.nodeId]).toEqual([...node.nodeId]);
    expect(birth.capabilities).toBe(1 | 2 | 4 | 8 | 64); // CH4 CO O2 H2S + MQTT
    expect(birth.configHash).toBe(sha256First32(encodeConfig(node.runtime.config)));
    const verifier = new FrameVerifier(nobleFrameMac, () => node.key);
    const id = node.outbox.waitingIds()[0]!;
    expect(verifier.verify(node.nodeIdHex, node.outbox.frameBytes(id)).counter).toBe(0);
  });
});

describe("node runtime: alarm policy", () => {
  it("puts the alarm frame in the outbox and on the link in the same sample that crosses the set-point", () => {
    const stepAtMs = 30_500;
    const { clock, node, link } = rig({ sources: { ch4PctVol: (t) => (t < stepAtMs ? 0.05 : 1.2) } });
    const ch4 = () => node.runtime.gas!.pipelines[Channel.Ch4]!;
    let crossedAtMs = -1;
    while (clock.now() < 60_000) {
      clock.step();
      if (crossedAtMs < 0 && ch4().value >= 0.8) {
        crossedAtMs = clock.now();
        // Same callback: the alarm frames are already queued, most severe first, and handed to the link.
        const alarms = waiting(node).filter((f) => f.type === FrameType.Alarm) as AlarmFrame[];
        expect(alarms.map((a) => a.level)).toEqual([AlarmLevel.A2, AlarmLevel.A1]);
        expect(alarms[0]).toMatchObject({ channel: Channel.Ch4, value: 120, ageS: 0 });
        expect(node.outbox.inFlight).toBeGreaterThanOrEqual(2);
      }
    }
    expect(crossedAtMs).toBeGreaterThan(stepAtMs);
    expect(crossedAtMs - stepAtMs).toBeLessThanOrEqual(2000); // the MIPEX answers the request of the previous poll
    const first = link.delivered.find((d) => d.frameType === FrameType.Alarm)!;
    expect(first.atMs).toBe(crossedAtMs + 5);
    expect(node.runtime.levelsOf(Channel.Ch4)).toContain(AlarmLevel.A2);
  });
});

describe("node runtime: periods", () => {
  it("sends telemetry and status on their configured periods with readings, battery, health", () => {
    const { clock, link } = rig({ sources: { coPpm: () => 12, ch4PctVol: () => 0.31 } });
    clock.runUntil(900_000 + 100);
    const frames = delivered(link);
    const tele = link.delivered.filter((d) => d.frameType === FrameType.Telemetry);
    const status = link.delivered.filter((d) => d.frameType === FrameType.Status);
    expect(tele.map((d) => d.atMs)).toEqual(Array.from({ length: 15 }, (_, i) => (i + 1) * 60_000 + 5));
    expect(status.map((d) => d.atMs)).toEqual([900_005]);
    const last = frames.filter((f) => f.type === FrameType.Telemetry).at(-1)!;
    expect(last).toMatchObject({ ch4CentiPctVol: 31, coPpm: 12, o2DeciPctVol: 209, h2sDeciPpm: 0 });
    const st = frames.find((f) => f.type === FrameType.Status) as StatusFrame;
    expect(st.uptimeS).toBe(900);
    // 3.7 V read through the 1:2 divider and the 10-bit ADC: within one LSB (3300 / 1023 mV x 2).
    expect(Math.abs(st.batteryMv - 3700)).toBeLessThanOrEqual((3300 / 1023) * 2);
    expect(st.sensorFaults).toBe(0);
    // Birth and 15 telemetry frames were handed over and acknowledged before it was built (depth 0).
    expect(st.radioTxCount).toBe(16);
    expect(st.outboxDepth).toBe(0);
  });
});

describe("node runtime: downlinks", () => {
  it("applies a config change, persists it, and acknowledges it with a birth frame carrying the new hash", () => {
    const { clock, node, link } = rig();
    clock.runUntil(1000);
    const before = node.runtime.configHash();
    // telemetryPeriodS = 30, ch4 A1 = 0.5 %vol, revision 7.
    link.downlink(
      FrameType.Config,
      sealDownlink(
        {
          type: FrameType.Config,
          revision: 7,
          entries: [
            { param: 0, value: 30 },
            { param: 2, value: 50 },
          ],
        },
        1,
        node.key,
      ),
    );
    clock.runUntil(2000);
    expect(node.runtime.config.revision).toBe(7);
    const births = delivered(link).filter((f) => f.type === FrameType.Birth) as BirthFrame[];
    expect(births).toHaveLength(2);
    expect(births[1]!.configHash).not.toBe(before);
    expect(births[1]!.configHash).toBe(node.runtime.configHash());
    expect(node.runtime.gas!.pipelines[Channel.Ch4]!.settings.a1).toEqual({ value: 0.5, hysteresis: 0.05 });
    clock.runUntil(62_000);
    // The periods restart when the config is applied (downlink arrives at 1005; frames land 5 ms later).
    const teleTimes = link.delivered.filter((d) => d.frameType === FrameType.Telemetry).map((d) => d.atMs);
    expect(teleTimes).toEqual([31_010, 61_010]);
    // The configuration survives a reboot.
    node.reboot();
    expect(node.runtime.config.revision).toBe(7);
    expect(node.runtime.configLoadError).toBe("");
  });

  it("refuses an invalid config (set-points out of order) with a reason and keeps the old one", () => {
    const { clock, node, link } = rig();
    const before = node.runtime.configHash();
    link.downlink(
      FrameType.Config,
      sealDownlink(
        {
          type: FrameType.Config,
          revision: 2,
          entries: [
            { param: 2, value: 200 },
            { param: 3, value: 100 },
          ],
        },
        1,
        node.key,
      ),
    );
    clock.runUntil(100);
    expect(node.runtime.configRefused).toBe(1);
    expect(node.runtime.lastDownlinkError).toMatch(/ch4A1CentiPctVol 200 > ch4A2CentiPctVol 100/);
    expect(node.runtime.config.revision).toBe(0);
    const births = delivered(link).filter((f) => f.type === FrameType.Birth) as BirthFrame[];
    expect(births.map((b) => b.configHash)).toEqual([before, before]);
  });

  it("rejects a downlink with a bad MAC or a replayed counter, also after a reboot", () => {
    const { clock, node, link } = rig();
    const sync = sealDownlink({ type: FrameType.TimeSync, unixS: 1_700_000_000, millis: 250 }, 5, node.key);
    link.downlink(
      FrameType.TimeSync,
      sealDownlink({ type: FrameType.TimeSync, unixS: 1, millis: 0 }, 4, new Uint8Array(16)),
    );
    clock.runUntil(100);
    expect(node.runtime.downlinksRejected).toBe(1);
    expect(node.runtime.lastDownlinkError).toMatch(/bad MAC/);
    link.downlink(FrameType.TimeSync, sync);
    clock.runUntil(200);
    expect(node.runtime.downlinksAccepted).toBe(1);
    node.reboot();
    const link2 = node.transports[0] as IdealLink;
    link2.downlink(FrameType.TimeSync, sync);
    clock.runUntil(300);
    expect(node.runtime.downlinksRejected).toBe(1);
    expect(node.runtime.lastDownlinkError).toMatch(/replayed/);
  });

  it("time sync sets the node's unix time and is acknowledged by a status frame", () => {
    const { clock, node, link } = rig();
    clock.runUntil(10_000);
    link.downlink(
      FrameType.TimeSync,
      sealDownlink({ type: FrameType.TimeSync, unixS: 1_700_000_000, millis: 250 }, 1, node.key),
    );
    clock.runUntil(10_010);
    expect(node.runtime.unixTimeMs()).toBe(1_700_000_000_250 + 5);
    const status = link.delivered.filter((d) => d.frameType === FrameType.Status);
    expect(status.map((d) => d.atMs)).toEqual([10_010]);
  });

  it("an alarm acknowledge clears a latched A2 once the gas is gone, and is answered by an alarm frame", () => {
    let ch4 = 0.05;
    const { clock, node, link } = rig({ sources: { ch4PctVol: () => ch4 } });
    clock.runUntil(20_000);
    ch4 = 1.3;
    clock.runUntil(40_000);
    ch4 = 0.05;
    clock.runUntil(120_000);
    // A1 has cleared by itself; A2 is latched (EN 60079-29-1: a latching alarm needs a deliberate reset).
    expect(node.runtime.levelsOf(Channel.Ch4)).toEqual([AlarmLevel.A2]);
    const ack = (n: number) =>
      link.downlink(
        FrameType.AlarmAck,
        sealDownlink({ type: FrameType.AlarmAck, channel: 0, level: 2 }, n, node.key),
      );
    ack(1);
    clock.runUntil(121_000);
    expect(node.runtime.levelsOf(Channel.Ch4)).toEqual([]);
    const alarms = delivered(link).filter((f) => f.type === FrameType.Alarm) as AlarmFrame[];
    expect(alarms.at(-1)).toMatchObject({ channel: 0, level: AlarmLevel.Clear });
    // An acknowledge while the gas is still there changes nothing and says so (the current level).
    ch4 = 1.3;
    clock.runUntil(130_000);
    ack(2);
    clock.runUntil(131_000);
    const after = delivered(link).filter((f) => f.type === FrameType.Alarm) as AlarmFrame[];
    expect(after.at(-1)).toMatchObject({ channel: 0, level: AlarmLevel.A2 });
    expect(node.runtime.levelsOf(Channel.Ch4)).toContain(AlarmLevel.A2);
  });
});

describe("node runtime: reboots and the watchdog", () => {
  it("keeps frame counters monotonic across reboots (reserved blocks: a cut can skip, never reuse)", () => {
    const { clock, node } = rig({}, false);
    clock.runUntil(5 * 60_000 + 10);
    const counters1 = node.outbox.waitingIds().map((id) => node.outbox.counterOf(id));
    node.reboot();
    node.reboot();
    clock.runUntil(clock.now() + 120_000);
    const all = node.outbox.waitingIds().map((id) => node.outbox.counterOf(id));
    // Unacknowledged frames from before the reboots are still there, with their own counters.
    for (const c of counters1) expect(all).toContain(c);
    const fresh = all.filter((c) => !counters1.includes(c));
    expect(Math.min(...fresh)).toBeGreaterThan(Math.max(...counters1));
    expect(new Set(all).size).toBe(all.length);
  });

  it("trips on a sensor loop that keeps failing and reboots the node", () => {
    const { clock, node } = rig();
    clock.runUntil(5000);
    // The MIPEX port's driver is closed under the runtime: every poll now throws (a stuck loop).
    node.sensors!.gasPorts[0]!.close();
    clock.runUntil(25_000);
    expect(node.watchdogTrips).toHaveLength(1);
    expect(node.watchdogTrips[0]![1]).toBe("gas-port-0");
    expect(node.watchdogTrips[0]![0]).toBeGreaterThan(15_000);
    expect(node.boots).toBe(2);
    // The new boot runs normally: a birth frame, sensors read again.
    clock.runUntil(40_000);
    expect(node.runtime.taskErrors).toBe(0);
    expect(node.runtime.gas!.pipelines[Channel.Ch4]!.lastMs).toBeGreaterThan(35_000);
  });
});
