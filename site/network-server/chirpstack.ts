/**
 * The network server's MQTT face, shaped like ChirpStack v4's MQTT integration, so the collector (and any
 * tool a mine already points at ChirpStack) reads the simulator as it would read the real thing.
 *
 * Sources: ChirpStack docs "MQTT integration" (chirpstack.io/docs/chirpstack/integrations/mqtt.html): events
 * on `application/APPLICATION_ID/device/DEV_EUI/event/EVENT`, downlinks scheduled on
 * `application/APPLICATION_ID/device/DEV_EUI/command/down`, "the Application ID and DevEUI of the device will
 * be taken from the topic"; payloads are the protobuf messages of chirpstack api/proto/integration/
 * integration.proto (UplinkEvent, DeviceInfo, DownlinkCommand) and api/proto/gw/gw.proto (UplinkRxInfo,
 * UplinkTxInfo, LoraModulationInfo) in the protobuf JSON mapping: lowerCamelCase names, bytes as base64,
 * Timestamps as RFC 3339 strings, enums by name (CR_4_5, CRC_OK).
 */

/** The application the simulated network server and the collector use unless told otherwise. */
import { CodedError } from "../../protocol/errors.js";

export const DEFAULT_APPLICATION_ID = "2f6a1c3e-5b7d-4e90-8a1b-6d0c9e4f7a21";

export type ChirpStackErrorCode = "bad-option" | "bad-downlink";

/** A ChirpStack message or name that does not parse: a code and the offending value (house rule 5). */
export class ChirpStackError extends CodedError<ChirpStackErrorCode> {
  override readonly name: string = "ChirpStackError";
}

export interface ChirpStackDeviceInfo {
  tenantId: string;
  tenantName: string;
  applicationId: string;
  applicationName: string;
  deviceProfileId: string;
  deviceProfileName: string;
  deviceName: string;
  devEui: string;
  tags: Record<string, string>;
}

export interface ChirpStackRxInfo {
  gatewayId: string;
  uplinkId: number;
  /** Network-server receive time (RFC 3339). */
  nsTime: string;
  rssi: number;
  snr: number;
  channel: number;
  /** Gateway context (base64), echoed on a class A downlink. */
  context: string;
  crcStatus: "CRC_OK";
}

export interface ChirpStackTxInfo {
  frequency: number;
  modulation: { lora: { bandwidth: number; spreadingFactor: number; codeRate: "CR_4_5" } };
}

export interface ChirpStackUplinkEvent {
  deduplicationId: string;
  time: string;
  deviceInfo: ChirpStackDeviceInfo;
  devAddr: string;
  adr: boolean;
  dr: number;
  fCnt: number;
  fPort: number;
  confirmed: boolean;
  /** FRMPayload, base64. */
  data: string;
  /** The codec's `data`, only when the codec decoded the payload without errors. */
  object?: Record<string, unknown>;
  rxInfo: ChirpStackRxInfo[];
  txInfo: ChirpStackTxInfo;
}

export interface ChirpStackDownlinkCommand {
  id?: string;
  devEui: string;
  confirmed: boolean;
  fPort: number;
  /** base64 */
  data: string;
}

const EUI = /^[0-9a-f]{16}$/;
const APP_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

function checkAppId(applicationId: string): string {
  if (typeof applicationId !== "string" || !APP_ID.test(applicationId)) {
    throw new ChirpStackError(
      "bad-option",
      `application id "${applicationId}" must be one MQTT topic level`,
      applicationId,
    );
  }
  return applicationId;
}

function checkEui(devEui: string): string {
  if (typeof devEui !== "string" || !EUI.test(devEui)) {
    throw new ChirpStackError("bad-option", `DevEUI "${devEui}" must be 16 lowercase hex digits`, devEui);
  }
  return devEui;
}

/** `application/<appId>/device/<devEui>/event/<event>`. */
export function eventTopic(applicationId: string, devEui: string, event = "up"): string {
  return `application/${checkAppId(applicationId)}/device/${checkEui(devEui)}/event/${event}`;
}

/** What a consumer subscribes to for every device's uplinks of one application. */
export function eventUpFilter(applicationId: string): string {
  return `application/${checkAppId(applicationId)}/device/+/event/up`;
}

/** `application/<appId>/device/<devEui>/command/down`. */
export function commandDownTopic(applicationId: string, devEui: string): string {
  return `application/${checkAppId(applicationId)}/device/${checkEui(devEui)}/command/down`;
}

export function commandDownFilter(applicationId: string): string {
  return `application/${checkAppId(applicationId)}/device/+/command/down`;
}

/** Splits `application/<appId>/device/<devEui>/(event|command)/<name>`; undefined for anything else. */
export function parseApplicationTopic(
  topic: string,
): { applicationId: string; devEui: string; kind: "event" | "command"; name: string } | undefined {
  const p = topic.split("/");
  if (p.length !== 6 || p[0] !== "application" || p[2] !== "device") return undefined;
  if (!EUI.test(p[3]!) || (p[4] !== "event" && p[4] !== "command")) return undefined;
  return { applicationId: p[1]!, devEui: p[3]!, kind: p[4], name: p[5]! };
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Strict base64 (RFC 4648 section 4 alphabet, padded): returns undefined for anything else. */
export function fromBase64(text: unknown): Uint8Array | undefined {
  if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    return undefined;
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** A downlink command as ChirpStack reads it; the DevEUI comes from the topic and must match the body's. */
export function parseDownlinkCommand(
  topic: string,
  payload: Uint8Array,
): { devEui: string; fPort: number; confirmed: boolean; bytes: Uint8Array } {
  const t = parseApplicationTopic(topic);
  if (t?.kind !== "command" || t.name !== "down") {
    throw new ChirpStackError("bad-downlink", `topic "${topic}" is not .../command/down`, topic);
  }
  let body: Partial<ChirpStackDownlinkCommand>;
  try {
    body = JSON.parse(new TextDecoder().decode(payload)) as Partial<ChirpStackDownlinkCommand>;
  } catch {
    throw new ChirpStackError("bad-downlink", `downlink command on ${topic} is not JSON`, topic);
  }
  if (body.devEui !== undefined && body.devEui !== t.devEui) {
    throw new ChirpStackError(
      "bad-downlink",
      `downlink devEui ${body.devEui} does not match topic ${t.devEui}`,
      body.devEui,
    );
  }
  const fPort = body.fPort;
  if (typeof fPort !== "number" || !Number.isInteger(fPort) || fPort < 1 || fPort > 223) {
    throw new ChirpStackError("bad-downlink", `downlink fPort must be 1..223, got ${String(fPort)}`, fPort);
  }
  const bytes = fromBase64(body.data);
  if (!bytes)
    throw new ChirpStackError("bad-downlink", `downlink data is not base64: ${String(body.data)}`, body.data);
  return { devEui: t.devEui, fPort, confirmed: body.confirmed === true, bytes };
}

/** RFC 3339 time of a virtual instant, given the wall-clock epoch the simulation starts at. */
export function rfc3339(epochMs: number, virtualMs: number): string {
  return new Date(epochMs + virtualMs).toISOString();
}

/** A deterministic RFC 4122-shaped id (version 4 layout) from a sequence number (runs must replay exactly). */
export function sequenceUuid(prefix: number, seq: number): string {
  const a = (prefix >>> 0).toString(16).padStart(8, "0");
  const b = seq.toString(16).padStart(12, "0").slice(-12);
  return `${a}-0000-4000-8000-${b}`;
}
