/**
 * Host implementation of the ECMA-419 I2C class (`embedded:io/i2c`, ECMA-419 2nd ed. section 10.4) for one
 * simulated board. `makeI2C(board)` returns the class the firmware's drivers receive as `options.sensor.io`;
 * each transaction goes byte for byte to the chip model attached at (port, address) on the SimBoard.
 *
 * Behaviour follows Moddable's ESP32 implementation: the constructor does not probe the bus (a missing chip
 * shows up at the first transaction), a transaction the target does not acknowledge throws, `read(count)`
 * returns a new ArrayBuffer and `read(buffer)` fills the caller's buffer (the allocation-free form drivers
 * use in `sample()`). Bus time is not modelled: a transaction takes no virtual time (at 400 kHz a 3-byte
 * transfer is about 70 us, far below every conversion time the models use).
 *
 * No Node imports: this file is bundled for XS by the drivers' XS tests.
 */
import type { I2CTarget, SimBoard } from "../board.js";

export interface I2COptions {
  address: number;
  hz: number;
  data?: number;
  clock?: number;
  port?: number;
  format?: "buffer";
}

/** A failed I2C transaction (Moddable throws a plain Error; ours also carries a code and the address). */
export class I2CError extends Error {
  override readonly name: string = "I2CError";
  readonly code: string;
  readonly value: number;
  constructor(code: string, message: string, value: number) {
    super(message);
    this.code = code;
    this.value = value;
  }
}

type ByteBuffer = ArrayBuffer | ArrayBufferView;

function bytesOf(buffer: ByteBuffer): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError(`I2C: expected an ArrayBuffer or a typed array, got ${typeof buffer}`);
}

export interface HostI2C {
  read(countOrBuffer: number | ByteBuffer, stop?: boolean): ArrayBuffer | undefined;
  write(buffer: ByteBuffer, stop?: boolean): void;
  close(): void;
  readonly format: "buffer";
  readonly address: number;
}

export type HostI2CClass = new (options: I2COptions) => HostI2C;

export function makeI2C(board: SimBoard): HostI2CClass {
  return class I2C implements HostI2C {
    readonly address: number;
    readonly #port: number;
    #closed = false;

    constructor(options: I2COptions) {
      if (!options || typeof options !== "object") throw new TypeError("I2C: options object required");
      const { address, hz } = options;
      if (!Number.isInteger(address) || address < 0 || address > 0x7f) {
        throw new RangeError(`I2C: address must be a 7-bit integer 0..127, got ${address}`);
      }
      if (!(hz > 0) || !Number.isFinite(hz)) {
        throw new RangeError(`I2C: hz must be a finite number > 0, got ${hz}`);
      }
      const port = options.port ?? 0;
      if (!Number.isInteger(port) || port < 0) {
        throw new RangeError(`I2C: port must be an integer >= 0, got ${port}`);
      }
      if (options.format !== undefined && options.format !== "buffer") {
        throw new RangeError(`I2C: format must be "buffer", got ${String(options.format)}`);
      }
      this.address = address;
      this.#port = port;
    }

    get format(): "buffer" {
      return "buffer";
    }

    read(countOrBuffer: number | ByteBuffer, stop = true): ArrayBuffer | undefined {
      const target = this.#target();
      if (typeof countOrBuffer === "number") {
        if (!Number.isInteger(countOrBuffer) || countOrBuffer < 0) {
          throw new RangeError(`I2C: read count must be an integer >= 0, got ${countOrBuffer}`);
        }
        const out = new Uint8Array(countOrBuffer);
        if (!target.read(out, stop)) this.#nack("read");
        return out.buffer;
      }
      if (!target.read(bytesOf(countOrBuffer), stop)) this.#nack("read");
      return undefined;
    }

    write(buffer: ByteBuffer, stop = true): void {
      const target = this.#target();
      if (!target.write(bytesOf(buffer), stop)) this.#nack("write");
    }

    close(): void {
      this.#closed = true;
    }

    #target(): I2CTarget {
      if (this.#closed) throw new Error(`I2C: bus to 0x${this.address.toString(16)} is closed`);
      const t = board.i2cTarget(this.#port, this.address);
      if (!t) this.#nack("address");
      return t as I2CTarget;
    }

    #nack(phase: string): never {
      throw new I2CError(
        "i2c-nack",
        `I2C ${phase} to 0x${this.address.toString(16)} on port ${this.#port} not acknowledged`,
        this.address,
      );
    }
  };
}

/**
 * Bus-level faults a chip model can be told to inject (issue 4): the chip stops answering (NACK), answers
 * one byte over and over (a stuck data line or a wedged state machine), or the bus reads all 0xFF (SDA held
 * high: chip unpowered or pull-up only).
 */
export type I2CFault = { kind: "nack" } | { kind: "stuck"; byte: number } | { kind: "all-ff" };

/**
 * Applies a read fault to the bytes a model produced; returns false when the chip must NACK. Models call it
 * last in their `read()`, so the fault overrides whatever the register map would have answered.
 */
export function applyI2CReadFault(fault: I2CFault | undefined, into: Uint8Array): boolean {
  if (!fault) return true;
  if (fault.kind === "nack") return false;
  into.fill(fault.kind === "stuck" ? fault.byte & 0xff : 0xff);
  return true;
}
