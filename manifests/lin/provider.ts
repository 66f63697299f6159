/**
 * `embedded:provider/builtin` for Moddable's desktop build (-p lin), which has none: the node's IO on a
 * simulated board (manifests/lin/sim-board.ts: host-sim's chip models on XS, fed from a short recording),
 * wired as manifests/boards/lin.json's ports and pins say, so the whole node runs on the desktop as on an
 * ESP32 DevKitC.
 * The console UART (config.ports.console) is the exception: it is Moddable's own lin `embedded:io/serial` on
 * the tty at config.consoleDevice (a pseudo-terminal; the check's host program makes one there, or
 * `socat -d -d pty,raw,echo=0,link=/tmp/minewatch-console pty,raw,echo=0,link=/tmp/minewatch-term` by hand).
 * Moddable's lin Serial has no "number" format (modules/io/serial/lin/serial.c: "unimplemented format"), which
 * the console uses, so ConsoleSerial reads the tty in buffer format and hands the bytes out one at a time.
 * The IO classes are looked up when a driver opens one, so importing this module builds nothing.
 */
import ModdableSerial from "embedded:io/serial";
import { DigitalEdge, DigitalMode } from "host-sim/io/digital";
import { linSim } from "manifests/lin/sim-board";
import config from "mc/config";
import Timer from "timer";

interface SerialOptions {
  port?: number;
  baud?: number;
  format?: string;
  onReadable?: (count: number) => void;
  onWritable?: (count: number) => void;
  [key: string]: unknown;
}

interface TtySerial {
  read(count?: number): ArrayBuffer | undefined;
  write(data: ArrayBuffer): void;
  close(): void;
}

const c = config as unknown as { ports?: { console?: number }; consoleDevice?: string };
/** What the console may write before it waits for onWritable (the ESP32's UART FIFO is 128 bytes). */
const TX_ROOM = 128;

/** The console's "number"-format Serial over Moddable's buffer-format lin Serial on a tty. */
class ConsoleSerial {
  #tty: TtySerial;
  #rx: Uint8Array | undefined;
  #at = 0;
  #written = 0;
  #onWritable: ((count: number) => void) | undefined;
  #kick: ReturnType<typeof Timer.set> | undefined;

  constructor(options: SerialOptions) {
    const onReadable = options.onReadable;
    this.#onWritable = options.onWritable;
    const Tty = ModdableSerial as unknown as new (o: Record<string, unknown>) => TtySerial;
    this.#tty = new Tty({
      device: c.consoleDevice,
      baud: options.baud ?? 115200,
      format: "buffer",
      ...(onReadable ? { onReadable: (count: number) => onReadable.call(this, count) } : {}),
    });
  }

  read(): number | undefined {
    let rx = this.#rx;
    if (!rx || this.#at >= rx.length) {
      const got = this.#tty.read();
      if (!got || got.byteLength === 0) return undefined;
      rx = new Uint8Array(got);
      this.#rx = rx;
      this.#at = 0;
    }
    return rx[this.#at++];
  }

  write(byte: number): void {
    this.#tty.write(Uint8Array.of(byte).buffer);
    // A pty takes far more than a UART FIFO: report the room again once this turn's bytes are out.
    if (++this.#written >= TX_ROOM / 2 && this.#kick === undefined && this.#onWritable) {
      this.#kick = Timer.set(() => {
        this.#kick = undefined;
        this.#written = 0;
        this.#onWritable?.call(this, TX_ROOM);
      }, 0);
    }
  }

  close(): void {
    if (this.#kick !== undefined) Timer.clear(this.#kick);
    this.#kick = undefined;
    this.#onWritable = undefined;
    this.#tty.close();
  }
}

class Serial {
  constructor(options: SerialOptions) {
    if (options.port === c.ports?.console && typeof c.consoleDevice === "string")
      // biome-ignore lint/correctness/noConstructorReturn: the provider hands out the chosen port's object
      return new ConsoleSerial(options);
    const Sim = linSim().io.Serial as unknown as new (o: SerialOptions) => object;
    // biome-ignore lint/correctness/noConstructorReturn: the simulated UART's object
    return new Sim(options);
  }
}

type IoClass = new (options: Record<string, unknown>) => object;

/** A class whose instances are the simulated board's, with `statics` (ECMA-419 constants) on it. */
function simulated(kind: "I2C" | "SPI" | "Digital", statics: Record<string, number> = {}): IoClass {
  const Io = class {
    constructor(options: Record<string, unknown>) {
      const Sim = linSim().io[kind] as unknown as IoClass;
      // biome-ignore lint/correctness/noConstructorReturn: the simulated bus or pin's object
      return new Sim(options);
    }
  };
  for (const [name, value] of Object.entries(statics))
    Object.defineProperty(Io, name, { value, enumerable: true });
  return Io;
}

const device = Object.freeze(
  {
    io: Object.freeze({
      I2C: simulated("I2C"),
      SPI: simulated("SPI"),
      Serial,
      Digital: simulated("Digital", { ...DigitalMode, ...DigitalEdge }),
    }),
    pin: Object.freeze({}),
  },
  true,
);

export default device;
