/**
 * Atomic config transfer: CFG.BEGIN announces the total length and CRC-32, CFG.DATA lines bring the bytes in
 * order into one preallocated staging buffer, CFG.COMMIT checks length and CRC and only then hands the
 * bytes to the runtime. Nothing reaches the runtime before the last byte is in and intact, so a cable pulled
 * (or a line lost) anywhere in the transfer leaves the node on its previous config.
 */
import { crc32 } from "../../../protocol/checksums.js";
import { HEX_VALUE } from "../../../protocol/console-wire.js";

export const TransferResult = Object.freeze({
  Ok: 0,
  NoTransfer: 1,
  BadOffset: 2,
  TooLarge: 3,
  BadHex: 4,
  Incomplete: 5,
  CrcMismatch: 6,
});
export type TransferResultCode = (typeof TransferResult)[keyof typeof TransferResult];

export class ConfigTransfer {
  readonly #staging: Uint8Array;
  active = false;
  total = 0;
  expectedCrc = 0;
  received = 0;
  /** CRC-32 of what arrived, for the error message. */
  actualCrc = 0;

  constructor(maxBytes: number) {
    this.#staging = new Uint8Array(maxBytes);
  }

  get maxBytes(): number {
    return this.#staging.length;
  }

  begin(total: number, crc: number): TransferResultCode {
    this.abort();
    if (total < 1 || total > this.#staging.length) return TransferResult.TooLarge;
    this.active = true;
    this.total = total;
    this.expectedCrc = crc >>> 0;
    return TransferResult.Ok;
  }

  /** Appends the bytes spelled by hex digits line[from, to) at `offset`, which must be the next one. */
  data(offset: number, line: Uint8Array, from: number, to: number): TransferResultCode {
    if (!this.active) return TransferResult.NoTransfer;
    if (offset !== this.received) return TransferResult.BadOffset;
    const digits = to - from;
    if (digits === 0 || digits % 2 !== 0) return TransferResult.BadHex;
    const n = digits / 2;
    if (offset + n > this.total) return TransferResult.TooLarge;
    // Check all digits before writing any, so a bad line changes nothing. Table reads, no calls: this is
    // the console's bulk path (measured on XS in test/xs/console.test.ts).
    const hex = HEX_VALUE;
    for (let i = from; i < to; i++) if (hex[line[i]!]! < 0) return TransferResult.BadHex;
    const s = this.#staging;
    for (let i = 0, j = from; i < n; i++, j += 2) s[offset + i] = (hex[line[j]!]! << 4) | hex[line[j + 1]!]!;
    this.received += n;
    return TransferResult.Ok;
  }

  /** Checks the transfer is complete and intact; on Ok `bytes()` is the config. */
  check(): TransferResultCode {
    if (!this.active) return TransferResult.NoTransfer;
    if (this.received !== this.total) return TransferResult.Incomplete;
    this.actualCrc = crc32(this.#staging, 0, this.total);
    return this.actualCrc === this.expectedCrc ? TransferResult.Ok : TransferResult.CrcMismatch;
  }

  /** The staged config (a view: valid until the next begin/abort). */
  bytes(): Uint8Array {
    return this.#staging.subarray(0, this.total);
  }

  /** Drops the staged bytes (zeroed: a config may name sites the next person at the port should not see). */
  abort(): void {
    if (this.active || this.received > 0) this.#staging.fill(0, 0, this.received);
    this.active = false;
    this.total = 0;
    this.received = 0;
    this.expectedCrc = 0;
  }
}
