/**
 * Unit tests of firmware/node/transports/mqtt.ts against a scripted ECMA-419 client (a mock, here only):
 * exact writes on resend (same packet id, DUP), alarm priority, downlink fragments, timeouts, bad input.
 */
import { describe, expect, it } from "vitest";
import { type MqttClientOptions, MqttTransport } from "../../firmware/node/transports/mqtt.js";
import { backoffDelayMs } from "../../firmware/node/transports/reconnect-backoff.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { FrameType } from "../../protocol/schema.js";
import { downTopic, parseTopic, TopicError, upTopic } from "../../protocol/topics.js";

const SITE = "s1";
const NODE = "0011223344556677";

interface Written {
  data: number[] | null;
  options: Record<string, unknown>;
}

class ScriptedClient {
  static made: ScriptedClient[] = [];
  readonly options: MqttClientOptions;
  readonly written: Written[] = [];
  closed = false;
  #pending: Uint8Array = new Uint8Array(0);
  constructor(options: MqttClientOptions) {
    this.options = options;
    ScriptedClient.made.push(this);
  }
  write(data: ArrayBufferView | null, options?: object): number {
    this.written.push({
      data: data ? [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)] : null,
      options: { ...(options as Record<string, unknown>) },
    });
    return 1000;
  }
  read(count: number): ArrayBuffer | undefined {
    const out = this.#pending.slice(0, count);
    this.#pending = this.#pending.slice(count);
    return out.buffer;
  }
  close(): void {
    this.closed = true;
  }
  // The broker's side, as Moddable's client would report it (onControl(msg), one argument).
  connack(): void {
    this.options.onControl({ operation: 2, id: 0 });
    this.options.onWritable(1000);
  }
  puback(id: number): void {
    this.options.onControl({ operation: 4, id });
  }
  message(topic: string, bytes: number[], split: number): void {
    this.#pending = Uint8Array.from(bytes);
    this.options.onReadable(split, { more: true, topic, byteLength: bytes.length });
    this.options.onReadable(bytes.length - split, { more: false });
  }
  publishes(): Written[] {
    return this.written.filter((w) => w.options.operation === undefined);
  }
}

function setup(extra: Record<string, unknown> = {}) {
  ScriptedClient.made = [];
  const clock = new VirtualClock();
  const acks: number[] = [];
  const downs: [number, number[]][] = [];
  const t = new MqttTransport({
    Client: ScriptedClient,
    clock,
    random: () => 0.5,
    host: "broker.local",
    site: SITE,
    nodeId: NODE,
    password: "pw-123456",
    onAck: (tag) => acks.push(tag),
    onDownlink: (type, bytes) => downs.push([type, [...bytes]]),
    ...extra,
  });
  return { clock, t, acks, downs };
}

describe("MQTT transport (scripted client)", () => {
  it("connects with will, persistent session and credentials; online, subscribe, then frames", () => {
    const { t } = setup();
    t.start();
    const c = ScriptedClient.made[0]!;
    expect(c.options).toMatchObject({
      host: "broker.local",
      port: 1883,
      id: `mw-${NODE}`,
      user: `mw-${NODE}`,
      password: "pw-123456",
      clean: false,
      keepalive: 60_000,
      will: { topic: `minewatch/${SITE}/${NODE}/state`, message: "offline", QoS: 1, retain: true },
    });
    t.send(FrameType.Telemetry, Uint8Array.of(7), 70);
    expect(c.written).toEqual([]); // nothing before CONNACK
    c.connack();
    expect(c.written.map((w) => w.options.topic ?? w.options.operation)).toEqual([
      `minewatch/${SITE}/${NODE}/state`,
      8,
      upTopic(SITE, NODE, FrameType.Telemetry),
    ]);
    expect(c.written[0]!.data).toEqual([...Buffer.from("online")]);
    expect(c.written[0]!.options).toMatchObject({ retain: true, QoS: 1 });
    expect(c.written[1]!.options.items).toEqual([{ topic: `minewatch/${SITE}/${NODE}/down/+`, QoS: 1 }]);
    expect(c.written[2]!.options).toMatchObject({ QoS: 1, retain: false, duplicate: false, id: 3 });
  });

  it("re-sends unacknowledged frames after reconnect with the same packet id and DUP, alarms first", () => {
    const { clock, t, acks } = setup();
    t.start();
    const c1 = ScriptedClient.made[0]!;
    c1.connack();
    t.send(FrameType.Telemetry, Uint8Array.of(1), 1);
    t.send(FrameType.Status, Uint8Array.of(2), 2);
    t.send(FrameType.Alarm, Uint8Array.of(3), 3);
    const first = c1
      .publishes()
      .slice(1)
      .map((w) => [w.data, w.options.id, w.options.retain]);
    expect(first).toEqual([
      [[1], 3, false],
      [[2], 4, true],
      [[3], 5, false],
    ]);
    c1.puback(4);
    expect(acks).toEqual([2]);
    c1.options.onError(); // the connection drops (Moddable passes no reason)
    expect(t.connected).toBe(false);
    expect(c1.closed).toBe(true);
    clock.advance(backoffDelayMs(0, { initialMs: 1000, maxMs: 30_000 }, () => 0.5));
    const c2 = ScriptedClient.made[1]!;
    c2.connack();
    const again = c2
      .publishes()
      .slice(1)
      .map((w) => [w.data, w.options.id, w.options.duplicate]);
    expect(again).toEqual([
      [[3], 5, true],
      [[1], 3, true],
    ]);
    c2.puback(5);
    c2.puback(3);
    c2.puback(3); // a duplicate PUBACK acknowledges nothing twice
    expect(acks).toEqual([2, 3, 1]);
    expect(t.stats).toMatchObject({ published: 3, resent: 2, acked: 3, reconnects: 1, connectAttempts: 2 });
  });

  it("holds at most maxInFlight frames and takes more as acks come back", () => {
    const { t } = setup({ maxInFlight: 2 });
    t.start();
    ScriptedClient.made[0]!.connack();
    expect(t.send(FrameType.Event, Uint8Array.of(1), 1)).toBe(true);
    expect(t.send(FrameType.Event, Uint8Array.of(2), 2)).toBe(true);
    expect(t.canSend).toBe(false);
    expect(t.send(FrameType.Event, Uint8Array.of(3), 3)).toBe(false);
    ScriptedClient.made[0]!.puback(3);
    expect(t.send(FrameType.Event, Uint8Array.of(3), 3)).toBe(true);
  });

  it("assembles a fragmented downlink and names its frame type; ignores foreign topics", () => {
    const { t, downs } = setup();
    t.start();
    const c = ScriptedClient.made[0]!;
    c.connack();
    c.message(downTopic(SITE, NODE, FrameType.AlarmAck), [0x29, 0x82, 1, 2], 1);
    c.message(`minewatch/${SITE}/${NODE}/down/reboot`, [1], 0);
    expect(downs).toEqual([[FrameType.AlarmAck, [0x29, 0x82, 1, 2]]]);
    expect(t.stats.downlinks).toBe(1);
    expect(t.stats.downlinksIgnored).toBe(1);
  });

  it("abandons a connect with no CONNACK after connectTimeoutMs and retries with backoff", () => {
    const { clock, t } = setup({ connectTimeoutMs: 5000, random: () => 0 });
    t.start();
    clock.advance(5000);
    expect(ScriptedClient.made[0]!.closed).toBe(true);
    expect(t.lastError).toBe("connect timeout");
    clock.advance(499);
    expect(ScriptedClient.made.length).toBe(1);
    clock.advance(1);
    expect(ScriptedClient.made.length).toBe(2);
    expect(t.stats.connectFailures).toBe(1);
  });

  it("counts a refused downlink subscription", () => {
    const { t } = setup();
    t.start();
    const c = ScriptedClient.made[0]!;
    c.connack();
    c.options.onControl(9, { operation: 9, id: 2, payload: [0x80] }); // the (opcode, message) shape works too
    expect(t.stats.subscribeRefused).toBe(1);
    expect(t.lastError).toContain("refused");
  });

  it("rejects bad options and frames with a code and the value", () => {
    const base = {
      Client: ScriptedClient,
      clock: new VirtualClock(),
      random: () => 0,
      host: "h",
      site: SITE,
      nodeId: NODE,
    };
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as { code: string }).code, (e as { value: unknown }).value];
      }
      return undefined;
    };
    expect(err(() => new MqttTransport({ ...base, port: 70000 }))).toEqual(["bad-option", 70000]);
    expect(err(() => new MqttTransport({ ...base, nodeId: "XYZ" }))).toEqual(["bad-node-id", "XYZ"]);
    expect(err(() => new MqttTransport({ ...base, site: "a/b" }))).toEqual(["bad-site", "a/b"]);
    expect(err(() => new MqttTransport({ ...base, backoff: { initialMs: 0, maxMs: 1 } }))?.[0]).toBe(
      "bad-option",
    );
    const t = new MqttTransport(base);
    expect(err(() => t.send(FrameType.Config, Uint8Array.of(1), 1))).toEqual([
      "bad-frame-type",
      FrameType.Config,
    ]);
    expect(err(() => t.send(FrameType.Alarm, new Uint8Array(0), 1))?.[0]).toBe("bad-frame");
  });
});

describe("backoff", () => {
  it("doubles from initialMs to maxMs with half of each delay random", () => {
    const p = { initialMs: 1000, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((k) => backoffDelayMs(k, p, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 15000, 15000,
    ]);
    expect(backoffDelayMs(3, p, () => 0.999999)).toBe(7999);
    expect(backoffDelayMs(100, p, () => Number.NaN)).toBe(15000);
  });
});

describe("topics", () => {
  it("builds and parses the layout", () => {
    expect(upTopic(SITE, NODE, FrameType.Alarm)).toBe(`minewatch/${SITE}/${NODE}/up/alarm`);
    expect(downTopic(SITE, NODE, FrameType.TimeSync)).toBe(`minewatch/${SITE}/${NODE}/down/time-sync`);
    expect(parseTopic(`minewatch/${SITE}/${NODE}/up/event`)).toEqual({
      site: SITE,
      nodeId: NODE,
      kind: "up",
      frameType: FrameType.Event,
      frameName: "event",
    });
    expect(parseTopic(`minewatch/${SITE}/${NODE}/state`)).toEqual({
      site: SITE,
      nodeId: NODE,
      kind: "state",
    });
  });

  it("refuses what is not in the layout, naming the value", () => {
    expect(() => upTopic(SITE, NODE, FrameType.Config)).toThrow(TopicError);
    for (const bad of [
      `minewatch/${SITE}/${NODE}/up/config`,
      `minewatch/${SITE}/+/up/alarm`,
      "other/x",
      "",
    ]) {
      try {
        parseTopic(bad);
        expect.unreachable(bad);
      } catch (e) {
        expect((e as TopicError).code).toBe("bad-topic");
        expect((e as TopicError).value).toBe(bad);
      }
    }
  });
});
