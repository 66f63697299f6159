/**
 * The simulator's `device` host-provider object, shaped like Moddable's (`embedded:provider/builtin`, see
 * npm @moddable/typings embedded_provider/builtin.d.ts and Moddable's modules/io/host/<board>/provider.js):
 * `device.io.{I2C, SPI, Serial, Digital}` are the IO classes, `device.<Bus>.default` the board's default
 * bus options (with `io` set, so a driver gets `{ ...device.SPI.default, select }`), `device.pin` named pins.
 * `firmware/main.ts` takes either the board's provider or this one; the drivers cannot tell them apart.
 *
 * Default wiring: an ESP32 DevKit-style minewatch node. VSPI (ESP-IDF SPI3_HOST = port 2) on GPIO 18/19/23,
 * I2C0 on GPIO 21/22, UART2 on GPIO 16/17 for the NDIR / modem module; the ADXL355's chip select on GPIO 5
 * and its INT1 on GPIO 34 (input-only pins 34..39 suit interrupt lines); the provisioning console on UART0,
 * GPIO 3 (RX) / 1 (TX), the DevKitC's USB-serial bridge (manifests/boards/esp32-devkit.json "console").
 * Override any of them with `pins`.
 */
import type { SimBoard } from "./board.js";
import { type HostDigitalClass, makeDigital } from "./io/digital.js";
import { type HostI2CClass, makeI2C } from "./io/i2c.js";
import { type HostSerialClass, makeSerial } from "./io/serial.js";
import { type HostSPIClass, IoError, makeSPI } from "./io/spi.js";

export interface DevicePins {
  i2cData: number;
  i2cClock: number;
  spiClock: number;
  spiIn: number;
  spiOut: number;
  serialReceive: number;
  serialTransmit: number;
  accelSelect: number;
  accelInt1: number;
  [name: string]: number;
}

export const DEFAULT_PINS: Readonly<DevicePins> = Object.freeze({
  i2cData: 21,
  i2cClock: 22,
  spiClock: 18,
  spiIn: 19,
  spiOut: 23,
  serialReceive: 16,
  serialTransmit: 17,
  accelSelect: 5,
  accelInt1: 34,
  consoleReceive: 3,
  consoleTransmit: 1,
});

export const DEFAULT_PORTS = Object.freeze({ i2c: 0, spi: 2, serial: 2, console: 0 });

export interface HostDevice {
  io: { I2C: HostI2CClass; SPI: HostSPIClass; Serial: HostSerialClass; Digital: HostDigitalClass };
  I2C: { default: { io: HostI2CClass; port: number; data: number; clock: number } };
  SPI: { default: { io: HostSPIClass; port: number; clock: number; in: number; out: number } };
  Serial: { default: { io: HostSerialClass; port: number; receive: number; transmit: number } };
  pin: Readonly<DevicePins>;
}

/** Builds the provider for one simulated board; `pins` overrides or adds named pins. */
export function makeDevice(board: SimBoard, pins: Partial<DevicePins> = {}): HostDevice {
  const p = { ...DEFAULT_PINS } as DevicePins;
  for (const [name, value] of Object.entries(pins)) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) {
      throw new IoError(
        "bad-option",
        `device: pin ${name} must be a GPIO number >= 0, got ${String(value)}`,
        value,
      );
    }
    p[name] = value;
  }
  // One GPIO, one function: a clash is a wiring error, reported with both names.
  const owner = new Map<number, string>();
  for (const [name, gpio] of Object.entries(p)) {
    const other = owner.get(gpio);
    if (other !== undefined) {
      throw new IoError("bad-option", `device: GPIO ${gpio} is assigned to both ${other} and ${name}`, gpio);
    }
    owner.set(gpio, name);
  }
  const I2C = makeI2C(board);
  const SPI = makeSPI(board);
  const Serial = makeSerial(board);
  const Digital = makeDigital(board);
  return {
    io: { I2C, SPI, Serial, Digital },
    I2C: { default: { io: I2C, port: DEFAULT_PORTS.i2c, data: p.i2cData, clock: p.i2cClock } },
    SPI: { default: { io: SPI, port: DEFAULT_PORTS.spi, clock: p.spiClock, in: p.spiIn, out: p.spiOut } },
    Serial: {
      default: {
        io: Serial,
        port: DEFAULT_PORTS.serial,
        receive: p.serialReceive,
        transmit: p.serialTransmit,
      },
    },
    pin: Object.freeze(p),
  };
}
