/**
 * The frame catalogue: one table per frame type, read by the encoder, the decoder, the JSON view and the
 * SPEC.md generator, so the wire format has exactly one description. Field order in a table is wire order.
 *
 * Scaled integers carry their scale in their name (ch4CentiPctVol = CH4 in 0.01 %vol). Ranges are the
 * field's contract: the encoder throws "out-of-range" outside them and the decoder rejects them, so a node
 * clamps a reading to a range before it builds a frame (e.g. telemetry's vibration peak saturates at 65535).
 * Every range keeps its field at most 3 CBOR bytes where a budget needs it (see budgets below).
 */
import { deepFreeze } from "./freeze.js";

/** Wire protocol version, in every frame's header. Bump it when any table below changes meaning. */
export const PROTOCOL_VERSION = 1;

export const FrameType = {
  Birth: 1,
  Alarm: 2,
  Event: 3,
  Telemetry: 4,
  Status: 5,
  ConfigRefused: 6,
  Config: 8,
  AlarmAck: 9,
  TimeSync: 10,
} as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

/** Alarm / ack channels. The value unit of an alarm depends on its channel (see CHANNEL_UNITS). */
export const Channel = { Ch4: 0, Co: 1, O2: 2, H2s: 3, Vibration: 4 } as const;
export const CHANNEL_NAMES = ["ch4", "co", "o2", "h2s", "vibration"] as const;
/** Scale of an alarm's `value` per channel: the same scale as the matching telemetry field. */
export const CHANNEL_UNITS = ["centiPctVol", "ppm", "deciPctVol", "deciPpm", "umPerS (PPV)"] as const;

/**
 * Alarm levels. A1/A2 are the two instantaneous set-points (e.g. CH4 1.0 / 1.5 %vol, 30 CFR 75.323),
 * STEL/TWA the 15-minute and 8-hour exposure limits, Fault a sensor that cannot be trusted (the value is
 * then the driver's fault code), Clear the return to normal (the value is the current reading).
 */
export const AlarmLevel = { Clear: 0, A1: 1, A2: 2, Stel: 3, Twa: 4, Fault: 5 } as const;
export const LEVEL_NAMES = ["clear", "A1", "A2", "STEL", "TWA", "fault"] as const;

/** Birth `capabilities` bits. */
export const Capability = { Ch4: 1, Co: 2, O2: 4, H2s: 8, Vibration: 16, LoRaWan: 32, Mqtt: 64 } as const;

export const U16 = 0xffff;
export const U32 = 0xffffffff;

export interface FieldSpec {
  readonly name: string;
  /** "int": a CBOR integer in [min, max]; "bytes": a byte string of exactly `length` bytes. */
  readonly kind: "int" | "bytes";
  readonly min: number;
  readonly max: number;
  readonly length: number;
  /** Unit and meaning, for SPEC.md and the CLI. */
  readonly doc: string;
}

function int(name: string, min: number, max: number, doc: string): FieldSpec {
  return Object.freeze({ name, kind: "int", min, max, length: 0, doc });
}

function bytes(name: string, length: number, doc: string): FieldSpec {
  return Object.freeze({ name, kind: "bytes", min: 0, max: 0, length, doc });
}

export interface FrameSpec {
  readonly type: FrameTypeCode;
  readonly name: string;
  readonly direction: "up" | "down";
  readonly fields: readonly FieldSpec[];
  /** Payload budget in bytes without the MAC trailer (../shared/DESIGN.md budgets), or 0 for none. */
  readonly budgetBytes: number;
  readonly doc: string;
}

function frame(spec: FrameSpec): FrameSpec {
  return Object.freeze({ ...spec, fields: Object.freeze(spec.fields.slice()) });
}

export const BIRTH = frame({
  type: FrameType.Birth,
  name: "birth",
  direction: "up",
  budgetBytes: 0,
  doc: "sent once after every boot: who the node is and what it runs",
  fields: [
    bytes("nodeId", 8, "EUI-64 of the node (the LoRaWAN DevEUI), 8 bytes"),
    int("fwMajor", 0, U16, "firmware version, major"),
    int("fwMinor", 0, U16, "firmware version, minor"),
    int("fwPatch", 0, U16, "firmware version, patch"),
    int("configHash", 0, U32, "first 32 bits of the SHA-256 of the node's active configuration"),
    int("capabilities", 0, U16, "bit set: 1 CH4, 2 CO, 4 O2, 8 H2S, 16 vibration, 32 LoRaWAN, 64 MQTT"),
  ],
});

export const ALARM = frame({
  type: FrameType.Alarm,
  name: "alarm",
  direction: "up",
  budgetBytes: 11,
  doc: "an alarm state change on one channel",
  fields: [
    int("channel", 0, 4, "0 CH4, 1 CO, 2 O2, 3 H2S, 4 vibration"),
    int("level", 0, 5, "0 clear, 1 A1, 2 A2, 3 STEL, 4 TWA, 5 fault"),
    int("value", 0, U16, "reading in the channel's telemetry scale (fault: the sensor fault code)"),
    int("ageS", 0, U16, "seconds since the alarm's onset when the frame was built (saturates at 65535)"),
  ],
});

export const EVENT = frame({
  type: FrameType.Event,
  name: "event",
  direction: "up",
  budgetBytes: 24,
  doc: "summary of one seismic event (STA/LTA trigger on to off)",
  fields: [
    int("onsetAgoMs", 0, U32, "milliseconds from the event's onset to the frame's construction"),
    int("durationMs", 0, U16, "trigger-on to trigger-off, ms (saturates at 65535)"),
    int("pgaMilliG", 0, U16, "peak ground acceleration, 0.001 g"),
    int("ppvUmPerS", 0, U32, "peak particle velocity, micrometres per second"),
    int("dominantFreqDeciHz", 0, U16, "dominant frequency at the PPV, 0.1 Hz"),
    int("staLtaPeakX100", 0, U16, "peak STA/LTA ratio times 100 (saturates at 655.35)"),
  ],
});

export const TELEMETRY = frame({
  type: FrameType.Telemetry,
  name: "telemetry",
  direction: "up",
  budgetBytes: 24,
  doc: "periodic readings: four gases, vibration summary over the period, battery",
  fields: [
    int("ch4CentiPctVol", -1000, 10000, "methane, 0.01 %vol (negative: zero drift, kept for fault analysis)"),
    int("coPpm", -1000, 10000, "carbon monoxide, ppm"),
    int("o2DeciPctVol", -100, 1000, "oxygen, 0.1 %vol"),
    int("h2sDeciPpm", -1000, 10000, "hydrogen sulphide, 0.1 ppm"),
    int("vibRmsUmPerS", 0, U16, "RMS particle velocity over the period, micrometres per second"),
    int(
      "vibPeakUmPerS",
      0,
      U16,
      "peak particle velocity over the period, um/s (saturates; events carry more)",
    ),
    int("batteryMv", 0, U16, "battery voltage, mV"),
  ],
});

export const STATUS = frame({
  type: FrameType.Status,
  name: "status",
  direction: "up",
  budgetBytes: 0,
  doc: "health: uptime, battery, sensor faults, radio counters, outbox",
  fields: [
    int("uptimeS", 0, U32, "seconds since boot"),
    int("batteryMv", 0, U16, "battery voltage, mV"),
    int(
      "sensorFaults",
      0,
      U32,
      "4 bits per channel (channel c at bits 4c..4c+3): that sensor's fault code, 0 = none",
    ),
    int("radioTxCount", 0, U32, "frames handed to the radio since boot"),
    int("radioTxFailCount", 0, U32, "frames the radio failed to deliver (no ack) since boot"),
    int("radioRxCount", 0, U32, "downlinks received since boot"),
    int("outboxDepth", 0, U16, "frames waiting in the outbox"),
  ],
});

/**
 * Why a config downlink was refused (config-refused `reason`). 1..4 are the alarm-limit check's codes
 * (firmware/node/alarm-limits.ts AlarmLimit), 8 the config record's schema check (protocol/config-record.ts:
 * a value outside its range, set-points out of order, an unknown parameter), 15 anything else.
 */
export const ConfigRefusal = Object.freeze({
  SensorRange: 1,
  LooserThanProfile: 2,
  O2NormalAir: 3,
  A1AfterA2: 4,
  Schema: 8,
  Other: 15,
});
/** config-refused `param` when the refusal names no parameter. */
export const CONFIG_REFUSED_NO_PARAM = 255;

export const CONFIG_REFUSED = frame({
  type: FrameType.ConfigRefused,
  name: "config-refused",
  direction: "up",
  budgetBytes: 15,
  doc: "a config downlink was refused, sent at once: which revision, which parameter and why",
  fields: [
    int("revision", 0, U32, "revision of the refused config downlink"),
    int("param", 0, 255, "config parameter id refused (see the parameter table), 255 = none named"),
    int(
      "reason",
      0,
      15,
      "1 sensor range, 2 looser than profile, 3 O2 vs normal air, 4 A1 after A2, 8 schema, 15 other",
    ),
    int("value", 0, U32, "the refused parameter's raw value (clamped to 0..2^32-1), 0 if none"),
  ],
});

/** Config downlink parameters: id -> name, range. The id is what travels; names are for people. */
export interface ConfigParamSpec {
  readonly id: number;
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

function param(id: number, name: string, min: number, max: number): ConfigParamSpec {
  return Object.freeze({ id, name, min, max });
}

export const CONFIG_PARAMS: readonly ConfigParamSpec[] = Object.freeze([
  param(0, "telemetryPeriodS", 10, 86400),
  param(1, "statusPeriodS", 60, 604800),
  param(2, "ch4A1CentiPctVol", 0, 10000),
  param(3, "ch4A2CentiPctVol", 0, 10000),
  param(4, "coA1Ppm", 0, 10000),
  param(5, "coA2Ppm", 0, 10000),
  param(6, "coStelPpm", 0, 10000),
  param(7, "coTwaPpm", 0, 10000),
  param(8, "o2LowA1DeciPctVol", 0, 1000),
  param(9, "o2LowA2DeciPctVol", 0, 1000),
  param(10, "o2HighDeciPctVol", 0, 1000),
  param(11, "h2sA1DeciPpm", 0, 10000),
  param(12, "h2sA2DeciPpm", 0, 10000),
  param(13, "h2sStelDeciPpm", 0, 10000),
  param(14, "h2sTwaDeciPpm", 0, 10000),
  param(15, "staLtaOnX100", 100, U16),
  param(16, "staLtaOffX100", 100, U16),
  param(17, "ppvAlarmUmPerS", 0, U32),
]);

/** At most this many parameters in one config downlink (keeps it within LoRaWAN's smallest downlinks). */
export const CONFIG_MAX_ENTRIES = 8;

export const CONFIG = frame({
  type: FrameType.Config,
  name: "config",
  direction: "down",
  budgetBytes: 0,
  doc: "set up to 8 configuration parameters; ids strictly ascending so equal content has equal bytes",
  fields: [
    int("revision", 0, U32, "configuration revision the node reports back (its birth configHash changes)"),
  ],
});

export const ALARM_ACK = frame({
  type: FrameType.AlarmAck,
  name: "alarm-ack",
  direction: "down",
  budgetBytes: 0,
  doc: "an operator acknowledged the alarm on a channel at a level",
  fields: [
    int("channel", 0, 4, "0 CH4, 1 CO, 2 O2, 3 H2S, 4 vibration"),
    int("level", 0, 5, "0 clear, 1 A1, 2 A2, 3 STEL, 4 TWA, 5 fault"),
  ],
});

export const TIME_SYNC = frame({
  type: FrameType.TimeSync,
  name: "time-sync",
  direction: "down",
  budgetBytes: 0,
  doc: "network time for the node's clock",
  fields: [
    int("unixS", 0, U32, "seconds since 1970-01-01T00:00:00Z (UTC, no leap seconds)"),
    int("millis", 0, 999, "milliseconds within that second"),
  ],
});

/** All frame specs, in type order. */
export const FRAME_SPECS: readonly FrameSpec[] = Object.freeze([
  BIRTH,
  ALARM,
  EVENT,
  TELEMETRY,
  STATUS,
  CONFIG_REFUSED,
  CONFIG,
  ALARM_ACK,
  TIME_SYNC,
]);

const BY_TYPE: (FrameSpec | undefined)[] = [];
for (const s of FRAME_SPECS) BY_TYPE[s.type] = s;

/** The spec for a type code, or undefined. */
export function specForType(type: number): FrameSpec | undefined {
  return BY_TYPE[type];
}

export function specByName(name: string): FrameSpec | undefined {
  for (const s of FRAME_SPECS) if (s.name === name) return s;
  return undefined;
}

/**
 * Header byte (not CBOR): bits 7..5 protocol version (1..7), bit 4 MAC trailer present, bits 3..0 type.
 * A raw byte rather than a CBOR item keeps the alarm within 11 bytes and lets a decoder reject a newer
 * version before it parses anything.
 */
export const HEADER_VERSION_SHIFT = 5;
export const HEADER_AUTH_BIT = 0x10;
export const HEADER_TYPE_MASK = 0x0f;
/** MAC trailer: the frame counter's low 16 bits, big-endian, then a 4-byte truncated HMAC-SHA256. */
export const TRAILER_BYTES = 6;
export const MAC_BYTES = 4;
export const MAC_KEY_BYTES = 16;

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(AlarmLevel);
deepFreeze(BY_TYPE);
deepFreeze(CHANNEL_NAMES);
deepFreeze(CHANNEL_UNITS);
deepFreeze(Capability);
deepFreeze(Channel);
deepFreeze(FrameType);
deepFreeze(LEVEL_NAMES);
