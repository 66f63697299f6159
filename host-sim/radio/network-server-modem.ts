/**
 * Connects a simulated node's LoRa-E5 modem (host-sim/chips/lora-e5.ts) to the channel model and the network
 * server.
 *
 * The channel must know a transmission when it STARTS, or it cannot see a collision with one that starts
 * while another is on air; the modem calls its network sink only at a transmission's END. The modem does
 * report every transmission at its start to its duty-cycle ledger (`ledger.record(startMs, airtimeMs,
 * frequencyHz)`, joins included), so `attach()` wraps whatever ledger the modem holds (it makes a new one on
 * `AT+DR=<band>`) to register each transmission in the channel as well, with the SF and bandwidth of the
 * modem's data rate at that moment. The sink then finds that registration by frequency and start time.
 * A cleaner seam would be an `onTransmit` hook in the modem model (reported to the coordinator).
 * Without `attach()`, transmissions are registered late, at their end: collisions with transmissions that
 * end later are then missed (the sink counts these in `lateRegistrations`).
 */
import type { LoraE5Model, LoraE5Network, LoraE5Uplink } from "../chips/lora-e5.js";
import type { RadioTx } from "./channel.js";
import type { DutyCycleLedger } from "./duty-cycle.js";
import type { NetworkServer } from "./network-server.js";

/** Uplinks handed to the sink, and those no gateway received (random loss, link, gateway down, collision). */
export interface ModemRadioStats {
  transmissions: number;
  lost: number;
}

export class ModemRadioLink {
  readonly nodeId: string;
  readonly network: LoraE5Network;
  readonly stats: ModemRadioStats;
  /** Uplinks that reached the sink without a registration at their start. */
  lateRegistrations = 0;
  readonly #server: NetworkServer;
  #pending: RadioTx[] = [];
  #modem: LoraE5Model | undefined;

  /** `stats`: an object to count into (the simulator's per-node radio record), else a fresh one. */
  constructor(server: NetworkServer, nodeId: string, stats: ModemRadioStats = { transmissions: 0, lost: 0 }) {
    this.#server = server;
    this.nodeId = nodeId;
    this.stats = stats;
    this.network = (u) => this.#uplink(u);
  }

  /** Hooks the modem's transmissions (at their start) into the channel. */
  attach(modem: LoraE5Model): void {
    this.#modem = modem;
    let current = this.#wrap(modem.ledger);
    Object.defineProperty(modem, "ledger", {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (l: DutyCycleLedger) => {
        current = this.#wrap(l);
      },
    });
  }

  #wrap(ledger: DutyCycleLedger): DutyCycleLedger {
    const record = ledger.record.bind(ledger);
    ledger.record = (startMs: number, airtimeMs: number, frequencyHz: number): void => {
      record(startMs, airtimeMs, frequencyHz);
      const modem = this.#modem!;
      const d = modem.region.dataRates[modem.dataRate]!;
      const tx = this.#server.channel.begin({
        nodeId: this.nodeId,
        startMs,
        airtimeMs,
        frequencyHz,
        sf: d.sf,
        bandwidthHz: d.bandwidthHz,
      });
      // Joins are never handed to the sink; forget registrations older than any plausible end.
      this.#pending = this.#pending.filter((p) => p.endMs > startMs - 60_000);
      this.#pending.push(tx);
    };
    return ledger;
  }

  #uplink(u: LoraE5Uplink): { ack: boolean; downlink?: { fPort: number; bytes: Uint8Array } } {
    const startMs = u.atMs - u.airtimeMs;
    const i = this.#pending.findIndex(
      (p) => p.frequencyHz === u.frequencyHz && Math.abs(p.startMs - startMs) < 1e-6,
    );
    let tx: RadioTx;
    if (i >= 0) {
      tx = this.#pending[i]!;
      this.#pending.splice(i, 1);
    } else {
      this.lateRegistrations++;
      const d = this.#server.channel.region.dataRates[u.dr]!;
      tx = this.#server.channel.begin({
        nodeId: this.nodeId,
        startMs,
        airtimeMs: u.airtimeMs,
        frequencyHz: u.frequencyHz,
        sf: d.sf,
        bandwidthHz: d.bandwidthHz,
      });
    }
    this.stats.transmissions++;
    // resolve() is computed once per transmission: the network server's own call gets the same answer.
    if (!this.#server.channel.resolve(tx).receptions.some((r) => r.outcome === "ok")) this.stats.lost++;
    return this.#server.uplink({
      devEui: this.nodeId,
      tx,
      fCnt: u.fCnt,
      fPort: u.fPort,
      confirmed: u.confirmed,
      bytes: u.bytes,
      dr: u.dr,
    });
  }
}
