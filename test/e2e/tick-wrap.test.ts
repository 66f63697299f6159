/**
 * A whole simulated node across the ESP32's tick wraps (issue 12 item 4). The board's Time.ticks is a signed
 * 32-bit millisecond count: negative after 2^31 ms (24.9 days), through 0 again after 2^32 ms (49.7 days).
 * Each node here boots with its ticks a few minutes before a wrap (SimNode `ticksAtBootMs`) and reads time
 * the way firmware/main.ts does (raw ticks -> firmware/node/monotonic.ts TickClock -> runtime, console),
 * then runs a few simulated minutes past it. Across each wrap: uptime keeps increasing, no fault bits, no
 * task errors, no watchdog restart, every periodic timer fires at its period in the node's own time, no
 * timer is armed with an absurd delay, frames keep coming; a methane alarm right after the wrap still trips
 * the relay and reaches the far side at once; a LoRaWAN node keeps its duty cycle and keeps sending.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../firmware/node/clock.js";
import { KEY_SLOTS } from "../../firmware/node/console/provisioning-store.js";
import { decodeInterlockStatus, InterlockState } from "../../firmware/node/interlock/status.js";
import { LoRaWanLink } from "../../firmware/node/runtime/lorawan-link.js";
import {
  type TransportConfig,
  transportsFromConfig,
} from "../../firmware/node/runtime/transports-from-config.js";
import { LoraE5Model, type LoraE5Uplink } from "../../host-sim/chips/lora-e5.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { esp32Ticks } from "../../host-sim/moddable/time.js";
import { IdealLink } from "../../host-sim/node/ideal-link.js";
import { createSimNode, type SimNode, type SimNodeOptions } from "../../host-sim/node/sim-node.js";
import { Prng } from "../../host-sim/prng.js";
import { defaultConfig, Param } from "../../protocol/config-record.js";
import { decodeFrame } from "../../protocol/decode.js";
import type { AlarmFrame, StatusFrame } from "../../protocol/frames.js";
import { AlarmLevel, Channel, FrameType } from "../../protocol/schema.js";

const xiao = JSON.parse(
  fs.readFileSync(
    path.resolve(import.meta.dirname, "../../manifests/boards/xiao-esp32s3-wio-e5.json"),
    "utf8",
  ),
) as { config: TransportConfig & { ports: { modem: number } } };

/** protocol/SPEC.md fault code 11: the gas pipeline's warm-up. */
const FAULT_WARM_UP = 11;

const H = 2 ** 31;
const W = 2 ** 32;
const MIN = 60_000;

/**
 * Boots this long before the wrap (so the wrap comes after the gas cells' 5 min warm-up: a warm-up that
 * came back would be a false fault), and runs this long after it.
 */
const BEFORE_MS = 7 * MIN;
const AFTER_MS = 5 * MIN;
const END_MS = BEFORE_MS + AFTER_MS;
/** Status frames from this uptime on carry no warm-up code (the longest warm-up is 5 min). */
const WARM_S = 360;

const WRAPS = [
  { name: "2^31 ms (ticks turn negative)", at: H },
  { name: "2^32 ms (ticks pass 0 again)", at: W },
];

interface TimerLog {
  repeatMs: number;
  /** The node's clock at each firing. */
  nodeMs: number[];
}

/**
 * The virtual clock with a probe on every timer armed on it: the delays asked for, and for each repeating
 * timer the node's own time at each firing (read from the node's clock, as the runtime's callback would).
 */
function probedClock() {
  const vc = new VirtualClock();
  const delays: number[] = [];
  const timers: TimerLog[] = [];
  const probe = { nodeClock: undefined as Clock | undefined };
  const setTimer = vc.setTimer.bind(vc);
  vc.setTimer = (callback, delayMs, repeatMs) => {
    delays.push(delayMs);
    if (repeatMs === undefined) return setTimer(callback, delayMs);
    const log: TimerLog = { repeatMs, nodeMs: [] };
    timers.push(log);
    return setTimer(
      () => {
        if (probe.nodeClock) log.nodeMs.push(probe.nodeClock.now());
        callback();
      },
      delayMs,
      repeatMs,
    );
  };
  return { vc, delays, timers, probe };
}

function wrapNode(wrapAt: number, extra: Partial<SimNodeOptions> = {}) {
  const { vc, delays, timers, probe } = probedClock();
  // Telemetry every 10 s and status every minute, so a few minutes show many of each.
  const cfg = defaultConfig();
  cfg.params[Param.telemetryPeriodS] = 10;
  cfg.params[Param.statusPeriodS] = 60;
  let link!: IdealLink;
  const node = createSimNode({
    clock: vc,
    seed: 21,
    variant: "combo",
    sensorsWarm: true,
    ticksAtBootMs: wrapAt - BEFORE_MS,
    transports: (n) => {
      probe.nodeClock = n.nodeClock;
      link = new IdealLink(vc);
      return [link];
    },
    ...extra,
    runtime: { factoryConfig: cfg, ...extra.runtime },
  });
  return { vc, node, link, delays, timers };
}

function statusFrames(link: IdealLink) {
  return link.delivered
    .map((d) => ({ atMs: d.atMs, frame: decodeFrame(d.bytes).frame }))
    .filter((f) => f.frame.type === FrameType.Status) as { atMs: number; frame: StatusFrame }[];
}

/** The gas channels' fault nibbles (bits 0..15) hold nothing but the warm-up code; no other bit is set. */
function onlyWarmUp(bits: number): boolean {
  for (let ch = 0; ch < 4; ch++) {
    const code = (bits >>> (4 * ch)) & 0xf;
    if (code !== 0 && code !== FAULT_WARM_UP) return false;
  }
  return bits >>> 16 === 0;
}

function assertHealthy(node: SimNode) {
  const rt = node.runtime;
  expect(node.boots).toBe(1);
  expect(node.watchdogTrips).toEqual([]);
  expect(rt.watchdog.tripped).toBe(false);
  expect(rt.running).toBe(true);
  expect([rt.taskErrors, rt.lastTaskError]).toEqual([0, ""]);
  expect(rt.sensorFaults()).toBe(0);
}

describe.each(WRAPS)("a combo node across the tick wrap at $name", ({ at }) => {
  it("keeps uptime, health, the watchdog, its timers and its frames as if nothing happened", () => {
    const { vc, node, link, delays, timers } = wrapNode(at);
    // The board's raw ticks really wrap in this run.
    const rawAt = (t: number) => esp32Ticks(t, at - BEFORE_MS);
    expect(rawAt(BEFORE_MS - 1)).toBe((at - 1) | 0);
    expect(rawAt(BEFORE_MS)).toBe(at === H ? -H : 0);

    // The node's clock, sampled every second of virtual time: strictly increasing, 1000 ms a step.
    const seen: number[] = [];
    const observer = vc.setTimer(() => seen.push(node.nodeClock.now()), 0, 1000);
    vc.runUntil(END_MS + 500);
    vc.clearTimer(observer);
    expect(seen[0]).toBe(at - BEFORE_MS);
    expect(seen.at(-1)).toBe(at + AFTER_MS);
    expect(new Set(seen.slice(1).map((v, i) => v - seen[i]!))).toEqual(new Set([1000]));

    assertHealthy(node);

    // Status every minute: uptime 60 s more each time; no fault bits once the cells are warm (before
    // that only their warm-up code); the relay energised throughout.
    const status = statusFrames(link);
    expect(status.map((s) => s.frame.uptimeS)).toEqual(
      Array.from({ length: END_MS / MIN }, (_, i) => 60 * (i + 1)),
    );
    for (const s of status) {
      if (s.frame.uptimeS >= WARM_S) expect(s.frame.sensorFaults).toBe(0);
      else expect(onlyWarmUp(s.frame.sensorFaults)).toBe(true);
      expect(decodeInterlockStatus(s.frame.sensorFaults).state).toBe(InterlockState.Energised);
    }
    expect(node.outputs!.now().relay).toBe(1);

    // Telemetry every 10 s, before and after the wrap alike; everything sent was acknowledged.
    const telemetryAt = link.delivered.filter((d) => d.frameType === FrameType.Telemetry).map((d) => d.atMs);
    expect(telemetryAt).toHaveLength(END_MS / 10_000);
    expect(new Set(telemetryAt.slice(1).map((v, i) => v - telemetryAt[i]!))).toEqual(new Set([10_000]));
    expect(node.outbox.depth).toBe(0);

    // Every periodic timer fired at its period in the node's own time, across the wrap (the sampling
    // loops, the interlock's 100 ms tick, telemetry, status, the watchdog's check): within the 1 ms of
    // an integer tick count.
    const periodic = timers.filter((t) => t.nodeMs.length >= 2);
    expect(periodic.length).toBeGreaterThanOrEqual(6);
    for (const t of periodic) {
      expect(t.nodeMs[0]).toBeLessThan(at);
      expect(t.nodeMs.at(-1)).toBeGreaterThan(at);
      const off = t.nodeMs.slice(1).filter((v, i) => Math.abs(v - t.nodeMs[i]! - t.repeatMs) > 1);
      expect({ repeatMs: t.repeatMs, off }).toEqual({ repeatMs: t.repeatMs, off: [] });
    }
    // No timer was armed with a negative, non-finite or absurd delay.
    expect(delays.every((d) => Number.isFinite(d) && d >= 0 && d <= 3_600_000)).toBe(true);
  });

  it("trips the relay and sends the methane alarm at once when the gas comes right after the wrap", () => {
    const inrushAt = BEFORE_MS + 5_000; // virtual ms: 5 s after the wrap
    const { vc, node, link } = wrapNode(at, {
      variant: "gas",
      sources: { ch4PctVol: (t) => (t >= inrushAt ? 2.5 : 0.05) },
    });
    vc.runUntil(END_MS);
    assertHealthyExceptGas(node);
    const alarms = link.delivered
      .map((d) => ({ atMs: d.atMs, frame: decodeFrame(d.bytes).frame }))
      .filter((f) => f.frame.type === FrameType.Alarm) as { atMs: number; frame: AlarmFrame }[];
    const a2 = alarms.find((a) => a.frame.channel === Channel.Ch4 && a.frame.level === AlarmLevel.A2);
    expect(a2).toBeDefined();
    // The MIPEX answers about once a second: the alarm is delivered within 2 s of the inrush.
    expect(a2!.atMs - inrushAt).toBeGreaterThan(0);
    expect(a2!.atMs - inrushAt).toBeLessThan(2_000);
    // The relay dropped out (de-energised) in that same sample and stays latched.
    const trip = node.outputs!.history.find((h) => h.relay === 0 && h.tMs > BEFORE_MS);
    expect(trip!.tMs - inrushAt).toBeLessThan(2_000);
    expect(node.outputs!.now().relay).toBe(0);
  });
});

function assertHealthyExceptGas(node: SimNode) {
  const rt = node.runtime;
  expect(node.boots).toBe(1);
  expect(node.watchdogTrips).toEqual([]);
  expect(rt.watchdog.tripped).toBe(false);
  expect([rt.taskErrors, rt.lastTaskError]).toEqual([0, ""]);
}

describe.each(WRAPS)("a LoRaWAN node across the tick wrap at $name", ({ at }) => {
  it("joins once, keeps within its duty cycle and keeps sending across the wrap", () => {
    const { vc, delays, probe } = probedClock();
    const prng = new Prng(5);
    const uplinks: (LoraE5Uplink & { atMs: number })[] = [];
    let modem: LoraE5Model | undefined;
    let opened: ReturnType<typeof transportsFromConfig> | undefined;
    const cfg = defaultConfig();
    cfg.params[Param.telemetryPeriodS] = 30;
    cfg.params[Param.statusPeriodS] = 60;
    const node = createSimNode({
      clock: vc,
      seed: 8,
      variant: "gas",
      sensorsWarm: true,
      ticksAtBootMs: at - BEFORE_MS,
      runtime: { factoryConfig: cfg },
      transports: (n) => {
        probe.nodeClock = n.nodeClock;
        n.storage.write(KEY_SLOTS["lorawan-appkey"]!.kv, Uint8Array.from({ length: 16 }, (_, i) => i).buffer);
        modem ??= new LoraE5Model(n.board, {
          port: xiao.config.ports.modem,
          network: (u) => {
            uplinks.push({ ...u, bytes: u.bytes.slice(), atMs: vc.now() });
            return { ack: true };
          },
        });
        opened = transportsFromConfig({
          config: xiao.config,
          clock: n.nodeClock,
          storage: n.storage,
          random: () => prng.next(),
          nodeIdHex: n.nodeIdHex,
          Serial: n.device.io.Serial,
        });
        return opened.transports;
      },
    });
    vc.runUntil(END_MS);
    expect(opened!.errors).toEqual([]);
    assertHealthy(node);
    expect(modem!.joined).toBe(true);
    const link = node.transports[0]!;
    expect(link).toBeInstanceOf(LoRaWanLink);
    expect((link as LoRaWanLink).lorawan.stats.joinAttempts).toBe(1);
    expect(link.counters.txFailCount).toBe(0);
    // Uplinks on both sides of the wrap, none lost: telemetry every 30 s, status every minute.
    const types = (from: number, to: number) =>
      uplinks.filter((u) => u.atMs >= from && u.atMs < to).map((u) => decodeFrame(u.bytes).frame.type);
    const before = types(MIN, BEFORE_MS);
    const after = types(BEFORE_MS, END_MS - 5_000);
    expect(before.filter((t) => t === FrameType.Telemetry).length).toBeGreaterThanOrEqual(5);
    expect(after.filter((t) => t === FrameType.Telemetry).length).toBeGreaterThanOrEqual(7);
    expect(after.filter((t) => t === FrameType.Status).length).toBeGreaterThanOrEqual(3);
    const status = uplinks
      .map((u) => decodeFrame(u.bytes).frame)
      .filter((f) => f.type === FrameType.Status) as StatusFrame[];
    for (let i = 1; i < status.length; i++)
      expect(status[i]!.uptimeS).toBeGreaterThan(status[i - 1]!.uptimeS);
    expect(node.outbox.depth).toBeLessThanOrEqual(3);
    expect(delays.every((d) => Number.isFinite(d) && d >= 0 && d <= 3_600_000)).toBe(true);
  });
});
