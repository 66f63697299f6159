/**
 * The node side of the command channel (./node-wire.ts): ECMA-419 IO classes (I2C, SPI, Serial, Digital,
 * Analog), a Clock, key-value storage, a flash region, a transport and the MAC, each a thin proxy whose
 * every operation is one synchronous round trip to the simulated board on the Node side (./node-host.ts).
 * The drivers, the outbox and the runtime cannot tell these from the board's native objects: the bytes on
 * the bus, the flash writes and the frames are the chip models' business, on the Node side.
 *
 * Native state a board keeps outside the JS heap has a small stand-in here: the UART's received bytes come
 * with the readable event and wait in a preallocated ring until the driver reads them (the ESP32 UART driver
 * holds them in its own RX buffer); each proxy keeps its handle. No Node APIs: bundled for XS.
 */

import type { Clock, TimerId } from "../../../firmware/node/clock.js";
import type { FlashRegion } from "../../../firmware/node/outbox/layout.js";
import type { KeyValueStore } from "../../../firmware/node/storage.js";
import type { Transport, TransportCounters, TransportEvents } from "../../../firmware/node/transport.js";
import type { FrameMac } from "../../../protocol/auth.js";
import { EventKind, type HostCall, IoKind, Op, WireReader, WireWriter } from "./node-wire.js";

// Holds one readable event's bytes until the driver reads them (host UART events carry <= 120: RX_FIFO_THRESHOLD).
const RX_RING_BYTES = 256;

export class HostError extends Error {
  code: string;
  value: unknown;
  constructor(name: string, code: string, message: string, value: unknown) {
    super(message);
    // Defined, not assigned: Error.prototype.name is frozen on the device (house rule 8).
    Object.defineProperty(this, "name", { value: name, writable: true, configurable: true });
    this.code = code;
    this.value = value;
  }
}

/** Event receivers, by handle (IO) or by kind (timers, the link). */
interface EventSink {
  event(kind: number, r: WireReader): void;
}

export class HostChannel {
  readonly w = new WireWriter();
  readonly #deferred = new WireWriter();
  #deferredCount = 0;
  #call: HostCall;
  #decoder = new TextDecoder();
  readonly sinks: (EventSink | undefined)[] = [];
  /** Host clock time of the last event, ms: time does not move while the node runs. */
  nowMs = 0;
  /** Round trips made. */
  calls = 0;
  /** The answer to the last open, read up to after the handle. */
  lastOpen: WireReader | undefined;

  constructor(call: HostCall) {
    this.#call = call;
  }

  /** Starts a request with `op`; add fields to `w`, then `send()`. */
  begin(op: number): WireWriter {
    return this.w.reset().u8(op);
  }

  /**
   * Holds the request in `w` back, to go with the next one (Op.Batch): for operations that answer nothing
   * and that a later one always follows before time can move (an I2C register-pointer write before its
   * repeated-start read, an SPI deselect after its transfer). The host runs them first, in order, so the
   * chips see the same bus traffic; the node saves a round trip each. An error in one surfaces at the
   * operation it went with.
   */
  defer(): void {
    const d = this.#deferred;
    d.u16(this.w.length).raw(this.w.bytes.subarray(0, this.w.length));
    this.#deferredCount++;
  }

  send(): WireReader {
    this.calls++;
    let request: ArrayBuffer;
    if (this.#deferredCount > 0) {
      const d = this.#deferred;
      const all = new WireWriter();
      all
        .u8(Op.Batch)
        .u8(this.#deferredCount)
        .raw(d.bytes.subarray(0, d.length))
        .raw(this.w.bytes.subarray(0, this.w.length));
      request = all.buffer();
      d.reset();
      this.#deferredCount = 0;
    } else request = this.w.buffer();
    const r = new WireReader(new Uint8Array(this.#call(request)));
    if (r.u8() !== 0) {
      const e = JSON.parse(this.#decoder.decode(r.rest())) as {
        name: string;
        code: string;
        message: string;
        value: unknown;
      };
      throw new HostError(e.name, e.code, e.message, e.value);
    }
    return r;
  }

  /** Opens a host IO object; returns its handle (`lastOpen` holds the rest of the host's answer). */
  open(kind: number, options: Record<string, unknown>, sink: EventSink | undefined): number {
    const plain: Record<string, unknown> = {};
    for (const k of Object.keys(options)) {
      const v = options[k];
      if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") plain[k] = v;
    }
    const json = new TextEncoder().encode(JSON.stringify(plain));
    this.begin(Op.Open).u8(kind).raw(json);
    const r = this.send();
    const handle = r.u8();
    this.lastOpen = r;
    this.sinks[handle] = sink;
    return handle;
  }

  close(handle: number): void {
    this.sinks[handle] = undefined;
    this.begin(Op.Close).u8(handle);
    this.send();
  }
}

type Bytes = ArrayBuffer | ArrayBufferView;

function view(b: Bytes): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * The channel the IO classes below use. The classes are made once, when the bundle is evaluated (on the
 * board the IO classes are built into the firmware, not made by the app at run time), and bound to the
 * node's channel at boot.
 */
let host: HostChannel;

export function bindHost(channel: HostChannel): void {
  host = channel;
}

class I2C {
  #h: number;
  readonly address: number;
  readonly format = "buffer";
  constructor(options: Record<string, unknown>) {
    this.address = options.address as number;
    this.#h = host.open(IoKind.I2C, options, undefined);
  }
  read(countOrBuffer: number | Bytes, stop = true): ArrayBuffer | undefined {
    const into = typeof countOrBuffer === "number" ? undefined : view(countOrBuffer);
    const n = into ? into.length : (countOrBuffer as number);
    host
      .begin(Op.I2cRead)
      .u8(this.#h)
      .u16(n)
      .u8(stop ? 1 : 0);
    const got = host.send().rest();
    if (into) {
      into.set(got);
      return undefined;
    }
    return got.slice().buffer as ArrayBuffer;
  }
  write(buffer: Bytes, stop = true): void {
    host
      .begin(Op.I2cWrite)
      .u8(this.#h)
      .u8(stop ? 1 : 0)
      .raw(view(buffer));
    // Without a STOP a read (repeated start) follows at once: it carries this write (HostChannel.defer).
    if (stop) host.send();
    else host.defer();
  }
  close(): void {
    host.close(this.#h);
  }
}

class SPI {
  #h: number;
  readonly format = "buffer";
  target: unknown;
  constructor(options: Record<string, unknown>) {
    this.#h = host.open(IoKind.SPI, options, undefined);
  }
  transfer(buffer: Bytes): void {
    const b = view(buffer);
    host.begin(Op.SpiTransfer).u8(this.#h).raw(b);
    b.set(host.send().rest());
  }
  write(buffer: Bytes): void {
    host.begin(Op.SpiTransfer).u8(this.#h).raw(view(buffer));
    host.send();
  }
  flush(deselect?: boolean): void {
    host
      .begin(Op.SpiFlush)
      .u8(this.#h)
      .u8(deselect ? 1 : 0);
    // Goes with the next request (the next transfer, or the event-loop's Next): HostChannel.defer.
    host.defer();
  }
  close(): void {
    host.close(this.#h);
  }
}

class Serial implements EventSink {
  #h: number;
  format: "number" | "buffer";
  #rx = new Uint8Array(RX_RING_BYTES);
  #head = 0;
  #count = 0;
  #onReadable: ((count: number) => void) | undefined;
  #onWritable: ((count: number) => void) | undefined;
  constructor(options: Record<string, unknown>) {
    this.format = (options.format as "number" | "buffer") ?? "buffer"; // the ESP32's default
    this.#onReadable = options.onReadable as ((count: number) => void) | undefined;
    this.#onWritable = options.onWritable as ((count: number) => void) | undefined;
    this.#h = host.open(
      IoKind.Serial,
      { ...options, readable: !!this.#onReadable, writable: !!this.#onWritable },
      this,
    );
  }
  event(kind: number, r: WireReader): void {
    if (kind === EventKind.SerialReadable) {
      const b = r.rest();
      for (let i = 0; i < b.length && this.#count < RX_RING_BYTES; i++) {
        this.#rx[(this.#head + this.#count) % RX_RING_BYTES] = b[i]!;
        this.#count++;
      }
      this.#onReadable?.call(this, this.#count);
    } else if (kind === EventKind.SerialWritable) this.#onWritable?.call(this, r.u32());
  }
  read(count?: number): number | ArrayBuffer | undefined {
    if (this.format === "number") {
      if (this.#count === 0) return undefined;
      const b = this.#rx[this.#head]!;
      this.#head = (this.#head + 1) % RX_RING_BYTES;
      this.#count--;
      return b;
    }
    const n = Math.min(count ?? this.#count, this.#count);
    if (n <= 0) return undefined;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.#rx[this.#head]!;
      this.#head = (this.#head + 1) % RX_RING_BYTES;
    }
    this.#count -= n;
    return out.buffer;
  }
  write(value: number | Bytes): void {
    // As the host Serial (host-sim/io/serial.ts): the value must match the format.
    if ((typeof value === "number") !== (this.format === "number")) {
      throw new TypeError(
        `Serial: format "${this.format}" cannot write a ${typeof value === "number" ? "number" : "buffer"}`,
      );
    }
    const w = host.begin(Op.SerialWrite).u8(this.#h);
    if (typeof value === "number") w.u8(value);
    else w.raw(view(value));
    host.send();
  }
  flush(): void {}
  close(): void {
    host.close(this.#h);
  }
}

class Digital implements EventSink {
  static readonly Input = 0;
  static readonly InputPullUp = 1;
  static readonly InputPullDown = 2;
  static readonly InputPullUpDown = 3;
  static readonly Output = 8;
  static readonly OutputOpenDrain = 9;
  static readonly Rising = 1;
  static readonly Falling = 2;
  #h: number;
  #onReadable: (() => void) | undefined;
  readonly format = "number";
  constructor(options: Record<string, unknown>) {
    this.#onReadable = options.onReadable as (() => void) | undefined;
    this.#h = host.open(IoKind.Digital, { ...options, readable: !!this.#onReadable }, this);
  }
  event(): void {
    this.#onReadable?.call(this);
  }
  read(): number {
    host.begin(Op.DigitalRead).u8(this.#h);
    return host.send().u8();
  }
  write(value: number): void {
    host.begin(Op.DigitalWrite).u8(this.#h).u8(value);
    host.send();
  }
  close(): void {
    host.close(this.#h);
  }
}

class Analog {
  #h: number;
  readonly resolution: number;
  constructor(options: Record<string, unknown>) {
    this.#h = host.open(IoKind.Analog, options, undefined);
    // The host's Analog says its resolution in bits (ECMA-419 Analog.resolution).
    this.resolution = host.lastOpen!.u8();
  }
  read(): number {
    host.begin(Op.AnalogRead).u8(this.#h);
    return host.send().u32();
  }
  close(): void {
    host.close(this.#h);
  }
}

export const RemoteIo = { I2C, SPI, Serial, Digital, Analog };

/** The host's virtual clock seen from the node: timers live on the Node side, callbacks here. */
export class RemoteClock implements Clock {
  #host: HostChannel;
  readonly callbacks = new Map<number, { cb: () => void; once: boolean }>();
  constructor(host: HostChannel) {
    this.#host = host;
  }
  now(): number {
    return this.#host.nowMs;
  }
  setTimer(callback: () => void, delayMs: number, repeatMs?: number): TimerId {
    this.#host
      .begin(Op.TimerSet)
      .f64(delayMs)
      .f64(repeatMs ?? 0);
    const id = this.#host.send().u32();
    this.callbacks.set(id, { cb: callback, once: repeatMs === undefined });
    return id;
  }
  clearTimer(id: TimerId): void {
    if (!this.callbacks.delete(id)) return;
    this.#host.begin(Op.TimerClear).u32(id);
    this.#host.send();
  }
  fire(id: number): void {
    const t = this.callbacks.get(id);
    if (!t) return;
    if (t.once) this.callbacks.delete(id);
    t.cb();
  }
}

export function remoteStorage(host: HostChannel): KeyValueStore {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return {
    read(key) {
      host.begin(Op.KvRead).raw(enc.encode(key));
      const r = host.send();
      const tag = r.u8();
      if (tag === 0) return undefined;
      const b = r.rest();
      return tag === 2 ? dec.decode(b) : (b.slice().buffer as ArrayBuffer);
    },
    write(key, value) {
      const k = enc.encode(key);
      host.begin(Op.KvWrite).u8(k.length).raw(k).raw(new Uint8Array(value));
      host.send();
    },
    delete(key) {
      host.begin(Op.KvDelete).raw(enc.encode(key));
      host.send();
    },
  };
}

export function remoteFlash(host: HostChannel): FlashRegion {
  host.begin(Op.FlashInfo);
  const info = host.send();
  const byteLength = info.u32();
  const blockSize = info.u32();
  return {
    byteLength,
    blockSize,
    erase(sector) {
      host.begin(Op.FlashErase).u32(sector);
      host.send();
    },
    read(offset, length) {
      host.begin(Op.FlashRead).u32(offset).u32(length);
      return host.send().rest().slice().buffer as ArrayBuffer;
    },
    write(offset, length, buffer) {
      host
        .begin(Op.FlashWrite)
        .u32(offset)
        .raw(new Uint8Array(buffer, 0, length));
      host.send();
    },
  };
}

export function remoteMac(host: HostChannel): { mac: FrameMac; digest: (b: Uint8Array) => number } {
  return {
    mac: {
      mac(key, data, out4) {
        host.begin(Op.Mac).raw(key).raw(data);
        out4.set(host.send().rest().subarray(0, 4));
      },
    },
    digest(bytes) {
      host.begin(Op.Digest).raw(bytes);
      return host.send().u32();
    },
  };
}

/** The host's link (an IdealLink on the Node side) as the runtime's Transport. */
export class RemoteLink implements Transport, EventSink {
  readonly name: string;
  #host: HostChannel;
  #events: TransportEvents | undefined;
  readonly #counters: TransportCounters = { txCount: 0, txFailCount: 0, rxCount: 0 };
  #connected = false;
  #canSend = false;

  constructor(host: HostChannel, name: string) {
    this.#host = host;
    this.name = name;
  }
  attach(events: TransportEvents): void {
    this.#events = events;
  }
  start(): void {
    this.#host.begin(Op.LinkStart);
    this.#host.send();
  }
  stop(): void {
    this.#host.begin(Op.LinkStop);
    this.#host.send();
  }
  #state(): void {
    this.#host.begin(Op.LinkState);
    const r = this.#host.send();
    this.#connected = r.u8() === 1;
    this.#canSend = r.u8() === 1;
    this.#counters.txCount = r.u32();
    this.#counters.txFailCount = r.u32();
    this.#counters.rxCount = r.u32();
  }
  get connected(): boolean {
    this.#state();
    return this.#connected;
  }
  get canSend(): boolean {
    this.#state();
    return this.#canSend;
  }
  get counters(): TransportCounters {
    this.#state();
    return this.#counters;
  }
  send(frameType: number, bytes: Uint8Array, tag: number): boolean {
    this.#host.begin(Op.LinkSend).u8(frameType).u32(tag).raw(bytes);
    return this.#host.send().u8() === 1;
  }
  event(kind: number, r: WireReader): void {
    const e = this.#events;
    if (!e) return;
    if (kind === EventKind.LinkAck) e.onAck(r.u32());
    else if (kind === EventKind.LinkDownlink) {
      const type = r.u8();
      e.onDownlink(type, r.rest().slice());
    } else if (kind === EventKind.LinkConnection) e.onConnection(r.u8() === 1);
  }
}
