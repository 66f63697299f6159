/**
 * The collector on a real broker: one persistent MQTT session (session.ts) subscribed to the site's direct
 * topics (`minewatch/<site>/#`, SPEC-mqtt.md) and to the network server's uplink events
 * (`application/<appId>/device/+/event/up`, ChirpStack's MQTT integration), every message handed to the
 * Collector at its virtual arrival time.
 */
import { siteFilter } from "../../protocol/topics.js";
import { DEFAULT_APPLICATION_ID, eventUpFilter } from "../network-server/chirpstack.js";
import type { MqttClientClass, SiteClock } from "../ports.js";
import type { Collector } from "./collector.js";
import { MqttSession } from "./session.js";

export interface MqttCollectorOptions {
  collector: Collector;
  Client: MqttClientClass;
  clock: SiteClock;
  host: string;
  port: number;
  /** Site to read ("+" = every site); null = the network server's events only. */
  site: string | null;
  /** Network-server application whose uplink events to read; null = the direct MQTT path only. */
  applicationId?: string | null;
  clientId?: string;
  user?: string;
  password?: string;
  reconnectMs?: number;
  reconnectMaxMs?: number;
}

export function startMqttCollector(options: MqttCollectorOptions): MqttSession {
  const appId = options.applicationId === undefined ? DEFAULT_APPLICATION_ID : options.applicationId;
  const subscriptions = [
    ...(options.site === null ? [] : [siteFilter(options.site)]),
    ...(appId === null ? [] : [eventUpFilter(appId)]),
  ];
  return new MqttSession({
    Client: options.Client,
    clock: options.clock,
    host: options.host,
    port: options.port,
    clientId: options.clientId ?? "collector",
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    subscriptions,
    ...(options.reconnectMs !== undefined ? { reconnectMs: options.reconnectMs } : {}),
    ...(options.reconnectMaxMs !== undefined ? { reconnectMaxMs: options.reconnectMaxMs } : {}),
    onMessage: (topic, payload, atMs) => options.collector.onMqttMessage(topic, payload, atMs),
  });
}
