/**
 * A simulated board: the meeting point of the host implementations of the ECMA-419 IO classes
 * (host-sim/io/*) and the chip models (host-sim/chips/*). A chip model attaches itself to a bus address, a
 * chip-select pin, a UART port or a pin; the IO class the firmware's driver opens finds it there and talks
 * to it byte by byte. Everything runs on the board's virtual clock and seeded PRNG.
 */
import type { VirtualClock } from "./clock.js";
import type { Prng } from "./prng.js";

/** A chip on an I2C bus, answering at byte level. Return false to NACK (no chip, or a refused byte). */
export interface I2CTarget {
  /** The controller writes `bytes` (register pointer and/or data), then a STOP if `stop`. */
  write(bytes: Uint8Array, stop: boolean): boolean;
  /** The controller reads `into.length` bytes; the chip fills `into`. */
  read(into: Uint8Array, stop: boolean): boolean;
}

/** A chip on an SPI bus, addressed by its chip-select pin. */
export interface SPITarget {
  /** Chip select asserted: a new transaction begins. */
  select(): void;
  /** Full duplex: `data` holds what the controller clocks out (MOSI); the chip overwrites it with MISO. */
  transfer(data: Uint8Array): void;
  /** Chip select released: the transaction ends. */
  deselect(): void;
}

/** The far end of a UART (a sensor module, a radio modem, a provisioning terminal). */
export interface SerialPeer {
  /** Called once when the node opens the port; the peer answers through `line`. */
  connect(line: SerialLine): void;
  /** Bytes the node transmitted (already paced at the line's baud rate by the IO class). */
  receive(bytes: Uint8Array): void;
  /** The node closed the port. */
  disconnect?(): void;
}

/** The node-facing side of a UART, as a peer sees it. */
export interface SerialLine {
  readonly baud: number;
  /** Queues bytes towards the node; they arrive at the baud rate on the virtual clock. */
  send(bytes: Uint8Array): void;
}

export type PinLevel = 0 | 1;

/** One GPIO as seen from outside the MCU: chips drive inputs, the node drives outputs. */
export class SimPin {
  #level: PinLevel;
  #listeners: ((level: PinLevel) => void)[] = [];
  readonly number: number;

  constructor(number: number, level: PinLevel = 0) {
    this.number = number;
    this.#level = level;
  }

  get level(): PinLevel {
    return this.#level;
  }

  /** Drive the pin (a chip driving an interrupt line, or the node driving an output). */
  drive(level: PinLevel): void {
    if (level === this.#level) return;
    this.#level = level;
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(level);
  }

  onChange(listener: (level: PinLevel) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }
}

export class SimBoard {
  readonly clock: VirtualClock;
  readonly prng: Prng;
  readonly #i2c = new Map<number, Map<number, I2CTarget>>();
  readonly #spi = new Map<number, Map<number, SPITarget>>();
  readonly #serial = new Map<number, SerialPeer>();
  readonly #pins = new Map<number, SimPin>();
  /**
   * GPIOs in use, shared by every IO class made for this board (SPI select, Digital): io/spi.ts claimPin.
   * Kept on the board, not in a module-level table, so the IO modules hold no state of their own (they run
   * preloaded on XS in the lin build, where a module's objects are frozen).
   */
  readonly claimedPins = new Set<number>();

  constructor(clock: VirtualClock, prng: Prng) {
    this.clock = clock;
    this.prng = prng;
  }

  attachI2C(port: number, address: number, target: I2CTarget): void {
    const bus = this.#i2c.get(port) ?? new Map<number, I2CTarget>();
    if (bus.has(address)) throw new Error(`I2C port ${port} already has a chip at 0x${address.toString(16)}`);
    bus.set(address, target);
    this.#i2c.set(port, bus);
  }

  i2cTarget(port: number, address: number): I2CTarget | undefined {
    return this.#i2c.get(port)?.get(address);
  }

  attachSPI(port: number, selectPin: number, target: SPITarget): void {
    const bus = this.#spi.get(port) ?? new Map<number, SPITarget>();
    if (bus.has(selectPin)) throw new Error(`SPI port ${port} already has a chip on select pin ${selectPin}`);
    bus.set(selectPin, target);
    this.#spi.set(port, bus);
  }

  spiTarget(port: number, selectPin: number): SPITarget | undefined {
    return this.#spi.get(port)?.get(selectPin);
  }

  attachSerial(port: number, peer: SerialPeer): void {
    if (this.#serial.has(port)) throw new Error(`UART port ${port} already has a peer`);
    this.#serial.set(port, peer);
  }

  serialPeer(port: number): SerialPeer | undefined {
    return this.#serial.get(port);
  }

  pin(number: number): SimPin {
    let p = this.#pins.get(number);
    if (!p) {
      p = new SimPin(number);
      this.#pins.set(number, p);
    }
    return p;
  }
}
