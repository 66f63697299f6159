/**
 * A simulated minewatch node: a SimBoard with the variant's chip models, the methane interlock's outputs
 * (relay with feedback contact, beacon, sounder, healthy lamp: ./outputs.ts) on gas and combo nodes, (fed from value sources: recordings
 * or functions of virtual time), the host device provider, key-value storage, a flash model holding the
 * outbox, and the real runtime (firmware/node/runtime.ts) with the real drivers, all on one VirtualClock.
 * This is the unit the simulator issue fleet-ifies.
 *
 * Reboot (`reboot()`, and the default watchdog action) does what a power cycle does: the runtime and its
 * drivers go, RAM state is lost, the flash and key-value storage stay, the chips stay powered (they are on
 * the board's supply). A new runtime then boots from storage and flash (outbox recovery scan).
 * No Node APIs here: the XS entries bundle this file.
 *
 * Provisioning console (firmware/node/console.ts over console/provisioning.ts): every boot opens it on the
 * board's console UART (DEFAULT_PORTS.console, UART0 as on the DevKitC) on top of the new runtime. A tool
 * reaches it with `attachConsole(peer)`: `peer` (e.g. tools/console/client.ts ConsoleClient) gets
 * `connect(line)` with the line towards the node and `receive(bytes)` with what the node sends, at 115200
 * baud on the virtual clock; the attachment survives reboots (the new console answers on the same line).
 * `detachConsole()` pulls the cable (the peer gets `disconnect()`). At boot the runtime takes its identity,
 * MAC key, profile, location and calibrations from what was provisioned (bootProvisioning), falling back to
 * the options: after a KEY.SET mac and a reboot the node signs with the new key, not `key`.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { BatteryVoltage } from "../../firmware/drivers/battery.js";
import type { Clock } from "../../firmware/node/clock.js";
import { bootProvisioning, RuntimeConsoleHost } from "../../firmware/node/console/provisioning.js";
import { Console } from "../../firmware/node/console.js";
import { InterlockIo } from "../../firmware/node/interlock/outputs.js";
import { TickClock } from "../../firmware/node/monotonic.js";
import { ObservedOutbox, Outbox, type OutboxListener } from "../../firmware/node/outbox.js";
import { type OpenedSensors, openSensors, type Variant } from "../../firmware/node/runtime/wiring.js";
import { NodeRuntime, type NodeRuntimeOptions } from "../../firmware/node/runtime.js";
import type { Transport } from "../../firmware/node/transport.js";
import { nobleFrameMac } from "../../site/frame-mac.js";
import { type SerialLine, type SerialPeer, SimBoard } from "../board.js";
import { Ads1115Model } from "../chips/ads1115.js";
import { type AccelSource, Adxl355Model } from "../chips/adxl355.js";
import { BatteryModel, type HostAnalogClass, makeAnalog } from "../chips/battery.js";
import { MIPEX_WARMUP_MS, Mipex02Model } from "../chips/mipex02.js";
import type { VirtualClock } from "../clock.js";
import { ConsoleCable } from "../console/cable.js";
import { DEFAULT_PORTS, type HostDevice, makeDevice } from "../device.js";
import { fork, root } from "../fault-plan.js";
import { FlashModel } from "../flash.js";
import { boardTicks } from "../moddable/time.js";
import type { Prng } from "../prng.js";
import { MemoryKeyValue } from "./key-value.js";
import { SIM_INTERLOCK_PINS, SimOutputs } from "./outputs.js";

/** Gas values in the gas's unit at a virtual time, and the acceleration source at the ADXL355's ODR. */
export interface SimSources {
  ch4PctVol?: (tMs: number) => number;
  coPpm?: (tMs: number) => number;
  o2PctVol?: (tMs: number) => number;
  h2sPpm?: (tMs: number) => number;
  accel?: AccelSource;
}

export interface SimNodeOptions {
  clock: VirtualClock;
  seed: number;
  variant: Variant;
  sources?: SimSources;
  /** Makes the node's transports; called at every boot (RAM state does not survive a reboot). */
  transports?: (node: SimNode) => Transport[];
  /** Told of every frame each boot's outbox builds, sends and has acknowledged (firmware/node/outbox.ts). */
  outboxListener?: OutboxListener;
  /** EUI-64 as 16 lowercase hex digits (default derived from the seed). */
  nodeId?: string;
  key?: Uint8Array;
  profile?: string;
  location?: string;
  odrHz?: number;
  /** Outbox flash region, bytes (default 16 sectors of 4096). */
  flashBytes?: number;
  /**
   * Battery cell voltage at a virtual time, mV (default: 3.7 V falling 1 mV an hour); the node reads it
   * through its divider and ADC (host-sim/chips/battery.ts, firmware/drivers/battery.ts).
   */
  batteryMv?: (tMs: number) => number;
  /** The MIPEX module has been powered long enough to be warm at the first boot (default false). */
  sensorsWarm?: boolean;
  /** Fit the methane interlock's outputs (default: true on gas and combo nodes, which have a CH4 sensor). */
  interlock?: boolean;
  /** Extra runtime options (tests). */
  runtime?: Partial<NodeRuntimeOptions>;
  /**
   * The board's Time.ticks at the first boot, ms. When given, the node reads time as firmware/main.ts does
   * on the ESP32: the board's signed 32-bit ticks (host-sim/moddable/time.ts, wrapping at 2^31 and 2^32 ms)
   * through the monotonic TickClock (firmware/node/monotonic.ts), e.g. 2^31 - 60_000 to cross the wrap a
   * minute into the run. A reboot restarts the count at 0, as a reset does. Default: the runtime reads the
   * virtual clock itself.
   */
  ticksAtBootMs?: number;
  /**
   * The runtime runs elsewhere (test/xs/entries/node-host.ts: on XS, reaching this board through xsnap's
   * command channel): build the board, chips, storage and flash only, and never boot a runtime here.
   */
  external?: boolean;
}

/** First 32 bits of SHA-256 (the birth frame's configHash), @noble/hashes on the host. */
export function sha256First32(bytes: Uint8Array): number {
  const d = sha256(bytes);
  return ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
}

export class SimNode {
  readonly options: SimNodeOptions;
  readonly clock: VirtualClock;
  readonly prng: Prng;
  readonly board: SimBoard;
  readonly device: HostDevice;
  readonly storage = new MemoryKeyValue();
  readonly flash: FlashModel;
  readonly nodeIdHex: string;
  readonly nodeId: Uint8Array;
  readonly key: Uint8Array;
  readonly mipex: Mipex02Model | undefined;
  readonly adc: Ads1115Model | undefined;
  readonly accel: Adxl355Model | undefined;
  /** The interlock's output models and their history (undefined when no interlock is fitted). */
  readonly outputs: SimOutputs | undefined;
  interlockIo: InterlockIo | undefined;
  /** The battery behind its divider on the ADC pin, the board's Analog class, and this boot's driver. */
  readonly battery: BatteryModel;
  readonly Analog: HostAnalogClass;
  batteryAdc: BatteryVoltage | undefined;
  runtime!: NodeRuntime;
  /** The clock this boot's runtime, console and provisioning read (`clock`, or a TickClock over it). */
  nodeClock!: Clock;
  outbox!: Outbox;
  transports: Transport[] = [];
  sensors: OpenedSensors | undefined;
  boots = 0;
  /** The cable on the console UART (outlives reboots); the console and its runtime host of this boot. */
  readonly consoleCable = new ConsoleCable();
  console: Console | undefined;
  consoleHost: RuntimeConsoleHost | undefined;
  /** Watchdog trips: [virtual time, task]. */
  readonly watchdogTrips: [number, string][] = [];

  constructor(o: SimNodeOptions) {
    this.options = o;
    this.clock = o.clock;
    this.prng = root(o.seed);
    this.board = new SimBoard(o.clock, fork(this.prng, "node/board"));
    this.board.attachSerial(DEFAULT_PORTS.console, this.consoleCable);
    const interlock = (o.interlock ?? o.variant !== "vibration") && o.variant !== "vibration";
    this.device = makeDevice(this.board, interlock ? SIM_INTERLOCK_PINS : {});
    this.outputs = interlock ? new SimOutputs(this.board) : undefined;
    this.flash = new FlashModel({ byteLength: o.flashBytes ?? 16 * 4096, blockSize: 4096 });
    const idPrng = fork(this.prng, "node/identity");
    this.nodeIdHex = o.nodeId ?? hex32(0x70b3d57e) + hex32(idPrng.nextUint32());
    this.nodeId = new Uint8Array(8);
    for (let i = 0; i < 8; i++) this.nodeId[i] = Number.parseInt(this.nodeIdHex.slice(2 * i, 2 * i + 2), 16);
    this.key = o.key ?? Uint8Array.from({ length: 16 }, () => idPrng.int(0, 255));
    const src = o.sources ?? {};
    const noise = fork(this.prng, "node/gas-noise");
    if (o.variant !== "vibration") {
      const warmAt = o.clock.now() - (o.sensorsWarm ? MIPEX_WARMUP_MS + 1000 : 0);
      // Clean air by default, with a little seeded noise: a real cell never reads perfectly flat (the
      // pipeline's stuck check would rightly flag one that does).
      this.mipex = new Mipex02Model(this.board, {
        port: DEFAULT_PORTS.serial,
        ch4PctVol: src.ch4PctVol ?? ((t) => Math.max(0, 0.02 + 0.01 * Math.sin(t / 60_000))),
        poweredAtMs: warmAt,
      });
      const co = src.coPpm ?? (() => 0);
      const o2 = src.o2PctVol ?? (() => 20.9 + 0.02 * (noise.next() - 0.5));
      const h2s = src.h2sPpm ?? (() => 0);
      // Volts as the wiring's DEFAULT front ends make them (runtime/wiring.ts DEFAULT_CELL_FRONT_ENDS).
      this.adc = new Ads1115Model(this.board, {
        port: DEFAULT_PORTS.i2c,
        inputs: [(t) => co(t) / 500, (t) => o2(t) / 25, (t) => h2s(t) / 100, undefined],
      });
    }
    if (o.variant !== "gas") {
      const accel = src.accel ?? quietGround(fork(this.prng, "node/quiet-ground"));
      this.accel = new Adxl355Model(this.board, { source: accel, noiseUgPerRtHz: 0 });
      this.board.attachSPI(DEFAULT_PORTS.spi, this.device.pin.accelSelect, this.accel);
    }
    this.battery = new BatteryModel(this.board, { cellMv: o.batteryMv ?? ((t) => 3700 - t / 3_600_000) });
    this.Analog = makeAnalog(this.board);
    if (!o.external) this.boot();
  }

  /** Opens the drivers and the outbox, builds and starts the runtime (what a power-on does). */
  boot(): void {
    const o = this.options;
    this.boots++;
    this.nodeClock = this.clock;
    if (o.ticksAtBootMs !== undefined) {
      // The board's tick counter reads ticksAtBootMs now (0 after a reboot), then runs with virtual time.
      const atBoot = this.boots === 1 ? o.ticksAtBootMs : 0;
      this.nodeClock = new TickClock(
        boardTicks(this.clock, atBoot - Math.floor(this.clock.now())),
        this.clock,
      );
    }
    const outboxOptions = { maxRecords: 256, maxPayloadBytes: 64 };
    this.outbox = o.outboxListener
      ? new ObservedOutbox(this.flash, outboxOptions, o.outboxListener)
      : new Outbox(this.flash, outboxOptions);
    this.sensors = openSensors(this.device, { variant: o.variant, odrHz: o.odrHz ?? 1000 });
    this.transports = o.transports ? o.transports(this) : [];
    const outputs = this.outputs;
    this.interlockIo = outputs ? new InterlockIo(this.device.io.Digital, outputs.pins) : undefined;
    if (outputs) outputs.patternSource = () => this.runtime?.interlock?.annunciation ?? 0;
    const adc = new BatteryVoltage({
      sensor: { io: this.Analog, pin: this.battery.pin },
      configure: { dividerRatio: this.battery.dividerRatio },
    });
    this.batteryAdc = adc;
    // What the console provisioned (and a commit a power cut interrupted, finished now) comes first.
    const prov = bootProvisioning(this.storage, this.nodeClock.now());
    this.runtime = new NodeRuntime({
      clock: this.nodeClock,
      storage: this.storage,
      outbox: this.outbox,
      transports: this.transports,
      mac: nobleFrameMac,
      key: prov.key ?? this.key,
      configDigest: sha256First32,
      identity: { nodeId: prov.nodeId ?? this.nodeId, fwMajor: 0, fwMinor: 1, fwPatch: 0 },
      gasPorts: this.sensors.gasPorts,
      gas: {
        profile: prov.profile ?? o.profile ?? "kz-ru-coal",
        location: prov.location ?? o.location ?? "face",
        calibrations: prov.calibrations,
      },
      ...(this.sensors.accel ? { accel: this.sensors.accel } : {}),
      batteryMv: () => adc.sample()?.batteryMv ?? 0,
      ...(this.interlockIo && outputs
        ? {
            interlock: this.interlockIo,
            onInterlockEvent: (e: number, d: number) => outputs.recordEvent(e, d),
          }
        : {}),
      onWatchdog: (task) => {
        this.watchdogTrips.push([this.clock.now(), task]);
        this.reboot();
      },
      ...o.runtime,
    });
    if (outputs && this.runtime.interlock) this.runtime.interlock.onAnnunciation = () => outputs.refresh();
    this.runtime.start();
    this.#openConsole();
  }

  /** A new console on this boot's runtime, on the console UART (see the file comment). */
  #openConsole(): void {
    const runtime = this.runtime;
    this.consoleHost = new RuntimeConsoleHost({
      storage: this.storage,
      clock: this.nodeClock,
      runtime: () => (this.runtime === runtime ? runtime : undefined),
      mac: nobleFrameMac,
      firmwareVersion: "0.1.0",
      variant: this.options.variant,
      reboot: () => this.reboot(),
    });
    this.console = new Console({
      serial: { io: this.device.io.Serial, port: DEFAULT_PORTS.console },
      host: this.consoleHost,
      clock: this.nodeClock,
    });
  }

  /** Plugs a tool into the console UART; returns the line towards the node (see the file comment). */
  attachConsole(peer: SerialPeer): SerialLine {
    return this.consoleCable.plug(peer);
  }

  /** Pulls the console cable. */
  detachConsole(): void {
    this.consoleCable.unplug();
  }

  /** Power cycle: everything in RAM goes; flash, storage and the chips stay. */
  reboot(): void {
    this.shutdown();
    this.flash.reboot();
    this.boot();
  }

  /** Stops the runtime and closes the drivers (the node is off). */
  shutdown(): void {
    this.console?.close();
    this.console = undefined;
    this.runtime.stop();
    this.sensors?.close();
    this.sensors = undefined;
    this.interlockIo?.close();
    this.interlockIo = undefined;
    this.batteryAdc?.close();
    this.batteryAdc = undefined;
    if (this.nodeClock instanceof TickClock) this.nodeClock.close();
    // The MCU is off: its GPIOs float and the output drivers' pull-downs hold every output low.
    this.outputs?.powerLoss();
  }
}

export function createSimNode(options: SimNodeOptions): SimNode {
  return new SimNode(options);
}

/** Gravity on z and micro-tremor noise: a node bolted to quiet rock. */
export function quietGround(prng: Prng): AccelSource {
  return (_t, out) => {
    out[0] = 0.002 * (prng.next() - 0.5);
    out[1] = 0.002 * (prng.next() - 0.5);
    out[2] = 9.80665 + 0.002 * (prng.next() - 0.5);
    return undefined;
  };
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
