/** The LoRaWAN transport's errors: a code and the offending value (house rule 5). Runs on XS. */
import { CodedError } from "../../../../protocol/errors.js";

export type LoRaWanErrorCode =
  /** An option is missing or out of range (region, data rate, port, timings). */
  | "bad-option"
  /** `send` of something that is not a non-empty Uint8Array. */
  | "bad-frame"
  /**
   * The frame is larger than the maximum application payload of the current data rate (RP002-1.0.x). It is
   * refused whole, never cut: `value` is `{ sizeBytes, limitBytes, dataRate }` so the runtime can split the
   * frame or send it over MQTT.
   */
  | "too-large";

export class LoRaWanError extends CodedError<LoRaWanErrorCode> {
  override readonly name: string = "LoRaWanError";
}
