/**
 * The network-server codec: The Things Stack / ChirpStack v4 payload-formatter functions over the same
 * decoder and encoder the node and collector use. site/network-server/build-codec.ts bundles this file into one
 * standalone ES5.1 script (TTN's formatter runtime is ES5.1, at most 40 KB; ChirpStack v4 runs the same
 * functions). It cannot verify MACs (a network server has no per-node application key): it says so in
 * `warnings`, and the collector verifies.
 */
import { decodeFrame } from "./decode.js";
import { encodeFrame } from "./encode.js";
import { ProtocolError } from "./errors.js";
import { frameFromJson, frameToJson } from "./json.js";
import { specForType } from "./schema.js";

/** LoRaWAN FPort minewatch frames travel on (1..223 are application ports; the type is in the header). */
export const MINEWATCH_FPORT = 10;

export interface UplinkInput {
  bytes: ArrayLike<number>;
  fPort?: number;
}

export interface DecodeResult {
  data?: Record<string, unknown>;
  warnings: string[];
  errors: string[];
}

export interface EncodeResult {
  bytes?: number[];
  fPort?: number;
  warnings: string[];
  errors: string[];
}

function describeError(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown } | null;
  if (err && typeof err.code === "string") return `${err.code}: ${String(err.message)}`;
  return `internal error: ${err && typeof err.message === "string" ? err.message : String(e)}`;
}

function toBytes(input: ArrayLike<number> | undefined): Uint8Array {
  if (!input || typeof input.length !== "number") {
    throw new ProtocolError("bad-structure", "input.bytes is missing", input);
  }
  const out = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const b = input[i];
    if (typeof b !== "number" || b < 0 || b > 255 || b % 1 !== 0) {
      throw new ProtocolError("bad-structure", `input.bytes[${i}] is not a byte: ${String(b)}`, b);
    }
    out[i] = b;
  }
  return out;
}

function decode(input: UplinkInput, direction: "up" | "down"): DecodeResult {
  const warnings: string[] = [];
  try {
    if (input.fPort !== undefined && input.fPort !== MINEWATCH_FPORT) {
      warnings.push(`fPort ${input.fPort} is not minewatch's port ${MINEWATCH_FPORT}`);
    }
    const d = decodeFrame(toBytes(input.bytes));
    const data = frameToJson(d.frame);
    const spec = specForType(d.frame.type)!;
    if (spec.direction !== direction) warnings.push(`${spec.name} is a ${spec.direction}link frame`);
    if (d.authenticated) {
      data.counterLow16 = d.counterLow16;
      let mac = "";
      for (let i = 0; i < d.mac.length; i++) mac += (d.mac[i]! < 16 ? "0" : "") + d.mac[i]!.toString(16);
      data.mac = mac;
      warnings.push("MAC not verified by the network server (the collector holds the node keys)");
    }
    return { data, warnings, errors: [] };
  } catch (e) {
    return { warnings, errors: [describeError(e)] };
  }
}

export function decodeUplink(input: UplinkInput): DecodeResult {
  return decode(input, "up");
}

export function decodeDownlink(input: UplinkInput): DecodeResult {
  return decode(input, "down");
}

/** `input.data` is a downlink frame's JSON view (protocol/json.ts), e.g. {type: "time-sync", unixS, millis}. */
export function encodeDownlink(input: { data?: unknown }): EncodeResult {
  try {
    const frame = frameFromJson(input.data);
    const spec = specForType(frame.type)!;
    if (spec.direction !== "down") {
      return { warnings: [], errors: [`bad-structure: ${spec.name} is an uplink frame, not a downlink`] };
    }
    const encoded = encodeFrame(frame);
    const bytes: number[] = [];
    for (let i = 0; i < encoded.length; i++) bytes.push(encoded[i]!);
    return { bytes, fPort: MINEWATCH_FPORT, warnings: [], errors: [] };
  } catch (e) {
    return { warnings: [], errors: [describeError(e)] };
  }
}
