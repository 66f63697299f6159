/**
 * What the runtime keeps in key-value storage (ECMA-419 3rd edition `embedded:storage/key-value`; NVS on
 * ESP32, where a key is at most 15 characters: ESP-IDF NVS_KEY_NAME_MAX_SIZE = 16 with the NUL):
 *
 *   "config"  the active configuration (protocol/config-record.ts record, CRC-protected)
 *   "fcnt"    the next unreserved frame counter (u32 LE)
 *   "dlcnt"   the last accepted downlink counter (u32 LE), so a downlink cannot be replayed after a reboot
 *
 * Frame counters are reserved in blocks: before the first counter of a block is used, the end of the block is
 * written to "fcnt". A power cut can then skip counters (the rest of a block) but never reuse one, so a
 * collector never sees two different frames under one counter (protocol/auth.ts FrameVerifier rejects a
 * counter at or below the last one). A block of 64 costs one NVS write per 64 frames (about 23 a day at one
 * frame a minute, far inside NVS wear levelling's budget) and skips at most 63 counters per reboot.
 */
import { RuntimeError } from "./runtime/errors.js";

/** The part of ECMA-419 key-value storage the runtime uses (binary values). */
export interface KeyValueStore {
  read(key: string): string | ArrayBuffer | undefined;
  write(key: string, value: ArrayBuffer): void;
  delete(key: string): void;
}

export const KEY_CONFIG = "config";
export const KEY_FRAME_COUNTER = "fcnt";
export const KEY_DOWNLINK_COUNTER = "dlcnt";
export const COUNTER_BLOCK = 64;
const U32_MAX = 0xffffffff;

/** The stored bytes of `key`, or undefined. */
export function readBytes(kv: KeyValueStore, key: string): Uint8Array | undefined {
  const v = kv.read(key);
  if (v === undefined) return undefined;
  if (typeof v === "string") {
    throw new RuntimeError("bad-storage", `key "${key}" holds a string, expected binary`, key);
  }
  return new Uint8Array(v);
}

export function readU32(kv: KeyValueStore, key: string): number | undefined {
  const b = readBytes(kv, key);
  if (b === undefined) return undefined;
  if (b.length !== 4)
    throw new RuntimeError("bad-storage", `key "${key}" holds ${b.length} bytes, expected 4`, b.length);
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}

export function writeU32(kv: KeyValueStore, key: string, value: number): void {
  const buf = new ArrayBuffer(4);
  new DataView(buf).setUint32(0, value >>> 0, true);
  kv.write(key, buf);
}

/** Monotonic frame counter across reboots (see the file comment). */
export class FrameCounter {
  #kv: KeyValueStore;
  #next: number;
  #reservedEnd: number;
  readonly block: number;

  constructor(kv: KeyValueStore, block = COUNTER_BLOCK) {
    if (!Number.isInteger(block) || block < 1 || block > 65536) {
      throw new RuntimeError(
        "bad-option",
        `counter block must be an integer in 1..65536, got ${block}`,
        block,
      );
    }
    this.#kv = kv;
    this.block = block;
    // Everything below the stored value may have been used before the last power cut.
    const stored = readU32(kv, KEY_FRAME_COUNTER) ?? 0;
    this.#next = stored;
    this.#reservedEnd = stored;
  }

  /** The counter the next frame will get (for tests and the console). */
  get peek(): number {
    return this.#next;
  }

  /** Takes the next counter; persists a new block first when the current one is used up. */
  take(): number {
    if (this.#next >= this.#reservedEnd) {
      if (this.#next >= U32_MAX) {
        throw new RuntimeError(
          "counter-exhausted",
          "the 32-bit frame counter is used up: re-key the node",
          this.#next,
        );
      }
      const end = Math.min(U32_MAX, this.#next + this.block);
      writeU32(this.#kv, KEY_FRAME_COUNTER, end);
      this.#reservedEnd = end;
    }
    return this.#next++;
  }
}
