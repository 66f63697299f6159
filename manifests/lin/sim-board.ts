/**
 * The simulated board behind the lin provider (manifests/lin/provider.ts): host-sim's SimBoard, IO classes
 * and chip models, running on XS in Moddable's desktop build, on real time (Moddable's Timer and Time.ticks
 * instead of the simulator's virtual clock). Wired like manifests/boards/lin.json says (the ESP32 DevKitC's
 * GPIO numbers): MIPEX-02 on UART ports.serial, ADS1115 on I2C ports.i2c (CO, O2, H2S cells), ADXL355 on
 * SPI ports.spi with chip select pins.accelSelect, the interlock's relay (with its NC feedback contact),
 * beacon, sounder and healthy lamp on their pins.
 * Fed from a short recording (manifests/lin/recording.ts, from boot on; the last sample held after it): the
 * gas channels replay it; the accelerometer reads gravity and micro-tremor, and one synthetic 10 Hz burst
 * (PGA 10 m/s^2, 2000 samples, from RECORDING_BURST_MS) so a vibration node has an event too. The MIPEX-02
 * is warm at boot (powered 121 s before), so the first CH4 reading is trusted at once.
 * Built on first use, not at import: the board and its chips are run-time state (nothing here is made while
 * a preload would freeze it).
 */
import config from "mc/config";
import { mark } from "setup/minewatch-marks";
import Time from "time";
import Timer from "timer";
import { SimBoard } from "../../host-sim/board.js";
import { Ads1115Model } from "../../host-sim/chips/ads1115.js";
import { type AccelSource, Adxl355Model } from "../../host-sim/chips/adxl355.js";
import { MIPEX_WARMUP_MS, Mipex02Model } from "../../host-sim/chips/mipex02.js";
import { IndicatorModel, RelayModel } from "../../host-sim/chips/outputs.js";
import type { VirtualClock } from "../../host-sim/clock.js";
import { makeDigital } from "../../host-sim/io/digital.js";
import { makeI2C } from "../../host-sim/io/i2c.js";
import { makeSerial } from "../../host-sim/io/serial.js";
import { makeSPI } from "../../host-sim/io/spi.js";
import { Prng } from "../../host-sim/prng.js";
import { CH4_CENTI_PCT, CO_DECI_PPM, H2S_DECI_PPM, O2_CENTI_PCT, RECORDING_PERIOD_MS } from "./recording.js";

/** When the synthetic ground-motion burst starts, ms after the board is built. */
export const RECORDING_BURST_MS = 20_000;
const BURST_SAMPLES = 2000;
const BURST_HZ = 10;
const BURST_PGA = 10;
const G = 9.80665;

/**
 * The VirtualClock surface the IO classes and chip models use, on Moddable's Timer and Time.ticks. A
 * repeating timer that fires late runs its callback once per period missed (up to MAX_CATCH_UP), as the
 * virtual clock would: the ADXL355 model makes one sample a tick, and a loaded desktop delivers fewer 1 ms
 * ticks than that, which the node would see as a slow ODR and gaps.
 */
const MAX_CATCH_UP = 64;

class TimerClock {
  #timers = new Map<number, ReturnType<typeof Timer.set>>();
  #next = 1;
  now(): number {
    return Time.ticks;
  }
  setTimer(callback: () => void, delayMs: number, repeatMs?: number): number {
    const id = this.#next++;
    const timers = this.#timers;
    const delay = Math.max(0, Math.round(delayMs));
    const repeat = repeatMs ? Math.max(1, Math.round(repeatMs)) : 0;
    let due = Time.ticks + delay;
    const t = Timer.set(
      () => {
        if (!repeat) {
          timers.delete(id);
          callback();
          return;
        }
        const now = Time.ticks;
        let n = 0;
        do {
          callback();
          due += repeat;
        } while (due <= now && ++n < MAX_CATCH_UP && timers.has(id));
        if (due <= now) due = now + repeat; // what cannot be caught up is dropped
      },
      delay,
      repeat || undefined,
    );
    timers.set(id, t);
    return id;
  }
  at(timeMs: number, callback: () => void): number {
    return this.setTimer(callback, Math.max(0, timeMs - Time.ticks));
  }
  clearTimer(id: number): void {
    const t = this.#timers.get(id);
    if (t !== undefined) Timer.clear(t);
    this.#timers.delete(id);
  }
}

interface LinConfig {
  variant?: string;
  ports?: { i2c?: number; spi?: number; serial?: number };
  pins?: Record<string, number | undefined>;
}

export interface LinSim {
  board: SimBoard;
  io: {
    I2C: ReturnType<typeof makeI2C>;
    SPI: ReturnType<typeof makeSPI>;
    Serial: ReturnType<typeof makeSerial>;
    Digital: ReturnType<typeof makeDigital>;
  };
}

let sim: LinSim | undefined;

/** The simulated board, built on the first call. */
export function linSim(): LinSim {
  if (!sim) {
    mark("sim-board-start");
    sim = build(config as unknown as LinConfig);
    mark("sim-board-end");
  }
  return sim;
}

function build(c: LinConfig): LinSim {
  const clock = new TimerClock();
  const board = new SimBoard(clock as unknown as VirtualClock, new Prng(0x11ab));
  const startMs = clock.now();
  const ports = c.ports ?? {};
  const pins = c.pins ?? {};
  const variant = c.variant ?? "combo";
  const sample = (table: readonly number[], tMs: number): number => {
    const i = Math.floor((tMs - startMs) / RECORDING_PERIOD_MS);
    return table[i < 0 ? 0 : i >= table.length ? table.length - 1 : i]!;
  };
  if (variant !== "vibration") {
    new Mipex02Model(board, {
      port: ports.serial ?? 2,
      ch4PctVol: (t) => sample(CH4_CENTI_PCT, t) / 100,
      poweredAtMs: startMs - MIPEX_WARMUP_MS - 1000,
    });
    // Cell volts as the wiring's DEFAULT front ends make them (firmware/node/runtime/wiring.ts).
    new Ads1115Model(board, {
      port: ports.i2c ?? 0,
      inputs: [
        (t) => sample(CO_DECI_PPM, t) / 10 / 500,
        (t) => sample(O2_CENTI_PCT, t) / 100 / 25,
        (t) => sample(H2S_DECI_PPM, t) / 10 / 100,
        undefined,
      ],
    });
    if (typeof pins.relay === "number" && typeof pins.relayFeedback === "number") {
      new RelayModel(board, { coilPin: pins.relay, feedbackPin: pins.relayFeedback });
      for (const name of ["beacon", "sounder", "healthy"])
        if (typeof pins[name] === "number") new IndicatorModel(board, pins[name], name);
    }
  }
  if (variant !== "gas" && typeof pins.accelSelect === "number") {
    const noise = new Prng(0x355);
    const burstAt = startMs + RECORDING_BURST_MS;
    // The burst's waveform runs on the sample count from its start (one sample a timer tick, nominally
    // 1 ms): a loaded desktop delivers fewer ticks than the node's ODR says, and on wall time the node would
    // see a compressed, higher-frequency burst with a smaller velocity.
    let burstSamples = -1;
    const ground: AccelSource = (t, out) => {
      let a = 0;
      if (burstSamples < 0 && t >= burstAt) {
        burstSamples = 0;
        mark("burst-start");
      }
      if (burstSamples >= 0 && burstSamples < BURST_SAMPLES) {
        const s = burstSamples++ / 1000;
        a = BURST_PGA * Math.exp(-3 * s) * Math.sin(2 * Math.PI * BURST_HZ * s);
        if (burstSamples === BURST_SAMPLES) mark("burst-end");
      }
      out[0] = a + 0.002 * (noise.next() - 0.5);
      out[1] = 0.5 * a + 0.002 * (noise.next() - 0.5);
      out[2] = G + 0.002 * (noise.next() - 0.5);
      return undefined;
    };
    board.attachSPI(
      ports.spi ?? 2,
      pins.accelSelect,
      new Adxl355Model(board, { source: ground, noiseUgPerRtHz: 0 }),
    );
  }
  return {
    board,
    io: { I2C: makeI2C(board), SPI: makeSPI(board), Serial: makeSerial(board), Digital: makeDigital(board) },
  };
}
