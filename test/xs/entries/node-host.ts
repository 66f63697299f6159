/**
 * The Node side of the split node (./node-remote.ts runs on XS): a simulated board with the variant's chip
 * models, flash model, key-value storage, interlock output models (host-sim/node/sim-node.ts built with
 * `external: true`, so no runtime of its own), the virtual clock and an ideal link. `handle(request)` is the
 * worker's host command handler: it opens host IO objects for the node, does each bus transfer, flash and
 * storage operation, and hands the node its next event (a timer, UART bytes, a pin edge, a link ack), in
 * virtual-time order, stepping the clock only when the node has nothing to do.
 */

import { VirtualClock } from "../../../host-sim/clock.js";
import { DEFAULT_PORTS } from "../../../host-sim/device.js";
import type { DigitalOptions } from "../../../host-sim/io/digital.js";
import type { HostSerial, SerialOptions } from "../../../host-sim/io/serial.js";
import { IdealLink } from "../../../host-sim/node/ideal-link.js";
import {
  createSimNode,
  type SimNode,
  type SimNodeOptions,
  sha256First32,
} from "../../../host-sim/node/sim-node.js";
import { nobleFrameMac } from "../../../site/frame-mac.js";
import type { RemoteSetup } from "./node-remote.js";
import { EventKind, IoKind, Op, WireReader, WireWriter } from "./node-wire.js";

interface HostIo {
  kind: number;
  // biome-ignore lint/suspicious/noExplicitAny: the host IO classes differ; each op uses its own methods
  io: any;
}

function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

export type NodeHostOptions = Omit<SimNodeOptions, "clock" | "external" | "transports">;

export class NodeHostBridge {
  readonly clock = new VirtualClock();
  readonly sim: SimNode;
  readonly link: IdealLink;
  /** Host command round trips served, by op. */
  readonly opCounts = new Map<number, number>();
  #io: (HostIo | undefined)[] = [undefined];
  #queue: Uint8Array[] = [];
  #w = new WireWriter();
  #ev = new WireWriter();
  #dec = new TextDecoder();
  #annunciation = 0;

  constructor(options: NodeHostOptions) {
    this.sim = createSimNode({ ...options, clock: this.clock, external: true });
    this.link = new IdealLink(this.clock, { record: false });
    this.link.attach({
      onAck: (tag) => this.#push(this.#ev.reset().u8(EventKind.LinkAck).u32(tag)),
      onDownlink: (type, bytes) =>
        this.#push(this.#ev.reset().u8(EventKind.LinkDownlink).u8(type).raw(bytes)),
      onConnection: (up) =>
        this.#push(
          this.#ev
            .reset()
            .u8(EventKind.LinkConnection)
            .u8(up ? 1 : 0),
        ),
    });
    const outputs = this.sim.outputs;
    if (outputs) outputs.patternSource = () => this.#annunciation;
  }

  /** What the XS side needs to build the node (the same wiring SimNode.boot() gives a runtime in Node). */
  setup(): RemoteSetup {
    const o = this.sim.options;
    return {
      variant: o.variant,
      odrHz: o.odrHz ?? 1000,
      pins: { ...this.sim.device.pin },
      ports: { ...DEFAULT_PORTS },
      ...(this.sim.outputs ? { interlock: { ...this.sim.outputs.pins } } : {}),
      nodeIdHex: this.sim.nodeIdHex,
      keyHex: hex(this.sim.key),
      profile: o.profile ?? "kz-ru-coal",
      location: o.location ?? "face",
      linkName: this.link.name,
      battery: { pin: this.sim.battery.pin, dividerRatio: this.sim.battery.dividerRatio },
    };
  }

  /** The setup request for ./node-remote.ts `handle`. */
  setupRequest(): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify(this.setup()));
    const r = new Uint8Array(1 + json.length);
    r.set(json, 1);
    return r;
  }

  #push(w: WireWriter): void {
    this.#queue.push(w.bytes.slice(0, w.length));
  }

  /** The worker's host command handler. */
  handle = (request: Uint8Array): Uint8Array => {
    const w = this.#w.reset().u8(0);
    try {
      this.#do(new WireReader(request), w);
    } catch (e) {
      const err = e as { name?: string; code?: unknown; message?: string; value?: unknown };
      const v = err?.value;
      const value = typeof v === "number" || typeof v === "string" || typeof v === "boolean" ? v : String(v);
      w.reset()
        .u8(1)
        .raw(
          new TextEncoder().encode(
            JSON.stringify({
              name: err?.name ?? "Error",
              code: String(err?.code ?? "host-error"),
              message: err?.message ?? String(e),
              value,
            }),
          ),
        );
    }
    return w.bytes.slice(0, w.length);
  };

  #do(r: WireReader, w: WireWriter): void {
    const op = r.u8();
    this.opCounts.set(op, (this.opCounts.get(op) ?? 0) + 1);
    const device = this.sim.device;
    switch (op) {
      case Op.Batch: {
        const n = r.u8();
        const scratch = new WireWriter();
        for (let i = 0; i < n; i++) {
          const len = r.u16();
          this.#do(new WireReader(r.bytes.subarray(r.at, r.at + len)), scratch.reset());
          r.at += len;
        }
        this.#do(r, w);
        return;
      }
      case Op.Next: {
        const until = r.f64();
        while (this.#queue.length === 0) {
          const next = this.clock.peek();
          if (next === undefined || next > until) {
            this.clock.runUntil(until);
            w.u8(EventKind.Done).f64(this.clock.now());
            return;
          }
          this.clock.step();
        }
        const ev = this.#queue.shift()!;
        w.u8(ev[0]!).f64(this.clock.now()).raw(ev.subarray(1));
        return;
      }
      case Op.Open: {
        const kind = r.u8();
        const opts = JSON.parse(this.#dec.decode(r.rest())) as Record<string, unknown>;
        const handle = this.#io.length;
        let io: unknown;
        if (kind === IoKind.I2C) io = new device.io.I2C(opts as never);
        else if (kind === IoKind.SPI) io = new device.io.SPI(opts as never);
        else if (kind === IoKind.Serial) {
          const push = (k: number, f: (x: WireWriter) => void) => {
            const x = this.#ev.reset().u8(k).u8(handle);
            f(x);
            this.#push(x);
          };
          // The host end is a byte pipe in format "buffer"; the node-side proxy keeps the firmware's format.
          io = new device.io.Serial({
            ...(opts as unknown as SerialOptions),
            format: "buffer",
            ...(opts.readable
              ? {
                  onReadable(this: HostSerial) {
                    const got = this.read();
                    if (got instanceof ArrayBuffer) {
                      const bytes = new Uint8Array(got);
                      push(EventKind.SerialReadable, (x) => x.raw(bytes));
                    }
                  },
                }
              : {}),
            ...(opts.writable
              ? { onWritable: (count: number) => push(EventKind.SerialWritable, (x) => x.u32(count)) }
              : {}),
          });
        } else if (kind === IoKind.Digital) {
          io = new device.io.Digital({
            ...(opts as unknown as DigitalOptions),
            ...(opts.readable
              ? { onReadable: () => this.#push(this.#ev.reset().u8(EventKind.DigitalReadable).u8(handle)) }
              : {}),
          });
        } else if (kind === IoKind.Analog) io = new this.sim.Analog(opts as unknown as { pin: number });
        else throw new Error(`node host: no IO kind ${kind}`);
        this.#io.push({ kind, io });
        w.u8(handle);
        if (kind === IoKind.Analog) w.u8((io as { resolution: number }).resolution);
        return;
      }
      case Op.Close: {
        const h = r.u8();
        this.#io[h]?.io.close();
        this.#io[h] = undefined;
        return;
      }
      case Op.I2cRead: {
        const io = this.#get(r.u8());
        const n = r.u16();
        const stop = r.u8() === 1;
        const into = new Uint8Array(n);
        io.read(into, stop);
        w.raw(into);
        return;
      }
      case Op.I2cWrite: {
        const io = this.#get(r.u8());
        const stop = r.u8() === 1;
        io.write(r.rest().slice(), stop);
        return;
      }
      case Op.SpiTransfer: {
        const io = this.#get(r.u8());
        const b = r.rest().slice();
        io.transfer(b);
        w.raw(b);
        return;
      }
      case Op.SpiFlush:
        this.#get(r.u8()).flush(r.u8() === 1);
        return;
      case Op.SerialWrite: {
        const io = this.#get(r.u8());
        io.write(r.rest().slice());
        return;
      }
      case Op.DigitalRead:
        w.u8(this.#get(r.u8()).read());
        return;
      case Op.DigitalWrite: {
        const io = this.#get(r.u8());
        io.write(r.u8());
        return;
      }
      case Op.AnalogRead:
        w.u32(this.#get(r.u8()).read());
        return;
      case Op.TimerSet: {
        const delay = r.f64();
        const repeat = r.f64();
        let id = 0;
        id = this.clock.setTimer(
          () => this.#push(this.#ev.reset().u8(EventKind.Timer).u32(id)),
          delay,
          repeat > 0 ? repeat : undefined,
        );
        w.u32(id);
        return;
      }
      case Op.TimerClear:
        this.clock.clearTimer(r.u32());
        return;
      case Op.KvRead: {
        const v = this.sim.storage.read(this.#dec.decode(r.rest()));
        if (v === undefined) w.u8(0);
        else if (typeof v === "string") w.u8(2).raw(new TextEncoder().encode(v));
        else w.u8(1).raw(new Uint8Array(v));
        return;
      }
      case Op.KvWrite: {
        const n = r.u8();
        const key = this.#dec.decode(r.bytes.subarray(r.at, r.at + n));
        r.at += n;
        this.sim.storage.write(key, r.rest().slice().buffer);
        return;
      }
      case Op.KvDelete:
        this.sim.storage.delete(this.#dec.decode(r.rest()));
        return;
      case Op.FlashInfo:
        w.u32(this.sim.flash.byteLength).u32(this.sim.flash.blockSize);
        return;
      case Op.FlashErase:
        this.sim.flash.erase(r.u32());
        return;
      case Op.FlashRead: {
        const off = r.u32();
        w.raw(new Uint8Array(this.sim.flash.read(off, r.u32())));
        return;
      }
      case Op.FlashWrite: {
        const off = r.u32();
        const b = r.rest().slice();
        this.sim.flash.write(off, b.length, b.buffer);
        return;
      }
      case Op.LinkState: {
        const c = this.link.counters;
        w.u8(this.link.connected ? 1 : 0)
          .u8(this.link.canSend ? 1 : 0)
          .u32(c.txCount)
          .u32(c.txFailCount)
          .u32(c.rxCount);
        return;
      }
      case Op.LinkSend: {
        const type = r.u8();
        const tag = r.u32();
        w.u8(this.link.send(type, r.rest().slice(), tag) ? 1 : 0);
        return;
      }
      case Op.LinkStart:
        this.link.start();
        return;
      case Op.LinkStop:
        this.link.stop();
        return;
      case Op.Mac: {
        const key = r.bytes.slice(r.at, r.at + 16);
        r.at += 16;
        const out4 = new Uint8Array(4);
        nobleFrameMac.mac(key, r.rest(), out4);
        w.raw(out4);
        return;
      }
      case Op.Digest:
        w.u32(sha256First32(r.rest()));
        return;
      case Op.Annunciation:
        this.#annunciation = r.u8();
        this.sim.outputs?.refresh();
        return;
      default:
        throw new Error(`node host: unknown op ${op}`);
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: see HostIo
  #get(h: number): any {
    const io = this.#io[h];
    if (!io) throw new Error(`node host: handle ${h} is not open`);
    return io.io;
  }
}

/** A run request for ./node-remote.ts `handle`: dispatch events until `untilMs`. */
export function runRequest(untilMs: number): Uint8Array {
  const r = new Uint8Array(9);
  r[0] = 1;
  new DataView(r.buffer).setFloat64(1, untilMs, true);
  return r;
}
