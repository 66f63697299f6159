/**
 * The MQTT transport (firmware/node/transports/mqtt.ts) as a runtime Transport: a thin adapter that routes
 * its callbacks to the runtime and maps its statistics to the status frame's radio counters.
 */

import type { Transport, TransportCounters, TransportEvents } from "../transport.js";
import { MqttTransport, type MqttTransportOptions } from "../transports/mqtt.js";

export type MqttLinkOptions = Omit<MqttTransportOptions, "onAck" | "onDownlink" | "onConnection">;

export class MqttLink implements Transport {
  readonly name = "mqtt";
  readonly mqtt: MqttTransport;
  #events: TransportEvents | undefined;
  #counters: TransportCounters = { txCount: 0, txFailCount: 0, rxCount: 0 };

  constructor(options: MqttLinkOptions) {
    this.mqtt = new MqttTransport({
      ...options,
      onAck: (tag) => this.#events?.onAck(tag),
      onDownlink: (type, bytes) => this.#events?.onDownlink(type, bytes),
      onConnection: (up) => this.#events?.onConnection(up),
    });
  }

  attach(events: TransportEvents): void {
    this.#events = events;
  }

  start(): void {
    this.mqtt.start();
  }

  stop(): void {
    this.mqtt.stop();
  }

  get connected(): boolean {
    return this.mqtt.connected;
  }

  get canSend(): boolean {
    return this.mqtt.connected && this.mqtt.canSend;
  }

  send(frameType: number, bytes: Uint8Array, tag: number): boolean {
    return this.mqtt.send(frameType, bytes, tag);
  }

  /** Frames written (first and DUP), frames that had to be re-sent after a drop (no PUBACK), downlinks. */
  get counters(): TransportCounters {
    const s = this.mqtt.stats;
    const c = this.#counters;
    c.txCount = s.published + s.resent;
    c.txFailCount = s.resent;
    c.rxCount = s.downlinks;
    return c;
  }
}
