/**
 * The collector's alarm view and the alarm-latency measurement.
 *
 * View: per node and channel, the active level, when it was raised (collector time, and the node's own onset
 * estimated as receipt time - the frame's `ageS`), its value, and whether an operator acknowledged it. Frames
 * can arrive out of counter order (the outbox sends an alarm ahead of older queued frames; LoRaWAN and MQTT
 * race), so a frame changes the view only if its counter is above the last one applied for that channel:
 * an older alarm never overwrites a newer state.
 *
 * Latency: a label (recording ground truth) says an event began on a node's channel at `onsetMs` (virtual
 * time). Its alarm is the first alarm frame for that node and channel received in [onsetMs, onsetMs +
 * windowMs] at the label's level or above (any non-clear, non-fault level when the label names none); if
 * that channel was already at the level when the event began, it counts with latency 0. A label with no
 * such alarm is missing. A raise (a level above the channel's previous one) that no label explains is an
 * unexpected (false) alarm. The matching is site/evaluation.ts's (rule 3 there: matchLatency), the one home
 * of the rules that match alarms to labels; this file checks the labels and names the path.
 */

import { severityRank } from "../../protocol/alarm-severity.js";
import type { AlarmFrame } from "../../protocol/frames.js";
import { AlarmLevel, CHANNEL_NAMES, LEVEL_NAMES } from "../../protocol/schema.js";
import { matchLatency } from "../evaluation.js";
import { CollectorError } from "./errors.js";

export type FramePath = "mqtt" | "lorawan";

export interface AlarmEvent {
  nodeId: string;
  channel: number;
  level: number;
  value: number;
  counter: number;
  /** Collector receipt time (virtual ms). */
  atMs: number;
  /** The node's onset estimate: atMs - ageS * 1000. */
  nodeOnsetMs: number;
  path: FramePath;
  /** The level is above the channel's previous level (in counter order). */
  raise: boolean;
}

export interface AlarmState {
  nodeId: string;
  channel: number;
  level: number;
  value: number;
  counter: number;
  raisedAtMs: number;
  nodeOnsetMs: number;
  acknowledged: boolean;
  updatedAtMs: number;
}

export interface AlarmLabel {
  nodeId: string;
  /** Protocol channel number or name (ch4, co, o2, h2s, vibration; accelerometer axes ax/ay/az = vibration). */
  channel: number | string;
  onsetMs: number;
  kind: string;
  /** Lowest level that answers the label (number or A1/A2/STEL/TWA/fault). */
  level?: number | string;
}

export interface LatencyResult {
  matched: {
    label: AlarmLabel;
    alarmAtMs: number;
    latencyMs: number;
    level: number;
    path: FramePath | "already-active";
  }[];
  missing: AlarmLabel[];
  unexpected: AlarmEvent[];
}

export function channelNumber(channel: number | string): number {
  if (
    typeof channel === "number" &&
    Number.isInteger(channel) &&
    channel >= 0 &&
    channel < CHANNEL_NAMES.length
  ) {
    return channel;
  }
  if (typeof channel === "string") {
    const i = (CHANNEL_NAMES as readonly string[]).indexOf(channel);
    if (i >= 0) return i;
    if (channel === "ax" || channel === "ay" || channel === "az") return CHANNEL_NAMES.indexOf("vibration");
  }
  throw new CollectorError(
    "bad-label",
    `label channel must be 0..${CHANNEL_NAMES.length - 1} or one of ${CHANNEL_NAMES.join(", ")}, got ${String(channel)}`,
    channel,
  );
}

export function levelNumber(level: number | string): number {
  if (typeof level === "number" && Number.isInteger(level) && level >= 0 && level < LEVEL_NAMES.length)
    return level;
  const i = typeof level === "string" ? (LEVEL_NAMES as readonly string[]).indexOf(level) : -1;
  if (i >= 0) return i;
  throw new CollectorError(
    "bad-label",
    `label level must be one of ${LEVEL_NAMES.join(", ")}, got ${String(level)}`,
    level,
  );
}

/**
 * A security event for the control room: frames from a node failing their MAC (raised at the 1st, 2nd, 4th,
 * 8th, ... so a flood is seen without flooding the view), or a node's counter resynchronised after a second
 * frame confirmed it (protocol/auth.ts FrameVerifier resync).
 */
export interface SecurityEvent {
  nodeId: string;
  kind: "bad-mac" | "counter-resync";
  /** Bad MACs from the node so far (bad-mac); the counter resynchronised to (counter-resync). */
  count: number;
  atMs: number;
  message: string;
}

export class AlarmView {
  readonly events: AlarmEvent[] = [];
  readonly security: SecurityEvent[] = [];
  readonly #states = new Map<string, AlarmState>();

  /**
   * Applies one verified alarm frame. Levels are ranked by the one severity order (protocol/alarm-severity.ts:
   * A2 > STEL > A1 > TWA > fault), not by their wire codes. A more severe level escalates the channel; a
   * clear frame clears it; a less severe level does not lower it while the higher one is unacknowledged, as
   * A2 stays latched on the node until an operator acknowledges it (issue 14 item 17). After `acknowledge`,
   * the node's next report is taken as it is.
   */
  apply(nodeId: string, counter: number, frame: AlarmFrame, atMs: number, path: FramePath): AlarmEvent {
    const key = `${nodeId}/${frame.channel}`;
    const st = this.#states.get(key);
    const newer = !st || counter > st.counter;
    const previous = st ? st.level : AlarmLevel.Clear;
    const event: AlarmEvent = {
      nodeId,
      channel: frame.channel,
      level: frame.level,
      value: frame.value,
      counter,
      atMs,
      nodeOnsetMs: atMs - frame.ageS * 1000,
      path,
      raise: newer && frame.level !== AlarmLevel.Clear && severityRank(frame.level) > severityRank(previous),
    };
    this.events.push(event);
    if (!newer) return event;
    if (!st || st.level === AlarmLevel.Clear || severityRank(frame.level) > severityRank(st.level)) {
      this.#states.set(key, {
        nodeId,
        channel: frame.channel,
        level: frame.level,
        value: frame.value,
        counter,
        raisedAtMs: atMs,
        nodeOnsetMs: event.nodeOnsetMs,
        acknowledged: false,
        updatedAtMs: atMs,
      });
      return event;
    }
    if (frame.level === AlarmLevel.Clear || st.acknowledged) {
      st.level = frame.level;
      st.acknowledged = false;
    }
    st.value = frame.value;
    st.counter = counter;
    st.updatedAtMs = atMs;
    return event;
  }

  /** An operator acknowledges the alarm on a channel; false when nothing is active there. */
  acknowledge(nodeId: string, channel: number): boolean {
    const st = this.#states.get(`${nodeId}/${channel}`);
    if (!st || st.level === AlarmLevel.Clear) return false;
    st.acknowledged = true;
    return true;
  }

  state(nodeId: string, channel: number): AlarmState | undefined {
    const st = this.#states.get(`${nodeId}/${channel}`);
    return st ? { ...st } : undefined;
  }

  /** Channels not clear, sorted by node then channel. */
  active(): AlarmState[] {
    return [...this.#states.values()]
      .filter((s) => s.level !== AlarmLevel.Clear)
      .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.channel - b.channel))
      .map((s) => ({ ...s }));
  }
}

/** Matches labels to alarms (see the file comment). */
export function evaluateLatency(
  events: readonly AlarmEvent[],
  labels: readonly AlarmLabel[],
  windowMs: number,
): LatencyResult {
  if (!(windowMs > 0))
    throw new CollectorError("bad-option", `latency window must be > 0 ms, got ${windowMs}`, windowMs);
  const targets = labels.map((label) => {
    if (!Number.isFinite(label.onsetMs)) {
      throw new CollectorError(
        "bad-label",
        `label onsetMs must be finite, got ${label.onsetMs}`,
        label.onsetMs,
      );
    }
    const channel = channelNumber(label.channel);
    const minLevel = label.level === undefined ? AlarmLevel.A1 : levelNumber(label.level);
    return { label, nodeId: label.nodeId, channel, onsetMs: label.onsetMs, minLevel };
  });
  const m = matchLatency(events, targets, windowMs);
  return {
    matched: m.matched.map((x) => ({
      label: x.label,
      alarmAtMs: x.alarmAtMs,
      latencyMs: x.latencyMs,
      level: x.level,
      path: x.alarm ? x.alarm.path : ("already-active" as const),
    })),
    missing: m.missing,
    unexpected: m.unexpected,
  };
}
