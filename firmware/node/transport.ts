/**
 * What the runtime sees of a network: send a frame, hear its acknowledgement, receive downlinks. Frame
 * bytes are opaque here (sealed protocol frames). Implementations: firmware/node/runtime/mqtt-link.ts over
 * the MQTT transport (ECMA-419 client); the LoRaWAN AT-modem transport plugs in the same way.
 *
 * Contract:
 * - `send` either takes the frame (true) or not now (false: no room, not connected); a taken frame is held
 *   by reference until `onAck(tag)` and the caller does not touch its bytes until then.
 * - `onAck(tag)` means the far side owns the frame (MQTT PUBACK, LoRaWAN confirmed-uplink ack): only then
 *   may the outbox forget it. A frame taken but never acknowledged stays in the outbox and is sent again
 *   after a reboot with the same bytes (same counter), so the collector can drop the copy.
 * - Downlinks arrive as (frame type, bytes) still sealed: the runtime verifies them.
 */
export interface TransportEvents {
  onAck(tag: number): void;
  onDownlink(frameType: number, bytes: Uint8Array): void;
  onConnection(connected: boolean): void;
}

/** Radio / link counters for the status frame, updated in place. */
export interface TransportCounters {
  /** Frames handed to the link (first sends and re-sends). */
  txCount: number;
  /** Frames the link failed to deliver (no ack before a drop, a modem error). */
  txFailCount: number;
  /** Downlinks received. */
  rxCount: number;
}

export interface Transport {
  readonly name: string;
  /** Set once by the runtime before `start`. */
  attach(events: TransportEvents): void;
  start(): void;
  stop(): void;
  readonly connected: boolean;
  /** True when `send` would take a frame now. */
  readonly canSend: boolean;
  send(frameType: number, bytes: Uint8Array, tag: number): boolean;
  readonly counters: TransportCounters;
}
