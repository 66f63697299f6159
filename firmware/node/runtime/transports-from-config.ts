/**
 * The node's transports from the manifest's config (manifests/boards/*.json), the key-value storage and the
 * device's IO classes: the choice firmware/main.ts makes at every boot, kept here, free of Moddable module
 * imports, so the simulator can run it against its own device provider and modem model.
 *
 * - `"transport"`: "mqtt", "lorawan" or "both"; absent means "mqtt" (boards from before LoRaWAN was wired).
 * - MQTT: needs the MQTT client manifest's settings (`mqtt`: Moddable publishes them as device.network.mqtt),
 *   `mqttHost` and `site` (`mqttPort` optional, default 1883); the broker password is the key slot
 *   "mqtt-password" (kv "mqttpw") if set.
 *   `mqttHost` must be the broker's IPv4 address: Moddable's client sends host names to a hard-coded public
 *   DNS server, out of reach on a mine network (protocol/broker-address.ts); a name is refused in one line.
 * - LoRaWAN: the LoRa-E5 / Wio-E5 on the UART `ports.modem`, pins `modemReceive` / `modemTransmit`
 *   (ECMA-419 embedded:io/serial, 9600 8N1: lorawan/lora-e5.ts E5_BAUD; on the desktop simulator the
 *   device path `modemDevice` instead); `lorawanRegion` (EU868 | RU864, no
 *   default: the region is a legal choice) and `lorawanDataRate` (DR index, default 0). OTAA identity from
 *   the key slots "lorawan-deveui", "lorawan-joineui", "lorawan-appkey" (kv "deveui", "joineui", "appkey",
 *   written by the console's KEY.SET): each one stored is written to the modem before the join; one not
 *   stored stays as the modem holds it (a modem provisioned at the bench with AT+ID / AT+KEY).
 * A transport that cannot be opened is left out and its reason returned in `errors` (each a RuntimeError
 * with a code and the offending value), never thrown: the node must boot and protect locally (interlock,
 * sounder) even when a radio setting is wrong. main.ts traces the errors; tests assert them.
 * Runs on XS.
 */
import { brokerAddressProblem } from "../../../protocol/broker-address.js";
import { deepFreeze } from "../../../protocol/freeze.js";
import { RegionError } from "../../../protocol/lorawan-regions.js";
import type { Clock } from "../clock.js";
import { KEY_SLOTS } from "../console/provisioning-store.js";
import { type KeyValueStore, readBytes } from "../storage.js";
import type { Transport } from "../transport.js";
import { LoRaWanError } from "../transports/lorawan/errors.js";
import type { E5SerialClass } from "../transports/lorawan/lora-e5.js";
import type { MqttClientClass } from "../transports/mqtt.js";
import { RuntimeError } from "./errors.js";
import { LoRaWanLink } from "./lorawan-link.js";
import { MqttLink } from "./mqtt-link.js";

export const TRANSPORT_CHOICES = ["mqtt", "lorawan", "both"] as const;
export type TransportChoice = (typeof TRANSPORT_CHOICES)[number];

/** The part of the manifest's config this module reads. */
export interface TransportConfig {
  transport?: string;
  site?: string;
  mqttHost?: string;
  /** The broker's TCP port (default 1883). */
  mqttPort?: number;
  lorawanRegion?: string;
  lorawanDataRate?: number;
  /** Desktop simulator (lin) only: the serial device the modem is on (e.g. a USB-UART to a Wio-E5). */
  modemDevice?: string;
  ports?: { modem?: number };
  pins?: Record<string, number | undefined>;
}

export interface TransportWiring {
  config: TransportConfig;
  clock: Clock;
  storage: KeyValueStore;
  /** Uniform in [0, 1): backoff jitter (the hardware RNG on the board, the seeded PRNG in the simulator). */
  random: () => number;
  /** The node id as hex: the MQTT client id and topic segment. */
  nodeIdHex: string;
  /** The device's ECMA-419 Serial class (device.io.Serial). */
  Serial?: E5SerialClass;
  /** Moddable's MQTT client settings (device.network.mqtt), when the manifest includes the client. */
  mqtt?: ({ io: MqttClientClass } & Record<string, unknown>) | undefined;
}

export interface OpenedTransports {
  transports: Transport[];
  /** Why a chosen transport was left out (empty when every chosen one was opened). */
  errors: RuntimeError[];
}

/** Which transports the config asks for; throws RuntimeError "bad-config" naming an unknown choice. */
export function transportChoice(config: TransportConfig): { mqtt: boolean; lorawan: boolean } {
  const t = config.transport ?? "mqtt";
  if (!(TRANSPORT_CHOICES as readonly string[]).includes(t)) {
    throw new RuntimeError(
      "bad-config",
      `manifest config transport must be one of ${TRANSPORT_CHOICES.join(", ")}, got "${t}"`,
      t,
    );
  }
  return { mqtt: t !== "lorawan", lorawan: t !== "mqtt" };
}

export function transportsFromConfig(w: TransportWiring): OpenedTransports {
  const transports: Transport[] = [];
  const errors: RuntimeError[] = [];
  let choice: { mqtt: boolean; lorawan: boolean };
  try {
    choice = transportChoice(w.config);
  } catch (e) {
    errors.push(e as RuntimeError);
    return { transports, errors };
  }
  if (choice.mqtt) {
    try {
      transports.push(mqttLink(w));
    } catch (e) {
      errors.push(asRuntimeError(e));
    }
  }
  if (choice.lorawan) {
    try {
      transports.push(lorawanLink(w));
    } catch (e) {
      errors.push(asRuntimeError(e));
    }
  }
  return { transports, errors };
}

function mqttLink(w: TransportWiring): MqttLink {
  const c = w.config;
  if (!w.mqtt) {
    throw new RuntimeError(
      "bad-config",
      "MQTT chosen but the build has no MQTT client (device.network.mqtt)",
      c.transport,
    );
  }
  if (!c.mqttHost)
    throw new RuntimeError("bad-config", "MQTT chosen but manifest config mqttHost is missing", c.mqttHost);
  const problem = brokerAddressProblem(c.mqttHost);
  if (problem) throw new RuntimeError("bad-config", `manifest config ${problem}`, c.mqttHost);
  if (!c.site)
    throw new RuntimeError("bad-config", "MQTT chosen but manifest config site is missing", c.site);
  const password = readBytes(w.storage, KEY_SLOTS["mqtt-password"]!.kv);
  return new MqttLink({
    Client: w.mqtt.io,
    clientOptions: w.mqtt,
    clock: w.clock,
    random: w.random,
    host: c.mqttHost,
    ...(c.mqttPort !== undefined ? { port: c.mqttPort } : {}),
    site: c.site,
    nodeId: w.nodeIdHex,
    ...(password ? { password: String.fromCharCode(...password) } : {}),
  });
}

function lorawanLink(w: TransportWiring): LoRaWanLink {
  const c = w.config;
  const device = typeof c.modemDevice === "string" ? c.modemDevice : undefined;
  const port = c.ports?.modem ?? (device !== undefined ? 0 : undefined);
  if (typeof port !== "number") {
    throw new RuntimeError("bad-config", "LoRaWAN chosen but manifest config ports.modem is missing", port);
  }
  if (!w.Serial)
    throw new RuntimeError("bad-option", "LoRaWAN chosen but the device has no Serial class", port);
  const region = c.lorawanRegion;
  if (region !== "EU868" && region !== "RU864") {
    throw new RuntimeError(
      "bad-config",
      `manifest config lorawanRegion must be EU868 or RU864, got ${region === undefined ? "nothing" : `"${region}"`}`,
      region,
    );
  }
  const pins = c.pins ?? {};
  const devEui = readKey(w.storage, "lorawan-deveui");
  const joinEui = readKey(w.storage, "lorawan-joineui");
  const appKey = readKey(w.storage, "lorawan-appkey");
  return new LoRaWanLink({
    serial: {
      io: w.Serial,
      port,
      ...(typeof pins.modemReceive === "number" ? { receive: pins.modemReceive } : {}),
      ...(typeof pins.modemTransmit === "number" ? { transmit: pins.modemTransmit } : {}),
      ...(device !== undefined ? { device } : {}),
    },
    clock: w.clock,
    random: w.random,
    region,
    dataRate: c.lorawanDataRate ?? 0,
    keys: {
      ...(devEui ? { devEui } : {}),
      ...(joinEui ? { joinEui } : {}),
      ...(appKey ? { appKey } : {}),
    },
  });
}

/** A key slot's bytes, or undefined when it was never written; a stored value of the wrong length throws. */
function readKey(storage: KeyValueStore, slot: string): Uint8Array | undefined {
  const s = KEY_SLOTS[slot]!;
  const v = readBytes(storage, s.kv);
  if (v !== undefined && (v.length < s.min || v.length > s.max)) {
    throw new RuntimeError(
      "bad-storage",
      `key slot ${slot} (kv "${s.kv}") holds ${v.length} bytes, expected ${s.min === s.max ? s.min : `${s.min}..${s.max}`}`,
      v.length,
    );
  }
  return v;
}

function asRuntimeError(e: unknown): RuntimeError {
  if (e instanceof RuntimeError) return e;
  if (e instanceof LoRaWanError || e instanceof RegionError)
    return new RuntimeError("bad-config", e.message, e.value);
  return new RuntimeError("bad-option", e instanceof Error ? e.message : String(e), e);
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(TRANSPORT_CHOICES);
