/**
 * The simulator's NOR flash: the shape of Moddable's `flash` module (new Flash(partition); erase(sector),
 * read(offset, byteLength), write(offset, byteLength, buffer), byteLength, blockSize; see
 * node_modules/@moddable/typings/flash.d.ts and modules/files/flash/esp32/flash.c in the Moddable SDK), with
 * the physics that matter for a log that must survive power cuts:
 *
 * - `erase(sector)` sets one whole block (`blockSize` bytes, 4096 on ESP32: SPI_FLASH_SEC_SIZE) to 0xFF.
 * - `write` can only clear bits (1 -> 0). Writing over bytes that are not erased stores old AND new, as NOR
 *   page-program does (e.g. Winbond W25Q32JV datasheet 8.2.15, Page Program: "bits ... can only be
 *   programmed to 0"). With `strict: true` a write that would need a 0 -> 1 transition throws
 *   `not-erased` instead, so a test can prove that the code under test never relies on it; either way
 *   `overwriteAttempts` counts such writes.
 * - `read` returns a fresh ArrayBuffer, as Moddable's does on ESP32 (it allocates one per call).
 * - A `write` of 0 bytes throws `empty-write`: the ESP32's flash module throws Error "invalid" for a
 *   byteLength <= 0 (and for a buffer shorter than byteLength: `bad-buffer` here) before touching the chip.
 *
 * Power cuts: every mutating operation (write or erase) has an index (`writeCount` before the call).
 * `cutAtWrite(n)` makes operation n tear: a seeded PRNG (host-sim/prng.ts) picks how much of it lands
 * (nothing, a prefix, a random subset of the bits, or all of it), then power is lost and every further
 * operation throws `PowerLostError` until `reboot()`. In "bits" tears each affected bit lands independently
 * with a probability drawn per cut, skewed toward few bits (u^3, u uniform): an early cut. No program order
 * is assumed, so a torn record can have bits landed in its frame and none in its header. A torn erase
 * leaves each byte somewhere between its old value and 0xFF (random 0 bits set to 1), or erases only a
 * prefix. So a run is a pure function of the seed.
 *
 * No `node:` imports: this module is bundled into XS test entries.
 */
import { CodedError } from "../protocol/errors.js";
import { root } from "./fault-plan.js";
import type { Prng } from "./prng.js";

export type FlashModelErrorCode =
  | "bad-geometry"
  | "out-of-range"
  | "bad-sector"
  | "bad-buffer"
  | "empty-write"
  | "not-erased";

export class FlashModelError extends CodedError<FlashModelErrorCode> {
  override readonly name: string = "FlashModelError";
}

/** Thrown by the torn operation and by every operation after it until `reboot()`. */
export class PowerLostError extends Error {
  override readonly name: string = "PowerLostError";
  readonly code = "power-lost";
  /** Index of the operation that was cut. */
  readonly value: number;
  constructor(opIndex: number) {
    super(`flash power lost (cut at operation ${opIndex}); reboot() to continue`);
    this.value = opIndex;
  }
}

export function isPowerLost(e: unknown): e is PowerLostError {
  return e instanceof PowerLostError;
}

/** How much of a cut operation lands. */
export type TearMode = "none" | "prefix" | "bits" | "all";
const TEAR_MODES: readonly TearMode[] = ["none", "prefix", "bits", "all"];

export interface CutOptions {
  /** Seed of the PRNG that shapes the tear (default 1). */
  seed?: number;
  /** Force one tear shape (default: the PRNG picks one of the four). */
  mode?: TearMode;
}

export interface TearReport {
  opIndex: number;
  kind: "write" | "erase";
  mode: TearMode;
  offset: number;
  byteLength: number;
}

export interface FlashModelOptions {
  /** Bytes in the region; a whole number of blocks. */
  byteLength: number;
  /** Erase block (sector) size in bytes (ESP32: 4096). */
  blockSize?: number;
  /** Throw `not-erased` on a write that would need a 0 -> 1 transition (default false: AND, like the chip). */
  strict?: boolean;
}

export class FlashModel {
  readonly byteLength: number;
  readonly blockSize: number;
  readonly strict: boolean;
  #mem: Uint8Array;
  #ops = 0;
  #erases = 0;
  #overwrites = 0;
  #powered = true;
  #cutAt = -1;
  #cutSeed = 1;
  #cutMode: TearMode | undefined;
  #lastTear: TearReport | undefined;
  // A view of the last ArrayBuffer written from, so that repeated writes from one staging buffer (the
  // outbox's) allocate nothing here either: measurements on XS then show the caller's allocations only.
  #lastBuffer: ArrayBuffer | undefined;
  #lastView: Uint8Array | undefined;

  constructor(options: FlashModelOptions) {
    const blockSize = options.blockSize ?? 4096;
    if (!Number.isInteger(blockSize) || blockSize < 16) {
      throw new FlashModelError(
        "bad-geometry",
        `flash blockSize must be an integer >= 16, got ${blockSize}`,
        blockSize,
      );
    }
    const n = options.byteLength;
    if (!Number.isInteger(n) || n < blockSize || n % blockSize !== 0) {
      throw new FlashModelError(
        "bad-geometry",
        `flash byteLength must be a positive multiple of blockSize ${blockSize}, got ${n}`,
        n,
      );
    }
    this.byteLength = n;
    this.blockSize = blockSize;
    this.strict = options.strict ?? false;
    this.#mem = new Uint8Array(n).fill(0xff);
  }

  /** Mutating operations (writes and erases) attempted so far, the torn one included. */
  get writeCount(): number {
    return this.#ops;
  }
  get eraseCount(): number {
    return this.#erases;
  }
  /** Writes that asked for a 0 -> 1 transition (stored as AND when not strict). */
  get overwriteAttempts(): number {
    return this.#overwrites;
  }
  get powered(): boolean {
    return this.#powered;
  }
  get lastTear(): TearReport | undefined {
    return this.#lastTear;
  }

  /** Makes mutating operation number `opIndex` (0-based, counting writes and erases) tear, then cuts power. */
  cutAtWrite(opIndex: number, options: CutOptions = {}): void {
    if (!Number.isInteger(opIndex) || opIndex < this.#ops) {
      throw new FlashModelError(
        "out-of-range",
        `cut index must be an integer >= the next operation index ${this.#ops}, got ${opIndex}`,
        opIndex,
      );
    }
    this.#cutAt = opIndex;
    this.#cutSeed = options.seed ?? 1;
    this.#cutMode = options.mode;
  }

  cancelCut(): void {
    this.#cutAt = -1;
  }

  /** Power comes back: contents are kept, operations work again (the operation counter keeps counting). */
  reboot(): void {
    this.#powered = true;
  }

  /**
   * Sets raw bytes exactly, as a programmer attached to the chip would (not an operation, not counted, no
   * NOR rule, works with power off): for tests that build a damaged image no power cut would produce
   * in this model.
   */
  poke(offset: number, bytes: Uint8Array): void {
    this.#range(offset, bytes.length);
    this.#mem.set(bytes, offset);
  }

  /** Copy of the contents for test inspection: not an operation, works with power off. */
  peek(offset = 0, byteLength = this.byteLength - offset): Uint8Array {
    this.#range(offset, byteLength);
    return this.#mem.slice(offset, offset + byteLength);
  }

  read(offset: number, byteLength: number): ArrayBuffer {
    this.#checkPower();
    this.#range(offset, byteLength);
    return this.#mem.slice(offset, offset + byteLength).buffer;
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer | ArrayBufferView): void {
    this.#checkPower();
    this.#range(offset, byteLength);
    if (byteLength === 0) {
      throw new FlashModelError(
        "empty-write",
        `invalid: flash write of 0 bytes at offset ${offset}; the ESP32's flash module refuses a byteLength <= 0 (Error "invalid"), so do not call write with nothing to write`,
        byteLength,
      );
    }
    const src = this.#viewOf(buffer);
    if (src.length < byteLength) {
      throw new FlashModelError(
        "bad-buffer",
        `write of ${byteLength} bytes from a buffer of only ${src.length} bytes`,
        src.length,
      );
    }
    const mem = this.#mem;
    let setsBits = false;
    for (let i = 0; i < byteLength; i++) {
      if (src[i]! & ~mem[offset + i]! & 0xff) {
        setsBits = true;
        break;
      }
    }
    if (setsBits) {
      this.#overwrites++;
      if (this.strict) {
        throw new FlashModelError(
          "not-erased",
          `write at offset ${offset} would set bits that are 0 (NOR can only clear bits; erase first)`,
          offset,
        );
      }
    }
    const index = this.#ops++;
    if (index === this.#cutAt) {
      this.#tearWrite(index, offset, byteLength, src);
      return;
    }
    for (let i = 0; i < byteLength; i++) mem[offset + i] = mem[offset + i]! & src[i]!;
  }

  erase(sector: number): void {
    this.#checkPower();
    const sectors = this.byteLength / this.blockSize;
    if (!Number.isInteger(sector) || sector < 0 || sector >= sectors) {
      throw new FlashModelError(
        "bad-sector",
        `erase sector must be an integer in 0..${sectors - 1}, got ${sector}`,
        sector,
      );
    }
    const index = this.#ops++;
    this.#erases++;
    const start = sector * this.blockSize;
    if (index === this.#cutAt) {
      this.#tearErase(index, start);
      return;
    }
    this.#mem.fill(0xff, start, start + this.blockSize);
  }

  #tearWrite(index: number, offset: number, byteLength: number, src: Uint8Array): never {
    const prng = root(this.#cutSeed);
    const mode = this.#cutMode ?? TEAR_MODES[prng.int(0, 3)]!;
    const mem = this.#mem;
    if (mode === "all") {
      for (let i = 0; i < byteLength; i++) mem[offset + i] = mem[offset + i]! & src[i]!;
    } else if (mode === "prefix") {
      const landed = prng.int(0, byteLength);
      for (let i = 0; i < landed; i++) mem[offset + i] = mem[offset + i]! & src[i]!;
    } else if (mode === "bits") {
      // Each bit the write would clear lands with probability `density`, in no particular order.
      const density = bitDensity(prng);
      for (let i = 0; i < byteLength; i++) {
        const clear = ~src[i]! & mem[offset + i]! & randomMask(prng, density);
        mem[offset + i] = mem[offset + i]! & ~clear;
      }
    }
    this.#lose({ opIndex: index, kind: "write", mode, offset, byteLength });
  }

  #tearErase(index: number, start: number): never {
    const prng = root(this.#cutSeed);
    const mode = this.#cutMode ?? TEAR_MODES[prng.int(0, 3)]!;
    const mem = this.#mem;
    const end = start + this.blockSize;
    if (mode === "all") mem.fill(0xff, start, end);
    else if (mode === "prefix") mem.fill(0xff, start, start + prng.int(0, this.blockSize));
    else if (mode === "bits") {
      const density = bitDensity(prng);
      for (let i = start; i < end; i++) mem[i] = mem[i]! | randomMask(prng, density);
    }
    this.#lose({ opIndex: index, kind: "erase", mode, offset: start, byteLength: this.blockSize });
  }

  #lose(report: TearReport): never {
    this.#lastTear = report;
    this.#powered = false;
    this.#cutAt = -1;
    throw new PowerLostError(report.opIndex);
  }

  #checkPower(): void {
    if (!this.#powered) throw new PowerLostError(this.#lastTear?.opIndex ?? -1);
  }

  #range(offset: number, byteLength: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset > this.byteLength) {
      throw new FlashModelError(
        "out-of-range",
        `flash offset must be an integer in 0..${this.byteLength}, got ${offset}`,
        offset,
      );
    }
    if (!Number.isInteger(byteLength) || byteLength < 0 || offset + byteLength > this.byteLength) {
      throw new FlashModelError(
        "out-of-range",
        `flash access of ${byteLength} bytes at offset ${offset} runs past the region end ${this.byteLength}`,
        byteLength,
      );
    }
  }

  #viewOf(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
    if (buffer instanceof ArrayBuffer) {
      if (buffer !== this.#lastBuffer) {
        this.#lastBuffer = buffer;
        this.#lastView = new Uint8Array(buffer);
      }
      return this.#lastView!;
    }
    if (ArrayBuffer.isView(buffer))
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    throw new FlashModelError(
      "bad-buffer",
      `flash write needs an ArrayBuffer or a typed array, got ${typeof buffer}`,
      buffer,
    );
  }
}

function bitDensity(prng: Prng): number {
  const u = prng.next();
  return u * u * u;
}

function randomMask(prng: Prng, density: number): number {
  let m = 0;
  for (let b = 0; b < 8; b++) if (prng.next() < density) m |= 1 << b;
  return m;
}
