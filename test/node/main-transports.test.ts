/**
 * firmware/main.ts's transport choice (firmware/node/runtime/transports-from-config.ts) on the simulator's
 * device provider: a node with the XIAO ESP32S3 + Wio-E5 board's manifest config opens the LoRa-E5 on the
 * manifest's modem UART, writes the OTAA identity from key-value storage into the modem, joins, and gets
 * its methane alarm acknowledged by the network through the LoRa-E5 model. Also: "both" gives both links,
 * and a wrong radio setting leaves that link out with an error naming the value (the node still boots).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { KEY_SLOTS } from "../../firmware/node/console/provisioning-store.js";
import {
  type TransportConfig,
  transportChoice,
  transportsFromConfig,
} from "../../firmware/node/runtime/transports-from-config.js";
import type { Transport } from "../../firmware/node/transport.js";
import type { MqttClientClass } from "../../firmware/node/transports/mqtt.js";
import { LoraE5Model, type LoraE5Uplink } from "../../host-sim/chips/lora-e5.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { HostMqttClient } from "../../host-sim/mqtt/client.js";
import { MemoryKeyValue } from "../../host-sim/node/key-value.js";
import { createSimNode } from "../../host-sim/node/sim-node.js";
import { Prng } from "../../host-sim/prng.js";
import { decodeFrame } from "../../protocol/decode.js";
import { AlarmLevel, Channel, FrameType } from "../../protocol/schema.js";

const root = path.resolve(import.meta.dirname, "../..");
const xiao = JSON.parse(
  fs.readFileSync(path.join(root, "manifests/boards/xiao-esp32s3-wio-e5.json"), "utf8"),
) as { config: TransportConfig & { ports: { modem: number } } };

const DEV_EUI = Uint8Array.from([0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0x06, 0x11, 0x22]);
const JOIN_EUI = Uint8Array.from([0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06]);
const APP_KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();

function isCh4A2(bytes: Uint8Array): boolean {
  const f = decodeFrame(bytes).frame;
  return f.type === FrameType.Alarm && f.channel === Channel.Ch4 && f.level === AlarmLevel.A2;
}

function xiaoNode(opts: { keys: boolean }) {
  const clock = new VirtualClock();
  const prng = new Prng(33);
  const uplinks: LoraE5Uplink[] = [];
  let modem: LoraE5Model | undefined;
  let opened: ReturnType<typeof transportsFromConfig> | undefined;
  const node = createSimNode({
    clock,
    seed: 7,
    variant: "gas",
    sensorsWarm: true,
    // Methane at the A2 level from 30 s: an alarm frame.
    sources: { ch4PctVol: (t) => (t >= 30_000 ? 1.6 : 0.05) },
    transports: (n) => {
      if (!modem) {
        const network = (u: LoraE5Uplink) => {
          uplinks.push({ ...u, bytes: u.bytes.slice() });
          return { ack: true };
        };
        if (opts.keys) {
          // What the console's KEY.SET leaves in storage (KEY_SLOTS: slot -> kv key).
          n.storage.write(KEY_SLOTS["lorawan-deveui"]!.kv, DEV_EUI.slice().buffer);
          n.storage.write(KEY_SLOTS["lorawan-joineui"]!.kv, JOIN_EUI.slice().buffer);
          n.storage.write(KEY_SLOTS["lorawan-appkey"]!.kv, APP_KEY.slice().buffer);
        }
        modem = new LoraE5Model(n.board, { port: xiao.config.ports.modem, network });
      }
      opened = transportsFromConfig({
        config: xiao.config,
        clock,
        storage: n.storage,
        random: () => prng.next(),
        nodeIdHex: n.nodeIdHex,
        Serial: n.device.io.Serial,
      });
      return opened.transports;
    },
  });
  return { clock, node, uplinks, modem: () => modem!, opened: () => opened! };
}

describe("main.ts transports: XIAO ESP32S3 + Wio-E5 (transport lorawan)", () => {
  it("opens the modem UART, writes DevEUI / JoinEUI / AppKey from storage, joins and delivers the alarm", () => {
    const { clock, node, uplinks, modem, opened } = xiaoNode({ keys: true });
    expect(opened().errors).toEqual([]);
    expect(opened().transports.map((t) => t.name)).toEqual(["lorawan"]);
    clock.runUntil(120_000);
    // The identity the modem holds is storage's, written before the join-request.
    const m = modem();
    expect([m.devEui, m.appEui, m.appKey]).toEqual([hex(DEV_EUI), hex(JOIN_EUI), hex(APP_KEY)]);
    const order = m.commands.map((c) => c.split("=")[0]!.toUpperCase());
    expect(order.indexOf("AT+KEY")).toBeGreaterThan(-1);
    expect(order.indexOf("AT+KEY")).toBeLessThan(order.indexOf("AT+JOIN"));
    // The manifest's region and data rate reached the modem.
    expect(modem().region.name).toBe(xiao.config.lorawanRegion);
    expect(modem().dataRate).toBe(xiao.config.lorawanDataRate ?? 0);
    expect(modem().joined).toBe(true);
    const alarms = uplinks.filter((u) => isCh4A2(u.bytes));
    expect(alarms.length).toBeGreaterThanOrEqual(1);
    expect(alarms.every((u) => u.confirmed)).toBe(true);
    // Acknowledged by the network: it left the outbox.
    expect(node.outbox.waitingIds().some((id) => isCh4A2(node.outbox.frameBytes(id)))).toBe(false);
  });

  it("without stored keys writes none and joins with the identity the modem already holds", () => {
    const { clock, uplinks, modem } = xiaoNode({ keys: false });
    clock.runUntil(120_000);
    expect(modem().commands.some((c) => /^AT\+(KEY|ID)=/i.test(c))).toBe(false);
    expect(modem().joined).toBe(true);
    expect(uplinks.some((u) => isCh4A2(u.bytes))).toBe(true);
  });
});

describe("transport choice from the manifest config", () => {
  const clock = new VirtualClock();
  const base = {
    clock,
    random: () => 0.5,
    nodeIdHex: "0011223344556677",
    Serial: createSimNode({ clock, seed: 1, variant: "gas" }).device.io.Serial,
    mqtt: { io: HostMqttClient as unknown as MqttClientClass },
  };
  const names = (ts: Transport[]) => ts.map((t) => t.name);

  it("maps mqtt / lorawan / both (absent = mqtt)", () => {
    expect(transportChoice({})).toEqual({ mqtt: true, lorawan: false });
    expect(transportChoice({ transport: "lorawan" })).toEqual({ mqtt: false, lorawan: true });
    expect(transportChoice({ transport: "both" })).toEqual({ mqtt: true, lorawan: true });
  });

  it('"both" opens MQTT and the LoRaWAN modem', () => {
    const r = transportsFromConfig({
      ...base,
      storage: new MemoryKeyValue(),
      config: { ...xiao.config, transport: "both", mqttHost: "10.0.0.5", site: "mine-1" },
    });
    expect(r.errors).toEqual([]);
    expect(names(r.transports)).toEqual(["mqtt", "lorawan"]);
  });

  it("an unknown transport, a missing region or MQTT host, a short key: that link is left out, error names it", () => {
    const kv = new MemoryKeyValue();
    const bad = (config: TransportConfig) => transportsFromConfig({ ...base, storage: kv, config });
    const unknown = bad({ transport: "wifi" });
    expect(unknown.transports).toEqual([]);
    expect(unknown.errors[0]).toMatchObject({ code: "bad-config", value: "wifi" });

    const noRegion = bad({ ...xiao.config, lorawanRegion: undefined });
    expect(noRegion.transports).toEqual([]);
    expect(noRegion.errors[0]!.message).toMatch(/lorawanRegion/);
    expect(bad({ ...xiao.config, lorawanRegion: "US915" }).errors[0]).toMatchObject({ value: "US915" });

    const noHost = bad({ ...xiao.config, transport: "both", site: "mine-1" });
    expect(names(noHost.transports)).toEqual(["lorawan"]);
    expect(noHost.errors[0]!.message).toMatch(/mqttHost/);

    kv.write(KEY_SLOTS["lorawan-appkey"]!.kv, new Uint8Array(15).buffer);
    const shortKey = bad(xiao.config);
    expect(shortKey.transports).toEqual([]);
    expect(shortKey.errors[0]).toMatchObject({ code: "bad-storage", value: 15 });
    expect(shortKey.errors[0]!.message).toMatch(/lorawan-appkey/);
  });

  it("an MQTT host name is refused (the node's client would ask a public DNS server); an IPv4 address opens", () => {
    const open = (mqttHost: string) =>
      transportsFromConfig({
        ...base,
        storage: new MemoryKeyValue(),
        config: { ...xiao.config, transport: "both", mqttHost, site: "mine-1" },
      });
    for (const host of ["broker.local", "localhost", "192.168.1", "192.168.1.300", "10.0.0.05"]) {
      const r = open(host);
      expect(names(r.transports)).toEqual(["lorawan"]);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatchObject({ code: "bad-config", value: host });
      expect(r.errors[0]!.message).toBe(
        `manifest config mqttHost must be the broker's IPv4 address (e.g. 10.0.0.5), got "${host}": Moddable's ` +
          "MQTT client looks up host names at a hard-coded public DNS server (1.1.1.1), which a mine network " +
          "without internet cannot reach",
      );
    }
    for (const host of ["10.0.0.5", "127.0.0.1", "192.168.255.254"]) {
      const r = open(host);
      expect(r.errors).toEqual([]);
      expect(names(r.transports)).toEqual(["mqtt", "lorawan"]);
    }
  });

  it("a data rate the region does not have is refused with its value", () => {
    const r = transportsFromConfig({
      ...base,
      storage: new MemoryKeyValue(),
      config: { ...xiao.config, lorawanDataRate: 9 },
    });
    expect(r.transports).toEqual([]);
    expect(r.errors[0]).toMatchObject({ code: "bad-config", value: 9 });
  });

  it("on the desktop simulator the modem opens by its device path (config modemDevice)", () => {
    const opened: Record<string, unknown>[] = [];
    const Serial = class {
      constructor(o: Record<string, unknown>) {
        opened.push(o);
      }
      read() {
        return undefined;
      }
      write() {}
      close() {}
    };
    const r = transportsFromConfig({
      ...base,
      Serial: Serial as unknown as typeof base.Serial,
      storage: new MemoryKeyValue(),
      config: { transport: "lorawan", lorawanRegion: "EU868", modemDevice: "/dev/ttyUSB1" },
    });
    expect(r.errors).toEqual([]);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ device: "/dev/ttyUSB1", baud: 9600, format: "number" });
  });
});
