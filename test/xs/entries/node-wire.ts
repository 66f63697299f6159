/**
 * The command channel between a node running on XS (./node-remote.ts) and the simulated board on the Node
 * side (./node-host.ts): op codes, event kinds and a small binary reader/writer both sides share. The XS
 * side calls xsnap's global `issueCommand(ArrayBuffer): ArrayBuffer`, which blocks the XS machine until the
 * host's `handleCommand` answers (@agoric/xsnap src/xsnap.js runToIdle: a '?' message from the worker is
 * answered with '/' + the handler's bytes), so host IO looks synchronous to the node, as native IO does on
 * the board. No Node APIs: bundled for XS.
 *
 * Request: [op u8][op's fields]. Reply: [status u8: 0 ok, 1 error][fields] where an error carries a JSON
 * `{ name, code, message, value }` of what the host IO threw, re-thrown on the XS side with that code.
 */

export const Op = {
  /** kind u8, JSON options -> handle u8 */
  Open: 1,
  Close: 2,
  /** handle, count u16, stop u8 -> bytes */
  I2cRead: 3,
  /** handle, stop u8, bytes */
  I2cWrite: 4,
  /** handle, bytes -> bytes (full duplex, same length) */
  SpiTransfer: 5,
  /** handle, deselect u8 */
  SpiFlush: 6,
  /** handle, bytes */
  SerialWrite: 7,
  /** handle -> level u8 */
  DigitalRead: 8,
  /** handle, level u8 */
  DigitalWrite: 9,
  /** delay f64, repeat f64 (0 = once) -> id u32 */
  TimerSet: 10,
  /** id u32 */
  TimerClear: 11,
  /** key (utf-8) -> tag u8 (0 none, 1 bytes, 2 string) + value */
  KvRead: 12,
  /** key length u8, key, bytes */
  KvWrite: 13,
  KvDelete: 14,
  /** -> byteLength u32, blockSize u32 */
  FlashInfo: 15,
  /** sector u32 */
  FlashErase: 16,
  /** offset u32, length u32 -> bytes */
  FlashRead: 17,
  /** offset u32, bytes */
  FlashWrite: 18,
  /** -> connected u8, canSend u8, tx u32, txFail u32, rx u32 */
  LinkState: 19,
  /** frameType u8, tag u32, bytes -> taken u8 */
  LinkSend: 20,
  LinkStart: 21,
  LinkStop: 22,
  /** key 16 bytes, data -> 4 bytes (HMAC-SHA-256 truncated, protocol/auth.ts) */
  Mac: 23,
  /** bytes -> u32 (first 32 bits of SHA-256) */
  Digest: 24,
  /** until f64 -> event (EventKind, now f64, fields) */
  Next: 25,
  /** annunciation u8 (the interlock's beacon/sounder pattern, for the output models' history) */
  Annunciation: 26,
  /** handle -> raw u32 (ECMA-419 Analog.read()) */
  AnalogRead: 27,
  /** count u8, then count x (length u16, request), then the request that answers (HostChannel.defer) */
  Batch: 28,
} as const;

export const IoKind = { I2C: 1, SPI: 2, Serial: 3, Digital: 4, Analog: 5 } as const;

export const EventKind = {
  /** Nothing due before the `until` time: the host clock stands at it. */
  Done: 0,
  /** id u32 */
  Timer: 1,
  /** handle u8, bytes (the host UART's RX bytes, read out when they became readable) */
  SerialReadable: 2,
  /** handle u8, count u32 */
  SerialWritable: 3,
  /** handle u8 */
  DigitalReadable: 4,
  /** tag u32 */
  LinkAck: 5,
  /** frameType u8, bytes */
  LinkDownlink: 6,
  /** up u8 */
  LinkConnection: 7,
} as const;

/** Appends fields to a growable byte buffer (one per side, reused for every message). */
export class WireWriter {
  bytes = new Uint8Array(64);
  view = new DataView(this.bytes.buffer);
  length = 0;

  reset(): this {
    this.length = 0;
    return this;
  }

  #room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.#room(1);
    this.bytes[this.length++] = v;
    return this;
  }

  u16(v: number): this {
    this.#room(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.#room(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }

  f64(v: number): this {
    this.#room(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
    return this;
  }

  raw(b: Uint8Array): this {
    this.#room(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** A length-prefixed (u32) byte string. */
  blob(b: Uint8Array): this {
    return this.u32(b.length).raw(b);
  }

  /** A copy of what was written, as its own ArrayBuffer (what issueCommand sends). */
  buffer(): ArrayBuffer {
    return this.bytes.buffer.slice(0, this.length) as ArrayBuffer;
  }
}

/** Reads fields in order from one message. */
export class WireReader {
  bytes: Uint8Array;
  view: DataView;
  at = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(): number {
    return this.bytes[this.at++]!;
  }

  u16(): number {
    const v = this.view.getUint16(this.at, true);
    this.at += 2;
    return v;
  }

  u32(): number {
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }

  /** A length-prefixed byte string, as a view into the message. */
  blob(): Uint8Array {
    const n = this.u32();
    const b = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  rest(): Uint8Array {
    const b = this.bytes.subarray(this.at);
    this.at = this.bytes.length;
    return b;
  }
}

/** The node-side view of the channel: one synchronous round trip. */
export type HostCall = (request: ArrayBuffer) => ArrayBuffer;
