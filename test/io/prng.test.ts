import { describe, expect, it } from "vitest";
import { Prng } from "../../host-sim/prng.js";

const draw = (p: Prng, n: number) => Array.from({ length: n }, () => p.nextUint32());

describe("Prng (seeded xoshiro128**)", () => {
  it("is a pure function of the seed", () => {
    expect(draw(new Prng(42), 100)).toEqual(draw(new Prng(42), 100));
    expect(draw(new Prng(42), 10)).not.toEqual(draw(new Prng(43), 10));
  });

  it("gives well spread values: uniform mean, int range inclusive, gaussian moments", () => {
    const p = new Prng(1);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) sum += p.next();
    expect(sum / n).toBeGreaterThan(0.49);
    expect(sum / n).toBeLessThan(0.51);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = p.int(3, 7);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(7);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const g = p.gaussian(2, 0.5);
      s += g;
      s2 += g * g;
    }
    const mean = s / n;
    expect(mean).toBeCloseTo(2, 1);
    expect(Math.sqrt(s2 / n - mean * mean)).toBeCloseTo(0.5, 1);
  });

  it("fork gives independent streams: a child does not shift the parent, children differ by label", () => {
    const a = new Prng(99);
    const b = new Prng(99);
    const child = a.fork(1);
    draw(child, 50);
    expect(draw(a, 20)).toEqual(draw(b, 20));
    expect(draw(new Prng(99).fork(1), 10)).toEqual(draw(new Prng(99).fork(1), 10));
    expect(draw(new Prng(99).fork(1), 10)).not.toEqual(draw(new Prng(99).fork(2), 10));
    expect(draw(new Prng(99).fork(1), 10)).not.toEqual(draw(new Prng(99), 10));
  });

  it("rejects a seed outside 0..2^32-1 naming it", () => {
    expect(() => new Prng(-1)).toThrow(/-1/);
    expect(() => new Prng(1.5)).toThrow(/1.5/);
    expect(() => new Prng(2 ** 32)).toThrow(/4294967296/);
  });
});
