/**
 * The simulator's side of a node's LoRaWAN path: the LoRa-E5 modem model on the node's board (its UART) and
 * what stands behind the antenna: a minimal radio (a transmission is lost with the node's current loss rate,
 * seeded per node, or while the gateway is down) and a network server stand-in that hands the frame to the
 * collector and acknowledges it. With `radioLink` (what the fleet runner passes: host-sim/radio/site.ts) the
 * real channel model, gateway and network server stand there instead, and the stand-in is unused.
 *
 * The node's side is the firmware's own: `LoRaWanLink` (firmware/node/runtime/lorawan-link.ts, the delivery
 * policy of protocol/SPEC.md "LoRaWAN delivery") over the AT-modem transport, opened on the host UART
 * exactly as firmware/main.ts opens it on the board.
 */

import type { Clock } from "../../firmware/node/clock.js";
import { LoRaWanLink } from "../../firmware/node/runtime/lorawan-link.js";
import { LoraE5Model, type LoraE5Network, type LoraE5Uplink } from "../chips/lora-e5.js";
import type { VirtualClock } from "../clock.js";
import { fork } from "../fault-plan.js";
import type { SimNode } from "../node/sim-node.js";
import type { Prng } from "../prng.js";

/** UART of the LoRa-E5 (the MIPEX-02 uses DEFAULT_PORTS.serial = 2). */
export const MODEM_PORT = 1;

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
  /**
   * The real radio instead of the stand-in (host-sim/radio/site.ts: channel, gateway, network server): the
   * modem's network sink, attached to the modem so each transmission enters the channel at its start.
   */
  radioLink?: { network: LoraE5Network; attach(modem: LoraE5Model): void };
}

/** The node's modem model (made once: it is on the board) and a link factory for each boot. */
export function lorawanFor(s: LoRaWanSetup): { modem: LoraE5Model; makeLink: () => LoRaWanLink } {
  const loss = fork(s.prng, "lorawan/loss");
  const modem = new LoraE5Model(s.node.board, {
    port: MODEM_PORT,
    devEui: s.node.nodeIdHex,
    network:
      s.radioLink?.network ??
      ((u: LoraE5Uplink) => {
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
      }),
  });
  s.radioLink?.attach(modem);
  const jitter = fork(s.prng, "lorawan/jitter");
  const makeLink = () =>
    new LoRaWanLink({
      serial: { io: s.node.device.io.Serial, port: MODEM_PORT },
      clock: s.nodeClock,
      random: () => jitter.next(),
      region: s.region,
      dataRate: s.dataRate,
    });
  return { modem, makeLink };
}
