/**
 * XS entry: firmware/node/monotonic.ts under the target's rules (frozen primordials, firmware modules frozen
 * as a preload leaves them). Requests (little-endian):
 * - [1, start i32]: a new TickClock over a simulated raw tick count starting at `start`, on a stand-in
 *   timer service that only remembers the refresh callback;
 * - [2, n u32, step u32]: n times: raw += step in 32-bit signed arithmetic (as the ESP32's Time.ticks), read
 *   now(); then fire the refresh callback once;
 * - [3]: a TickClock with a refresh period the board cannot hold: the RuntimeError's name and code.
 * Reply (24 bytes): the last now() (f64), the number of reads that went backwards or skipped (f64), and a
 * result code (u32: 1 = ok, 2 = RuntimeError bad-option, 0 = anything else).
 */
import { TickClock, type TimerService } from "../../../firmware/node/monotonic.js";

let raw = 0;
let clock: TickClock | undefined;
let refresh: (() => void) | undefined;
const reply = new Uint8Array(24);
const view = new DataView(reply.buffer);
const readRaw = () => raw;
const timers: TimerService = {
  setTimer(callback) {
    refresh = callback;
    return 1;
  },
  clearTimer() {},
};

export function handle(request: Uint8Array): Uint8Array {
  const dv = new DataView(request.buffer, request.byteOffset, request.byteLength);
  const op = request[0];
  let code = 1;
  if (op === 1) {
    raw = dv.getInt32(1, true);
    clock = new TickClock(readRaw, timers);
    view.setFloat64(0, clock.now(), true);
    view.setFloat64(8, 0, true);
  } else if (op === 2 && clock) {
    const n = dv.getUint32(1, true);
    const step = dv.getUint32(5, true);
    let bad = 0;
    let prev = clock.now();
    for (let i = 0; i < n; i++) {
      raw = (raw + step) | 0;
      const now = clock.now();
      if (now - prev !== step) bad++;
      prev = now;
    }
    refresh?.();
    view.setFloat64(0, prev, true);
    view.setFloat64(8, bad, true);
  } else if (op === 3) {
    try {
      new TickClock(readRaw, timers, 0);
      code = 0;
    } catch (e) {
      const err = e as { name?: string; code?: string };
      code = err.name === "RuntimeError" && err.code === "bad-option" ? 2 : 0;
    }
  } else code = 0;
  view.setUint32(16, code, true);
  return reply;
}
