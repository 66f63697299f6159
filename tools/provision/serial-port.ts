/**
 * A real serial port to a node's console, through the npm `serialport` package (node-serialport), an
 * optional dependency that installs with minewatch (its native binding ships prebuilt inside the package).
 * It is loaded with a dynamic import only when a real port is asked for, so the simulator never loads it;
 * where it did not install (`npm install --omit=optional`, a platform without a prebuilt binding) the tech
 * gets one line saying how to install it. Time is the host's real clock (this is a host tool, not node code).
 */
import type { Clock, TimerId } from "../../firmware/node/clock.js";
import { ConsoleClient } from "../console/client.js";
import { ProvisionError } from "./errors.js";
import type { NodePort } from "./port.js";

/** The host's clock for a real link: timeouts of the console client run on it. */
export class RealClock implements Clock {
  readonly #start = performance.now();
  readonly #timers = new Map<TimerId, ReturnType<typeof setTimeout>>();
  #next = 1;
  now(): number {
    return performance.now() - this.#start;
  }
  setTimer(callback: () => void, delayMs: number, repeatMs?: number): TimerId {
    const id = this.#next++;
    const t = setTimeout(() => {
      if (repeatMs) this.#timers.set(id, setInterval(callback, repeatMs));
      else this.#timers.delete(id);
      callback();
    }, delayMs);
    this.#timers.set(id, t);
    return id;
  }
  clearTimer(id: TimerId): void {
    const t = this.#timers.get(id);
    if (t !== undefined) {
      clearTimeout(t);
      clearInterval(t);
    }
    this.#timers.delete(id);
  }
}

/** The one line a tech sees when opening a port fails, by what the OS said. */
export function openFailure(port: string, message: string): ProvisionError {
  if (/ENOENT|No such file|cannot find|not found|File not found/i.test(message))
    return new ProvisionError(
      "wrong-port",
      `no serial port ${port}: check the cable is plugged in and the port name (Linux /dev/ttyUSB0 or /dev/ttyACM0, Windows COM3)`,
      port,
    );
  if (/EBUSY|busy|Cannot lock port|Access denied|in use/i.test(message))
    return new ProvisionError(
      "port-busy",
      `port ${port} is busy: close the other program using it (a terminal, another minewatch run) and try again`,
      port,
    );
  if (/EACCES|Permission denied/i.test(message))
    return new ProvisionError(
      "wrong-port",
      `no permission to open ${port}: add your user to the dialout group (Linux) and log in again`,
      port,
    );
  return new ProvisionError("wrong-port", `cannot open ${port}: ${message}`, port);
}

export interface SerialPortLike {
  open(cb: (err: Error | null) => void): void;
  write(data: Uint8Array): void;
  close(cb?: (err: Error | null) => void): void;
  on(event: "data" | "close" | "error", cb: (data: Uint8Array) => void): void;
}

export type SerialPortClass = new (o: {
  path: string;
  baudRate: number;
  autoOpen: boolean;
  lock: boolean;
}) => SerialPortLike;

/** The `serialport` package's SerialPort class; `name` is replaced only in a test (a package not there). */
export async function loadSerialPort(port: string, name = "serialport"): Promise<SerialPortClass> {
  // A variable specifier: the type-check and the bundlers do not go looking for the optional package.
  try {
    const mod = (await import(name)) as { SerialPort: SerialPortClass };
    return mod.SerialPort;
  } catch {
    throw new ProvisionError(
      "no-serial-driver",
      `a real port (${port}) needs the serial driver, which is not installed: run \`npm install serialport\` in the minewatch folder, then try again`,
      port,
    );
  }
}

/** Opens a real port; `load` is the `serialport` package's SerialPort class (replaced only in a unit test). */
export async function openSerialPort(
  portName: string,
  baud: number,
  load: (port: string) => Promise<SerialPortClass> = loadSerialPort,
  timeoutMs = 1000,
): Promise<NodePort> {
  const SerialPort = await load(portName);
  const sp = new SerialPort({ path: portName, baudRate: baud, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) =>
    sp.open((err) => (err ? reject(openFailure(portName, err.message)) : resolve())),
  );
  const clock = new RealClock();
  const client = new ConsoleClient({ clock, timeoutMs, firstSeq: Math.floor(Math.random() * 0xffff) });
  client.connect({ baud, send: (bytes) => sp.write(bytes) });
  sp.on("data", (d) => client.receive(new Uint8Array(d)));
  sp.on("close", () => client.disconnect());
  let closed = false;
  return {
    name: portName,
    client,
    clock,
    sim: undefined,
    run: (p) => p,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: () =>
      closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            closed = true;
            sp.close(() => resolve());
          }),
  };
}
