/**
 * XS entry: the I2C drivers' hot path (`sample()`, i.e. the bus transactions and the conversion to units)
 * against the host I2C class and the chip models, all bundled into XS. The models and the host bus run on
 * XS too, so a "bare" mode does the same bus traffic without the driver (a baseline to subtract).
 *
 * Request: [mode, n (uint16 BE)]. Modes: 0 ADS1115 driver, 1 SHT3x driver, 2 bare ADS1115 bus reads (config +
 * conversion registers, restart: the driver's transactions without its checks or arithmetic), 3 bare SHT3x
 * bus reads. Each sample advances the virtual clock by 1 s first.
 * Reply: [sum of values (float64 BE), good samples (uint32 BE), last fault (uint8)].
 */
import { ADS1115, Mux } from "../../../firmware/drivers/ads1115.js";
import { SHT3x } from "../../../firmware/drivers/sht3x.js";
import { SimBoard } from "../../../host-sim/board.js";
import { Ads1115Model } from "../../../host-sim/chips/ads1115.js";
import { Sht3xModel } from "../../../host-sim/chips/sht3x.js";
import { VirtualClock } from "../../../host-sim/clock.js";
import { makeI2C } from "../../../host-sim/io/i2c.js";
import { Prng } from "../../../host-sim/prng.js";

const clock = new VirtualClock();
const board = new SimBoard(clock, new Prng(1));
// Value sources: deterministic, allocation-free functions of virtual time.
new Ads1115Model(board, { inputs: [(t) => 0.3 + 0.2 * Math.sin(t / 7000), () => 0, () => 0, () => 0] });
new Sht3xModel(board, {
  temperatureC: (t) => 20 + Math.sin(t / 60000),
  humidityPct: (t) => 70 + 5 * Math.cos(t / 90000),
});
const I2C = makeI2C(board);

const adc = new ADS1115({
  sensor: { io: I2C },
  configure: {
    channels: [
      {
        mux: Mux.AIN0,
        fullScaleVolts: 2.048,
        calibration: { zeroVolts: 0.1, spanVolts: 0.9, spanValue: 100 },
      },
    ],
  },
});
const sht = new SHT3x({ sensor: { io: I2C } });

// Bare-bus baseline: the same transactions the drivers make per sample, no checks, no unit conversion.
const bareAds = new I2C({ address: 0x48, hz: 400_000 });
const bareSht = new I2C({ address: 0x44, hz: 400_000 });
const b1 = new Uint8Array(1);
const b2 = new Uint8Array(2);
const b3 = new Uint8Array(3);
const b6 = new Uint8Array(6);
const start = Uint8Array.of(1, 0xc5, 0x80);
const shtStatus = Uint8Array.of(0xf3, 0x2d);
const shtMeasure = Uint8Array.of(0x24, 0x00);

function bareAdsSample(): number {
  b1[0] = 1;
  bareAds.write(b1, false);
  bareAds.read(b2);
  b1[0] = 0;
  bareAds.write(b1, false);
  bareAds.read(b2);
  bareAds.write(start);
  return (b2[0] as number) * 256 + (b2[1] as number);
}

function bareShtSample(): number {
  try {
    bareSht.read(b6);
  } catch {
    // the first call has no measurement yet
  }
  bareSht.write(shtStatus);
  bareSht.read(b3);
  bareSht.write(shtMeasure);
  return (b6[0] as number) * 256 + (b6[1] as number);
}

const reply = new Uint8Array(13);
const view = new DataView(reply.buffer);

export function handle(request: Uint8Array): Uint8Array {
  const mode = request[0] as number;
  const n = ((request[1] as number) << 8) | (request[2] as number);
  let sum = 0;
  let good = 0;
  let fault = 0;
  for (let i = 0; i < n; i++) {
    clock.advance(1000);
    if (mode === 0) {
      const s = adc.sample();
      if (s) {
        sum += s.value;
        good++;
      }
      fault = adc.fault;
    } else if (mode === 1) {
      const s = sht.sample();
      if (s) {
        sum += s.temperatureC + s.humidityPct;
        good++;
      }
      fault = sht.fault;
    } else if (mode === 2) {
      sum += bareAdsSample();
      good++;
    } else {
      sum += bareShtSample();
      good++;
    }
  }
  view.setFloat64(0, sum);
  view.setUint32(8, good);
  reply[12] = fault;
  return reply;
}
