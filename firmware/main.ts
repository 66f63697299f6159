/**
 * Device entry for the board: wires Moddable's Timer and Time.ticks (the Clock), embedded:storage/key-value
 * (config, counters, identity), the "outbox" flash partition, the device provider's IO (sensors), native
 * crypto and the MQTT client into the node runtime, then starts it. Provisioning (the serial console, its
 * own issue) writes the identity and key into key-value storage first; without them the node refuses to
 * start with a message naming the missing key. The variant comes from the manifest's config.
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
import type { Clock, TimerId } from "./node/clock.js";
import { type DigitalClass, INTERLOCK_PIN_NAMES, InterlockIo } from "./node/interlock/outputs.js";
import { flashRegion } from "./node/outbox/moddable.js";
import { Outbox } from "./node/outbox.js";
import { boardConfigDigest, boardFrameMac } from "./node/runtime/board-crypto.js";
import { RuntimeError } from "./node/runtime/errors.js";
import { MqttLink } from "./node/runtime/mqtt-link.js";
import { type KeyValueStore, readBytes } from "./node/runtime/storage.js";
import { openSensors, type SensorDevice, type Variant } from "./node/runtime/wiring.js";
import { NodeRuntime } from "./node/runtime.js";
import type { Transport } from "./node/transport.js";
import type { MqttClientClass } from "./node/transports/mqtt.js";

/** Moddable Timer as the runtime's Clock (ids are small integers mapped to Timer objects). */
class ModdableClock implements Clock {
  #timers = new Map<TimerId, ReturnType<typeof Timer.set>>();
  #next = 1;
  now(): number {
    return Time.ticks;
  }
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
  ports?: { i2c?: number; spi?: number; serial?: number; modem?: number };
  pins?: Record<string, number | undefined>;
}

interface ManifestConfig {
  variant?: Variant;
  site?: string;
  mqttHost?: string;
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

function required(kv: KeyValueStore, key: string, bytes: number): Uint8Array {
  const v = readBytes(kv, key);
  if (!v || v.length !== bytes) {
    throw new RuntimeError(
      "bad-option",
      `key-value "${key}" must hold ${bytes} bytes: provision the node first`,
      key,
    );
  }
  return v;
}

function hexOf(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
  return s;
}

/**
 * XS calls the entry's default export with no arguments: the node's settings come from the manifest's
 * "config" (Moddable's mc/config module), which the board and variant manifests fill in.
 */
export default function main(): NodeRuntime {
  const config = manifestConfig as ManifestConfig & BoardConfig;
  const clock = new ModdableClock();
  const kv = keyValueStore(KeyValueStorage.open({ path: "minewatch", format: "buffer" }));
  const nodeId = required(kv, "nodeid", 8);
  const key = required(kv, "key", 16);
  const outbox = new Outbox(flashRegion(new Flash("outbox")), { maxRecords: 256, maxPayloadBytes: 64 });
  const variant = config.variant ?? "combo";
  const sensors = openSensors(sensorDevice(config), { variant });
  // Opened (all outputs low) before anything else can fail after it; closed with the sensors on a trip.
  const interlock = interlockIo(config, variant);
  const transports: Transport[] = [];
  // Moddable's MQTT client manifest publishes its settings on the global `device` (device.network.mqtt),
  // not on the embedded:provider/builtin default export.
  const network = (
    globalThis as unknown as {
      device?: { network?: { mqtt?: { io: MqttClientClass } & Record<string, unknown> } };
    }
  ).device?.network;
  if (network?.mqtt && config.mqttHost && config.site) {
    const password = readBytes(kv, "mqttpw");
    transports.push(
      new MqttLink({
        Client: network.mqtt.io,
        clientOptions: network.mqtt,
        clock,
        random: Math.random, // XS on ESP32 seeds Math.random from the hardware RNG (esp_random)
        host: config.mqttHost,
        site: config.site,
        nodeId: hexOf(nodeId),
        ...(password ? { password: String.fromCharCode(...password) } : {}),
      }),
    );
  }
  const runtime = new NodeRuntime({
    clock,
    storage: kv,
    outbox,
    transports,
    mac: boardFrameMac,
    key,
    configDigest: boardConfigDigest,
    identity: { nodeId, fwMajor: 0, fwMinor: 1, fwPatch: 0 },
    gasPorts: sensors.gasPorts,
    gas: { profile: config.profile ?? "kz-ru-coal", location: config.location ?? "face" },
    ...(sensors.accel ? { accel: sensors.accel } : {}),
    ...(interlock ? { interlock } : {}),
    // No battery ADC channel in the reference wiring yet: report 0 mV ("unknown") rather than a guess.
    batteryMv: () => 0,
    onWatchdog: () => {
      // A software trip: stop everything so the ESP-IDF task watchdog and the supervisor restart the node.
      runtime.stop(); // every interlock output low first
      sensors.close();
      interlock?.close();
    },
  });
  runtime.start();
  return runtime;
}
