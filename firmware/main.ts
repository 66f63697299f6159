/**
 * Device entry for the board: wires Moddable's Timer and Time.ticks (the Clock), embedded:storage/key-value
 * (config, counters, identity), the "outbox" flash partition, the device provider's IO (sensors), native
 * crypto and the MQTT client into the node runtime, then starts it. Provisioning (the serial console, its
 * own issue) writes the identity and key into key-value storage first; without them the node refuses to
 * start with a message naming the missing key. The variant comes from the manifest's config.
 */
import device from "embedded:provider/builtin";
import KeyValue from "embedded:storage/key-value";
import Flash from "flash";
import Time from "time";
import Timer from "timer";
import type { Clock, TimerId } from "./node/clock.js";
import { flashRegion } from "./node/outbox/moddable.js";
import { Outbox } from "./node/outbox.js";
import { boardConfigDigest, boardFrameMac } from "./node/runtime/board-crypto.js";
import { RuntimeError } from "./node/runtime/errors.js";
import { MqttLink } from "./node/runtime/mqtt-link.js";
import { readBytes } from "./node/runtime/storage.js";
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

interface ManifestConfig {
  variant?: Variant;
  site?: string;
  mqttHost?: string;
  profile?: string;
  location?: string;
}

function required(kv: KeyValue, key: string, bytes: number): Uint8Array {
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

export default function main(config: ManifestConfig = {}): NodeRuntime {
  const clock = new ModdableClock();
  const kv = new KeyValue({ path: "minewatch", format: "buffer" });
  const nodeId = required(kv, "nodeid", 8);
  const key = required(kv, "key", 16);
  const outbox = new Outbox(flashRegion(new Flash("outbox")), { maxRecords: 256, maxPayloadBytes: 64 });
  const variant = config.variant ?? "combo";
  const sensors = openSensors(device as unknown as SensorDevice, { variant });
  const transports: Transport[] = [];
  const network = (
    device as unknown as { network?: { mqtt?: { io: MqttClientClass } & Record<string, unknown> } }
  ).network;
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
    // No battery ADC channel in the reference wiring yet: report 0 mV ("unknown") rather than a guess.
    batteryMv: () => 0,
    onWatchdog: () => {
      // A software trip: stop everything so the ESP-IDF task watchdog and the supervisor restart the node.
      runtime.stop();
      sensors.close();
    },
  });
  runtime.start();
  return runtime;
}
