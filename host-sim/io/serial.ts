/**
 * Host implementation of the ECMA-419 Serial class (`embedded:io/serial`, ECMA-419 2nd ed. section 10.6) for
 * one simulated board. `makeSerial(board)` returns the class the firmware receives as `options.sensor.io`;
 * opening a port connects the SerialPeer attached at that port on the SimBoard (a sensor module, a modem).
 *
 * Timing on the board's virtual clock, 8N1 framing (10 bit times per byte):
 * - Transmit: `write()` queues bytes in a TX buffer of TX_BUFFER_BYTES; they leave at the baud rate and the
 *   peer receives each write as one chunk when its last byte has left the wire; `onWritable` then reports
 *   the free space. Writing more than the free space throws (Moddable throws on overflow too).
 * - Receive: bytes the peer sends are serialised on the line (one chunk after the other) and become readable
 *   when the chunk has arrived, in pieces of at most RX_FIFO_THRESHOLD bytes: this is how the ESP32 UART
 *   driver under Moddable reports them (RX FIFO full threshold, or the line falling idle), and it is when
 *   `onReadable(count)` fires. The RX buffer holds RX_BUFFER_BYTES; bytes beyond it are dropped and counted
 *   in `droppedBytes` (a driver that never reads loses data, as on the board).
 *
 * `format` defaults to "buffer", as on the ESP32 (Moddable's modules/io/serial/esp32 initialises the format
 * to buffer; the older io.md text that says "number" describes the ESP8266): `read()` returns an ArrayBuffer
 * of everything available, `read(n)` at most n bytes (n >= 1), and `write()` takes an ArrayBuffer or a view.
 * `format` "number": `read()` returns one byte or undefined and allocates nothing, which drivers use on their
 * hot path, and `write()` takes one byte. Writing the other kind throws a TypeError: on the ESP32 a buffer
 * written in "number" format is converted to an integer and goes out as a single 0x00 byte, and a number
 * written in "buffer" format throws. (Moddable's desktop `lin` Serial has no "number" format at all.)
 *
 * No Node imports: this file is bundled for XS by the drivers' XS tests.
 */
import type { SerialLine, SerialPeer, SimBoard } from "../board.js";

/**
 * The ESP32's UART FIFOs (ESP32 and ESP32-S3: 128 bytes each way). Moddable's ESP32 Serial installs no UART
 * driver and reads / writes the hardware FIFOs directly, so these are all the room there is.
 */
export const TX_BUFFER_BYTES = 128;
export const RX_BUFFER_BYTES = 128;
export const RX_FIFO_THRESHOLD = 120;
const BITS_PER_BYTE = 10;

export interface SerialOptions {
  baud: number;
  port: number;
  receive?: number;
  transmit?: number;
  format?: "number" | "buffer";
  onReadable?: (this: HostSerial, count: number) => void;
  onWritable?: (this: HostSerial, count: number) => void;
}

type ByteBuffer = ArrayBuffer | ArrayBufferView;

export interface HostSerial {
  read(count?: number): number | ArrayBuffer | undefined;
  write(value: number | ByteBuffer): void;
  flush(): void;
  close(): void;
  format: "number" | "buffer";
  /** Bytes lost because the RX buffer was full. */
  readonly droppedBytes: number;
}

export type HostSerialClass = new (options: SerialOptions) => HostSerial;

function copyBytes(value: number | ByteBuffer, format: "number" | "buffer"): Uint8Array {
  if (format === "number") {
    if (typeof value !== "number") {
      throw new TypeError(
        `Serial: format "number" writes one byte, got ${describe(value)}; set format "buffer" to write a buffer ` +
          "(on the ESP32 a buffer written as a number goes out as one 0x00 byte)",
      );
    }
    if (!Number.isInteger(value) || value < 0 || value > 255) {
      throw new RangeError(`Serial: write of a number needs a byte 0..255, got ${value}`);
    }
    return Uint8Array.of(value);
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
  throw new TypeError(
    `Serial: format "buffer" writes an ArrayBuffer or a view, got ${describe(value)}; set format "number" to write one byte`,
  );
}

function describe(value: unknown): string {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return "a buffer";
  return typeof value === "number" ? `the number ${value}` : typeof value;
}

export function makeSerial(board: SimBoard): HostSerialClass {
  const clock = board.clock;

  return class Serial implements HostSerial {
    readonly #baud: number;
    readonly #port: number;
    readonly #byteMs: number;
    readonly #peer: SerialPeer | undefined;
    readonly #onReadable: ((count: number) => void) | undefined;
    readonly #onWritable: ((count: number) => void) | undefined;
    #format: "number" | "buffer";
    #closed = false;
    // RX ring buffer.
    readonly #rx = new Uint8Array(RX_BUFFER_BYTES);
    #rxHead = 0;
    #rxCount = 0;
    #dropped = 0;
    // Time at which the line towards the node / towards the peer is free again.
    #rxLineFreeMs = 0;
    #txLineFreeMs = 0;
    #txPending = 0;
    // Bumped on close, so events scheduled before close do nothing.
    #generation = 0;

    constructor(options: SerialOptions) {
      if (!options || typeof options !== "object") throw new TypeError("Serial: options object required");
      const { baud, port } = options;
      if (!Number.isInteger(baud) || baud <= 0) {
        throw new RangeError(`Serial: baud must be an integer > 0, got ${baud}`);
      }
      if (!Number.isInteger(port) || port < 0) {
        throw new RangeError(`Serial: port must be an integer >= 0, got ${port}`);
      }
      const format = options.format ?? "buffer";
      if (format !== "number" && format !== "buffer") {
        throw new RangeError(`Serial: format must be "number" or "buffer", got ${String(format)}`);
      }
      this.#baud = baud;
      this.#port = port;
      this.#format = format;
      this.#byteMs = (BITS_PER_BYTE * 1000) / baud;
      this.#onReadable = options.onReadable?.bind(this);
      this.#onWritable = options.onWritable?.bind(this);
      this.#peer = board.serialPeer(port);
      const line: SerialLine = { baud, send: (bytes) => this.#fromPeer(bytes) };
      this.#peer?.connect(line);
    }

    get format(): "number" | "buffer" {
      return this.#format;
    }

    set format(value: "number" | "buffer") {
      if (value !== "number" && value !== "buffer") {
        throw new RangeError(`Serial: format must be "number" or "buffer", got ${String(value)}`);
      }
      this.#format = value;
    }

    get droppedBytes(): number {
      return this.#dropped;
    }

    read(count?: number): number | ArrayBuffer | undefined {
      this.#open();
      if (this.#format === "number") {
        if (this.#rxCount === 0) return undefined;
        const b = this.#rx[this.#rxHead] as number;
        this.#rxHead = (this.#rxHead + 1) % RX_BUFFER_BYTES;
        this.#rxCount--;
        return b;
      }
      if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
        throw new RangeError(`Serial: read count must be an integer >= 1, got ${count}`);
      }
      const n = Math.min(count ?? this.#rxCount, this.#rxCount);
      if (n === 0) return undefined;
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = this.#rx[this.#rxHead] as number;
        this.#rxHead = (this.#rxHead + 1) % RX_BUFFER_BYTES;
      }
      this.#rxCount -= n;
      return out.buffer;
    }

    write(value: number | ByteBuffer): void {
      this.#open();
      const bytes = copyBytes(value, this.#format);
      if (bytes.length === 0) return;
      const free = TX_BUFFER_BYTES - this.#txPending;
      if (bytes.length > free) {
        throw new RangeError(
          `Serial: write of ${bytes.length} bytes exceeds the ${free} bytes free in the TX buffer`,
        );
      }
      this.#txPending += bytes.length;
      const start = Math.max(clock.now(), this.#txLineFreeMs);
      const done = start + bytes.length * this.#byteMs;
      this.#txLineFreeMs = done;
      const gen = this.#generation;
      clock.at(done, () => {
        if (gen !== this.#generation) return;
        this.#txPending -= bytes.length;
        this.#peer?.receive(bytes);
        this.#onWritable?.(TX_BUFFER_BYTES - this.#txPending);
      });
    }

    /** Discards unread input (ECMA-419 flush). */
    flush(): void {
      this.#open();
      this.#rxHead = 0;
      this.#rxCount = 0;
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      this.#generation++;
      this.#peer?.disconnect?.();
    }

    #open(): void {
      if (this.#closed) throw new Error(`Serial: port ${this.#port} is closed`);
    }

    /** The peer sends: serialise on the line, deliver in FIFO-threshold pieces when they have arrived. */
    #fromPeer(bytes: Uint8Array): void {
      if (this.#closed || bytes.length === 0) return;
      const copy = bytes.slice();
      let start = Math.max(clock.now(), this.#rxLineFreeMs);
      const gen = this.#generation;
      for (let off = 0; off < copy.length; off += RX_FIFO_THRESHOLD) {
        const piece = copy.subarray(off, Math.min(copy.length, off + RX_FIFO_THRESHOLD));
        const arrive = start + piece.length * this.#byteMs;
        start = arrive;
        clock.at(arrive, () => {
          if (gen === this.#generation) this.#arrive(piece);
        });
      }
      this.#rxLineFreeMs = start;
    }

    #arrive(piece: Uint8Array): void {
      for (const b of piece) {
        if (this.#rxCount === RX_BUFFER_BYTES) {
          this.#dropped++;
          continue;
        }
        this.#rx[(this.#rxHead + this.#rxCount) % RX_BUFFER_BYTES] = b;
        this.#rxCount++;
      }
      if (this.#rxCount > 0) this.#onReadable?.(this.#rxCount);
    }

    /** Baud rate the port was opened at (for models and tests). */
    get baud(): number {
      return this.#baud;
    }
  };
}
