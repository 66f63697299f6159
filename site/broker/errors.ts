/** Errors of the host MQTT pieces: a code and the offending value (house rule 5). */
import { CodedError } from "../../protocol/errors.js";

export type MqttHostErrorCode =
  /** A constructor option is missing or malformed (host, port, will, keepalive, ...). */
  | "bad-option"
  /** `write` before CONNACK (ECMA-419: "It is an error to call write before the CONNACK"). */
  | "not-connected"
  /** The client was closed (by `close()`, an error, or the peer). */
  | "closed"
  /** A PUBLISH topic that is empty or holds a wildcard (MQTT 3.1.1 section 3.3.2.1). */
  | "bad-topic"
  /** QoS other than 0, 1, 2. */
  | "bad-qos"
  /** A packet identifier outside 1..65535 (MQTT 3.1.1 section 2.3.1). */
  | "bad-id"
  /** An operation code `write` cannot send (CONNECT, CONNACK, SUBACK, ...). */
  | "bad-operation"
  /** A packet larger than what `write` said may be written. */
  | "overflow"
  /** The broker refused the connection (CONNACK return code, MQTT 3.1.1 section 3.2.2.3). */
  | "refused"
  /** The connection dropped: socket error, peer close, keep-alive timeout, malformed packet. */
  | "connection-lost"
  /** A broker process could not be started (mosquitto). */
  | "broker-start";

export class MqttHostError extends CodedError<MqttHostErrorCode> {
  override readonly name: string = "MqttHostError";
}
