import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../host-sim/clock.js";

describe("VirtualClock (discrete-event scheduler)", () => {
  it("runs events in time order and jumps the clock from event to event", () => {
    const c = new VirtualClock(100);
    const seen: string[] = [];
    c.setTimer(() => seen.push(`c@${c.now()}`), 30);
    c.setTimer(() => seen.push(`a@${c.now()}`), 10);
    c.setTimer(() => seen.push(`b@${c.now()}`), 20);
    expect(c.peek()).toBe(110);
    while (c.step()) {}
    expect(seen).toEqual(["a@110", "b@120", "c@130"]);
    expect(c.now()).toBe(130);
    expect(c.step()).toBe(false);
  });

  it("breaks ties by scheduling order, including events scheduled from a callback at the same instant", () => {
    const c = new VirtualClock();
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) c.setTimer(() => seen.push(i), 7);
    c.setTimer(() => {
      seen.push(5);
      c.setTimer(() => seen.push(7), 0);
    }, 7);
    c.setTimer(() => seen.push(6), 7);
    c.runUntil(7);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("repeats at the period until cleared; clearing from its own callback stops it", () => {
    const c = new VirtualClock();
    const at: number[] = [];
    const id = c.setTimer(
      () => {
        at.push(c.now());
        if (at.length === 4) c.clearTimer(id);
      },
      5,
      2.5,
    );
    c.advance(100);
    expect(at).toEqual([5, 7.5, 10, 12.5]);
    expect(c.pending).toBe(0);
    expect(c.now()).toBe(100);
  });

  it("clearTimer cancels a pending one-shot; runUntil stops at the bound and sets the time", () => {
    const c = new VirtualClock();
    let fired = 0;
    const a = c.setTimer(() => fired++, 10);
    c.setTimer(() => fired++, 50);
    c.clearTimer(a);
    c.runUntil(20);
    expect(fired).toBe(0);
    expect(c.now()).toBe(20);
    expect(c.peek()).toBe(50);
    c.at(30, () => fired++);
    c.at(5, () => fired++); // in the past: clamped to now
    c.runUntil(30);
    expect(fired).toBe(2);
    expect(c.now()).toBe(30);
  });

  it("rejects bad delays and periods naming the value", () => {
    const c = new VirtualClock();
    expect(() => c.setTimer(() => {}, -1)).toThrow(/-1/);
    expect(() => c.setTimer(() => {}, Number.POSITIVE_INFINITY)).toThrow(/Infinity/);
    expect(() => c.setTimer(() => {}, 1, 0)).toThrow(/repeat must be > 0 ms, got 0/);
  });

  it("is deterministic: the same schedule gives the same trace", () => {
    const trace = () => {
      const c = new VirtualClock();
      const out: string[] = [];
      for (let i = 0; i < 50; i++)
        c.setTimer(() => out.push(`${i}@${c.now()}`), (i * 37) % 11, i % 3 ? (i % 7) + 1 : undefined);
      c.advance(40);
      return out.join(",");
    };
    expect(trace()).toBe(trace());
  });
});
