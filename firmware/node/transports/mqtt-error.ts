/** The MQTT transport's error: a code and the offending value (house rule 5). Runs on XS. */
import { CodedError } from "../../../protocol/errors.js";

export type MqttTransportErrorCode =
  /** A constructor option is missing or out of range (host, port, site, node id, timings, backoff). */
  | "bad-option"
  /** `send` of a frame type that is not an uplink (config, alarm-ack, time-sync go down, never up). */
  | "bad-frame-type"
  /** `send` of something that is not a non-empty Uint8Array. */
  | "bad-frame";

export class MqttTransportError extends CodedError<MqttTransportErrorCode> {
  override readonly name: string = "MqttTransportError";
}
