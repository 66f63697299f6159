/**
 * Device entry for the board: wires Moddable's Timer and Time.ticks (the Clock, monotonic across the tick
 * counter's wrap: node/monotonic.ts), embedded:storage/key-value
 * (config, counters, identity), the "outbox" flash partition, the device provider's IO (sensors), native
 * crypto and the transports into the node runtime, then starts it. The variant comes from the manifest's
 * config. Transports (runtime/transports-from-config.ts): config "transport" mqtt | lorawan | both; MQTT
 * through Moddable's client, LoRaWAN through the LoRa-E5 / Wio-E5 AT modem on the UART config.ports.modem
 * (pins modemReceive / modemTransmit), OTAA with DevEUI / JoinEUI / AppKey from key-value storage (the
 * console's KEY.SET), region lorawanRegion and data rate lorawanDataRate.
 * Provisioning console (firmware/node/console.ts, protocol/SPEC-console.md) on the UART the manifest names
 * (config.ports.console, pins consoleReceive / consoleTransmit, consoleBaud; the DevKitC's UART0 on its USB
 * bridge at 115200). It is opened first and outlives the runtime: a node without an identity (a record's
 * node id or the factory "nodeid") or a MAC key ("key") runs the console alone, so a tech can provision it,
 * then REBOOT. The runtime boots from what was provisioned (bootProvisioning: identity, key, profile,
 * location, calibrations; a commit cut by a power failure is finished first). REBOOT restarts the node in
 * software: runtime, sensors and interlock outputs are closed (every output low) and opened again from
 * storage. A board whose manifest names no console port runs without one.
 * The methane power interlock (firmware/node/interlock) is opened when the board's pins name its outputs
 * (relay, relayFeedback, beacon, sounder, healthy; resetButton optional) on a node with a CH4 sensor; a pin
 * table that names some of them but not all refuses to start, naming the missing one.
 */
import device from "embedded:provider/builtin";
import KeyValueStorage from "embedded:storage/key-value";
import Flash from "flash";
import manifestConfig from "mc/config";
import Time from "time";
import Timer from "timer";
import type { AnalogClass } from "./drivers/battery.js";
import type { Clock, TimerId } from "./node/clock.js";
import { bootProvisioning, RuntimeConsoleHost } from "./node/console/provisioning.js";
import { CONSOLE_DEFAULT_BAUD, Console, type ConsoleSerialClass } from "./node/console.js";
import { type DigitalClass, INTERLOCK_PIN_NAMES, InterlockIo } from "./node/interlock/outputs.js";
import { TickClock, type TimerService } from "./node/monotonic.js";
import { flashRegion } from "./node/outbox/moddable.js";
import { Outbox } from "./node/outbox.js";
import { boardConfigDigest, createBoardFrameMac } from "./node/runtime/board-crypto.js";
import { RuntimeError } from "./node/runtime/errors.js";
import { restartBoard } from "./node/runtime/restart.js";
import { type TransportConfig, transportsFromConfig } from "./node/runtime/transports-from-config.js";
import {
  type BatteryWiring,
  openBattery,
  openSensors,
  type SensorDevice,
  type Variant,
} from "./node/runtime/wiring.js";
import { NodeRuntime } from "./node/runtime.js";
import type { KeyValueStore } from "./node/storage.js";
import type { E5SerialClass } from "./node/transports/lorawan/lora-e5.js";
import type { MqttClientClass } from "./node/transports/mqtt.js";

/**
 * Moddable's Timer as TickClock's timers (ids are small integers mapped to Timer objects). Time comes from
 * `Time.ticks` through node/monotonic.ts: a signed 32-bit count on the ESP32 that wraps after 24.9 days.
 */
class ModdableTimers implements TimerService {
  #timers = new Map<TimerId, ReturnType<typeof Timer.set>>();
  #next = 1;
  setTimer(callback: () => void, delayMs: number, repeatMs?: number): TimerId {
    const id = this.#next++;
    this.#timers.set(
      id,
      Timer.set(
        () => {
          if (repeatMs === undefined) this.#timers.delete(id);
          callback();
        },
        delayMs,
        repeatMs,
      ),
    );
    return id;
  }
  clearTimer(id: TimerId): void {
    Timer.clear(this.#timers.get(id));
    this.#timers.delete(id);
  }
}

interface BoardConfig {
  ports?: { i2c?: number; spi?: number; serial?: number; modem?: number; console?: number };
  /** The LoRaWAN modem's UART pins are pins.modemReceive / pins.modemTransmit (transports-from-config.ts). */
  pins?: Record<string, number | undefined>;
  consoleBaud?: number;
}

interface ManifestConfig extends TransportConfig {
  variant?: Variant;
  /** Battery sense ADC (pin, divider ratio, low threshold): runtime/wiring.ts BatteryWiring. */
  battery?: BatteryWiring;
  profile?: string;
  location?: string;
}

/** Moddable's Storage as the runtime's KeyValueStore: binary values only (format "buffer"). */
// The Storage type is named through open()'s return type: on the desktop simulator the module is
// manifests/lin/key-value.ts, which does not export a type of that name.
type Storage = ReturnType<typeof KeyValueStorage.open>;

function keyValueStore(storage: Storage): KeyValueStore {
  return {
    read(key) {
      const v = storage.read(key);
      return typeof v === "string" || v instanceof ArrayBuffer ? v : undefined;
    },
    write(key, value) {
      storage.write(key, value);
    },
    delete(key) {
      storage.delete(key);
    },
  };
}

/**
 * The sensor wiring from the manifest's config (manifests/boards/*.json: "ports" and "pins"), over the
 * provider's IO classes. Moddable's board providers describe their own default buses (on esp32/nodemcu
 * Serial.default is the console UART), so the node's wiring never comes from them.
 */
function sensorDevice(cfg: BoardConfig): SensorDevice {
  const io = device.io as unknown as {
    I2C: SensorDevice["I2C"]["default"]["io"];
    SPI: SensorDevice["SPI"]["default"]["io"];
    Serial: SensorDevice["Serial"]["default"]["io"];
  };
  const pins = cfg.pins ?? {};
  const ports = cfg.ports ?? {};
  const need = (name: string): number => {
    const v = pins[name];
    if (typeof v !== "number")
      throw new RuntimeError("bad-option", `manifest config pins.${name} is missing`, name);
    return v;
  };
  return {
    I2C: { default: { io: io.I2C, port: ports.i2c ?? 0, data: need("i2cData"), clock: need("i2cClock") } },
    SPI: {
      default: {
        io: io.SPI,
        port: ports.spi ?? 2,
        clock: need("spiClock"),
        in: need("spiIn"),
        out: need("spiOut"),
      } as SensorDevice["SPI"]["default"],
    },
    Serial: {
      default: {
        io: io.Serial,
        port: ports.serial ?? 2,
        receive: need("serialReceive"),
        transmit: need("serialTransmit"),
      },
    },
    pin: { ...pins },
  };
}

/** The interlock's pins from the manifest, or undefined when the board has none (see the file comment). */
function interlockIo(cfg: BoardConfig, variant: Variant): InterlockIo | undefined {
  const pins = cfg.pins ?? {};
  const named = INTERLOCK_PIN_NAMES.filter((n) => typeof pins[n] === "number");
  if (named.length === 0 || variant === "vibration") return undefined;
  for (const n of INTERLOCK_PIN_NAMES)
    if (typeof pins[n] !== "number")
      throw new RuntimeError("bad-option", `manifest config pins.${n} is missing (interlock)`, n);
  const Digital = (device.io as unknown as { Digital: DigitalClass }).Digital;
  return new InterlockIo(Digital, {
    relay: pins.relay!,
    relayFeedback: pins.relayFeedback!,
    beacon: pins.beacon!,
    sounder: pins.sounder!,
    healthy: pins.healthy!,
    ...(typeof pins.resetButton === "number" ? { resetButton: pins.resetButton } : {}),
  });
}

function hexOf(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
  return s;
}

/** A running node: its runtime and what to close when it stops. */
interface Booted {
  runtime: NodeRuntime;
  close(): void;
}

/**
 * Opens the sensors, interlock outputs, outbox and transports and starts the runtime, from what was
 * provisioned; undefined (nothing opened) while the node has no identity or MAC key yet.
 */
function bootRuntime(
  config: ManifestConfig & BoardConfig,
  clock: Clock,
  kv: KeyValueStore,
): Booted | undefined {
  const prov = bootProvisioning(kv, clock.now());
  const nodeId = prov.nodeId;
  const key = prov.key;
  if (!nodeId || !key) return undefined;
  const outbox = new Outbox(flashRegion(new Flash("outbox")), { maxRecords: 256, maxPayloadBytes: 64 });
  const variant = config.variant ?? "combo";
  const sensors = openSensors(sensorDevice(config), { variant });
  // Opened (all outputs low) before anything else can fail after it; closed with the sensors on a trip.
  const interlock = interlockIo(config, variant);
  const battery = openBattery((device.io as unknown as { Analog?: AnalogClass }).Analog, config.battery);
  // Moddable's MQTT client manifest publishes its settings on the global `device` (device.network.mqtt),
  // not on the embedded:provider/builtin default export.
  const network = (
    globalThis as unknown as {
      device?: { network?: { mqtt?: { io: MqttClientClass } & Record<string, unknown> } };
    }
  ).device?.network;
  const { transports, errors } = transportsFromConfig({
    config,
    clock,
    storage: kv,
    random: Math.random, // XS on ESP32 seeds Math.random from the hardware RNG (esp_random)
    nodeIdHex: hexOf(nodeId),
    Serial: (device.io as unknown as { Serial: E5SerialClass }).Serial,
    mqtt: network?.mqtt,
  });
  // A transport that cannot open is left out, not fatal: the node still protects locally. xsbug / the
  // serial log show why.
  for (const e of errors) trace(`minewatch: transport not opened: ${e.message} (${e.code})\n`);
  const close = (): void => {
    runtime.stop(); // every interlock output low first
    sensors.close();
    interlock?.close();
    battery?.close();
  };
  const runtime = new NodeRuntime({
    clock,
    storage: kv,
    outbox,
    transports,
    mac: createBoardFrameMac(),
    key,
    configDigest: boardConfigDigest,
    identity: { nodeId, fwMajor: 0, fwMinor: 1, fwPatch: 0 },
    gasPorts: sensors.gasPorts,
    gas: {
      profile: prov.profile ?? config.profile ?? "kz-ru-coal",
      location: prov.location ?? config.location ?? "face",
      calibrations: prov.calibrations,
    },
    ...(sensors.accel ? { accel: sensors.accel } : {}),
    ...(interlock ? { interlock } : {}),
    // The battery ADC when the manifest names one; without it 0 mV ("unknown", status bit 21), never a guess.
    batteryMv: () => battery?.sample()?.batteryMv ?? 0,
    ...(config.battery?.lowMv ? { batteryLowMv: config.battery.lowMv } : {}),
    // A software trip: every interlock output low and the IO closed first, then the board restarts
    // (runtime/restart.ts: the throw leaves the Timer callback and Moddable calls esp_restart()).
    onWatchdog: (task, lateMs) => {
      close();
      restartBoard(task, lateMs);
    },
  });
  runtime.start();
  return { runtime, close };
}

/** The console's UART from the manifest (see the file comment), or undefined when it names none. */
function consoleSerial(
  cfg: BoardConfig,
): { io: ConsoleSerialClass; port: number; baud: number; receive?: number; transmit?: number } | undefined {
  const port = cfg.ports?.console;
  if (typeof port !== "number") return undefined;
  const pins = cfg.pins ?? {};
  return {
    io: (device.io as unknown as { Serial: ConsoleSerialClass }).Serial,
    port,
    baud: cfg.consoleBaud ?? CONSOLE_DEFAULT_BAUD,
    ...(typeof pins.consoleReceive === "number" ? { receive: pins.consoleReceive } : {}),
    ...(typeof pins.consoleTransmit === "number" ? { transmit: pins.consoleTransmit } : {}),
  };
}

/**
 * XS calls the entry's default export with no arguments: the node's settings come from the manifest's
 * "config" (Moddable's mc/config module), which the board and variant manifests fill in. Returns the
 * runtime, or undefined while the node waits for provisioning.
 */
export default function main(): NodeRuntime | undefined {
  const config = manifestConfig as ManifestConfig & BoardConfig;
  const clock: Clock = new TickClock(() => Time.ticks, new ModdableTimers());
  const kv = keyValueStore(KeyValueStorage.open({ path: "minewatch", format: "buffer" }));
  let node: Booted | undefined;
  const serial = consoleSerial(config);
  if (serial) {
    const host = new RuntimeConsoleHost({
      storage: kv,
      clock,
      runtime: () => node?.runtime,
      mac: createBoardFrameMac(),
      firmwareVersion: "0.1.0",
      variant: config.variant ?? "combo",
      interlockFitted:
        config.variant !== "vibration" &&
        INTERLOCK_PIN_NAMES.some((n) => typeof config.pins?.[n] === "number"),
      reboot: () => {
        node?.close();
        node = undefined;
        node = bootRuntime(config, clock, kv);
      },
    });
    try {
      new Console({ serial, host, clock });
    } catch {
      // A console UART that cannot open (e.g. xsbug holds UART0 in a debug build) must not keep the node
      // from protecting: it runs without a console.
    }
  }
  node = bootRuntime(config, clock, kv);
  return node?.runtime;
}
