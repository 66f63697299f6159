/**
 * Gateways + network server for the simulator, behaving as ChirpStack v4 does for class A devices:
 *  - an uplink is one transmission in the channel model; every gateway that received it contributes an
 *    rxInfo entry to ONE event (multi-gateway deduplication: ChirpStack collects receptions for its
 *    deduplication delay, default 200 ms, then handles the frame once and publishes after that delay);
 *  - FCnt is tracked per device: the same FCnt again is a retransmission (a confirmed uplink whose ACK was
 *    lost): it is acknowledged again but not published twice (ChirpStack LogCode UPLINK_F_CNT_RETRANSMISSION);
 *    a lower FCnt is taken as a counter reset (the device rejoined: this model does not see joins, and
 *    ChirpStack resets the counters on a join) and counted in `fCntResets`;
 *  - a confirmed uplink is acknowledged only if some gateway received it; the ACK (and any queued downlink)
 *    goes out in RX1 (RECEIVE_DELAY1 = 1 s after the uplink's end, same channel and data rate, LoRaWAN 1.0.x
 *    section 3.3.1) from the best gateway (highest SNR, then RSSI) that is up and inside its duty cycle,
 *    and the downlink itself crosses the channel, so it can be lost (then the device retransmits);
 *  - downlinks queue per device (from MQTT command/down) and leave with the next uplink's RX1; an emitted
 *    downlink leaves the queue, delivered or not (ChirpStack drops an unconfirmed downlink once emitted);
 *  - the payload goes through the codec (network-server-codec.ts: the generated script) and the event is
 *    published as ChirpStack's MQTT integration does (network-server-chirpstack.ts).
 */
import {
  LORAWAN_UPLINK_OVERHEAD_BYTES,
  timeOnAirMs,
} from "../../firmware/node/transports/lorawan/airtime.js";
import { dataRate } from "../../protocol/lorawan-regions.js";
import {
  type ChirpStackRxInfo,
  type ChirpStackUplinkEvent,
  DEFAULT_APPLICATION_ID,
  eventTopic,
  parseDownlinkCommand,
  rfc3339,
  sequenceUuid,
  toBase64,
} from "../../site/network-server/chirpstack.js";
import type { UplinkCodec } from "../../site/network-server/codec.js";
import type { VirtualClock } from "../clock.js";
import { type LoRaChannel, RadioError, type RadioTx, type Reception } from "./channel.js";
import type { Gateway } from "./gateway.js";

export const RECEIVE_DELAY1_MS = 1000;
/** ChirpStack's default `network.deduplication_delay`. */
export const DEDUPLICATION_DELAY_MS = 200;

export interface NsUplink {
  devEui: string;
  /** The transmission as registered in the channel model. */
  tx: RadioTx;
  fCnt: number;
  fPort: number;
  confirmed: boolean;
  bytes: Uint8Array;
  dr: number;
}

export interface NsReply {
  ack: boolean;
  downlink?: { fPort: number; bytes: Uint8Array };
}

export type Publish = (topic: string, payload: Uint8Array) => void;

export interface NetworkServerOptions {
  clock: VirtualClock;
  channel: LoRaChannel;
  /** The payload codec; without one, events carry no `object` (as in ChirpStack with no codec). */
  codec?: UplinkCodec;
  publish: Publish;
  applicationId?: string;
  applicationName?: string;
  /** Wall-clock time (ms since 1970) of virtual time 0, for the events' RFC 3339 times. */
  epochMs?: number;
  deduplicationDelayMs?: number;
  /** Device names by DevEUI (deviceInfo.deviceName); default the DevEUI. */
  deviceNames?: Readonly<Record<string, string>>;
}

export interface NetworkServerStats {
  uplinksHeard: number;
  uplinksLost: number;
  published: number;
  retransmissions: number;
  fCntResets: number;
  codecErrors: number;
  acksSent: number;
  acksLost: number;
  /** Confirmed uplinks received but no gateway could answer (down or out of duty cycle). */
  acksNotSent: number;
  downlinksQueued: number;
  downlinksSent: number;
  downlinksLost: number;
  downlinkCommandsRejected: number;
}

interface DeviceState {
  lastFCnt: number;
  queue: { fPort: number; bytes: Uint8Array; confirmed: boolean }[];
}

export class NetworkServer {
  readonly channel: LoRaChannel;
  readonly applicationId: string;
  readonly stats: NetworkServerStats = {
    uplinksHeard: 0,
    uplinksLost: 0,
    published: 0,
    retransmissions: 0,
    fCntResets: 0,
    codecErrors: 0,
    acksSent: 0,
    acksLost: 0,
    acksNotSent: 0,
    downlinksQueued: 0,
    downlinksSent: 0,
    downlinksLost: 0,
    downlinkCommandsRejected: 0,
  };
  /** Last codec or command problems, newest last (at most 100), for the report. */
  readonly log: { atMs: number; devEui: string; code: string; description: string }[] = [];
  readonly #o: NetworkServerOptions;
  readonly #devices = new Map<string, DeviceState>();
  #events = 0;
  #uplinkIds = 0;

  constructor(options: NetworkServerOptions) {
    this.#o = options;
    this.channel = options.channel;
    this.applicationId = options.applicationId ?? DEFAULT_APPLICATION_ID;
    eventTopic(this.applicationId, "0000000000000000");
  }

  get clock(): VirtualClock {
    return this.#o.clock;
  }

  /** A device's uplink at the end of its transmission; answers whether an ACK / downlink reached it. */
  uplink(u: NsUplink): NsReply {
    const result = this.channel.resolve(u.tx);
    const heard = result.receptions.filter((r) => r.outcome === "ok");
    if (heard.length === 0) {
      this.stats.uplinksLost++;
      return { ack: false };
    }
    this.stats.uplinksHeard++;
    const dev = this.#device(u.devEui);
    if (u.fCnt === dev.lastFCnt) {
      this.stats.retransmissions++;
    } else {
      if (u.fCnt < dev.lastFCnt) this.stats.fCntResets++;
      dev.lastFCnt = u.fCnt;
      const event = this.#event(u, heard);
      const topic = eventTopic(this.applicationId, u.devEui);
      const payload = new TextEncoder().encode(JSON.stringify(event));
      this.#o.clock.setTimer(() => {
        this.stats.published++;
        this.#o.publish(topic, payload);
      }, this.#o.deduplicationDelayMs ?? DEDUPLICATION_DELAY_MS);
    }
    return this.#answer(u, dev, heard);
  }

  /** Queues a downlink for the device's next RX1. */
  enqueueDownlink(devEui: string, fPort: number, bytes: Uint8Array, confirmed = false): void {
    if (!Number.isInteger(fPort) || fPort < 1 || fPort > 223) {
      throw new RadioError("bad-downlink", `downlink fPort must be 1..223, got ${fPort}`, fPort);
    }
    this.#device(devEui).queue.push({ fPort, bytes: bytes.slice(), confirmed });
    this.stats.downlinksQueued++;
  }

  /** Downlinks waiting for the device. */
  queued(devEui: string): number {
    return this.#devices.get(devEui)?.queue.length ?? 0;
  }

  /** An MQTT message on .../command/down: queued, or refused and logged (never thrown at the broker). */
  command(topic: string, payload: Uint8Array): boolean {
    try {
      const c = parseDownlinkCommand(topic, payload);
      this.enqueueDownlink(c.devEui, c.fPort, c.bytes, c.confirmed);
      return true;
    } catch (e) {
      this.stats.downlinkCommandsRejected++;
      this.#logEntry("", "DOWNLINK_COMMAND", (e as Error).message);
      return false;
    }
  }

  #answer(u: NsUplink, dev: DeviceState, heard: Reception[]): NsReply {
    const pending = dev.queue[0];
    if (!u.confirmed && !pending) return { ack: false };
    const d = dataRate(this.channel.region, u.dr);
    // An ACK alone has no FPort byte; with data it is MHDR+FHDR+FPort+payload+MIC, as the uplink's framing.
    const phyBytes = pending
      ? pending.bytes.length + LORAWAN_UPLINK_OVERHEAD_BYTES
      : LORAWAN_UPLINK_OVERHEAD_BYTES - 1;
    const airtimeMs = timeOnAirMs(phyBytes, d);
    const startMs = u.tx.endMs + RECEIVE_DELAY1_MS;
    const byQuality = heard
      .slice()
      .sort((a, b) => b.snrDb - a.snrDb || b.rssiDbm - a.rssiDbm)
      .map((r) => this.#gateway(r.gatewayId));
    let delivered = false;
    let sent = false;
    for (const g of byQuality) {
      const r = this.channel.downlink(g, u.devEui, startMs, airtimeMs, u.tx.frequencyHz, d.sf, d.bandwidthHz);
      if (r.sent !== "sent") continue;
      sent = true;
      delivered = r.delivered;
      break;
    }
    if (!sent) {
      if (u.confirmed) this.stats.acksNotSent++;
      return { ack: false };
    }
    if (pending) {
      dev.queue.shift();
      this.stats.downlinksSent++;
      if (!delivered) this.stats.downlinksLost++;
    }
    if (u.confirmed) {
      this.stats.acksSent++;
      if (!delivered) this.stats.acksLost++;
    }
    if (!delivered) return { ack: false };
    return pending
      ? { ack: u.confirmed, downlink: { fPort: pending.fPort, bytes: pending.bytes } }
      : { ack: u.confirmed };
  }

  #event(u: NsUplink, heard: Reception[]): ChirpStackUplinkEvent {
    const o = this.#o;
    const epochMs = o.epochMs ?? Date.UTC(2026, 0, 1);
    const now = rfc3339(epochMs, o.clock.now());
    const region = this.channel.region;
    const channelIndex = Math.max(0, region.defaultChannelsHz.indexOf(u.tx.frequencyHz));
    const rxInfo: ChirpStackRxInfo[] = heard.map((r) => {
      const uplinkId = ++this.#uplinkIds;
      return {
        gatewayId: r.gatewayId,
        uplinkId,
        nsTime: now,
        rssi: Math.round(r.rssiDbm),
        snr: r.snrDb,
        channel: channelIndex,
        context: toBase64(u32(Math.round(u.tx.endMs * 1000) >>> 0)),
        crcStatus: "CRC_OK",
      };
    });
    const d = dataRate(region, u.dr);
    const event: ChirpStackUplinkEvent = {
      deduplicationId: sequenceUuid(0x6d770000, ++this.#events),
      time: now,
      deviceInfo: {
        tenantId: "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
        tenantName: "minewatch",
        applicationId: this.applicationId,
        applicationName: o.applicationName ?? "minewatch",
        deviceProfileId: "0b8c7c52-3c4e-4a7a-9d1e-6f3a2b1c0d9e",
        deviceProfileName: "minewatch node (LoRaWAN 1.0.x class A)",
        deviceName: o.deviceNames?.[u.devEui] ?? u.devEui,
        devEui: u.devEui,
        tags: {},
      },
      devAddr: u.devEui.slice(8),
      adr: false,
      dr: u.dr,
      fCnt: u.fCnt,
      fPort: u.fPort,
      confirmed: u.confirmed,
      data: toBase64(u.bytes),
      rxInfo,
      txInfo: {
        frequency: u.tx.frequencyHz,
        modulation: { lora: { bandwidth: d.bandwidthHz, spreadingFactor: d.sf, codeRate: "CR_4_5" } },
      },
    };
    if (o.codec) {
      const out = o.codec.decodeUplink({ bytes: Array.from(u.bytes), fPort: u.fPort, variables: {} });
      if (out.errors.length > 0) {
        this.stats.codecErrors++;
        this.#logEntry(u.devEui, "UPLINK_CODEC", out.errors.join("; "));
      } else if (out.data) {
        event.object = out.data;
      }
    }
    return event;
  }

  #device(devEui: string): DeviceState {
    let d = this.#devices.get(devEui);
    if (!d) {
      d = { lastFCnt: -1, queue: [] };
      this.#devices.set(devEui, d);
    }
    return d;
  }

  #gateway(id: string): Gateway {
    return this.channel.gateways.find((g) => g.id === id)!;
  }

  #logEntry(devEui: string, code: string, description: string): void {
    this.log.push({ atMs: this.#o.clock.now(), devEui, code, description });
    if (this.log.length > 100) this.log.shift();
  }
}

function u32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
