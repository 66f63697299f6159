/**
 * A port to one node's provisioning console: `sim:<name>` opens a simulated node kept in a state
 * directory (./sim-port.ts), anything else a real serial device through the npm `serialport` package
 * (./serial-port.ts, loaded only then). Either way the tool talks through the same ConsoleClient and the
 * same byte protocol (protocol/SPEC-console.md), so a flow tested against a simulated node is the flow a
 * tech runs against a real one.
 *
 * `run(promise)` is how a flow waits: on a real port it simply awaits; on a simulated node it drives the
 * node's virtual clock until the promise settles (tools/console/drive.ts). `sleep(ms)` waits on the
 * port's clock (virtual for a simulated node).
 */
import type { Clock } from "../../firmware/node/clock.js";
import type { ConsoleClient } from "../console/client.js";
import { ProvisionError } from "./errors.js";

/** Gas names as the console spells them. */
export type ConsoleGas = "CH4" | "CO" | "O2" | "H2S";

/** What only a simulated node can do: the "hands" of a tech holding a gas cylinder. */
export interface SimHands {
  /** Flows the gas at `value` (the gas's unit) onto the sensor; undefined = back to the site's air. */
  applyGas(gas: ConsoleGas, value: number | undefined): void;
}

export interface NodePort {
  /** The port as given (`sim:face-7`, `/dev/ttyUSB0`). */
  readonly name: string;
  readonly client: ConsoleClient;
  readonly clock: Clock;
  /** Present on a simulated node only. */
  readonly sim: SimHands | undefined;
  run<T>(promise: Promise<T>): Promise<T>;
  sleep(ms: number): Promise<void>;
  /** Releases the port (and saves a simulated node's state). Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenPortOptions {
  /** Where simulated nodes live (default `.minewatch/sim`). */
  simDir?: string;
  /** Create the simulated node if it does not exist yet (provision does; the others refuse). */
  create?: boolean;
  /** Simulator-only faults, `--sim-fault` (see sim-port.ts SimFault). */
  simFaults?: string[];
  baud?: number;
}

export const DEFAULT_SIM_DIR = ".minewatch/sim";

export async function openPort(spec: string | undefined, options: OpenPortOptions = {}): Promise<NodePort> {
  if (!spec)
    throw new ProvisionError(
      "wrong-port",
      "no --port given: name the node's serial port (e.g. --port /dev/ttyUSB0) or a simulated node (--port sim:face-7)",
      spec,
    );
  if (spec.startsWith("sim:")) {
    const { openSimPort } = await import("./sim-port.js");
    return openSimPort(spec, options);
  }
  if (options.simFaults?.length)
    throw new ProvisionError(
      "usage",
      `--sim-fault works on simulated nodes only (--port sim:<name>), not on ${spec}`,
      spec,
    );
  const { openSerialPort } = await import("./serial-port.js");
  return openSerialPort(spec, options.baud ?? 115_200);
}
