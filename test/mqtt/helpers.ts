/**
 * Shared set-up for the MQTT tests: accounts, a simulated node's transport on a gated client, and a gated
 * collector that subscribes to the whole site, reconnects after an outage and records what it receives at
 * which virtual time.
 */

import { MqttTransport, type MqttTransportOptions } from "../../firmware/node/transports/mqtt.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { bindMqttClient, type HostMqttClient, type HostMqttOptions } from "../../host-sim/mqtt/client.js";
import { NetGate } from "../../host-sim/net/gate.js";
import { Prng } from "../../host-sim/prng.js";
import { siteFilter } from "../../protocol/topics.js";
import type { BrokerAccount } from "../../site/broker/acl.js";

export const SITE = "zhez-3";
export const NODE_A = "70b3d57ed0000a01";
export const NODE_B = "70b3d57ed0000b02";

export const ACCOUNTS: BrokerAccount[] = [
  { role: "node", user: `mw-${NODE_A}`, password: "node-a-secret", site: SITE, nodeId: NODE_A },
  { role: "node", user: `mw-${NODE_B}`, password: "node-b-secret", site: SITE, nodeId: NODE_B },
  { role: "collector", user: "collector", password: "collector-secret", site: SITE },
];

export function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("hex");
}

export interface Sim {
  clock: VirtualClock;
  gate: NetGate;
  prng: Prng;
  /** The bound client class, recording every instance it makes (index = connect attempt). */
  Client: typeof HostMqttClient;
  instances: { atMs: number; id: string; client: HostMqttClient }[];
}

export function makeSim(seed: number, latencyMs = 5): Sim {
  const clock = new VirtualClock();
  const gate = new NetGate(clock, { latencyMs });
  const prng = new Prng(seed);
  const instances: Sim["instances"] = [];
  const Bound = bindMqttClient(gate);
  class Recording extends Bound {
    constructor(options: HostMqttOptions) {
      super(options);
      instances.push({ atMs: clock.now(), id: String(options.id), client: this });
    }
  }
  return { clock, gate, prng, Client: Recording, instances };
}

export function nodeTransport(
  sim: Sim,
  port: number,
  nodeId: string,
  extra: Partial<MqttTransportOptions> = {},
): MqttTransport {
  const account = ACCOUNTS.find((a) => a.role === "node" && a.nodeId === nodeId)!;
  const prng = sim.prng.fork(Number.parseInt(nodeId.slice(-4), 16));
  return new MqttTransport({
    Client: sim.Client,
    clock: sim.clock,
    random: () => prng.next(),
    host: "127.0.0.1",
    port,
    site: SITE,
    nodeId,
    password: account.password,
    ...extra,
  });
}

export interface Received {
  atMs: number;
  topic: string;
  hex: string;
}

/** A collector on the virtual clock: persistent session, QoS 1 subscription, reconnect every 1 s. */
export class Collector {
  readonly received: Received[] = [];
  connected = false;
  #sim: Sim;
  #port: number;
  #client: HostMqttClient | undefined;
  #running = true;

  constructor(sim: Sim, port: number) {
    this.#sim = sim;
    this.#port = port;
    this.#connect();
  }

  #connect(): void {
    if (!this.#running) return;
    const self = this;
    const clock = this.#sim.clock;
    let msg: Uint8Array[] = [];
    let topic = "";
    this.#client = new this.#sim.Client({
      host: "127.0.0.1",
      port: this.#port,
      id: "collector",
      user: "collector",
      password: "collector-secret",
      clean: false,
      keepalive: 0,
      onControl(m) {
        if (m.operation === 2) {
          self.connected = true;
          this.write(null, { operation: 8, items: [{ topic: siteFilter(SITE), QoS: 1 }] });
        }
      },
      onReadable(count, info) {
        if (info.topic) {
          topic = info.topic;
          msg = [];
        }
        msg.push(new Uint8Array(this.read(count) ?? new ArrayBuffer(0)));
        if (!info.more) self.received.push({ atMs: clock.now(), topic, hex: hex(Buffer.concat(msg)) });
      },
      onError() {
        self.connected = false;
        clock.setTimer(() => self.#connect(), 1000);
      },
    });
  }

  close(): void {
    this.#running = false;
    this.#client?.close();
  }

  /** Payloads received on `topic`, deduplicated (a re-sent frame may arrive twice; the frame counter tells). */
  unique(topicSuffix: string): string[] {
    const seen = new Set<string>();
    for (const r of this.received) if (r.topic.endsWith(topicSuffix)) seen.add(r.hex);
    return [...seen];
  }
}
