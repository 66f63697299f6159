/**
 * Frame objects as the node builds them and the collector receives them. Field names and ranges are in
 * schema.ts (one table per type); these interfaces are the typed view of the same tables.
 */
import type { FrameType } from "./schema.js";

export interface BirthFrame {
  type: typeof FrameType.Birth;
  /** EUI-64, 8 bytes. */
  nodeId: Uint8Array;
  fwMajor: number;
  fwMinor: number;
  fwPatch: number;
  configHash: number;
  capabilities: number;
}

export interface AlarmFrame {
  type: typeof FrameType.Alarm;
  channel: number;
  level: number;
  /** In the channel's telemetry scale (schema.ts CHANNEL_UNITS); for level "fault", the sensor fault code. */
  value: number;
  ageS: number;
}

export interface EventFrame {
  type: typeof FrameType.Event;
  onsetAgoMs: number;
  durationMs: number;
  pgaMilliG: number;
  ppvUmPerS: number;
  dominantFreqDeciHz: number;
  staLtaPeakX100: number;
}

export interface TelemetryFrame {
  type: typeof FrameType.Telemetry;
  ch4CentiPctVol: number;
  coPpm: number;
  o2DeciPctVol: number;
  h2sDeciPpm: number;
  vibRmsUmPerS: number;
  vibPeakUmPerS: number;
  batteryMv: number;
}

export interface StatusFrame {
  type: typeof FrameType.Status;
  uptimeS: number;
  batteryMv: number;
  sensorFaults: number;
  radioTxCount: number;
  radioTxFailCount: number;
  radioRxCount: number;
  outboxDepth: number;
}

/** A refused config downlink: what and why (schema.ts CONFIG_REFUSED, ConfigRefusal). */
export interface ConfigRefusedFrame {
  type: typeof FrameType.ConfigRefused;
  revision: number;
  /** Config parameter id, or CONFIG_REFUSED_NO_PARAM (255). */
  param: number;
  /** ConfigRefusal code. */
  reason: number;
  /** The refused raw parameter value (0 if none). */
  value: number;
}

export interface ConfigEntry {
  /** Parameter id (schema.ts CONFIG_PARAMS). */
  param: number;
  value: number;
}

export interface ConfigFrame {
  type: typeof FrameType.Config;
  revision: number;
  /** 1..8 entries, parameter ids strictly ascending. */
  entries: ConfigEntry[];
}

export interface AlarmAckFrame {
  type: typeof FrameType.AlarmAck;
  channel: number;
  level: number;
}

export interface TimeSyncFrame {
  type: typeof FrameType.TimeSync;
  unixS: number;
  millis: number;
}

export type UplinkFrame =
  | BirthFrame
  | AlarmFrame
  | EventFrame
  | TelemetryFrame
  | StatusFrame
  | ConfigRefusedFrame;
export type DownlinkFrame = ConfigFrame | AlarmAckFrame | TimeSyncFrame;
export type Frame = UplinkFrame | DownlinkFrame;
