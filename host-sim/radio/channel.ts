/**
 * The LoRa channel model: which transmission reaches which gateway.
 *
 * A transmission is registered with `begin()` before it starts (start time, airtime from the shared Semtech
 * formula in airtime.ts, frequency, SF, bandwidth) and its fate is asked with `resolve()` at or after its
 * end, when every transmission that overlaps it has begun. Per gateway, in this order:
 *  1. random loss: with probability `lossRate` (the scenario's "radio loss" fault) the whole transmission is
 *     lost, drawn from the seeded PRNG at `begin`, so a run is a pure function of scenario and seed;
 *  2. no link: the node has no configured path to that gateway;
 *  3. gateway down (at the start or the end of the reception), or transmitting (a concentrator is half-duplex);
 *  4. link budget: RSSI = Ptx - PL, PL = FSPL(d0 = 1 m) + 10 n log10(d / d0) + extra loss + N(0, sigma)
 *     (log-distance model; Rappaport, "Wireless Communications", section 4.9), or a configured RSSI per link.
 *     The packet is heard when SNR = RSSI - (-174 + 10 log10(BW) + NF) reaches the demodulator's limit for
 *     its SF (SX1276 datasheet section 4.1.1.2, spreading-factor table: -7.5 dB at SF7 down to -20 dB at
 *     SF12, 2.5 dB a step; NF 6 dB as in Semtech AN1200.22's sensitivity formula). At 125 kHz that gives
 *     -124.5 dBm at SF7 and -137 dBm at SF12, within 1.5 dB of the sensitivities Semtech publishes.
 *     Default path-loss exponent n = 1.25: measured line-of-sight in the drifts of an underground gold mine
 *     at 915 MHz (Branch, "Measurements and Models of 915 MHz LoRa Radio Propagation in an Underground Gold
 *     Mine", Sensors 22(22) 8653, 2022: tunnels act as waveguides; variability lognormal). Bends, doors and
 *     stoppings are site-specific: give them as a link's `extraLossDb` (or its measured `rssiDbm`).
 *  5. collision: transmissions overlapping in time on the same frequency, SF and bandwidth interfere. Capture
 *     rule: a packet survives if its power is at least `captureThresholdDb` (6 dB) above the summed power of
 *     its interferers at that gateway, else it is lost (both are lost when neither is 6 dB stronger). The
 *     6 dB co-SF threshold is LoRaSim's (Bor, Roedig, Voigt, Alonso, "Do LoRa Low-Power Wide-Area Networks
 *     Scale?", MSWiM 2016) and Goursaud and Gorce's co-channel rejection (EAI Endorsed Trans. IoT, 2015).
 *     Not modelled: interference between different SFs (quasi-orthogonal, rejection >= 16 dB in Goursaud and
 *     Gorce) and the preamble-lock timing subtleties of capture.
 * Every transmission is also charged to the node's duty-cycle ledger, an account of what was really on air
 * that cross-checks the node's own hold-back against the regional limits (duty-cycle.ts).
 */
import { CodedError } from "../../protocol/errors.js";
import type { Region } from "../../protocol/lorawan-regions.js";
import type { Prng } from "../prng.js";
import { DutyCycleLedger } from "./duty-cycle.js";
import type { Gateway, GatewayTxResult } from "./gateway.js";

export type RadioErrorCode = "bad-option" | "bad-gateway" | "bad-link" | "bad-transmission" | "bad-downlink";

/** Bad input to the radio models: a code and the offending value (house rule 5). */
export class RadioError extends CodedError<RadioErrorCode> {
  override readonly name: string = "RadioError";
}

/** How a node reaches a gateway: a distance along the drift, or a measured RSSI. */
export interface LinkSpec {
  distanceM?: number;
  /** Measured RSSI at the gateway for the node's transmit power (replaces the path-loss model). */
  rssiDbm?: number;
  /** Extra loss on this path (bends, doors, stoppings), dB. */
  extraLossDb?: number;
}

export interface ChannelOptions {
  region: Region;
  prng: Prng;
  gateways: readonly Gateway[];
  /** links[nodeId][gatewayId]; a node with no entry for a gateway cannot reach it. */
  links: Readonly<Record<string, Readonly<Record<string, LinkSpec>>>>;
  /** Log-distance path-loss exponent. Default 1.25 (see above). */
  pathLossExponent?: number;
  /** Lognormal shadowing standard deviation, dB. Default 0 (deterministic link budget). */
  shadowingSdDb?: number;
  /** Receiver noise figure, dB. Default 6. */
  noiseFigureDb?: number;
  /** Capture threshold, dB. Default 6. */
  captureThresholdDb?: number;
  /** Chance that a transmission is lost whatever the link (the "radio loss rate" fault). Default 0. */
  lossRate?: number;
  /** Node transmit power, dBm EIRP. Default 14 (the LoRa-E5's default). */
  nodeTxPowerDbm?: number;
}

export interface TransmissionInput {
  nodeId: string;
  startMs: number;
  airtimeMs: number;
  frequencyHz: number;
  sf: number;
  bandwidthHz: number;
}

export type ReceptionOutcome =
  | "ok"
  | "random-loss"
  | "no-link"
  | "gateway-down"
  | "gateway-transmitting"
  | "below-sensitivity"
  | "collision";

export interface Reception {
  gatewayId: string;
  outcome: ReceptionOutcome;
  rssiDbm: number;
  snrDb: number;
}

export interface TxResult {
  delivered: boolean;
  /** For a lost transmission, why (the outcome at the gateway where it came closest). */
  lostBy?: ReceptionOutcome;
  receptions: Reception[];
}

export interface RadioTx extends TransmissionInput {
  readonly id: number;
  readonly endMs: number;
  readonly lostAtRandom: boolean;
  /** RSSI per gateway (index as in `gateways`), -Infinity where there is no link. */
  readonly rssiDbm: Float64Array;
  /** Gateway up at the start, per gateway. */
  readonly upAtStart: Uint8Array;
  result?: TxResult;
}

export interface DownlinkResult {
  sent: GatewayTxResult;
  delivered: boolean;
  rssiDbm: number;
}

export interface ChannelStats {
  transmissions: number;
  delivered: number;
  lostBy: Record<ReceptionOutcome, number>;
  downlinks: number;
  downlinksDelivered: number;
}

/** Demodulator SNR limit per SF, dB (SX1276 datasheet 4.1.1.2). */
const SNR_LIMIT_DB: Readonly<Record<number, number>> = Object.freeze({
  6: -5,
  7: -7.5,
  8: -10,
  9: -12.5,
  10: -15,
  11: -17.5,
  12: -20,
});

/** Loss priority when a transmission reached no gateway: the closest miss names the cause. */
const LOSS_RANK: readonly ReceptionOutcome[] = [
  "random-loss",
  "collision",
  "gateway-transmitting",
  "gateway-down",
  "below-sensitivity",
  "no-link",
];

/** Transmissions are kept this long after their end for overlap checks (longer than any LoRa airtime). */
const HORIZON_MS = 60_000;

export function noiseFloorDbm(bandwidthHz: number, noiseFigureDb = 6): number {
  return -174 + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

export function sensitivityDbm(sf: number, bandwidthHz: number, noiseFigureDb = 6): number {
  const snr = SNR_LIMIT_DB[sf];
  if (snr === undefined)
    throw new RadioError("bad-transmission", `spreading factor must be 6..12, got ${sf}`, sf);
  return noiseFloorDbm(bandwidthHz, noiseFigureDb) + snr;
}

/** Free-space path loss, dB (Friis): 20 log10(d) + 20 log10(f) - 147.55. */
export function freeSpaceLossDb(distanceM: number, frequencyHz: number): number {
  return 20 * Math.log10(distanceM) + 20 * Math.log10(frequencyHz) - 147.55;
}

export class LoRaChannel {
  readonly region: Region;
  readonly gateways: readonly Gateway[];
  readonly stats: ChannelStats = {
    transmissions: 0,
    delivered: 0,
    lostBy: {
      ok: 0,
      "random-loss": 0,
      "no-link": 0,
      "gateway-down": 0,
      "gateway-transmitting": 0,
      "below-sensitivity": 0,
      collision: 0,
    },
    downlinks: 0,
    downlinksDelivered: 0,
  };
  readonly #prng: Prng;
  readonly #links: ChannelOptions["links"];
  readonly #exponent: number;
  readonly #shadowSd: number;
  readonly #nf: number;
  readonly #capture: number;
  readonly #nodeTxDbm: number;
  #lossRate: number;
  /** Per-node loss rates (a radio-loss fault on some nodes); they replace the site-wide rate. */
  readonly #nodeLoss = new Map<string, number>();
  #nextId = 1;
  #latestStartMs = Number.NEGATIVE_INFINITY;
  #active: RadioTx[] = [];
  readonly #ledgers = new Map<string, DutyCycleLedger>();

  constructor(options: ChannelOptions) {
    this.region = options.region;
    this.gateways = options.gateways;
    this.#prng = options.prng;
    this.#links = options.links;
    this.#exponent = positive(options.pathLossExponent ?? 1.25, "pathLossExponent");
    this.#shadowSd = nonNegative(options.shadowingSdDb ?? 0, "shadowingSdDb");
    this.#nf = nonNegative(options.noiseFigureDb ?? 6, "noiseFigureDb");
    this.#capture = nonNegative(options.captureThresholdDb ?? 6, "captureThresholdDb");
    this.#nodeTxDbm = finite(options.nodeTxPowerDbm ?? 14, "nodeTxPowerDbm");
    this.#lossRate = 0;
    this.setLossRate(options.lossRate ?? 0);
    const ids = new Set<string>();
    for (const g of options.gateways) {
      if (ids.has(g.id)) throw new RadioError("bad-gateway", `gateway ${g.id} is listed twice`, g.id);
      ids.add(g.id);
    }
    for (const [nodeId, perGateway] of Object.entries(options.links)) {
      for (const [gatewayId, link] of Object.entries(perGateway)) checkLink(nodeId, gatewayId, link, ids);
    }
  }

  get lossRate(): number {
    return this.#lossRate;
  }

  /** The "radio loss rate" fault: from now on each transmission is lost with probability `p`. */
  setLossRate(p: number): void {
    if (!(p >= 0 && p <= 1)) throw new RadioError("bad-option", `loss rate must be in 0..1, got ${p}`, p);
    this.#lossRate = p;
  }

  /** The "radio loss rate" fault on one node only (undefined = back to the site-wide rate). */
  setNodeLossRate(nodeId: string, p: number | undefined): void {
    if (p === undefined) {
      this.#nodeLoss.delete(nodeId);
      return;
    }
    if (!(p >= 0 && p <= 1))
      throw new RadioError("bad-option", `loss rate of ${nodeId} must be in 0..1, got ${p}`, p);
    this.#nodeLoss.set(nodeId, p);
  }

  /** Registers a transmission that starts at `startMs` (call it before then). */
  begin(input: TransmissionInput): RadioTx {
    const { nodeId, startMs, airtimeMs, frequencyHz, sf, bandwidthHz } = input;
    if (!Number.isFinite(startMs) || !(airtimeMs > 0) || !Number.isFinite(airtimeMs)) {
      throw new RadioError(
        "bad-transmission",
        `transmission from ${nodeId}: start ${startMs} ms and airtime ${airtimeMs} ms must be finite, airtime > 0`,
        airtimeMs,
      );
    }
    sensitivityDbm(sf, bandwidthHz, this.#nf);
    this.#ledger(nodeId).record(startMs, airtimeMs, frequencyHz);
    const n = this.gateways.length;
    const rssi = new Float64Array(n);
    const up = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const g = this.gateways[i]!;
      rssi[i] = this.#rssiAt(nodeId, g.id, this.#nodeTxDbm, frequencyHz);
      up[i] = g.up ? 1 : 0;
    }
    const rate = this.#nodeLoss.get(nodeId) ?? this.#lossRate;
    const lostAtRandom = rate > 0 && this.#prng.chance(rate);
    const tx: RadioTx = {
      id: this.#nextId++,
      nodeId,
      startMs,
      airtimeMs,
      endMs: startMs + airtimeMs,
      frequencyHz,
      sf,
      bandwidthHz,
      lostAtRandom,
      rssiDbm: rssi,
      upAtStart: up,
    };
    this.stats.transmissions++;
    if (startMs > this.#latestStartMs) {
      this.#latestStartMs = startMs;
      this.#prune(startMs - HORIZON_MS);
    }
    this.#active.push(tx);
    return tx;
  }

  /** The fate of `tx` at every gateway. Call at or after its end; the answer is computed once. */
  resolve(tx: RadioTx): TxResult {
    if (tx.result) return tx.result;
    const receptions: Reception[] = [];
    let delivered = false;
    let lostRank = LOSS_RANK.length;
    for (let i = 0; i < this.gateways.length; i++) {
      const g = this.gateways[i]!;
      const rssiDbm = tx.rssiDbm[i]!;
      const snrDb = rssiDbm - noiseFloorDbm(tx.bandwidthHz, this.#nf);
      const outcome = this.#outcome(tx, i, g, rssiDbm);
      if (outcome !== "no-link" && outcome !== "below-sensitivity" && outcome !== "gateway-down") {
        g.counters.rxPacketsReceived++;
      }
      if (outcome === "ok") {
        g.counters.rxPacketsReceivedOk++;
        delivered = true;
      } else {
        lostRank = Math.min(lostRank, LOSS_RANK.indexOf(outcome));
      }
      receptions.push({ gatewayId: g.id, outcome, rssiDbm: round1(rssiDbm), snrDb: round1(snrDb) });
    }
    const result: TxResult = { delivered, receptions };
    if (delivered) this.stats.delivered++;
    else {
      result.lostBy = LOSS_RANK[lostRank] ?? "no-link";
      this.stats.lostBy[result.lostBy]++;
    }
    tx.result = result;
    return result;
  }

  /**
   * A downlink from `gateway` to `nodeId` (RX1: the uplink's frequency and data rate). The gateway may refuse
   * it (down, duty cycle); once emitted it reaches the node when the link budget allows and the random loss
   * spares it (the same symmetric path; downlinks use inverted IQ, so other nodes' uplinks do not collide
   * with it at the node, and collisions between gateway downlinks are not modelled).
   */
  downlink(
    gateway: Gateway,
    nodeId: string,
    startMs: number,
    airtimeMs: number,
    frequencyHz: number,
    sf: number,
    bandwidthHz: number,
  ): DownlinkResult {
    const sent = gateway.transmit(startMs, airtimeMs, frequencyHz);
    if (sent !== "sent") return { sent, delivered: false, rssiDbm: Number.NEGATIVE_INFINITY };
    this.stats.downlinks++;
    const rssiDbm = this.#rssiAt(nodeId, gateway.id, gateway.txPowerDbm, frequencyHz);
    const rate = this.#nodeLoss.get(nodeId) ?? this.#lossRate;
    const lost = rate > 0 && this.#prng.chance(rate);
    const delivered = !lost && rssiDbm >= sensitivityDbm(sf, bandwidthHz, this.#nf);
    if (delivered) this.stats.downlinksDelivered++;
    return { sent, delivered, rssiDbm: round1(rssiDbm) };
  }

  /** What node `nodeId` had on air, per sub-band (created on its first transmission). */
  ledgerOf(nodeId: string): DutyCycleLedger | undefined {
    return this.#ledgers.get(nodeId);
  }

  /** Per node: airtime per sub-band, worst share of any hour per sub-band, and transmissions that broke it. */
  dutyCycleReport(): {
    nodeId: string;
    transmissions: number;
    airtimeBySubBandMs: number[];
    worstHourShare: number[];
    violations: number;
  }[] {
    return [...this.#ledgers.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([nodeId, l]) => ({
        nodeId,
        transmissions: l.transmissions.length,
        airtimeBySubBandMs: l.airtimeBySubBandMs(),
        worstHourShare: l.dutyCycleUsed(),
        violations: l.violations().length,
      }));
  }

  /** Resolves everything still pending (end of a run: the gateways' counters then cover every packet). */
  flush(): void {
    for (const tx of this.#active) this.resolve(tx);
  }

  #outcome(tx: RadioTx, i: number, g: Gateway, rssiDbm: number): ReceptionOutcome {
    if (tx.lostAtRandom) return "random-loss";
    if (rssiDbm === Number.NEGATIVE_INFINITY) return "no-link";
    if (!tx.upAtStart[i] || !g.up) return "gateway-down";
    if (g.transmittingDuring(tx.startMs, tx.endMs)) return "gateway-transmitting";
    if (rssiDbm < sensitivityDbm(tx.sf, tx.bandwidthHz, this.#nf)) return "below-sensitivity";
    let interferenceMw = 0;
    for (const other of this.#active) {
      if (other === tx || other.frequencyHz !== tx.frequencyHz || other.sf !== tx.sf) continue;
      if (other.bandwidthHz !== tx.bandwidthHz || other.startMs >= tx.endMs || tx.startMs >= other.endMs)
        continue;
      interferenceMw += 10 ** (other.rssiDbm[i]! / 10);
    }
    if (interferenceMw > 0 && rssiDbm - 10 * Math.log10(interferenceMw) < this.#capture) return "collision";
    return "ok";
  }

  #rssiAt(nodeId: string, gatewayId: string, txPowerDbm: number, frequencyHz: number): number {
    const link = this.#links[nodeId]?.[gatewayId];
    if (!link) return Number.NEGATIVE_INFINITY;
    const shadow = this.#shadowSd > 0 ? this.#prng.gaussian(0, this.#shadowSd) : 0;
    const extra = link.extraLossDb ?? 0;
    if (link.rssiDbm !== undefined) return link.rssiDbm + (txPowerDbm - this.#nodeTxDbm) - extra + shadow;
    const d = link.distanceM!;
    const pl =
      d <= 1
        ? freeSpaceLossDb(Math.max(d, 0.1), frequencyHz)
        : freeSpaceLossDb(1, frequencyHz) + 10 * this.#exponent * Math.log10(d);
    return txPowerDbm - pl - extra + shadow;
  }

  #ledger(nodeId: string): DutyCycleLedger {
    let l = this.#ledgers.get(nodeId);
    if (!l) {
      l = new DutyCycleLedger(this.region);
      this.#ledgers.set(nodeId, l);
    }
    return l;
  }

  #prune(beforeMs: number): void {
    const keep: RadioTx[] = [];
    for (const tx of this.#active) {
      if (tx.endMs >= beforeMs) keep.push(tx);
      else if (!tx.result) this.resolve(tx);
    }
    if (keep.length !== this.#active.length) this.#active = keep;
    for (const g of this.gateways) g.prune(beforeMs);
  }
}

function checkLink(nodeId: string, gatewayId: string, link: LinkSpec, gateways: Set<string>): void {
  const where = `link ${nodeId} -> ${gatewayId}`;
  if (!gateways.has(gatewayId)) throw new RadioError("bad-link", `${where}: no such gateway`, gatewayId);
  if (link.rssiDbm === undefined && link.distanceM === undefined) {
    throw new RadioError("bad-link", `${where}: give distanceM or rssiDbm`, link);
  }
  if (link.distanceM !== undefined && !(link.distanceM > 0 && Number.isFinite(link.distanceM))) {
    throw new RadioError(
      "bad-link",
      `${where}: distanceM must be > 0, got ${link.distanceM}`,
      link.distanceM,
    );
  }
  if (link.rssiDbm !== undefined && !Number.isFinite(link.rssiDbm)) {
    throw new RadioError("bad-link", `${where}: rssiDbm must be finite, got ${link.rssiDbm}`, link.rssiDbm);
  }
  if (link.extraLossDb !== undefined && !(link.extraLossDb >= 0)) {
    throw new RadioError(
      "bad-link",
      `${where}: extraLossDb must be >= 0, got ${link.extraLossDb}`,
      link.extraLossDb,
    );
  }
}

function finite(v: number, name: string): number {
  if (!Number.isFinite(v)) throw new RadioError("bad-option", `${name} must be a finite number, got ${v}`, v);
  return v;
}

function positive(v: number, name: string): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RadioError("bad-option", `${name} must be > 0, got ${v}`, v);
  return v;
}

function nonNegative(v: number, name: string): number {
  if (!(v >= 0) || !Number.isFinite(v))
    throw new RadioError("bad-option", `${name} must be >= 0, got ${v}`, v);
  return v;
}

function round1(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 10) / 10 : x;
}
