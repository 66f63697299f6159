/**
 * What a client may send the site's broker (issue 14 item 7). A node's frame is at most 64 bytes and its
 * topic under 80, so a packet of kilobytes on a node's own topic is an attack or a fault, not data: without a
 * limit one node account pushed 32 MB through aedes (+116 MB of broker memory) and had it retained.
 *
 * - `maxPacketBytes`: the largest MQTT packet (fixed header included). Checked on the wire, from the packet's
 *   fixed header, before the broker buffers the body; the client is disconnected.
 * - `maxRetainedBytes`: the largest retained payload (a node's state message is a few bytes).
 * - `publishBurst` / `publishesPerSecond`: a token bucket per connection on the site clock; a client that
 *   publishes faster is disconnected (MQTT 3.1.1 has no NAK for PUBLISH). A node sends a few frames a minute
 *   and an alarm burst of tens, so the defaults leave an order of magnitude of headroom.
 * mosquitto gets the same packet limit in its config (`max_packet_size`); it has no retained-size or
 * per-client publish-rate setting (mosquitto.conf(5), 2.0), so there those two hold on aedes only and
 * mosquitto's `max_queued_messages` / `max_inflight_messages` bound what a client can make it hold.
 */
import type net from "node:net";
import { Duplex } from "node:stream";
import type { SiteClock } from "../ports.js";

export interface BrokerLimits {
  maxPacketBytes: number;
  maxRetainedBytes: number;
  publishBurst: number;
  publishesPerSecond: number;
}

export const DEFAULT_BROKER_LIMITS: Readonly<BrokerLimits> = Object.freeze({
  // The network server's ChirpStack JSON uplink events are the largest legitimate messages (about 1 KB).
  maxPacketBytes: 4096,
  maxRetainedBytes: 256,
  publishBurst: 100,
  publishesPerSecond: 10,
});

export function brokerLimits(partial: Partial<BrokerLimits> = {}): BrokerLimits {
  const limits = { ...DEFAULT_BROKER_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`broker limit ${name} must be a positive number, got ${String(value)}`);
    }
  }
  if (limits.maxPacketBytes < 64 + 80) {
    throw new RangeError(
      `broker limit maxPacketBytes ${limits.maxPacketBytes} is below one frame on its topic`,
    );
  }
  return limits;
}

/**
 * Follows MQTT packet boundaries in a client's byte stream (fixed header: type byte, then the remaining
 * length as 1-4 bytes of 7 bits, MQTT 3.1.1 section 2.2.3) and reports each packet's size as soon as its
 * header is complete: nothing of the body is kept.
 */
export class PacketScanner {
  /** Bytes of the current packet's body still to skip. */
  #skip = 0;
  /** Reading a header: 0 = expecting the type byte, 1..4 = remaining-length bytes read so far. */
  #headerAt = 0;
  #type = 0;
  #length = 0;
  #multiplier = 1;

  /**
   * Scans a chunk; calls `onPacket(type, totalBytes)` for each header completed. Returns -1 when the whole
   * chunk passed, or the offset in the chunk where the refused packet starts (0 if it began in an earlier
   * chunk) when `onPacket` returns false or the remaining length is malformed (a fifth length byte).
   */
  scan(chunk: Uint8Array, onPacket: (type: number, totalBytes: number) => boolean): number {
    let i = 0;
    let start = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
        continue;
      }
      const b = chunk[i++]!;
      if (this.#headerAt === 0) {
        start = i - 1;
        this.#type = b >> 4;
        this.#length = 0;
        this.#multiplier = 1;
        this.#headerAt = 1;
        continue;
      }
      this.#length += (b & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      if (b & 0x80) {
        if (++this.#headerAt > 4) return start;
        continue;
      }
      const total = 1 + this.#headerAt + this.#length;
      this.#headerAt = 0;
      this.#skip = this.#length;
      if (!onPacket(this.#type, total)) return start;
    }
    return -1;
  }
}

/** A token bucket on the site clock: `take()` is false once a client publishes faster than allowed. */
export class PublishRate {
  readonly #clock: Pick<SiteClock, "now">;
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #at: number;

  constructor(
    clock: Pick<SiteClock, "now">,
    limits: Pick<BrokerLimits, "publishBurst" | "publishesPerSecond">,
  ) {
    this.#clock = clock;
    this.#burst = limits.publishBurst;
    this.#perMs = limits.publishesPerSecond / 1000;
    this.#tokens = this.#burst;
    this.#at = clock.now();
  }

  take(): boolean {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#at) * this.#perMs);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Why the guard closed a connection. */
export type GuardRefusal = "packet-size" | "publish-rate";

/**
 * A client's connection as the broker sees it, with the packet-size and publish-rate limits applied on the
 * wire: bytes pass through until a packet header announces more than `maxPacketBytes` or a PUBLISH comes
 * faster than the bucket allows; then the socket is destroyed before the broker reads that packet.
 */
export class GuardedConnection extends Duplex {
  readonly socket: net.Socket;
  readonly #scanner = new PacketScanner();
  readonly #rate: PublishRate;
  readonly #limits: BrokerLimits;
  readonly #onRefuse: (reason: GuardRefusal, detail: string, conn: GuardedConnection) => void;
  #refused = false;

  constructor(
    socket: net.Socket,
    limits: BrokerLimits,
    clock: Pick<SiteClock, "now">,
    onRefuse: (reason: GuardRefusal, detail: string, conn: GuardedConnection) => void,
  ) {
    super();
    this.socket = socket;
    this.#limits = limits;
    this.#rate = new PublishRate(clock, limits);
    this.#onRefuse = onRefuse;
    socket.on("data", (chunk: Buffer) => this.#data(chunk));
    socket.on("end", () => this.push(null));
    socket.on("error", (e) => this.destroy(e));
    // After a refusal the packets before the refused one are still read by the broker: the stream ends.
    socket.on("close", () => {
      if (!this.#refused) this.destroy();
    });
  }

  #data(chunk: Buffer): void {
    let refusal: [GuardRefusal, string] | undefined;
    if (this.#refused) return;
    const stop = this.#scanner.scan(chunk, (type, total) => {
      if (total > this.#limits.maxPacketBytes) {
        refusal = ["packet-size", `${total}-byte packet > ${this.#limits.maxPacketBytes}`];
        return false;
      }
      if (type === PUBLISH && !this.#rate.take()) {
        refusal = [
          "publish-rate",
          `more than ${this.#limits.publishBurst} publishes at once or ${this.#limits.publishesPerSecond}/s`,
        ];
        return false;
      }
      return true;
    });
    if (stop >= 0) {
      const [reason, detail] = refusal ?? ["packet-size", "malformed remaining length"];
      this.#refused = true;
      this.#onRefuse(reason, detail, this);
      if (stop > 0) this.push(chunk.subarray(0, stop));
      this.push(null);
      this.socket.destroy();
      return;
    }
    if (!this.push(chunk)) this.socket.pause();
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (e?: Error | null) => void): void {
    if (this.socket.destroyed) callback();
    else this.socket.write(chunk, callback);
  }

  override _final(callback: (e?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (e?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}

const PUBLISH = 3;
