/**
 * Host implementation of the ECMA-419 SPI controller class (`embedded:io/spi`; ECMA-419 "Serial Peripheral
 * Interface", Moddable docs io/spi) on a simulated board. The chip on the bus is the SPITarget attached at
 * (port, select pin) on the SimBoard (host-sim/board.ts); it answers byte for byte on MISO.
 *
 * Semantics kept from the spec / Moddable: the select pin goes active at the first read/write/transfer and
 * stays active until `flush(true)`, so a register address and its data can be split over several calls in
 * one transaction; `write` discards MISO; `transfer` overwrites the caller's buffer with MISO; a pin already
 * in use makes the constructor throw. With no chip at the select pin MISO floats high: reads give 0xFF, as
 * a real bus with a pulled-up MISO does, so a driver's "no answer" check is exercised, not bypassed.
 *
 * Ports as on the ESP32 (Moddable's embedded:io/spi accepts ESP-IDF's SPI1_HOST, SPI2_HOST, SPI3_HOST = 0, 1,
 * 2 and throws RangeError "invalid port" for anything else; `port` has no default there): `port` is required
 * and must be 1 (SPI2_HOST, "HSPI") or 2 (SPI3_HOST, "VSPI"). Port 0 is SPI1_HOST, the bus of the module's
 * own flash: Moddable passes it to ESP-IDF, whose spi_bus_initialize refuses SPI1, and the failure is not
 * reported, so the instance never talks to a chip. The host refuses it at once, with a RangeError.
 *
 * Not modelled: transfer time (calls take no virtual time), clock polarity/phase errors, bit-level noise.
 * No Node APIs here: this file is bundled into the XS engine by the benchmarks.
 */
import { CodedError } from "../../protocol/errors.js";
import type { SimBoard, SPITarget } from "../board.js";

export type IoErrorCode = "bad-option" | "in-use" | "closed" | "bad-buffer" | "bad-mode" | "bad-value";

/** Errors from the host IO classes (house rule 5): a code and the offending value. */
export class IoError extends CodedError<IoErrorCode> {
  override readonly name: string = "IoError";
}

export interface SPIOptions {
  clock?: number;
  in?: number;
  out?: number;
  select?: number;
  /** Level of `select` while the chip is selected (ECMA-419: default 0). */
  active?: 0 | 1;
  hz: number;
  /** Bit 1 clock polarity, bit 0 phase. */
  mode?: number;
  /** Required at run time, as on the ESP32: 1 (SPI2_HOST) or 2 (SPI3_HOST); see `checkSpiPort`. */
  port?: number;
  format?: "buffer";
  target?: unknown;
}

export type ByteBuffer = ArrayBuffer | ArrayBufferView;

export interface HostSPI {
  readonly hz: number;
  readonly mode: number;
  target: unknown;
  format: "buffer";
  read(byteLength: number): ArrayBuffer;
  read(buffer: ByteBuffer): number;
  write(buffer: ByteBuffer): void;
  transfer(buffer: ByteBuffer): void;
  flush(deselect?: boolean): void;
  close(): void;
}

export type HostSPIClass = new (options: SPIOptions) => HostSPI;

/**
 * Claims a GPIO for one IO instance (the board's claimedPins, shared by every IO class made for that board:
 * SPI select, Digital); throws `in-use` (ECMA-419: the resource is already in use).
 */
export function claimPin(board: SimBoard, pin: number, who: string): void {
  const used = board.claimedPins;
  if (used.has(pin)) throw new IoError("in-use", `${who}: pin ${pin} is already in use`, pin);
  used.add(pin);
}

export function releasePin(board: SimBoard, pin: number): void {
  board.claimedPins.delete(pin);
}

function pinNumber(name: string, value: unknown, required: boolean): number | undefined {
  if (value === undefined && !required) return undefined;
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new IoError("bad-option", `SPI: ${name} must be a pin number >= 0, got ${String(value)}`, value);
  }
  return value as number;
}

/** SPI controllers a sensor can use on the ESP32: SPI2_HOST (1) and SPI3_HOST (2); 0 is the flash bus. */
export const SPI_PORTS: readonly number[] = Object.freeze([1, 2]);

/** Checks `port` as the ESP32 does, and also refuses its flash bus; throws a RangeError naming the port. */
export function checkSpiPort(port: unknown): number {
  if (port === 0) {
    throw new RangeError(
      "SPI: port 0 is SPI1_HOST, the ESP32's flash bus, which ESP-IDF does not give to applications; use port 1 (SPI2_HOST) or 2 (SPI3_HOST)",
    );
  }
  if (!SPI_PORTS.includes(port as number)) {
    throw new RangeError(
      `SPI: port ${port === undefined ? "is missing" : `${String(port)} is not an SPI controller`}: the ESP32 has port 1 (SPI2_HOST) and 2 (SPI3_HOST)`,
    );
  }
  return port as number;
}

function asBytes(buffer: ByteBuffer): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  throw new IoError("bad-buffer", `SPI: expected an ArrayBuffer or a view, got ${typeof buffer}`, buffer);
}

/** Builds the board's SPI class: `new SPI({ ...device.SPI.default, select, hz, mode })`. */
export function makeSPI(board: SimBoard): HostSPIClass {
  return class SPI implements HostSPI {
    readonly hz: number;
    readonly mode: number;
    target: unknown;
    readonly #port: number;
    readonly #select: number | undefined;
    readonly #active: 0 | 1;
    readonly #chip: SPITarget | undefined;
    #selected = false;
    #closed = false;
    /** Scratch for `write` (MISO is discarded, the caller's bytes must not be overwritten); grows, never shrinks. */
    #scratch = new Uint8Array(64);

    constructor(options: SPIOptions) {
      if (options === null || typeof options !== "object") {
        throw new IoError("bad-option", "SPI: options must be an object", options);
      }
      const hz = options.hz;
      if (typeof hz !== "number" || !(hz > 0) || !Number.isFinite(hz)) {
        throw new IoError("bad-option", `SPI: hz must be a positive number, got ${String(hz)}`, hz);
      }
      const mode = options.mode ?? 0;
      if (!Number.isInteger(mode) || mode < 0 || mode > 3) {
        throw new IoError(
          "bad-option",
          `SPI: mode must be 0..3 (CPOL bit 1, CPHA bit 0), got ${String(mode)}`,
          mode,
        );
      }
      const active = options.active ?? 0;
      if (active !== 0 && active !== 1) {
        throw new IoError("bad-option", `SPI: active must be 0 or 1, got ${String(active)}`, active);
      }
      if (options.format !== undefined && options.format !== "buffer") {
        throw new IoError(
          "bad-option",
          `SPI: format must be "buffer", got ${String(options.format)}`,
          options.format,
        );
      }
      const port = checkSpiPort(options.port);
      const inPin = pinNumber("in", options.in, false);
      const outPin = pinNumber("out", options.out, false);
      if (inPin === undefined && outPin === undefined) {
        throw new IoError(
          "bad-option",
          "SPI: at least one of in (MISO) and out (MOSI) is required",
          undefined,
        );
      }
      pinNumber("clock", options.clock, true);
      const select = pinNumber("select", options.select, false);
      // The bus pins are shared by every chip on the port; only the select line is exclusive to one instance.
      if (select !== undefined) claimPin(board, select, `SPI select (port ${port})`);
      this.hz = hz;
      this.mode = mode;
      this.target = options.target;
      this.#port = port;
      this.#select = select;
      this.#active = active;
      this.#chip = select === undefined ? undefined : board.spiTarget(port, select);
      if (select !== undefined) board.pin(select).drive(active === 1 ? 0 : 1);
    }

    get format(): "buffer" {
      return "buffer";
    }
    set format(value: "buffer") {
      if (value !== "buffer")
        throw new IoError("bad-option", `SPI: format must be "buffer", got ${String(value)}`, value);
    }

    read(byteLength: number): ArrayBuffer;
    read(buffer: ByteBuffer): number;
    read(arg: number | ByteBuffer): ArrayBuffer | number {
      this.#check();
      if (typeof arg === "number") {
        if (!Number.isInteger(arg) || arg < 0) {
          throw new IoError("bad-value", `SPI: read length must be an integer >= 0, got ${arg}`, arg);
        }
        const bytes = new Uint8Array(arg);
        this.#clock(bytes);
        return bytes.buffer;
      }
      const bytes = asBytes(arg);
      bytes.fill(0);
      this.#clock(bytes);
      return bytes.byteLength;
    }

    write(buffer: ByteBuffer): void {
      this.#check();
      const src = asBytes(buffer);
      if (this.#scratch.length < src.length)
        this.#scratch = new Uint8Array(Math.max(src.length, 2 * this.#scratch.length));
      const scratch =
        src.length === this.#scratch.length ? this.#scratch : this.#scratch.subarray(0, src.length);
      scratch.set(src);
      this.#clock(scratch);
    }

    transfer(buffer: ByteBuffer): void {
      this.#check();
      this.#clock(asBytes(buffer));
    }

    flush(deselect?: boolean): void {
      this.#check();
      if (deselect && this.#selected) {
        this.#selected = false;
        this.#chip?.deselect();
        if (this.#select !== undefined) board.pin(this.#select).drive(this.#active === 1 ? 0 : 1);
      }
    }

    close(): void {
      if (this.#closed) return;
      if (this.#selected) this.flush(true);
      this.#closed = true;
      if (this.#select !== undefined) releasePin(board, this.#select);
    }

    #check(): void {
      if (this.#closed)
        throw new IoError("closed", `SPI: port ${this.#port} select ${this.#select} is closed`, this.#select);
    }

    /** One burst of clocks: selects the chip if needed, then MOSI out / MISO in through `bytes`. */
    #clock(bytes: Uint8Array): void {
      if (!this.#selected) {
        this.#selected = true;
        if (this.#select !== undefined) board.pin(this.#select).drive(this.#active);
        this.#chip?.select();
      }
      if (this.#chip) this.#chip.transfer(bytes);
      else bytes.fill(0xff);
    }
  };
}

/** One chip-select window as seen by a logic analyser on the bus. */
export interface SpiTransaction {
  mosi: number[];
  miso: number[];
}

/**
 * A logic analyser between the SPI controller and a chip: passes every byte through unchanged and records
 * MOSI and MISO per chip-select window, so tests can assert the exact bytes a driver puts on the bus.
 */
export class SpiProbe implements SPITarget {
  readonly transactions: SpiTransaction[] = [];
  readonly #chip: SPITarget;
  #current: SpiTransaction | undefined;

  constructor(chip: SPITarget) {
    this.#chip = chip;
  }

  select(): void {
    this.#current = { mosi: [], miso: [] };
    this.#chip.select();
  }

  transfer(data: Uint8Array): void {
    const t = this.#current ?? { mosi: [], miso: [] };
    for (const b of data) t.mosi.push(b);
    this.#chip.transfer(data);
    for (const b of data) t.miso.push(b);
    this.#current = t;
  }

  deselect(): void {
    if (this.#current) this.transactions.push(this.#current);
    this.#current = undefined;
    this.#chip.deselect();
  }

  /** MOSI bytes of every transaction, for compact assertions. */
  mosi(): number[][] {
    return this.transactions.map((t) => t.mosi);
  }

  clear(): void {
    this.transactions.length = 0;
  }
}
