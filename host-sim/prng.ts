/**
 * The simulator's only source of randomness (house rule 2): a seeded PRNG, so that a run is a pure
 * function of (scenario, seed). xoshiro128** (Blackman and Vigna, 2018) with a splitmix32 seeder: small,
 * fast, good statistical quality, and identical on every platform because it is 32-bit integer math.
 */
export class Prng {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`PRNG seed must be an integer in 0..4294967295, got ${seed}`);
    }
    this.seed = seed;
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.#s1 << 9) >>> 0;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    this.#s0 >>>= 0;
    this.#s1 >>>= 0;
    this.#s2 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal deviate (Box-Muller; one value per call, the pair's second is discarded for simplicity). */
  gaussian(mean = 0, sd = 1): number {
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An independent child stream, e.g. one per simulated node, so adding a node does not shift the others. */
  fork(label: number): Prng {
    return new Prng((Math.imul(this.seed ^ 0x5bd1e995, 0x01000193) + Math.imul(label + 1, 0x9e3779b1)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
