/**
 * The LoRaWAN path of a simulated node until the shared radio channel / gateway / network server land
 * (host-sim/radio/channel.ts, being written): the firmware LoRaWAN transport (AT driver over the host UART)
 * drives a LoRa-E5 model on the node's board, whose network sink is a minimal radio: a transmission is lost
 * with the current loss rate (seeded, per node) or while the gateway is down, else it reaches the network
 * server stand-in, which hands the frame to the collector and acknowledges it.
 *
 * `LoRaWanLink` adapts the transport to the runtime's Transport contract (firmware/node/transport.ts):
 * every frame goes as a CONFIRMED uplink (design choice: the outbox may forget a frame only when the far
 * side owns it, and an unconfirmed uplink gives no such proof), and a frame whose confirmed trials all
 * failed is queued again by the adapter (the contract: a taken frame is held until onAck). It belongs in
 * firmware/node/runtime/ next to mqtt-link.ts; no Node APIs here.
 */

import type { Clock } from "../../firmware/node/clock.js";
import type { Transport, TransportCounters, TransportEvents } from "../../firmware/node/transport.js";
import { LoRaWanTransport } from "../../firmware/node/transports/lorawan.js";
import { LoraE5Model, type LoraE5Uplink } from "../chips/lora-e5.js";
import type { VirtualClock } from "../clock.js";
import { makeSerial } from "../io/serial.js";
import type { SimNode } from "../node/sim-node.js";
import type { Prng } from "../prng.js";

/** UART of the LoRa-E5 (the MIPEX-02 uses DEFAULT_PORTS.serial = 2). */
export const MODEM_PORT = 1;
const RETRY_AFTER_FAILURE_MS = 1000;

/** Site-wide radio conditions the fault timeline changes. */
export class RadioConditions {
  gatewayUp = true;
  /** Loss rate per node id (0 = none). */
  readonly lossRate = new Map<string, number>();
}

export interface RadioStats {
  transmissions: number;
  lost: number;
}

export class LoRaWanLink implements Transport {
  readonly name = "lorawan";
  readonly transport: LoRaWanTransport;
  #events: TransportEvents | undefined;
  readonly #counters: TransportCounters = { txCount: 0, txFailCount: 0, rxCount: 0 };
  /** Frames taken and not acknowledged, by tag. */
  readonly #held = new Map<number, { frameType: number; bytes: Uint8Array }>();
  readonly #retry: number[] = [];
  readonly #clock: Clock;
  #retryTimer = -1;

  constructor(transport: (events: LoRaWanLink) => LoRaWanTransport, clock: Clock) {
    this.#clock = clock;
    this.transport = transport(this);
  }

  attach(events: TransportEvents): void {
    this.#events = events;
  }

  start(): void {
    this.transport.start();
  }

  stop(): void {
    if (this.#retryTimer >= 0) this.#clock.clearTimer(this.#retryTimer);
    this.#retryTimer = -1;
    this.transport.stop();
  }

  get connected(): boolean {
    return this.transport.joined;
  }

  get canSend(): boolean {
    return this.transport.joined && this.transport.queued < 8 && this.#retry.length === 0;
  }

  send(frameType: number, bytes: Uint8Array, tag: number): boolean {
    if (!this.canSend) return false;
    if (!this.transport.send(frameType, bytes, tag, true)) return false;
    this.#held.set(tag, { frameType, bytes });
    this.#counters.txCount++;
    return true;
  }

  get counters(): TransportCounters {
    return this.#counters;
  }

  onAck(tag: number): void {
    if (!this.#held.delete(tag)) return;
    this.#events?.onAck(tag);
  }

  onFailed(tag: number): void {
    if (!this.#held.has(tag)) return;
    this.#counters.txFailCount++;
    this.#retry.push(tag);
    if (this.#retryTimer < 0) {
      this.#retryTimer = this.#clock.setTimer(() => {
        this.#retryTimer = -1;
        this.#flushRetries();
      }, RETRY_AFTER_FAILURE_MS);
    }
  }

  onJoin(joined: boolean): void {
    this.#events?.onConnection(joined);
  }

  onDownlink(bytes: Uint8Array): void {
    this.#counters.rxCount++;
    this.#events?.onDownlink(bytes[0]! & 0x0f, bytes);
  }

  #flushRetries(): void {
    while (this.#retry.length > 0) {
      const tag = this.#retry[0]!;
      const h = this.#held.get(tag);
      if (!h) {
        this.#retry.shift();
        continue;
      }
      if (!this.transport.send(h.frameType, h.bytes, tag, true)) break;
      this.#retry.shift();
      this.#counters.txCount++;
    }
    if (this.#retry.length > 0 && this.#retryTimer < 0) {
      this.#retryTimer = this.#clock.setTimer(() => {
        this.#retryTimer = -1;
        this.#flushRetries();
      }, RETRY_AFTER_FAILURE_MS);
    } else if (this.#retry.length === 0) this.#events?.onConnection(true);
  }
}

export interface LoRaWanSetup {
  node: SimNode;
  nodeName: string;
  clock: VirtualClock;
  /** The clock the node's firmware runs on (a drifting one under a clock-drift fault). */
  nodeClock: Clock;
  region: "EU868" | "RU864";
  dataRate: number;
  radio: RadioConditions;
  /** Per-node PRNG for losses and the transport's jitter. */
  prng: Prng;
  stats: RadioStats;
  /** The network server stand-in: the frame reached the network at virtual time atMs. */
  deliver: (bytes: Uint8Array, atMs: number) => void;
}

/** The node's modem model (made once: it is on the board) and a link factory for each boot. */
export function lorawanFor(s: LoRaWanSetup): { modem: LoraE5Model; makeLink: () => LoRaWanLink } {
  const loss = s.prng.fork(1);
  const modem = new LoraE5Model(s.node.board, {
    port: MODEM_PORT,
    devEui: s.node.nodeIdHex,
    network: (u: LoraE5Uplink) => {
      s.stats.transmissions++;
      const rate = s.radio.lossRate.get(s.nodeName) ?? 0;
      // One draw per transmission whatever the conditions, so a gateway outage does not shift later draws.
      const lost = loss.chance(rate);
      if (!s.radio.gatewayUp || lost) {
        s.stats.lost++;
        return { ack: false };
      }
      s.deliver(u.bytes.slice(), u.atMs);
      return { ack: true };
    },
  });
  const jitter = s.prng.fork(2);
  const makeLink = () =>
    new LoRaWanLink(
      (link) =>
        new LoRaWanTransport({
          serial: { io: makeSerial(s.node.board), port: MODEM_PORT },
          clock: s.nodeClock,
          random: () => jitter.next(),
          region: s.region,
          dataRate: s.dataRate,
          onAck: (tag) => link.onAck(tag),
          onFailed: (tag) => link.onFailed(tag),
          onJoin: (joined) => link.onJoin(joined),
          onDownlink: (_port, bytes) => link.onDownlink(bytes),
        }),
      s.nodeClock,
    );
  return { modem, makeLink };
}
