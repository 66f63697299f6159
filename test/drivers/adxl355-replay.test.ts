import { describe, expect, it } from "vitest";
import { ADXL355, STANDARD_GRAVITY_MPERS2 } from "../../firmware/drivers/adxl355.js";
import { SimBoard } from "../../host-sim/board.js";
import { Adxl355Model } from "../../host-sim/chips/adxl355.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { makeDigital } from "../../host-sim/io/digital.js";
import { makeSPI } from "../../host-sim/io/spi.js";
import { Prng } from "../../host-sim/prng.js";
import type { SeismicScenario } from "../../host-sim/recordings/synth/scenario.js";
import { accelStream } from "../../host-sim/recordings/synth/seismic.js";

/** A synthetic mine recording (host-sim/recordings/synth): background noise, a machine, a microseismic event. */
async function recording(rateHz: number, durationS: number): Promise<Float64Array[]> {
  const scenario: SeismicScenario = {
    rateHz,
    noiseSdMPerS2: 0.003,
    events: [
      { kind: "machinery", tS: 0.5, durationS: 2, fundamentalHz: 24, rmsMPerS2: 0.05 },
      {
        kind: "microseismic",
        tS: 1.5,
        pgaMPerS2: 4,
        cornerHz: 60,
        distanceM: 40,
        azimuthRad: 0.4,
        dipRad: 0.3,
      },
    ],
  };
  const axes = [
    new Float64Array(rateHz * durationS),
    new Float64Array(rateHz * durationS),
    new Float64Array(rateHz * durationS),
  ];
  let n = 0;
  for await (const block of accelStream("replay", scenario, durationS, () => new Prng(2024)).blocks()) {
    for (let a = 0; a < 3; a++) axes[a]!.set(block.values[a]!.subarray(0, block.count), n);
    n += block.count;
  }
  expect(n).toBe(rateHz * durationS);
  return axes;
}

/** Replays `axes` through the chip model and the real driver (interrupt driven); returns what the driver read. */
function replay(axes: Float64Array[], rateHz: number, range: 2 | 4 | 8): Float64Array[] {
  const board = new SimBoard(new VirtualClock(), new Prng(1));
  const periodMs = 1000 / rateHz;
  const total = axes[0]!.length;
  // The chip's k-th output (k = 1, 2, ...) comes at k periods after measurement starts (t = 0 here).
  const model = new Adxl355Model(board, {
    source: (tMs, out) => {
      const i = Math.min(total - 1, Math.round(tMs / periodMs) - 1);
      out[0] = axes[0]![i]!;
      out[1] = axes[1]![i]!;
      out[2] = axes[2]![i]!;
    },
    int1Pin: 4,
  });
  board.attachSPI(2, 15, model);
  const got = [new Float64Array(total), new Float64Array(total), new Float64Array(total)];
  let n = 0;
  const take = (d: ADXL355) => {
    const count = d.sample();
    if (count === undefined) throw new Error(`fault ${d.fault} at ${board.clock.now()} ms`);
    for (let i = 0; i < count && n < total; i++, n++) {
      for (let a = 0; a < 3; a++) got[a]![n] = d.accelMPerS2[3 * i + a]!;
    }
  };
  const driver = new ADXL355({
    sensor: { io: makeSPI(board), port: 2, select: 15, clock: 14, in: 12, out: 13 },
    interrupt: { io: makeDigital(board), pin: 4 },
    range,
    odrHz: rateHz,
    fifoWatermark: 20,
    onSample() {
      take(this);
    },
  });
  board.clock.runUntil(total * periodMs);
  take(driver);
  expect(n).toBe(total);
  driver.close();
  return got;
}

describe("ADXL355 replay: recording -> chip model -> SPI -> driver", () => {
  it.each([2, 8] as const)(
    "reproduces a 4 s, 1 kHz recording to the chip's resolution at +-%i g",
    async (range) => {
      const axes = await recording(1000, 4);
      const got = replay(axes, 1000, range);
      const halfLsb = STANDARD_GRAVITY_MPERS2 / (range === 2 ? 256_000 : 64_000) / 2;
      let worst = 0;
      let peak = 0;
      for (let a = 0; a < 3; a++) {
        for (let i = 0; i < axes[a]!.length; i++) {
          worst = Math.max(worst, Math.abs(got[a]![i]! - axes[a]![i]!));
          peak = Math.max(peak, Math.abs(axes[a]![i]!));
        }
      }
      expect(peak).toBeGreaterThan(1); // the event is in the trace, well above the LSB
      expect(worst).toBeLessThanOrEqual(halfLsb * (1 + 1e-9));
    },
  );
});
