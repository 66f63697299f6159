/**
 * Frame building: fills preallocated frame objects, encodes them into one buffer, seals them (counter + MAC,
 * protocol/auth.ts) and appends them to the outbox at their priority class. The counter is taken from the
 * persisted FrameCounter at build time and travels inside the sealed bytes, so every re-send of a frame
 * (after a broker outage, after a reboot) carries the same counter and the collector can drop copies.
 * Values are clamped to their schema ranges here (a reading beyond a field's range saturates; the schema
 * says a node clamps before it builds). Nothing is allocated per frame except what the outbox's flash does.
 */
import type { FrameMac } from "../../../protocol/auth.js";
import { sealFrame } from "../../../protocol/auth.js";
import { encodeFrameInto, MAX_FRAME_BYTES } from "../../../protocol/encode.js";
import type {
  AlarmFrame,
  BirthFrame,
  ConfigRefusedFrame,
  EventFrame,
  StatusFrame,
  TelemetryFrame,
  UplinkFrame,
} from "../../../protocol/frames.js";
import { CONFIG_REFUSED_NO_PARAM, ConfigRefusal, FrameType, U16, U32 } from "../../../protocol/schema.js";
import { type Outbox, Priority } from "../outbox.js";
import type { FrameCounter } from "../storage.js";

/** Outbox class of each uplink frame type. */
export function priorityOf(type: number): Priority {
  switch (type) {
    case FrameType.Alarm:
    case FrameType.ConfigRefused:
      return Priority.Alarm;
    case FrameType.Event:
      return Priority.Event;
    case FrameType.Status:
      return Priority.Status;
    case FrameType.Birth:
      return Priority.Birth;
    default:
      return Priority.Telemetry;
  }
}

/** Rounds and clamps to an integer field range (NaN -> `ifNaN`). */
export function clampInt(v: number, min: number, max: number, ifNaN = 0): number {
  if (Number.isNaN(v)) return ifNaN;
  const r = Math.round(v);
  return Math.min(Math.max(r, min), max);
}

export class FrameBuilder {
  readonly alarm: AlarmFrame = { type: FrameType.Alarm, channel: 0, level: 0, value: 0, ageS: 0 };
  readonly event: EventFrame = {
    type: FrameType.Event,
    onsetAgoMs: 0,
    durationMs: 0,
    pgaMilliG: 0,
    ppvUmPerS: 0,
    dominantFreqDeciHz: 0,
    staLtaPeakX100: 0,
  };
  readonly telemetry: TelemetryFrame = {
    type: FrameType.Telemetry,
    ch4CentiPctVol: 0,
    coPpm: 0,
    o2DeciPctVol: 0,
    h2sDeciPpm: 0,
    vibRmsUmPerS: 0,
    vibPeakUmPerS: 0,
    batteryMv: 0,
  };
  readonly status: StatusFrame = {
    type: FrameType.Status,
    uptimeS: 0,
    batteryMv: 0,
    sensorFaults: 0,
    radioTxCount: 0,
    radioTxFailCount: 0,
    radioRxCount: 0,
    outboxDepth: 0,
  };
  readonly configRefused: ConfigRefusedFrame = {
    type: FrameType.ConfigRefused,
    revision: 0,
    param: 0,
    reason: 0,
    value: 0,
  };
  readonly birth: BirthFrame;
  #buf = new Uint8Array(MAX_FRAME_BYTES);
  /**
   * views[n] = the first n bytes of the buffer, made the first time a frame of n bytes is built: a node
   * builds a handful of lengths, so making all MAX_FRAME_BYTES + 1 up front cost about 300 XS slots of heap
   * for nothing (measured, test/xs/node-remote.test.ts). Steady state still allocates nothing.
   */
  #views: (Uint8Array | undefined)[] = [];
  #counter: FrameCounter;
  #key: Uint8Array;
  #mac: FrameMac;
  #outbox: Outbox;
  /** Frames built; frames the outbox refused (capacity policy). */
  built = 0;
  refused = 0;
  /** Counter of the last frame built. */
  lastCounter = -1;

  constructor(counter: FrameCounter, key: Uint8Array, mac: FrameMac, outbox: Outbox, nodeId: Uint8Array) {
    this.#counter = counter;
    this.#key = key;
    this.#mac = mac;
    this.#outbox = outbox;
    this.birth = {
      type: FrameType.Birth,
      nodeId,
      fwMajor: 0,
      fwMinor: 0,
      fwPatch: 0,
      configHash: 0,
      capabilities: 0,
    };
  }

  /**
   * Encodes, seals and stores `frame` at its type's priority class, or at `priority` when given (the
   * interlock's status frames travel at alarm priority); returns the outbox id (or the outbox's REFUSED).
   */
  emit(frame: UplinkFrame, priority: Priority = priorityOf(frame.type)): number {
    const end = encodeFrameInto(frame, this.#buf, 0);
    const counter = this.#counter.take();
    const sealed = sealFrame(this.#buf, 0, end, counter, this.#key, this.#mac);
    this.lastCounter = counter;
    this.built++;
    let view = this.#views[sealed];
    if (!view) {
      view = this.#buf.subarray(0, sealed);
      this.#views[sealed] = view;
    }
    const id = this.#outbox.append(view, priority, counter);
    if (id < 0) this.refused++;
    return id;
  }

  emitAlarm(channel: number, level: number, value: number, ageS: number): number {
    const a = this.alarm;
    a.channel = channel;
    a.level = level;
    a.value = clampInt(value, 0, U16);
    a.ageS = clampInt(ageS, 0, U16);
    return this.emit(a);
  }

  /**
   * A refused config downlink, what and why (alarm priority): `param` outside 0..254 -> 255 (none named),
   * `reason` outside 0..15 -> Other, `value` clamped to 0..2^32-1 (NaN -> 0).
   */
  emitConfigRefused(revision: number, param: number, reason: number, value: number): number {
    const f = this.configRefused;
    f.revision = clampInt(revision, 0, U32);
    f.param = param >= 0 && param < CONFIG_REFUSED_NO_PARAM ? param | 0 : CONFIG_REFUSED_NO_PARAM;
    f.reason = reason >= 0 && reason <= 15 ? reason | 0 : ConfigRefusal.Other;
    f.value = clampInt(value, 0, U32);
    return this.emit(f);
  }

  emitStatus(
    uptimeS: number,
    batteryMv: number,
    sensorFaults: number,
    tx: number,
    txFail: number,
    rx: number,
    depth: number,
    priority: Priority = Priority.Status,
  ): number {
    const s = this.status;
    s.uptimeS = clampInt(uptimeS, 0, U32);
    s.batteryMv = clampInt(batteryMv, 0, U16);
    s.sensorFaults = sensorFaults >>> 0;
    s.radioTxCount = clampInt(tx, 0, U32);
    s.radioTxFailCount = clampInt(txFail, 0, U32);
    s.radioRxCount = clampInt(rx, 0, U32);
    s.outboxDepth = clampInt(depth, 0, U16);
    return this.emit(s, priority);
  }
}
