/** The MQTT transport's error: a code and the offending value (house rule 5). Runs on XS. */
export type MqttTransportErrorCode =
  /** A constructor option is missing or out of range (host, port, site, node id, timings, backoff). */
  | "bad-option"
  /** `send` of a frame type that is not an uplink (config, alarm-ack, time-sync go down, never up). */
  | "bad-frame-type"
  /** `send` of something that is not a non-empty Uint8Array. */
  | "bad-frame";

export class MqttTransportError extends Error {
  /** A field, not `this.name =`: the inherited `name` is frozen on the device (house rule 8). */
  override readonly name: string = "MqttTransportError";
  readonly code: MqttTransportErrorCode;
  readonly value: unknown;
  constructor(code: MqttTransportErrorCode, message: string, value: unknown) {
    super(message);
    this.code = code;
    this.value = value;
  }
}
