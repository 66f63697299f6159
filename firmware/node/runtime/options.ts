/**
 * What the node runtime is given (DESIGN.md "Seams"): everything it touches comes in here, by injection.
 */
import type { FrameMac } from "../../../protocol/auth.js";
import type { NodeConfig } from "../../../protocol/config-record.js";
import type { Clock } from "../clock.js";
import type { InterlockIo } from "../interlock/outputs.js";
import type { Outbox } from "../outbox.js";
import type { KeyValueStore } from "../storage.js";
import type { Transport } from "../transport.js";
import type { GasSetup } from "./gas.js";
import type { AccelPort, GasPort } from "./sensors.js";
import type { VibrationSetup } from "./vibration.js";

export interface NodeIdentity {
  /** EUI-64, 8 bytes. */
  nodeId: Uint8Array;
  fwMajor: number;
  fwMinor: number;
  fwPatch: number;
}

export interface NodeRuntimeOptions {
  clock: Clock;
  storage: KeyValueStore;
  outbox: Outbox;
  transports: Transport[];
  mac: FrameMac;
  /** The node's 16-byte MAC key. */
  key: Uint8Array;
  /** First 32 bits of SHA-256 of `bytes` (birth configHash): Moddable's crypt on the board, noble on the host. */
  configDigest: (bytes: Uint8Array) => number;
  identity: NodeIdentity;
  gasPorts?: GasPort[];
  gas?: GasSetup;
  accel?: AccelPort;
  vibration?: VibrationSetup;
  /**
   * Battery voltage now, mV, 0 when unknown: the battery ADC driver (firmware/drivers/battery.ts) on the
   * board and in the simulator (host-sim/chips/battery.ts models the cell, divider and ADC).
   */
  batteryMv: () => number;
  /** Low-battery status bit below this, mV (default runtime/health.ts DEFAULT_BATTERY_LOW_MV). */
  batteryLowMv?: number;
  /** Called when the watchdog trips: reboot. Default: the runtime stops itself. */
  onWatchdog?: (task: string, lateMs: number) => void;
  /** Watchdog check period, ms (default 1000). */
  watchdogCheckMs?: number;
  /** Factory configuration used when storage holds none (default protocol/config-record.ts defaultConfig()). */
  factoryConfig?: NodeConfig;
  /** The interlock's opened pins (firmware/node/interlock/outputs.ts); needs a CH4 gas port. */
  interlock?: InterlockIo;
  /** Told of every interlock event after the runtime has handled it (simulator history, logs). */
  onInterlockEvent?: (event: number, detail: number) => void;
}
