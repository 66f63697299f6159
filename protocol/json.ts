/**
 * The JSON view of a frame, for people and for network servers: type, channel and level by name, the
 * node id as hex, config parameters by name. `frameFromJson` is its inverse (the codec's encodeDownlink
 * and the XS parity test use it); it validates names and leaves ranges to the encoder.
 */
import { ProtocolError } from "./errors.js";
import type { ConfigEntry, Frame } from "./frames.js";
import { fromHex, toHex } from "./hex.js";
import {
  CHANNEL_NAMES,
  CONFIG_PARAMS,
  FrameType,
  LEVEL_NAMES,
  PROTOCOL_VERSION,
  specByName,
  specForType,
} from "./schema.js";

export type FrameJson = Record<string, unknown> & { type: string };

export function frameToJson(frame: Frame): FrameJson {
  const spec = specForType(frame.type);
  if (!spec) throw new ProtocolError("unknown-type", `unknown frame type ${frame.type}`, frame.type);
  const record = frame as unknown as Record<string, unknown>;
  const out: FrameJson = { type: spec.name, version: PROTOCOL_VERSION };
  for (const f of spec.fields) {
    const v = record[f.name];
    if (f.name === "channel") out.channel = CHANNEL_NAMES[v as number] ?? v;
    else if (f.name === "level") out.level = LEVEL_NAMES[v as number] ?? v;
    else out[f.name] = v instanceof Uint8Array ? toHex(v) : v;
  }
  if (frame.type === FrameType.Config) {
    const params: Record<string, number> = {};
    for (const e of frame.entries) params[CONFIG_PARAMS[e.param]?.name ?? String(e.param)] = e.value;
    out.params = params;
  }
  return out;
}

function indexOfName(names: readonly string[], v: unknown, what: string): unknown {
  if (typeof v !== "string") return v;
  const i = names.indexOf(v);
  if (i < 0)
    throw new ProtocolError("out-of-range", `unknown ${what} "${v}" (one of: ${names.join(", ")})`, v);
  return i;
}

/** Builds a frame from its JSON view (names or numbers accepted for type, channel and level). */
export function frameFromJson(json: unknown): Frame {
  if (typeof json !== "object" || json === null) {
    throw new ProtocolError(
      "bad-structure",
      `a frame in JSON is an object, got ${json === null ? "null" : typeof json}`,
      json,
    );
  }
  const j = json as Record<string, unknown>;
  const spec = typeof j.type === "number" ? specForType(j.type) : specByName(String(j.type));
  if (!spec) throw new ProtocolError("unknown-type", `unknown frame type ${JSON.stringify(j.type)}`, j.type);
  const out: Record<string, unknown> = { type: spec.type };
  for (const f of spec.fields) {
    const v = j[f.name];
    if (f.kind === "bytes") out[f.name] = typeof v === "string" ? fromHex(v) : v;
    else if (f.name === "channel") out.channel = indexOfName(CHANNEL_NAMES, v, "channel");
    else if (f.name === "level") out.level = indexOfName(LEVEL_NAMES, v, "alarm level");
    else out[f.name] = v;
  }
  if (spec.type === FrameType.Config) out.entries = configEntriesFromJson(j);
  return out as unknown as Frame;
}

function configEntriesFromJson(j: Record<string, unknown>): ConfigEntry[] {
  if (Array.isArray(j.entries)) return j.entries as ConfigEntry[];
  const params = j.params;
  if (typeof params !== "object" || params === null) {
    throw new ProtocolError("bad-structure", "a config frame needs `params` (name -> value)", params);
  }
  const entries: ConfigEntry[] = [];
  for (const name of Object.keys(params)) {
    let id = -1;
    for (const p of CONFIG_PARAMS) if (p.name === name) id = p.id;
    if (id < 0) throw new ProtocolError("out-of-range", `unknown config parameter "${name}"`, name);
    entries.push({ param: id, value: (params as Record<string, number>)[name]! });
  }
  // The wire wants ascending ids (deterministic bytes); JSON key order is the writer's choice.
  entries.sort((a, b) => a.param - b.param);
  return entries;
}
