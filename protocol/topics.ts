/**
 * The MQTT topic layout (SPEC-mqtt.md). One node owns one subtree, so a broker ACL can be written per node
 * ("a node publishes only under its own id") and a collector subscribes with one wildcard:
 *
 *   minewatch/<site>/<nodeId>/up/<frame>    uplink frames: birth, alarm, event, telemetry, status
 *   minewatch/<site>/<nodeId>/state         retained "online" / "offline" (the last will)
 *   minewatch/<site>/<nodeId>/down/<frame>  downlink frames: config, alarm-ack, time-sync
 *
 * Frame names are the schema's (schema.ts FRAME_SPECS), so a topic says what its payload decodes as.
 * Topic strings are built once per node at start-up, never per frame. Runs on XS (no Node APIs).
 */
import { CodedError } from "./errors.js";
import { FRAME_SPECS, FrameType, type FrameTypeCode } from "./schema.js";

export const TOPIC_ROOT = "minewatch";
export const STATE_ONLINE = "online";
export const STATE_OFFLINE = "offline";

/** Uplink frames retained by the broker: a subscriber that joins late learns who the node is and how it is. */
export const RETAINED_UP_TYPES: readonly number[] = Object.freeze([FrameType.Birth, FrameType.Status]);

export type TopicErrorCode = "bad-site" | "bad-node-id" | "bad-frame" | "bad-topic";

export class TopicError extends CodedError<TopicErrorCode> {
  override readonly name: string = "TopicError";
}

// A site is a short lowercase slug; it becomes one topic level, so it must not hold "/", "+", "#" or NUL
// (MQTT 3.1.1 section 4.7.1: those are separators and wildcards).
const SITE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
// The node id is the node's EUI-64 (birth frame `nodeId`, the LoRaWAN DevEUI) as 16 lowercase hex digits.
const NODE_ID = /^[0-9a-f]{16}$/;

export function checkSite(site: string): string {
  if (typeof site !== "string" || !SITE.test(site)) {
    throw new TopicError("bad-site", `site "${site}" must be 1..32 of a-z 0-9 _ - (starting a-z 0-9)`, site);
  }
  return site;
}

export function checkNodeId(nodeId: string): string {
  if (typeof nodeId !== "string" || !NODE_ID.test(nodeId)) {
    throw new TopicError(
      "bad-node-id",
      `node id "${nodeId}" must be an EUI-64 as 16 lowercase hex digits`,
      nodeId,
    );
  }
  return nodeId;
}

function nodeBase(site: string, nodeId: string): string {
  return `${TOPIC_ROOT}/${checkSite(site)}/${checkNodeId(nodeId)}`;
}

function frameName(type: number, direction: "up" | "down"): string {
  for (const spec of FRAME_SPECS) {
    if (spec.type === type && spec.direction === direction) return spec.name;
  }
  throw new TopicError("bad-frame", `frame type ${type} is not an ${direction}link frame`, type);
}

/** `minewatch/<site>/<nodeId>/up/<frame>` for an uplink frame type (FrameType.Alarm, ...). */
export function upTopic(site: string, nodeId: string, type: FrameTypeCode | number): string {
  return `${nodeBase(site, nodeId)}/up/${frameName(type, "up")}`;
}

/** `minewatch/<site>/<nodeId>/down/<frame>` for a downlink frame type (FrameType.Config, ...). */
export function downTopic(site: string, nodeId: string, type: FrameTypeCode | number): string {
  return `${nodeBase(site, nodeId)}/down/${frameName(type, "down")}`;
}

/** The one filter a node subscribes to: every downlink for it, `minewatch/<site>/<nodeId>/down/+`. */
export function downFilter(site: string, nodeId: string): string {
  return `${nodeBase(site, nodeId)}/down/+`;
}

/** `minewatch/<site>/<nodeId>/state`: retained "online" at connect, "offline" as the last will. */
export function stateTopic(site: string, nodeId: string): string {
  return `${nodeBase(site, nodeId)}/state`;
}

/** What a collector subscribes to for a whole site (or every site with site = "+"). */
export function siteFilter(site: string): string {
  return `${TOPIC_ROOT}/${site === "+" ? "+" : checkSite(site)}/#`;
}

export interface ParsedTopic {
  site: string;
  nodeId: string;
  kind: "up" | "down" | "state";
  /** Frame type for up/down topics. */
  frameType?: number;
  /** Frame name for up/down topics. */
  frameName?: string;
}

/** Splits a concrete topic (no wildcards) into its parts; throws TopicError naming the topic otherwise. */
export function parseTopic(topic: string): ParsedTopic {
  const parts = typeof topic === "string" ? topic.split("/") : [];
  const bad = (why: string): TopicError => new TopicError("bad-topic", `topic "${topic}" ${why}`, topic);
  if (parts[0] !== TOPIC_ROOT) throw bad(`does not start with "${TOPIC_ROOT}/"`);
  const site = parts[1] ?? "";
  const nodeId = parts[2] ?? "";
  if (!SITE.test(site)) throw bad(`has a bad site level "${site}"`);
  if (!NODE_ID.test(nodeId)) throw bad(`has a bad node id level "${nodeId}"`);
  if (parts.length === 4 && parts[3] === "state") return { site, nodeId, kind: "state" };
  const kind = parts[3];
  if (parts.length !== 5 || (kind !== "up" && kind !== "down")) {
    throw bad("is not <root>/<site>/<node>/state, .../up/<frame> or .../down/<frame>");
  }
  const name = parts[4];
  for (const spec of FRAME_SPECS) {
    if (spec.name === name && spec.direction === kind) {
      return { site, nodeId, kind, frameType: spec.type, frameName: spec.name };
    }
  }
  throw bad(`names no ${kind}link frame "${name}"`);
}
