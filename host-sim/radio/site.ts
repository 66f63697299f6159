/**
 * A site's LoRaWAN infrastructure for the simulator: one gateway, the channel model (time on air, collisions
 * on the same channel and SF, link budget, random loss, duty cycle), and the network server publishing
 * ChirpStack v4 uplink events (through the generated codec) over its own MQTT session, as ChirpStack's
 * MQTT integration does. Each node's LoRa-E5 model gets a ModemRadioLink as its network sink, so its
 * transmissions are registered in the channel when they start (network-server-modem.ts).
 *
 * Every node of the site hangs off the one gateway at the same drift distance (DEFAULT_DISTANCE_M: a
 * LoRa-E5 at 14 dBm is received far above sensitivity there, so only faults and collisions lose packets),
 * and all of them share one channel: two nodes that transmit at the same instant on the same frequency and
 * SF collide and neither is heard (equal power, so neither captures: channel.ts rule 5). Scenario faults act
 * here: gateway-down switches the gateway off, radio-loss sets a per-node random loss rate.
 */
import type { Region } from "../../protocol/lorawan-regions.js";
import type { MqttSession } from "../../site/collector/session.js";
import type { UplinkCodec } from "../../site/network-server/codec.js";
import type { VirtualClock } from "../clock.js";
import type { HostMqttClient } from "../mqtt/client.js";
import type { Prng } from "../prng.js";
import { type LinkSpec, LoRaChannel } from "./channel.js";
import { Gateway } from "./gateway.js";
import type { NetworkServer } from "./network-server.js";
import { ModemRadioLink, type ModemRadioStats } from "./network-server-modem.js";
import { startMqttNetworkServer } from "./network-server-mqtt.js";

/** Node-to-gateway distance along the drift when a scenario gives none. */
export const DEFAULT_DISTANCE_M = 300;
/** The site gateway's EUI (a Semtech-style 0080 0000 prefix; any fixed value keeps runs reproducible). */
export const SITE_GATEWAY_ID = "00800000a0000001";

export interface SiteRadioOptions {
  clock: VirtualClock;
  region: Region;
  /** The channel's PRNG (random loss draws). */
  prng: Prng;
  /** DevEUIs of the nodes on this radio (each gets a link to the gateway). */
  devEuis: readonly string[];
  /** Device names by DevEUI for the events' deviceInfo. */
  deviceNames?: Readonly<Record<string, string>>;
  codec?: UplinkCodec;
  distanceM?: number;
  /** The broker the network server's MQTT integration publishes to. */
  Client: typeof HostMqttClient;
  host: string;
  port: number;
  clientId: string;
  user?: string;
  password?: string;
}

export class SiteRadio {
  readonly gateway: Gateway;
  readonly channel: LoRaChannel;
  readonly server: NetworkServer;
  readonly session: MqttSession;

  constructor(o: SiteRadioOptions) {
    this.gateway = new Gateway({ id: SITE_GATEWAY_ID, region: o.region });
    const links: Record<string, Record<string, LinkSpec>> = {};
    for (const eui of o.devEuis)
      links[eui] = { [SITE_GATEWAY_ID]: { distanceM: o.distanceM ?? DEFAULT_DISTANCE_M } };
    this.channel = new LoRaChannel({ region: o.region, prng: o.prng, gateways: [this.gateway], links });
    const { server, session } = startMqttNetworkServer({
      clock: o.clock,
      channel: this.channel,
      ...(o.codec ? { codec: o.codec } : {}),
      ...(o.deviceNames ? { deviceNames: o.deviceNames } : {}),
      Client: o.Client,
      host: o.host,
      port: o.port,
      clientId: o.clientId,
      ...(o.user !== undefined ? { user: o.user } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    });
    this.server = server;
    this.session = session;
  }

  /** The network sink for node `devEui`'s modem (attach() it to the modem); counts into `stats`. */
  link(devEui: string, stats?: ModemRadioStats): ModemRadioLink {
    return new ModemRadioLink(this.server, devEui, stats);
  }

  setGatewayUp(up: boolean): void {
    this.gateway.setUp(up);
  }

  /** Random loss for these nodes (undefined = back to none). */
  setLossRate(devEuis: readonly string[], rate: number | undefined): void {
    for (const eui of devEuis) this.channel.setNodeLossRate(eui, rate);
  }

  close(): void {
    this.session.close();
  }
}
