/**
 * The monotonic extension of the board's 32-bit tick count (firmware/node/monotonic.ts): signed ESP32
 * ticks (negative after 2^31 ms), unsigned counts, exactly 2^31 and 2^32, many wraps, a read after a long
 * gap (< 2^32 ms), and TickClock's own refresh timer that keeps the count exact on an idle node.
 * Also the host shim's ticks (host-sim/moddable/time.ts): signed 32-bit, wrapping as the ESP32's do.
 */
import { describe, expect, it } from "vitest";
import { MonotonicTicks, TICK_REFRESH_MS, TickClock } from "../../firmware/node/monotonic.js";
import { VirtualClock } from "../../host-sim/clock.js";
import Time, { boardTicks, esp32Ticks, installTimeClock } from "../../host-sim/moddable/time.js";

const W = 2 ** 32;
const H = 2 ** 31;

/** A board whose true (unbounded) millisecond count is `t`, read as the ESP32 gives it. */
function board(startMs: number, signed = true) {
  const b = { t: startMs, reads: 0 };
  const read = () => {
    b.reads++;
    return signed ? b.t | 0 : b.t >>> 0;
  };
  return { b, read };
}

describe("MonotonicTicks", () => {
  it("starts at the raw count read as unsigned, and follows it while it does not wrap", () => {
    const { b, read } = board(1234);
    const m = new MonotonicTicks(read);
    expect(m.now()).toBe(1234);
    b.t = 2_000_000;
    expect(m.now()).toBe(2_000_000);
  });

  it("crosses 2^31 where signed ticks turn negative, exactly at the boundary", () => {
    const { b, read } = board(H - 2);
    const m = new MonotonicTicks(read);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      seen.push(m.now());
      b.t++;
    }
    // Raw: 2^31-2, 2^31-1, -2^31, -2^31+1, -2^31+2
    expect(seen).toEqual([H - 2, H - 1, H, H + 1, H + 2]);
  });

  it("crosses 2^32 where the count passes 0 again", () => {
    const { b, read } = board(W - 2);
    const m = new MonotonicTicks(read);
    expect(m.now()).toBe(W - 2); // raw -2
    b.t = W; // raw 0
    expect(m.now()).toBe(W);
    b.t = W + 3; // raw 3
    expect(m.now()).toBe(W + 3);
  });

  it("takes a negative raw count at construction as the unsigned count it stands for", () => {
    const m = new MonotonicTicks(() => -60_000);
    expect(m.now()).toBe(W - 60_000);
  });

  it("reads exactly 2^31 and 2^32 when the board reads them", () => {
    const { b, read } = board(H - 1000);
    const m = new MonotonicTicks(read);
    b.t = H;
    expect(read()).toBe(-H);
    expect(m.now()).toBe(H);
    b.t = W;
    expect(m.now()).toBe(W);
  });

  it("stays exact over many wraps, signed or unsigned, with reads at uneven steps", () => {
    for (const signed of [true, false]) {
      const { b, read } = board(17, signed);
      const m = new MonotonicTicks(read);
      let prev = m.now();
      let step = 1;
      // About 20 wraps of 2^32 ms, steps from 1 ms to about 2^31 ms.
      while (b.t < 20 * W) {
        step = Math.min(H + 12_345, step * 3 + 7);
        b.t += step;
        const now = m.now();
        expect(now).toBe(b.t);
        expect(now).toBeGreaterThan(prev);
        prev = now;
      }
    }
  });

  it("is exact after a gap just under 2^32 ms between reads, and after gaps of 2^31 and 2^31 + 1", () => {
    for (const gap of [W - 1, H, H + 1, H - 1]) {
      const { b, read } = board(H - 5);
      const m = new MonotonicTicks(read);
      m.now();
      b.t += gap;
      expect(m.now()).toBe(H - 5 + gap);
    }
  });

  it("keeps fractions of a millisecond and counts wider than 32 bits (desktop builds), not truncated", () => {
    let raw = 0.25;
    const frac = new MonotonicTicks(() => raw);
    for (let i = 0; i < 1000; i++) raw += 0.25;
    expect(frac.now()).toBe(250);
    raw = 1.7e12; // a millisecond clock since 1970
    const wide = new MonotonicTicks(() => raw);
    const t0 = wide.now();
    raw += 5 * W + 123;
    expect(wide.now() - t0).toBe(5 * W + 123);
  });

  it("never decreases when read twice at the same tick", () => {
    const m = new MonotonicTicks(() => -1);
    expect(m.now()).toBe(W - 1);
    expect(m.now()).toBe(W - 1);
  });

  it("refuses a missing reader", () => {
    expect(() => new MonotonicTicks(undefined as unknown as () => number)).toThrow(/tick reader/);
  });
});

describe("TickClock", () => {
  it("gives the runtime monotonic time from the board's ticks and its timers from the timer service", () => {
    const vc = new VirtualClock();
    const clock = new TickClock(boardTicks(vc, H - 1000), vc);
    expect(clock.now()).toBe(H - 1000);
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.now()), 500, 500);
    vc.runUntil(2500);
    expect(fired).toEqual([H - 500, H, H + 500, H + 1000, H + 1500]);
    clock.close();
  });

  it("reads the ticks on its own every hour, so a node idle for 60 days still has the right time", () => {
    const vc = new VirtualClock();
    const { b, read } = board(0);
    const clock = new TickClock(() => {
      b.t = vc.now();
      return read();
    }, vc);
    expect(vc.pending).toBe(1);
    const days60 = 60 * 86_400_000;
    vc.runUntil(days60);
    expect(b.reads).toBe(1 + Math.floor(days60 / TICK_REFRESH_MS));
    expect(clock.now()).toBe(days60);
    clock.close();
    expect(vc.pending).toBe(0);
  });

  it("without the refresh, one read after 60 days is 2^32 ms short (why the clock owns a timer)", () => {
    const { b, read } = board(0);
    const m = new MonotonicTicks(read);
    b.t = 60 * 86_400_000;
    expect(m.now()).toBe(60 * 86_400_000 - W);
  });

  it("refuses a refresh period the board's Timer cannot hold", () => {
    const vc = new VirtualClock();
    expect(() => new TickClock(() => 0, vc, 0)).toThrow(/tick refresh/);
    expect(() => new TickClock(() => 0, vc, H)).toThrow(/tick refresh/);
  });
});

describe("host Time.ticks (ESP32: signed 32-bit, wrapping)", () => {
  it("goes negative after 2^31 ms and passes 0 after 2^32 ms, from an offset", () => {
    expect(esp32Ticks(0, H - 1)).toBe(H - 1);
    expect(esp32Ticks(1, H - 1)).toBe(-H);
    expect(esp32Ticks(W - 1, 0)).toBe(-1);
    expect(esp32Ticks(W, 0)).toBe(0);
    expect(esp32Ticks(10.7, W - 5)).toBe(5);
    const vc = new VirtualClock();
    installTimeClock(vc, H - 60_000);
    try {
      expect(Time.ticks).toBe(H - 60_000);
      vc.advance(60_000);
      expect(Time.ticks).toBe(-H);
      // Time.delta in the device's 32-bit arithmetic: right across the wrap.
      expect(Time.delta(H - 10)).toBe(10);
      vc.advance(H);
      expect(Time.ticks).toBe(0);
    } finally {
      installTimeClock(undefined);
    }
  });
});
