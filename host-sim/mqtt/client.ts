/**
 * Host implementation of ECMA-419 `embedded:network/mqtt/client` (2nd edition, "MQTT Client Class"), built
 * on npm mqtt-packet (generator + incremental parser) over real TCP (node:net), so simulated nodes talk to a
 * real broker. It follows Moddable's own implementation of the class (moddable examples/io/tcp/mqttclient/
 * mqttclient.js) wherever the spec is loose, because that is the code the node meets on the board:
 *  - options: host, port, id, user, password, clean (default true), keepalive in ms (`keepAlive` accepted
 *    too: @moddable/typings spells it so), will {topic, message, QoS, retain}; `dns` and `socket` ignored;
 *  - callbacks run with `this` = the client: onControl(msg) with msg {operation, id, returnCode?, payload?}
 *    (Moddable passes the message as the only argument; @moddable/typings declares (opcode, message)),
 *    onReadable(count, {more, topic, QoS, byteLength}), onWritable(count), onError(reason) on a refused
 *    CONNACK, a dropped connection or a keep-alive timeout (Moddable passes no reason; we pass an
 *    MqttHostError); onClose is never called, as on the board;
 *  - QoS 1/2 receipt answered automatically (PUBACK, PUBREC/PUBREL/PUBCOMP); keep-alive PINGREQ when
 *    nothing was received for half the interval, error after 1.5 intervals of silence;
 *  - no retransmission, no reconnect, no subscription list: the layer above does that (the ECMA-419 text).
 * Time is the gate's virtual clock and every arrival goes through the gate (host-sim/net/gate.ts), so a run
 * is deterministic. `write` reports a fixed window (WRITABLE_BYTES) rather than the socket's real buffer
 * space, which depends on wall-clock speed.
 */
import net from "node:net";
import { generate, type IPublishPacket, parser as mqttParser, type Packet } from "mqtt-packet";
import type { TimerId } from "../../firmware/node/clock.js";
import { MqttHostError } from "../../site/broker/errors.js";
import type { Link, NetGate } from "../net/gate.js";

/** Bytes `write` reports as writable; 8 of them are reserved for a packet header, as Moddable does. */
export const WRITABLE_BYTES = 8192;
const OVERHEAD = 8;

export type BufferLike = ArrayBuffer | ArrayBufferView;

export interface ControlMessage {
  operation: number;
  id: number;
  /** CONNACK only. */
  returnCode?: number;
  /** CONNACK only: the broker still holds a session for this client id. */
  sessionPresent?: boolean;
  /** SUBACK only: granted QoS per item (0x80 = refused). */
  payload?: number[];
}

export interface ReadableOptions {
  more: boolean;
  topic?: string;
  QoS?: number;
  byteLength?: number;
}

export interface WillOptions {
  topic: string;
  message: string | BufferLike;
  QoS?: number;
  retain?: boolean;
}

export interface HostMqttOptions {
  host?: string;
  address?: string;
  port?: number;
  id?: string;
  user?: string;
  password?: string | BufferLike;
  clean?: boolean;
  keepalive?: number;
  keepAlive?: number;
  will?: WillOptions;
  onControl?: (this: HostMqttClient, msg: ControlMessage) => void;
  onReadable?: (this: HostMqttClient, count: number, options: ReadableOptions) => void;
  onWritable?: (this: HostMqttClient, count: number) => void;
  onError?: (this: HostMqttClient, reason?: MqttHostError) => void;
  onClose?: (this: HostMqttClient) => void;
  [other: string]: unknown;
}

export interface WriteOptions {
  operation?: number;
  id?: number;
  topic?: string;
  QoS?: number;
  retain?: boolean;
  duplicate?: boolean;
  byteLength?: number;
  items?: { topic: string; QoS?: number }[];
}

const RETURN_CODES = [
  "accepted",
  "unacceptable protocol version",
  "identifier rejected",
  "server unavailable",
  "bad user name or password",
  "not authorized",
];

let installedGate: NetGate | undefined;

/** Binds the default-exported class (the Moddable module name's host shim) to a simulation's gate. */
export function installMqttGate(gate: NetGate | undefined): void {
  installedGate = gate;
}

type State = "connecting" | "login" | "connected" | "closed";

export class HostMqttClient {
  static readonly CONNECT = 1;
  static readonly CONNACK = 2;
  static readonly PUBLISH = 3;
  static readonly PUBACK = 4;
  static readonly PUBREC = 5;
  static readonly PUBREL = 6;
  static readonly PUBCOMP = 7;
  static readonly SUBSCRIBE = 8;
  static readonly SUBACK = 9;
  static readonly UNSUBSCRIBE = 10;
  static readonly UNSUBACK = 11;
  static readonly PINGREQ = 12;
  static readonly PINGRESP = 13;
  static readonly DISCONNECT = 14;

  /** The gate this class is bound to (see `bindMqttClient`); the default export uses `installMqttGate`. */
  static gate: NetGate | undefined;

  #gate: NetGate;
  #link: Link;
  #socket: net.Socket;
  #state: State = "connecting";
  #options: HostMqttOptions;
  #keepaliveMs: number;
  #keepaliveTimer: TimerId | undefined;
  #lastRxMs = 0;
  #nextId = 0;
  #connectOp: number;
  #ops = new Map<string, number>();
  #message: Uint8Array | undefined;
  #messageOffset = 0;
  #fragment: { packet: IPublishPacket; parts: Uint8Array[]; have: number; total: number } | undefined;

  constructor(options: HostMqttOptions) {
    const gate = (new.target as typeof HostMqttClient).gate ?? installedGate;
    if (!gate)
      throw new MqttHostError("bad-option", "MQTTClient: no NetGate bound (bindMqttClient)", undefined);
    const host = options?.host ?? options?.address;
    if (typeof host !== "string" || host.length === 0) {
      throw new MqttHostError("bad-option", `MQTTClient: host must be a non-empty string, got ${host}`, host);
    }
    const port = options.port ?? 1883;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new MqttHostError(
        "bad-option",
        `MQTTClient: port must be an integer 1..65535, got ${port}`,
        port,
      );
    }
    const keepaliveMs = options.keepalive ?? options.keepAlive ?? 0;
    if (!Number.isFinite(keepaliveMs) || keepaliveMs < 0 || keepaliveMs > 65535_000) {
      throw new MqttHostError(
        "bad-option",
        `MQTTClient: keepalive must be 0..65535000 ms, got ${keepaliveMs}`,
        keepaliveMs,
      );
    }
    if (options.will !== undefined) checkTopic(options.will.topic, "will topic");
    this.#options = options;
    this.#keepaliveMs = keepaliveMs;
    this.#gate = gate;
    this.#link = gate.openLink(`mqtt ${options.id ?? ""}@${host}:${port}`);
    this.#link.remotePort = port;
    this.#connectOp = gate.begin(this.#link, "CONNECT");

    const parser = mqttParser({ protocolVersion: 4 });
    parser.on("packet", (p: Packet) => this.#arrived(p));
    parser.on("error", (e: Error) => this.#socket.destroy(e));
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    socket.on("connect", () => {
      gate.activity();
      if (this.#state === "connecting") this.#sendConnect();
    });
    socket.on("data", (chunk: Buffer) => {
      gate.activity();
      parser.parse(chunk);
    });
    let socketError: Error | undefined;
    socket.on("error", (e: Error) => {
      socketError = e;
    });
    socket.on("close", () => {
      gate.closeLink(this.#link);
      if (this.#state === "closed") return;
      const why = socketError ? socketError.message : "closed by peer";
      gate.deliver(this.#link, () => this.#fail("connection-lost", `connection lost: ${why}`, why));
    });
    this.#socket = socket;
  }

  /** Releases everything; sends nothing (ECMA-419: write a DISCONNECT first for a clean end). */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    if (this.#keepaliveTimer !== undefined) this.#gate.clock.clearTimer(this.#keepaliveTimer);
    this.#keepaliveTimer = undefined;
    this.#socket.destroy();
    this.#gate.closeLink(this.#link);
  }

  read(count: number): ArrayBuffer | undefined {
    const m = this.#message;
    if (!m || this.#messageOffset >= m.length) return undefined;
    const n = Math.min(Math.max(0, Math.floor(count)), m.length - this.#messageOffset);
    const out = m.slice(this.#messageOffset, this.#messageOffset + n);
    this.#messageOffset += n;
    return out.buffer;
  }

  write(data: BufferLike | null | undefined, options?: WriteOptions): number {
    if (this.#state === "closed")
      throw new MqttHostError("closed", "MQTTClient: write after close", undefined);
    if (options === undefined && this.#fragment) return this.#continueFragment(data);
    if (this.#state !== "connected") {
      throw new MqttHostError(
        "not-connected",
        `MQTTClient: write before CONNACK (state ${this.#state})`,
        this.#state,
      );
    }
    const op = options?.operation ?? HostMqttClient.PUBLISH;
    switch (op) {
      case HostMqttClient.PUBLISH:
        return this.#publish(data, options ?? {});
      case HostMqttClient.SUBSCRIBE:
      case HostMqttClient.UNSUBSCRIBE: {
        const items = options?.items;
        if (!Array.isArray(items) || items.length === 0) {
          throw new MqttHostError(
            "bad-option",
            "MQTTClient: SUBSCRIBE/UNSUBSCRIBE needs a non-empty items",
            items,
          );
        }
        const id = this.#packetId(options?.id);
        const packet: Packet =
          op === HostMqttClient.SUBSCRIBE
            ? {
                cmd: "subscribe",
                messageId: id,
                subscriptions: items.map((i) => ({ topic: i.topic, qos: checkQos(i.QoS ?? 0) })),
              }
            : { cmd: "unsubscribe", messageId: id, unsubscriptions: items.map((i) => i.topic) };
        this.#expect(`${op === HostMqttClient.SUBSCRIBE ? "SUBACK" : "UNSUBACK"} ${id}`);
        return this.#send(packet);
      }
      case HostMqttClient.PINGREQ:
        this.#expect("PINGRESP");
        return this.#send({ cmd: "pingreq" });
      case HostMqttClient.DISCONNECT:
        return this.#send({ cmd: "disconnect" });
      case HostMqttClient.PUBACK:
      case HostMqttClient.PUBREC:
      case HostMqttClient.PUBREL:
      case HostMqttClient.PUBCOMP: {
        const id = this.#packetId(options?.id, true);
        const cmd = ({ 4: "puback", 5: "pubrec", 6: "pubrel", 7: "pubcomp" } as const)[op];
        return this.#send({ cmd, messageId: id } as Packet);
      }
      default:
        throw new MqttHostError("bad-operation", `MQTTClient: write cannot send operation ${op}`, op);
    }
  }

  #publish(data: BufferLike | null | undefined, options: WriteOptions): number {
    const topic = checkTopic(options.topic, "PUBLISH topic");
    const qos = checkQos(options.QoS ?? 0);
    const bytes = toBytes(data);
    const total = options.byteLength ?? bytes.length;
    if (!Number.isInteger(total) || total < bytes.length) {
      throw new MqttHostError(
        "bad-option",
        `MQTTClient: byteLength ${total} < data length ${bytes.length}`,
        total,
      );
    }
    const packet: IPublishPacket = {
      cmd: "publish",
      topic,
      qos,
      retain: options.retain === true,
      dup: options.duplicate === true,
      payload: Buffer.alloc(0),
    };
    if (qos > 0) packet.messageId = this.#packetId(options.id);
    if (total > bytes.length) {
      // A message written in fragments (ECMA-419 write: "Publish a message in two fragments"): sent whole.
      this.#fragment = { packet, parts: [bytes.slice()], have: bytes.length, total };
      return WRITABLE_BYTES - OVERHEAD;
    }
    packet.payload = Buffer.from(bytes);
    return this.#sendPublish(packet);
  }

  #continueFragment(data: BufferLike | null | undefined): number {
    const f = this.#fragment!;
    const bytes = toBytes(data);
    if (f.have + bytes.length > f.total) {
      throw new MqttHostError(
        "overflow",
        `MQTTClient: fragment overruns byteLength ${f.total}`,
        f.have + bytes.length,
      );
    }
    f.parts.push(bytes.slice());
    f.have += bytes.length;
    if (f.have < f.total) return WRITABLE_BYTES - OVERHEAD;
    this.#fragment = undefined;
    f.packet.payload = Buffer.concat(f.parts);
    if (this.#state !== "connected") return 0;
    return this.#sendPublish(f.packet);
  }

  #sendPublish(packet: IPublishPacket): number {
    if (packet.qos === 1) this.#expect(`PUBACK ${packet.messageId}`);
    if (packet.qos === 2) this.#expect(`PUBCOMP ${packet.messageId}`);
    return this.#send(packet);
  }

  #send(packet: Packet): number {
    const bytes = generate(packet);
    if (bytes.length > WRITABLE_BYTES) {
      throw new MqttHostError(
        "overflow",
        `MQTTClient: packet of ${bytes.length} bytes exceeds ${WRITABLE_BYTES}`,
        bytes.length,
      );
    }
    this.#socket.write(bytes);
    return WRITABLE_BYTES - OVERHEAD;
  }

  /** Virtual time holds until the reply named `key` arrives (gate rule). A resend replaces the old wait. */
  #expect(key: string): void {
    const old = this.#ops.get(key);
    if (old !== undefined) this.#gate.end(old);
    this.#ops.set(key, this.#gate.begin(this.#link, key));
  }

  #answered(key: string): void {
    const op = this.#ops.get(key);
    if (op === undefined) return;
    this.#ops.delete(key);
    this.#gate.end(op);
  }

  #packetId(given: number | undefined, required = false): number {
    if (given === undefined) {
      if (required) throw new MqttHostError("bad-id", "MQTTClient: this operation needs an id", given);
      this.#nextId = (this.#nextId % 65535) + 1;
      return this.#nextId;
    }
    if (!Number.isInteger(given) || given < 1 || given > 65535) {
      throw new MqttHostError("bad-id", `MQTTClient: packet id must be 1..65535, got ${given}`, given);
    }
    return given;
  }

  #sendConnect(): void {
    const o = this.#options;
    const will = o.will;
    this.#state = "login";
    this.#socket.write(
      generate({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clean: o.clean ?? true,
        clientId: o.id ?? "",
        keepalive: Math.round(this.#keepaliveMs / 1000),
        ...(o.user ? { username: o.user } : {}),
        ...(o.password !== undefined ? { password: Buffer.from(toBytes(o.password)) } : {}),
        ...(will
          ? {
              will: {
                topic: will.topic,
                payload: Buffer.from(toBytes(will.message)),
                qos: checkQos(will.QoS ?? 0),
                retain: will.retain === true,
              },
            }
          : {}),
      }),
    );
  }

  /** Real time: a packet came off the socket. Ends the wait it answers, then queues it for virtual time. */
  #arrived(p: Packet): void {
    switch (p.cmd) {
      case "connack":
        this.#gate.end(this.#connectOp);
        break;
      case "puback":
        this.#answered(`PUBACK ${p.messageId}`);
        break;
      case "pubrec":
        // QoS 2 second leg: answered at once so the exchange completes within one settle.
        this.#socket.write(generate({ cmd: "pubrel", messageId: p.messageId! }));
        break;
      case "pubcomp":
        this.#answered(`PUBCOMP ${p.messageId}`);
        break;
      case "pubrel":
        this.#socket.write(generate({ cmd: "pubcomp", messageId: p.messageId! }));
        break;
      case "suback":
        this.#answered(`SUBACK ${p.messageId}`);
        break;
      case "unsuback":
        this.#answered(`UNSUBACK ${p.messageId}`);
        break;
      case "pingresp":
        this.#answered("PINGRESP");
        break;
    }
    this.#gate.deliver(this.#link, () => this.#handle(p));
  }

  /** Virtual time: the node sees the packet. */
  #handle(p: Packet): void {
    if (this.#state === "closed") return;
    this.#lastRxMs = this.#gate.clock.now();
    const C = HostMqttClient;
    switch (p.cmd) {
      case "connack": {
        const rc = p.returnCode ?? 0;
        if (rc !== 0) {
          const name = RETURN_CODES[rc] ?? "unknown";
          this.#fail("refused", `connection refused by broker: return code ${rc} (${name})`, rc);
          return;
        }
        this.#state = "connected";
        this.#startKeepalive();
        this.#control({ operation: C.CONNACK, id: 0, returnCode: 0, sessionPresent: p.sessionPresent });
        if (this.#state === "connected") this.#options.onWritable?.call(this, WRITABLE_BYTES - OVERHEAD);
        return;
      }
      case "puback":
        this.#control({ operation: C.PUBACK, id: p.messageId ?? 0 });
        return;
      case "pubrec":
        this.#control({ operation: C.PUBREC, id: p.messageId ?? 0 });
        return;
      case "pubcomp":
        this.#control({ operation: C.PUBCOMP, id: p.messageId ?? 0 });
        return;
      case "pubrel":
        this.#control({ operation: C.PUBREL, id: p.messageId ?? 0 });
        return;
      case "suback":
        this.#control({ operation: C.SUBACK, id: p.messageId ?? 0, payload: p.granted.map(Number) });
        return;
      case "unsuback":
        this.#control({ operation: C.UNSUBACK, id: p.messageId ?? 0 });
        return;
      case "pingresp":
        this.#control({ operation: C.PINGRESP, id: 0 });
        return;
      case "publish": {
        const payload = typeof p.payload === "string" ? Buffer.from(p.payload) : p.payload;
        this.#message = new Uint8Array(payload);
        this.#messageOffset = 0;
        this.#options.onReadable?.call(this, payload.length, {
          more: false,
          topic: p.topic,
          QoS: p.qos,
          byteLength: payload.length,
        });
        if (this.#state !== "connected" || p.messageId === undefined) return;
        if (p.qos === 1) this.#socket.write(generate({ cmd: "puback", messageId: p.messageId }));
        if (p.qos === 2) this.#socket.write(generate({ cmd: "pubrec", messageId: p.messageId }));
        return;
      }
    }
  }

  #control(msg: ControlMessage): void {
    this.#options.onControl?.call(this, msg);
  }

  #startKeepalive(): void {
    const interval = this.#keepaliveMs;
    if (interval <= 0 || this.#keepaliveTimer !== undefined) return;
    const half = Math.max(1, Math.floor(interval / 2));
    this.#keepaliveTimer = this.#gate.clock.setTimer(() => this.#keepalive(interval), half, half);
  }

  #keepalive(interval: number): void {
    if (this.#state !== "connected") return;
    const silentMs = this.#gate.clock.now() - this.#lastRxMs;
    if (silentMs < interval / 2) return;
    if (silentMs > interval * 1.5) {
      this.#fail("connection-lost", `keep-alive timeout: nothing received for ${silentMs} ms`, silentMs);
      return;
    }
    this.#expect("PINGRESP");
    this.#send({ cmd: "pingreq" });
  }

  #fail(code: "refused" | "connection-lost", message: string, value: unknown): void {
    if (this.#state === "closed") return;
    this.close();
    this.#options.onError?.call(this, new MqttHostError(code, `MQTTClient: ${message}`, value));
  }
}

/** A client class bound to `gate`: what the simulator injects where the board injects device.network.mqtt.io. */
export function bindMqttClient(gate: NetGate): typeof HostMqttClient {
  return class BoundMqttClient extends HostMqttClient {
    static override gate: NetGate | undefined = gate;
  };
}

function checkTopic(topic: unknown, what: string): string {
  if (typeof topic !== "string" || topic.length === 0 || /[+#\0]/.test(topic)) {
    throw new MqttHostError(
      "bad-topic",
      `MQTTClient: ${what} must be a non-empty topic without + # NUL, got "${topic}"`,
      topic,
    );
  }
  return topic;
}

function checkQos(qos: number): 0 | 1 | 2 {
  if (qos !== 0 && qos !== 1 && qos !== 2) {
    throw new MqttHostError("bad-qos", `MQTTClient: QoS must be 0, 1 or 2, got ${qos}`, qos);
  }
  return qos;
}

function toBytes(data: string | BufferLike | null | undefined): Uint8Array {
  if (data === null || data === undefined) return new Uint8Array(0);
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new MqttHostError("bad-option", `MQTTClient: expected bytes, got ${typeof data}`, data);
}

export default HostMqttClient;
