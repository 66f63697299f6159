/**
 * What the site's services need from the world around them, as narrow interfaces: a clock, an ECMA-419 MQTT
 * client class (Moddable's `embedded:network/mqtt/client` shape), and an optional traffic gate. The
 * simulator passes its virtual clock, its gated client and its NetGate (host-sim/clock.ts,
 * host-sim/mqtt/client.ts, host-sim/net/gate.ts); a service at the mine passes wall time and a real client.
 * The site never imports the simulator.
 */

/** Milliseconds and timers (the simulator's VirtualClock satisfies it). */
export interface SiteClock {
  now(): number;
  setTimer(callback: () => void, delayMs: number, repeatMs?: number): number;
  clearTimer(id: number): void;
}

/** An MQTT control packet as the ECMA-419 client reports it (CONNACK, PUBACK, SUBACK, ...). */
export interface MqttControlMessage {
  operation: number;
  id: number;
  returnCode?: number;
  sessionPresent?: boolean;
  /** SUBACK only: granted QoS per item (0x80 = refused). */
  payload?: number[];
}

/** An ECMA-419 MQTT client instance, as far as the site uses it. */
export interface MqttClientLike {
  write(data: ArrayBuffer | ArrayBufferView | null, options?: Record<string, unknown>): unknown;
  read(count?: number): ArrayBuffer | undefined;
  close(): void;
}

export interface MqttClientOptions {
  host?: string;
  port?: number;
  id?: string;
  user?: string;
  password?: string;
  clean?: boolean;
  keepalive?: number;
  onControl?: (this: MqttClientLike, msg: MqttControlMessage) => void;
  onReadable?: (this: MqttClientLike, count: number, options: { more: boolean; topic?: string }) => void;
  onError?: (this: MqttClientLike, reason?: Error) => void;
  [other: string]: unknown;
}

/** The ECMA-419 MQTT client class (`new Client(options)`). */
export type MqttClientClass = new (options: MqttClientOptions) => MqttClientLike;

/** A connection the gate follows. */
export interface TrafficLink {
  readonly id: number;
}

/**
 * Holds the simulator's virtual time while the broker does host work (host-sim/net/gate.ts): optional for a
 * broker run by a service at the mine.
 */
export interface TrafficGate {
  /** The virtual clock the gate holds (a gated broker measures publish rates on it). */
  readonly clock: Pick<SiteClock, "now">;
  track<T>(work: Promise<T>): Promise<T>;
  linksTo(port: number): number;
  openLink(label: string): TrafficLink;
  begin(link: TrafficLink, what: string): number;
  end(opId: number): void;
}
