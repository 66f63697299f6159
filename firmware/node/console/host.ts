/**
 * What the provisioning console needs from the node runtime. The console owns the line protocol, the
 * session (secret, lockout, timeout) and the atomic transfer of config bytes; the runtime owns what the
 * bytes mean: the config schema, its validation, its persistence, where keys are stored, how calibration
 * and bump-test mode work. So config travels here as opaque bytes in the runtime's own persisted encoding.
 *
 * Rules for an implementation:
 * - A method that can refuse returns a `ConsoleRefusal` (the console sends it as `ERR <error> field=<field>
 *   <reason>`) and `null` on success; it does not throw for a refusal. If it throws anyway, the console
 *   replies `ERR host-failed <message>` and stays up.
 * - `error` is a short lower-case code a tool can match (e.g. "unknown-gas", "out-of-range", "bad-length",
 *   "sensor-fault", "storage"); `field` names the offending item ("gas", "slot", "setpoints.ch4.high"...);
 *   `reason` is one plain sentence for the field tech that names the offending value.
 * - Byte arguments are views of the console's reusable buffers: copy what you keep before returning.
 * - Nothing here is called per sample; all calls come from a line the tech sent.
 */

export interface ConsoleRefusal {
  error: string;
  field: string;
  reason: string;
}

export interface NodeIdentity {
  /** The node's id as the collector knows it (the runtime takes it from its config or its factory data). */
  nodeId: string;
  /** Firmware version, e.g. "0.1.0". */
  firmwareVersion: string;
  /** "gas" | "vibration" | "combo". */
  variant: string;
}

export interface GasReading {
  /** Current (calibrated, filtered) value in `unit`. */
  value: number;
  /** "%vol" for CH4 and O2, "ppm" for CO and H2S. */
  unit: string;
  /** Alarm state the node is in for this gas: "none", "low", "high", "stel", "twa", "fault"... */
  alarm: string;
}

export interface CalibrationResult {
  /** Reading after the calibration was applied, in `unit` (≈ 0 after a zero, ≈ the span value after a span). */
  value: number;
  unit: string;
}

export interface KeyInfo {
  /** Key check value (first KCV_BYTES of HMAC-SHA256(key, "kcv")), or null when the slot is empty. */
  kcv: Uint8Array | null;
}

export interface InterlockResetResult {
  /** The interlock's state after the reset (firmware/node/interlock/status.ts INTERLOCK_STATE_NAMES). */
  state: string;
  /** Last valid CH4 reading, %vol, and the reset point it is below. */
  ch4PctVol: number;
  resetBelowPctVol: number;
}

export interface ConsoleHost {
  identify(): NodeIdentity;
  /** The committed config in the runtime's persisted encoding (may be empty before first provisioning). */
  readConfig(): Uint8Array;
  /** Checks a complete, intact config; nothing is stored. */
  validateConfig(bytes: Uint8Array): ConsoleRefusal | null;
  /**
   * Stores a config that `validateConfig` accepted, atomically (the previous config stays in force if power
   * fails part-way) and applies it. May still refuse (e.g. storage failure).
   */
  commitConfig(bytes: Uint8Array): ConsoleRefusal | null;
  /** Stores a key in a named slot (e.g. "mac", "lorawan-appkey"); write-only: it is never read back. */
  writeKey(slot: string, key: Uint8Array): ConsoleRefusal | null;
  keyInfo(slot: string): KeyInfo | ConsoleRefusal;
  /** The provisioning secret (ASCII bytes), empty when none is set; compared in constant time by the console. */
  provisioningSecret(): Uint8Array;
  /** Replaces the provisioning secret (persisted). */
  setProvisioningSecret(secret: Uint8Array): ConsoleRefusal | null;
  reading(gas: string): GasReading | ConsoleRefusal;
  /** Zero (in clean air / zero gas) or span (with `value` of applied gas in the gas's unit) calibration. */
  calibrate(gas: string, kind: "zero" | "span", value: number): CalibrationResult | ConsoleRefusal;
  /**
   * Bump-test mode on (for `gas`) or off. While on, alarms still fire locally (and the methane interlock
   * still trips: a bump test proves the whole protective function). Marking the node's frames as a test
   * needs a protocol flag the frame format does not have yet; until then the mode shows only in `ID`
   * (bump=1). The console turns it off itself when the session ends, so a node is never left in test mode.
   */
  setBumpTest(on: boolean, gas: string | null): ConsoleRefusal | null;
  /** Restarts the node; called after the OK reply has left the UART. */
  reboot(): void;
  /**
   * The deliberate local reset of the methane power interlock (INTERLOCK.RESET). Refused, with the reason,
   * when nothing is latched, while the CH4 reading is not below the reset point, or while the sensor or
   * the relay is faulty. A reset, and a refusal while a trip is latched, goes out through the outbox as
   * the downlink reset's does (a status frame at alarm priority).
   */
  resetInterlock(): InterlockResetResult | ConsoleRefusal;
}

export function isRefusal(r: unknown): r is ConsoleRefusal {
  return typeof r === "object" && r !== null && typeof (r as ConsoleRefusal).error === "string";
}
