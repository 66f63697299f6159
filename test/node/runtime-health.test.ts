/**
 * Node health: the battery read through its divider and the ESP32's ADC into status and telemetry, the
 * low-battery status bit (runtime/health.ts), and the software watchdog's trip on a stuck sensor loop:
 * the relay drops out (fail-safe) before the node reboots, and stays out until a valid reading after boot.
 */
import { describe, expect, it } from "vitest";
import { BatteryVoltage } from "../../firmware/drivers/battery.js";
import {
  BATTERY_LOW_BIT,
  BATTERY_UNKNOWN_BIT,
  DEFAULT_BATTERY_LOW_MV,
} from "../../firmware/node/runtime/health.js";
import { SimBoard } from "../../host-sim/board.js";
import { BatteryModel, makeAnalog } from "../../host-sim/chips/battery.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { IdealLink } from "../../host-sim/node/ideal-link.js";
import { createSimNode, type SimNodeOptions } from "../../host-sim/node/sim-node.js";
import { Prng } from "../../host-sim/prng.js";
import { decodeFrame } from "../../protocol/decode.js";
import type { StatusFrame, TelemetryFrame } from "../../protocol/frames.js";
import { FrameType } from "../../protocol/schema.js";

const LSB_MV = (3300 / 1023) * 2; // one 10-bit ADC step behind the 1:2 divider

function run(extra: Partial<SimNodeOptions>, untilMs: number) {
  const clock = new VirtualClock();
  let link!: IdealLink;
  const node = createSimNode({
    clock,
    seed: 9,
    variant: "gas",
    sensorsWarm: true,
    transports: () => {
      link = new IdealLink(clock);
      return [link];
    },
    ...extra,
  });
  clock.runUntil(untilMs);
  const frames = link.delivered.map((d) => ({ atMs: d.atMs, frame: decodeFrame(d.bytes).frame }));
  const status = frames.filter((f) => f.frame.type === FrameType.Status) as {
    atMs: number;
    frame: StatusFrame;
  }[];
  const telemetry = frames.filter((f) => f.frame.type === FrameType.Telemetry).map((f) => f.frame);
  return { clock, node, link, status, telemetry: telemetry as TelemetryFrame[] };
}

describe("battery through the ADC", () => {
  it("reads the cell through the divider and the ADC into telemetry and status, within one ADC step", () => {
    const cellMv = (t: number) => 4100 - t / 10_000; // 4.1 V falling 6 mV a minute
    const { telemetry, status } = run({ batteryMv: cellMv }, 900_100);
    expect(telemetry.length).toBe(15);
    telemetry.forEach((t, i) => {
      expect(Math.abs(t.batteryMv - cellMv((i + 1) * 60_000))).toBeLessThanOrEqual(LSB_MV);
    });
    const periodic = status.find((s) => s.atMs === 900_005)!;
    expect(Math.abs(periodic.frame.batteryMv - cellMv(900_000))).toBeLessThanOrEqual(LSB_MV);
    expect(periodic.frame.sensorFaults & (BATTERY_LOW_BIT | BATTERY_UNKNOWN_BIT)).toBe(0);
  });

  it("sets the low-battery bit, sends a status frame as soon as it goes low, and clears it with hysteresis", () => {
    // 3.45 V for 3 min, 3.35 V (low) until 8 min, 3.45 V (inside the 100 mV band: still low), then 3.6 V.
    const cellMv = (t: number) => (t < 180_000 ? 3450 : t < 480_000 ? 3350 : t < 720_000 ? 3450 : 3600);
    const { node, status } = run({ batteryMv: cellMv, runtime: { batteryLowMv: 3400 } }, 960_000);
    // Low found by the telemetry read at 3 min: a status frame at once, with the bit.
    const lowFrames = status.filter((s) => s.frame.sensorFaults & BATTERY_LOW_BIT);
    const first = lowFrames[0]!;
    expect(first.atMs).toBe(180_000 + 5);
    expect(first.frame.sensorFaults & BATTERY_LOW_BIT).toBe(BATTERY_LOW_BIT);
    expect(first.frame.batteryMv).toBeLessThan(3400);
    // Only one "went low" frame for the whole low stretch; the periodic status at 15 min shows it cleared.
    expect(lowFrames.filter((s) => s.atMs < 900_000)).toHaveLength(1);
    const periodic = status.find((s) => s.atMs === 900_005)!;
    expect(periodic.frame.sensorFaults & BATTERY_LOW_BIT).toBe(0);
    // Between 8 and 12 min the cell read 3.45 V, above the line but inside the hysteresis: still low then.
    expect(node.runtime.battery.low).toBe(false);
    expect(DEFAULT_BATTERY_LOW_MV).toBe(3400);
  });

  it("keeps the low bit while the cell recovers only into the hysteresis band", () => {
    const cellMv = (t: number) => (t < 120_000 ? 3350 : 3460);
    const { node } = run({ batteryMv: cellMv }, 600_000);
    expect(node.runtime.battery.mv).toBeGreaterThan(3400);
    expect(node.runtime.battery.low).toBe(true);
    expect(node.runtime.sensorFaults() & BATTERY_LOW_BIT).toBe(BATTERY_LOW_BIT);
  });

  it("reports an unknown battery (no ADC reading) as bit 21 and 0 mV, never as a guess", () => {
    const { status } = run({ runtime: { batteryMv: () => 0 } }, 900_100);
    const periodic = status.find((s) => s.atMs === 900_005)!;
    expect(periodic.frame.batteryMv).toBe(0);
    expect(periodic.frame.sensorFaults & BATTERY_UNKNOWN_BIT).toBe(BATTERY_UNKNOWN_BIT);
    expect(periodic.frame.sensorFaults & BATTERY_LOW_BIT).toBe(0);
  });

  it("the driver refuses a bad divider and a pin the ESP32 cannot read, naming the value", () => {
    const board = new SimBoard(new VirtualClock(), new Prng(1));
    const Analog = makeAnalog(board);
    new BatteryModel(board, { cellMv: () => 3700 });
    expect(
      () => new BatteryVoltage({ sensor: { io: Analog, pin: 35 }, configure: { dividerRatio: 0.5 } }),
    ).toThrow(expect.objectContaining({ code: "battery-divider", value: 0.5 }));
    // The failed constructor closed its pin again: the next one can open it.
    const ok = new BatteryVoltage({ sensor: { io: Analog, pin: 35 }, configure: { dividerRatio: 2 } });
    expect(Math.abs(ok.sample()!.batteryMv - 3700)).toBeLessThanOrEqual(LSB_MV);
    expect(
      () => new BatteryVoltage({ sensor: { io: Analog, pin: 25 }, configure: { dividerRatio: 2 } }),
    ).toThrow(/pin 25 is not an ADC1 pin/);
  });
});

describe("watchdog: a stuck sensor loop", () => {
  it("drops the relay out before the reboot, and holds it out until the first valid reading after boot", () => {
    const { clock, node } = run({}, 20_000);
    const outputs = node.outputs!;
    expect(outputs.relay.coilEnergised).toBe(true);
    expect(outputs.history.at(-1)!.relay).toBe(1);
    // The electrochemical cells' ADC port is closed under the runtime: every poll throws, that task never
    // kicks (the methane channel itself stays valid, so only the watchdog can drop the relay here).
    node.sensors!.gasPorts[1]!.close();
    clock.runUntil(45_000);
    expect(node.watchdogTrips).toHaveLength(1);
    const [tripMs, task] = node.watchdogTrips[0]!;
    expect(task).toBe("gas-port-1");
    expect(outputs.history.filter((h) => h.tMs > 20_000 && h.tMs < tripMs && h.relay === 0)).toEqual([]);
    expect(node.boots).toBe(2);
    // The relay output went to 0 at the trip itself (runtime.stop() drives every interlock output low).
    const atTrip = outputs.history.filter((h) => h.tMs === tripMs);
    expect(atTrip.length).toBeGreaterThan(0);
    expect(atTrip[0]!.relay).toBe(0);
    // After the reboot the relay comes back only with a valid CH4 reading (interlock held until then).
    const back = outputs.history.find((h) => h.tMs > tripMs && h.relay === 1)!;
    expect(back).toBeDefined();
    expect(back.tMs).toBeGreaterThanOrEqual(tripMs + 1000);
    expect(node.runtime.gas!.pipelines[0]!.lastMs).toBeGreaterThan(tripMs);
  });
});

describe("SPEC.md: the health bits", () => {
  it("documents bits 20 and 21 as the code sets them", async () => {
    const fs = await import("node:fs");
    const spec = fs.readFileSync(new URL("../../protocol/SPEC.md", import.meta.url), "utf8");
    expect(BATTERY_LOW_BIT).toBe(1 << 20);
    expect(BATTERY_UNKNOWN_BIT).toBe(1 << 21);
    expect(spec).toMatch(/\| bit 20 \| low battery: .*default 3400 mV/);
    expect(spec).toMatch(/\| bit 21 \| battery unknown/);
    expect(DEFAULT_BATTERY_LOW_MV).toBe(3400);
  });
});
