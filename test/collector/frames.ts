/** Test helpers: sealed minewatch frames as a node sends them. */

import { sealFrame } from "../../protocol/auth.js";
import { encodeFrame } from "../../protocol/encode.js";
import type { AlarmFrame, Frame, TelemetryFrame } from "../../protocol/frames.js";
import { AlarmLevel, Channel, FrameType, TRAILER_BYTES } from "../../protocol/schema.js";
import { KeyStore } from "../../site/collector/stores.js";
import { nobleFrameMac } from "../../site/frame-mac.js";

export const NODE_A = "70b3d57ed0000a01";
export const NODE_B = "70b3d57ed0000b02";
export const KEY_A = new Uint8Array(16).map((_, i) => i + 1);
export const KEY_B = new Uint8Array(16).map((_, i) => 0xa0 + i);

export function keys(): KeyStore {
  const k = new KeyStore();
  k.set(NODE_A, KEY_A);
  k.set(NODE_B, KEY_B);
  return k;
}

export function seal(frame: Frame, counter: number, key: Uint8Array): Uint8Array {
  const plain = encodeFrame(frame);
  const out = new Uint8Array(plain.length + TRAILER_BYTES);
  out.set(plain);
  return out.slice(0, sealFrame(out, 0, plain.length, counter, key, nobleFrameMac));
}

export function alarm(level: number, channel: number = Channel.Ch4, value = 120, ageS = 0): AlarmFrame {
  return { type: FrameType.Alarm, channel, level, value, ageS };
}

export function telemetry(ch4CentiPctVol = 5): TelemetryFrame {
  return {
    type: FrameType.Telemetry,
    ch4CentiPctVol,
    coPpm: 2,
    o2DeciPctVol: 209,
    h2sDeciPpm: 0,
    vibRmsUmPerS: 10,
    vibPeakUmPerS: 30,
    batteryMv: 3900,
  };
}

export { AlarmLevel, Channel };
