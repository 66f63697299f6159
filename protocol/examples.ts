/**
 * One canonical example per frame type: realistic values from a gassy coal section on a quiet day, used by
 * SPEC.md's hex examples, `minewatch frames`, the benchmarks and the XS parity corpus.
 */
import type {
  AlarmAckFrame,
  AlarmFrame,
  BirthFrame,
  ConfigFrame,
  ConfigRefusedFrame,
  EventFrame,
  Frame,
  StatusFrame,
  TelemetryFrame,
  TimeSyncFrame,
} from "./frames.js";
import { deepFreeze } from "./freeze.js";
import { AlarmLevel, Capability, Channel, ConfigRefusal, FrameType } from "./schema.js";

export const EXAMPLE_BIRTH: BirthFrame = {
  type: FrameType.Birth,
  nodeId: new Uint8Array([0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0x06, 0x12, 0x34]),
  fwMajor: 0,
  fwMinor: 1,
  fwPatch: 0,
  configHash: 0x5eed1234,
  capabilities:
    Capability.Ch4 |
    Capability.Co |
    Capability.O2 |
    Capability.H2s |
    Capability.Vibration |
    Capability.LoRaWan,
};

/** CH4 crossed A2 (1.5 %vol, 30 CFR 75.323(b)) 30 s ago and reads 1.52 %vol. */
export const EXAMPLE_ALARM: AlarmFrame = {
  type: FrameType.Alarm,
  channel: Channel.Ch4,
  level: AlarmLevel.A2,
  value: 152,
  ageS: 30,
};

export const EXAMPLE_EVENT: EventFrame = {
  type: FrameType.Event,
  onsetAgoMs: 4200,
  durationMs: 2300,
  pgaMilliG: 350,
  ppvUmPerS: 12500,
  dominantFreqDeciHz: 235,
  staLtaPeakX100: 840,
};

export const EXAMPLE_TELEMETRY: TelemetryFrame = {
  type: FrameType.Telemetry,
  ch4CentiPctVol: 45,
  coPpm: 12,
  o2DeciPctVol: 207,
  h2sDeciPpm: 3,
  vibRmsUmPerS: 35,
  vibPeakUmPerS: 410,
  batteryMv: 3712,
};

export const EXAMPLE_STATUS: StatusFrame = {
  type: FrameType.Status,
  uptimeS: 86400,
  batteryMv: 3712,
  sensorFaults: 0,
  radioTxCount: 1460,
  radioTxFailCount: 3,
  radioRxCount: 2,
  outboxDepth: 0,
};

/** Revision 8 asked for CH4 A2 (param 3) at 3.00 %vol, looser than the profile allows at the node: refused. */
export const EXAMPLE_CONFIG_REFUSED: ConfigRefusedFrame = {
  type: FrameType.ConfigRefused,
  revision: 8,
  param: 3,
  reason: ConfigRefusal.LooserThanProfile,
  value: 300,
};

export const EXAMPLE_CONFIG: ConfigFrame = {
  type: FrameType.Config,
  revision: 7,
  entries: [
    { param: 0, value: 300 },
    { param: 2, value: 100 },
    { param: 3, value: 150 },
  ],
};

export const EXAMPLE_ALARM_ACK: AlarmAckFrame = {
  type: FrameType.AlarmAck,
  channel: Channel.Ch4,
  level: AlarmLevel.A2,
};

export const EXAMPLE_TIME_SYNC: TimeSyncFrame = { type: FrameType.TimeSync, unixS: 1767225600, millis: 250 };

/** In schema.ts FRAME_SPECS order. */
export const EXAMPLES: readonly Frame[] = [
  EXAMPLE_BIRTH,
  EXAMPLE_ALARM,
  EXAMPLE_EVENT,
  EXAMPLE_TELEMETRY,
  EXAMPLE_STATUS,
  EXAMPLE_CONFIG_REFUSED,
  EXAMPLE_CONFIG,
  EXAMPLE_ALARM_ACK,
  EXAMPLE_TIME_SYNC,
];

/** The key and counter SPEC.md's authenticated examples use (never a real node's key). */
export const EXAMPLE_KEY = new Uint8Array([
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
]);
export const EXAMPLE_COUNTER = 42;

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(EXAMPLES);
deepFreeze(EXAMPLE_ALARM);
deepFreeze(EXAMPLE_ALARM_ACK);
deepFreeze(EXAMPLE_BIRTH);
deepFreeze(EXAMPLE_CONFIG);
deepFreeze(EXAMPLE_CONFIG_REFUSED);
deepFreeze(EXAMPLE_EVENT);
deepFreeze(EXAMPLE_STATUS);
deepFreeze(EXAMPLE_TELEMETRY);
deepFreeze(EXAMPLE_TIME_SYNC);
