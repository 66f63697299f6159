/**
 * XS entry: the node alone (runtime + sensing + protocol + drivers + outbox) with every piece of host IO
 * (the clock and its timers, the buses to the chip models, key-value storage, the outbox's flash, the link,
 * the MAC) reached through xsnap's command channel (./node-proxies.ts); the chip models, flash model, clock
 * and link run on the Node side (./node-host.ts). So the XS heap holds the node and nothing of the
 * simulator: test/xs/node-remote.test.ts and bench/node.bench.ts measure it.
 *
 * The same module runs in Node with the channel wired straight to the bridge (`createRemoteNode`), so the
 * two engines can be compared byte for byte.
 *
 * Request: byte 0 = command.
 *   0 setup: the rest is a JSON RemoteSetup (utf-8); boots the node.
 *   1 run: bytes 1-8 = virtual time to run until, ms (f64 LE): dispatches host events until then.
 * Reply (both): u32 LE each: virtual time s, outbox depth, task errors, CH4 level bits, last frame counter
 *   + 1, round trips to the host so far, battery mV of the last status/telemetry, vibRmsUmPerS of the last
 *   telemetry.
 */

import { BatteryVoltage } from "../../../firmware/drivers/battery.js";
import { InterlockIo, type InterlockPins } from "../../../firmware/node/interlock/outputs.js";
import { Outbox } from "../../../firmware/node/outbox.js";
import { openSensors, type SensorDevice, type Variant } from "../../../firmware/node/runtime/wiring.js";
import { NodeRuntime } from "../../../firmware/node/runtime.js";
import {
  bindHost,
  HostChannel,
  RemoteClock,
  RemoteIo,
  RemoteLink,
  remoteFlash,
  remoteMac,
  remoteStorage,
} from "./node-proxies.js";
import { EventKind, type HostCall, Op } from "./node-wire.js";

export interface RemoteSetup {
  variant: Variant;
  odrHz: number;
  /** Named pins of the board (host-sim/device.ts DEFAULT_PINS and the interlock's). */
  pins: Record<string, number>;
  ports: { i2c: number; spi: number; serial: number };
  interlock?: InterlockPins;
  nodeIdHex: string;
  keyHex: string;
  profile: string;
  location: string;
  linkName: string;
  /** The battery sense ADC (host-sim/chips/battery.ts on the Node side). */
  battery: { pin: number; dividerRatio: number };
}

function fromHex(h: string): Uint8Array {
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = Number.parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

export class RemoteNode {
  readonly host: HostChannel;
  readonly clock: RemoteClock;
  readonly runtime: NodeRuntime;
  readonly outbox: Outbox;
  readonly link: RemoteLink;

  constructor(call: HostCall, s: RemoteSetup) {
    const host = new HostChannel(call);
    this.host = host;
    this.clock = new RemoteClock(host);
    bindHost(host);
    const io = RemoteIo;
    const device = {
      I2C: { default: { io: io.I2C, port: s.ports.i2c, data: s.pins.i2cData, clock: s.pins.i2cClock } },
      SPI: {
        default: {
          io: io.SPI,
          port: s.ports.spi,
          clock: s.pins.spiClock,
          in: s.pins.spiIn,
          out: s.pins.spiOut,
        },
      },
      Serial: {
        default: {
          io: io.Serial,
          port: s.ports.serial,
          receive: s.pins.serialReceive,
          transmit: s.pins.serialTransmit,
        },
      },
      pin: s.pins,
    } as unknown as SensorDevice;
    this.outbox = new Outbox(remoteFlash(host), { maxRecords: 256, maxPayloadBytes: 64 });
    const sensors = openSensors(device, { variant: s.variant, odrHz: s.odrHz });
    const interlock = s.interlock ? new InterlockIo(io.Digital, s.interlock) : undefined;
    this.link = new RemoteLink(host, s.linkName);
    host.sinks[0] = this.link;
    const crypto = remoteMac(host);
    const battery = new BatteryVoltage({
      sensor: { io: io.Analog, pin: s.battery.pin },
      configure: { dividerRatio: s.battery.dividerRatio },
    });
    this.runtime = new NodeRuntime({
      clock: this.clock,
      storage: remoteStorage(host),
      outbox: this.outbox,
      transports: [this.link],
      mac: crypto.mac,
      key: fromHex(s.keyHex),
      configDigest: crypto.digest,
      identity: { nodeId: fromHex(s.nodeIdHex), fwMajor: 0, fwMinor: 1, fwPatch: 0 },
      gasPorts: sensors.gasPorts,
      gas: { profile: s.profile, location: s.location },
      ...(sensors.accel ? { accel: sensors.accel } : {}),
      batteryMv: () => battery.sample()?.batteryMv ?? 0,
      ...(interlock ? { interlock } : {}),
    });
    const il = this.runtime.interlock;
    if (il)
      il.onAnnunciation = (code) => {
        host.begin(Op.Annunciation).u8(code);
        host.send();
      };
    this.runtime.start();
  }

  /** Dispatches host events (timers, UART bytes, pin edges, link acks) until the host clock reaches `untilMs`. */
  runUntil(untilMs: number): void {
    const host = this.host;
    for (;;) {
      host.begin(Op.Next).f64(untilMs);
      const r = host.send();
      const kind = r.u8();
      host.nowMs = r.f64();
      if (kind === EventKind.Done) return;
      if (kind === EventKind.Timer) this.clock.fire(r.u32());
      else if (kind >= EventKind.LinkAck) this.link.event(kind, r);
      else host.sinks[r.u8()]?.event(kind, r);
    }
  }
}

const out = new Uint8Array(8 * 4);
const view = new DataView(out.buffer);

export function status(node: RemoteNode): Uint8Array {
  const rt = node.runtime;
  view.setUint32(0, Math.floor(node.host.nowMs / 1000), true);
  view.setUint32(4, node.outbox.depth, true);
  view.setUint32(8, rt.taskErrors, true);
  view.setUint32(12, rt.levels[0]!, true);
  view.setUint32(16, rt.builder.lastCounter + 1, true);
  view.setUint32(20, node.host.calls, true);
  view.setUint32(24, rt.builder.status.batteryMv, true);
  view.setUint32(28, rt.builder.telemetry.vibRmsUmPerS, true);
  return out;
}

let node: RemoteNode | undefined;

/** Node-side use: the same node with the channel wired to `call`. */
export function createRemoteNode(call: HostCall, setup: RemoteSetup): RemoteNode {
  return new RemoteNode(call, setup);
}

declare const issueCommand: HostCall;

export function handle(req: Uint8Array): Uint8Array {
  if (req[0] === 0) {
    const setup = JSON.parse(new TextDecoder().decode(req.subarray(1))) as RemoteSetup;
    node = new RemoteNode((m) => issueCommand(m), setup);
    return status(node);
  }
  const n = node!;
  n.runUntil(new DataView(req.buffer, req.byteOffset, req.byteLength).getFloat64(1, true));
  return status(n);
}
