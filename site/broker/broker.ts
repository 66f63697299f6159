/**
 * The simulator's default broker: aedes, in process, on a loopback TCP port, with per-node credentials and
 * the ACL of acl.ts. `stop()` / `restart()` model a broker outage: the same port, the same persistence
 * (retained messages, persistent sessions, queued QoS 1), as a broker with a disk would come back.
 *
 * Give it the simulation's TrafficGate and `stop()` also waits until every simulated client connected to it
 * has seen its connection drop, so an outage lands at one virtual instant (gate.ts rule).
 */
import net from "node:net";
import { Aedes, type AedesOptions, type Client } from "aedes";
import type { SiteClock, TrafficGate } from "../ports.js";
import { type BrokerAccount, checkAccount, mayPublish, maySubscribe } from "./acl.js";
import { type BrokerLimits, brokerLimits, GuardedConnection, type GuardRefusal } from "./limits.js";

export interface AedesBrokerOptions {
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Accounts; none = an open broker (anonymous, no ACL), for quick experiments only. */
  accounts?: readonly BrokerAccount[];
  gate?: TrafficGate;
  /** Packet size, retained size and publish rate (limits.ts; defaults DEFAULT_BROKER_LIMITS). */
  limits?: Partial<BrokerLimits>;
  /** The clock the publish rate is measured on (default: the gate's virtual clock, else wall time). */
  clock?: Pick<SiteClock, "now">;
}

export interface Refusal {
  kind: "connect" | "publish" | "subscribe" | "retained-size" | GuardRefusal;
  user: string;
  clientId: string;
  /** The topic or filter refused, or the return code's reason for a connect. */
  what: string;
}

type Persistence = NonNullable<AedesOptions["persistence"]>;

export class AedesBroker {
  readonly host: string;
  #port: number;
  #accounts: Map<string, BrokerAccount> | undefined;
  #gate: TrafficGate | undefined;
  readonly #limits: BrokerLimits;
  readonly #clock: Pick<SiteClock, "now">;
  // aedes's default in-memory persistence, taken from the first instance and handed to every restart.
  #persistence: Persistence | undefined;
  #aedes: Aedes | undefined;
  #server: net.Server | undefined;
  #sockets = new Set<net.Socket>();
  #accountOf = new WeakMap<Client, BrokerAccount>();
  /** Everything the ACL refused, in order (tests assert on it). */
  readonly refusals: Refusal[] = [];
  /** Every publish the broker accepted from a client, in order: topic and payload bytes. */
  readonly accepted: { clientId: string; topic: string; payload: Uint8Array; retain: boolean }[] = [];
  /** PINGREQ packets received (keep-alive tests). */
  pings = 0;

  private constructor(options: AedesBrokerOptions) {
    this.host = options.host ?? "127.0.0.1";
    this.#port = options.port ?? 0;
    this.#gate = options.gate;
    this.#limits = brokerLimits(options.limits);
    this.#clock = options.clock ?? options.gate?.clock ?? { now: () => performance.now() };
    if (options.accounts) {
      this.#accounts = new Map();
      for (const a of options.accounts) this.#accounts.set(checkAccount(a).user, a);
    }
  }

  static async start(options: AedesBrokerOptions = {}): Promise<AedesBroker> {
    const b = new AedesBroker(options);
    await b.#listen();
    return b;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `mqtt://${this.host}:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  /** Closes every connection (wills fire, as when a broker dies) and the listener. */
  async stop(): Promise<void> {
    const work = this.#stop();
    await (this.#gate ? this.#gate.track(work) : work);
  }

  /** Comes back on the same port with the same retained messages and sessions. */
  async restart(): Promise<void> {
    const work = this.#listen();
    await (this.#gate ? this.#gate.track(work) : work);
  }

  async #listen(): Promise<void> {
    if (this.#server) return;
    const aedes = await Aedes.createBroker(this.#persistence ? { persistence: this.#persistence } : {});
    this.#persistence ??= (aedes as unknown as { persistence: Persistence }).persistence;
    this.#install(aedes);
    const server = net.createServer((socket) => {
      // Nagle + delayed ACK would hold a forwarded message for tens of wall ms on loopback.
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      const conn = new GuardedConnection(socket, this.#limits, this.#clock, (kind, what, c) => {
        const client = (c as unknown as { client?: Client }).client;
        const account = client ? this.#accountOf.get(client) : undefined;
        this.refusals.push({ kind, user: account?.user ?? "", clientId: client?.id ?? "", what });
      });
      aedes.handle(conn);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#port, this.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#port = (server.address() as net.AddressInfo).port;
    this.#aedes = aedes;
    this.#server = server;
  }

  async #stop(): Promise<void> {
    const server = this.#server;
    const aedes = this.#aedes;
    if (!server || !aedes) return;
    this.#server = undefined;
    this.#aedes = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
    // Wait (bounded) until each gated client has seen the drop, so the outage is at one virtual instant.
    const gate = this.#gate;
    if (gate) {
      const deadline = performance.now() + 2000;
      while (gate.linksTo(this.#port) > 0 && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  }

  /**
   * aedes answers a QoS 1 PUBLISH with PUBACK *before* it forwards the message (lib/handlers/publish.js), so
   * a subscriber gets it after the publisher's wait has ended. With a gate, each publish (and will) holds
   * virtual time from authorization until aedes reports it published, i.e. forwarded to every subscriber.
   */
  #trackForwarding(aedes: Aedes): void {
    const gate = this.#gate;
    if (!gate) return;
    const link = gate.openLink(`aedes :${this.#port}`);
    const pending = new Map<Client | null, number[]>();
    aedes.authorizePublish = (client, _packet, callback) => {
      const ops = pending.get(client) ?? [];
      ops.push(gate.begin(link, `forward from ${client?.id ?? "broker"}`));
      pending.set(client, ops);
      callback(null);
    };
    const finish = (client: Client | null): void => {
      const op = pending.get(client)?.shift();
      if (op !== undefined) setImmediate(() => gate.end(op));
    };
    aedes.published = (_packet, client, callback) => {
      finish(client);
      callback(null);
    };
    aedes.on("clientError", (client) => finish(client));
  }

  #install(aedes: Aedes): void {
    const accounts = this.#accounts;
    this.#trackForwarding(aedes);
    aedes.on("ping", () => {
      this.pings++;
    });
    aedes.on("publish", (packet, client) => {
      if (!client) return;
      this.accepted.push({
        clientId: client.id,
        topic: packet.topic,
        payload: new Uint8Array(packet.payload as Buffer),
        retain: packet.retain,
      });
    });
    const forwardingOnly = aedes.authorizePublish;
    aedes.authorizePublish = (client, packet, callback) => {
      const bytes = packet.payload?.length ?? 0;
      if (!packet.retain || bytes <= this.#limits.maxRetainedBytes)
        return forwardingOnly(client, packet, callback);
      const account = client ? this.#accountOf.get(client) : undefined;
      const what = `${bytes}-byte retained message on "${packet.topic}" > ${this.#limits.maxRetainedBytes}`;
      this.refusals.push({
        kind: "retained-size",
        user: account?.user ?? "",
        clientId: client?.id ?? "",
        what,
      });
      callback(new Error(what));
    };
    if (!accounts) return;
    aedes.authenticate = (client, username, password, done) => {
      const account = username === undefined ? undefined : accounts.get(username);
      const ok = !!account && password !== undefined && password.toString("utf8") === account.password;
      if (!ok || !account) {
        this.refusals.push({
          kind: "connect",
          user: username ?? "",
          clientId: client.id,
          what: "bad user name or password",
        });
        return done(
          Object.assign(new Error(`bad credentials for user "${username}"`), { returnCode: 4 }),
          false,
        );
      }
      // A node logs in with client id = user name, so no account can take over another node's session.
      if (account.role === "node" && client.id !== account.user) {
        this.refusals.push({
          kind: "connect",
          user: account.user,
          clientId: client.id,
          what: "identifier rejected",
        });
        return done(
          Object.assign(new Error(`client id "${client.id}" is not "${account.user}"`), { returnCode: 2 }),
          false,
        );
      }
      this.#accountOf.set(client, account);
      done(null, true);
    };
    const forwarding = aedes.authorizePublish;
    aedes.authorizePublish = (client, packet, callback) => {
      const account = client ? this.#accountOf.get(client) : undefined;
      if (client && account && mayPublish(account, packet.topic)) return forwarding(client, packet, callback);
      this.refusals.push({
        kind: "publish",
        user: account?.user ?? "",
        clientId: client?.id ?? "",
        what: packet.topic,
      });
      // MQTT 3.1.1 cannot NAK a PUBLISH; aedes closes the offender's connection (MQTT-3.3.5-2).
      callback(new Error(`publish to "${packet.topic}" not allowed for "${account?.user}"`));
    };
    aedes.authorizeSubscribe = (client, sub, callback) => {
      const account = this.#accountOf.get(client);
      if (account && maySubscribe(account, sub.topic)) return callback(null, sub);
      this.refusals.push({
        kind: "subscribe",
        user: account?.user ?? "",
        clientId: client.id,
        what: sub.topic,
      });
      // A refused filter gets SUBACK return code 0x80 (MQTT 3.1.1 section 3.9.3).
      callback(null, null);
    };
  }
}
