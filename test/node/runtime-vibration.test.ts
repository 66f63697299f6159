/**
 * The runtime on a simulated vibration node: ADXL355 model -> driver -> seismic detector -> event frame and
 * the latched vibration alarm.
 */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";
import { sealDownlink } from "../../host-sim/node/downlink.js";
import { IdealLink } from "../../host-sim/node/ideal-link.js";
import { createSimNode } from "../../host-sim/node/sim-node.js";
import { Prng } from "../../host-sim/prng.js";
import { decodeFrame } from "../../protocol/decode.js";
import type { AlarmFrame, EventFrame, TelemetryFrame } from "../../protocol/frames.js";
import { AlarmLevel, Channel, FrameType } from "../../protocol/schema.js";

const G = 9.80665;

describe("node runtime: seismic events", () => {
  it("turns a burst of ground motion into an event frame and a latched vibration alarm", () => {
    const clock = new VirtualClock();
    const prng = new Prng(11);
    const burstStartMs = 20_000;
    const burstEndMs = 21_000;
    let link!: IdealLink;
    const node = createSimNode({
      clock,
      seed: 3,
      variant: "vibration",
      odrHz: 250,
      sources: {
        // Quiet rock, then 1 s of a 20 Hz shake at 5 m/s^2 on x. A cosine, so the velocity A/w sin(wt) has
        // no offset: PPV = a / (2 pi f) = 40 mm/s.
        accel: (t, out) => {
          const shake = t >= burstStartMs && t < burstEndMs ? 5 * Math.cos((2 * Math.PI * 20 * t) / 1000) : 0;
          out[0] = shake + 0.002 * (prng.next() - 0.5);
          out[1] = 0.002 * (prng.next() - 0.5);
          out[2] = G + 0.002 * (prng.next() - 0.5);
          return undefined;
        },
      },
      transports: () => {
        link = new IdealLink(clock);
        return [link];
      },
    });
    clock.runUntil(30_000);
    const frames = link.delivered.map((d) => decodeFrame(d.bytes).frame);
    // PPV 40 mm/s is beyond the default limit profile's line at 20 Hz: a vibration A2, sent ahead of the event.
    const kinds = frames.map((f) => f.type);
    expect(kinds).toEqual([FrameType.Birth, FrameType.Alarm, FrameType.Event]);
    expect(frames[1]).toMatchObject({ channel: Channel.Vibration, level: AlarmLevel.A2 });
    const events = frames.filter((f) => f.type === FrameType.Event) as EventFrame[];
    expect(events).toHaveLength(1);
    const ev = events[0]!;
    expect(ev.ppvUmPerS).toBeGreaterThan(35_000);
    expect(ev.ppvUmPerS).toBeLessThan(55_000); // the burst starts at a peak: a step the integrator sees too
    expect(ev.pgaMilliG).toBeGreaterThan(450); // 5 m/s^2 = 510 mg
    expect(ev.pgaMilliG).toBeLessThan(560);
    expect(ev.durationMs).toBeGreaterThan(800);
    expect(Math.abs(ev.dominantFreqDeciHz - 200)).toBeLessThanOrEqual(30); // zero-crossing estimate at 12.5 samples a cycle
    expect(node.runtime.levelsOf(Channel.Vibration)).toEqual([AlarmLevel.A2]);
    // Latched until acknowledged; the acknowledgement is answered by a clear.
    link.downlink(
      FrameType.AlarmAck,
      sealDownlink({ type: FrameType.AlarmAck, channel: 4, level: 2 }, 1, node.key),
    );
    clock.runUntil(31_000);
    const alarms = link.delivered
      .map((d) => decodeFrame(d.bytes).frame)
      .filter((f) => f.type === FrameType.Alarm) as AlarmFrame[];
    expect(alarms.at(-1)).toMatchObject({ channel: Channel.Vibration, level: AlarmLevel.Clear });
    expect(node.runtime.levelsOf(Channel.Vibration)).toEqual([]);
  });
});

describe("node runtime: RMS particle velocity in telemetry", () => {
  /** Telemetry frames of a vibration node whose y axis shakes at `hz` with `amplitudeMPerS2`. */
  function telemetry(amplitudeMPerS2: number, hz: number, untilMs: number): TelemetryFrame[] {
    const clock = new VirtualClock();
    const prng = new Prng(5);
    let link!: IdealLink;
    createSimNode({
      clock,
      seed: 4,
      variant: "vibration",
      odrHz: 250,
      sources: {
        accel: (t, out) => {
          out[0] = 0.0005 * (prng.next() - 0.5);
          out[1] = amplitudeMPerS2 * Math.sin((2 * Math.PI * hz * t) / 1000);
          out[2] = G;
          return undefined;
        },
      },
      transports: () => {
        link = new IdealLink(clock);
        return [link];
      },
    });
    clock.runUntil(untilMs);
    return link.delivered
      .map((d) => decodeFrame(d.bytes).frame)
      .filter((f) => f.type === FrameType.Telemetry) as TelemetryFrame[];
  }

  it("reports the velocity RMS of a steady 8 Hz vibration: a / (2 pi f) / sqrt(2)", () => {
    // 0.05 m/s^2 at 8 Hz: velocity amplitude 995 um/s, RMS 703 um/s. A steady sine keeps STA/LTA near 1.
    const frames = telemetry(0.05, 8, 600_000);
    expect(frames.length).toBeGreaterThanOrEqual(4);
    const amplitudeUmPerS = (0.05 / (2 * Math.PI * 8)) * 1e6;
    // The first frame covers no complete detector period (its filters settle): look at the later ones.
    for (const f of frames.slice(2)) {
      expect(Math.abs(f.vibRmsUmPerS - amplitudeUmPerS / Math.SQRT2)).toBeLessThan(0.03 * amplitudeUmPerS);
      expect(f.vibRmsUmPerS).toBeLessThan(f.vibPeakUmPerS);
      expect(f.vibRmsUmPerS / f.vibPeakUmPerS).toBeCloseTo(Math.SQRT1_2, 1);
    }
  });

  it("scales with the amplitude and falls with the frequency, as a velocity does", () => {
    const base = telemetry(0.05, 8, 400_000).at(-1)!.vibRmsUmPerS;
    const double = telemetry(0.1, 8, 400_000).at(-1)!.vibRmsUmPerS;
    const faster = telemetry(0.05, 16, 400_000).at(-1)!.vibRmsUmPerS;
    expect(double / base).toBeCloseTo(2, 1);
    expect(faster / base).toBeCloseTo(0.5, 1);
  });

  it("is near zero on quiet rock", () => {
    const frames = telemetry(0, 8, 400_000);
    for (const f of frames.slice(2)) expect(f.vibRmsUmPerS).toBeLessThan(5);
  });
});
