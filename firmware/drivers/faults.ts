/**
 * Sensor fault codes shared by every driver. A driver never turns a bad answer into a plausible reading:
 * `sample()` returns `undefined` and the driver's `fault` property holds one of these codes until a good
 * sample clears it. The runtime maps them into the status frame's sensor-fault bits.
 */
import { CodedError } from "../../protocol/errors.js";

export const SensorFault = Object.freeze({
  /** Last sample was good. */
  None: 0,
  /** The chip did not answer (I2C NACK, no UART reply within its timeout). */
  NoAnswer: 1,
  /** The identity register / product id is not the expected chip. */
  BadIdentity: 2,
  /** The answer is impossible: all 0xFF / all 0x00 bus, stuck bytes, a value outside the chip's own range. */
  Garbage: 3,
  /** A checksum or CRC in the chip's answer does not match. */
  Checksum: 4,
  /** The chip reset itself (its registers are back at power-on defaults); the driver has re-configured it. */
  Reset: 5,
  /** Samples were lost (FIFO overflow: the driver read too late). */
  Overflow: 6,
  /** The chip reports its own fault or warm-up status flag. */
  ChipStatus: 7,
});

export type SensorFaultCode = (typeof SensorFault)[keyof typeof SensorFault];

/**
 * A driver's refusal (bad options, a closed driver, a chip that is not there at construction): a code such
 * as "ads1115-mux" and the offending value, so a caller can report it in one line.
 */
export class DriverError extends CodedError<string> {
  override readonly name: string = "DriverError";
}
