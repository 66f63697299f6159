/**
 * The network server's MQTT integration on a real broker: publishes each uplink event to
 * `application/<appId>/device/<devEui>/event/up` (QoS 1, kept across a broker outage) and takes downlink
 * commands from `application/<appId>/device/+/command/down`, as ChirpStack v4's MQTT integration does
 * (network-server-chirpstack.ts has the sources).
 */
import { MqttSession } from "../../site/collector/session.js";
import { commandDownFilter } from "../../site/network-server/chirpstack.js";
import type { HostMqttClient } from "../mqtt/client.js";
import { NetworkServer, type NetworkServerOptions } from "./network-server.js";

export interface MqttNetworkServerOptions extends Omit<NetworkServerOptions, "publish"> {
  Client: typeof HostMqttClient;
  host: string;
  port: number;
  clientId?: string;
  user?: string;
  password?: string;
}

export function startMqttNetworkServer(options: MqttNetworkServerOptions): {
  server: NetworkServer;
  session: MqttSession;
} {
  let session: MqttSession | undefined;
  const server = new NetworkServer({
    ...options,
    publish: (topic, payload) => session!.publish(topic, payload),
  });
  session = new MqttSession({
    Client: options.Client,
    clock: options.clock,
    host: options.host,
    port: options.port,
    clientId: options.clientId ?? "chirpstack-sim",
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    subscriptions: [commandDownFilter(server.applicationId)],
    onMessage: (topic, payload) => server.command(topic, payload),
  });
  return { server, session };
}
