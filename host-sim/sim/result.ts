/**
 * What one simulation run produces: the stable contract between the simulator (host-sim/sim) and everything
 * that reads its output (host-sim/report, the CLI's --json, tests). Plain JSON-safe data only (numbers,
 * strings, booleans, arrays, objects; no typed arrays, no NaN: a missing number is `null`), so a result
 * survives JSON.stringify / worker_threads postMessage unchanged.
 *
 * Determinism: everything in a SimResult except `timing` is a pure function of (scenario, seed): two runs,
 * or one run split over any number of shards, give deep-equal results once `timing` is removed
 * (`deterministicPart()`). All times are VIRTUAL milliseconds from the scenario's start unless a name says
 * otherwise (`wallMs`).
 *
 * Format changes: add optional fields only; a breaking change bumps SIM_RESULT_FORMAT.
 */

export const SIM_RESULT_FORMAT = "minewatch-sim-result/1";

export type GasChannelName = "ch4" | "co" | "o2" | "h2s";
export type ChannelName = GasChannelName | "vibration";
/** Protocol alarm levels (protocol/schema.ts AlarmLevel) by name. */
export type AlarmLevelName = "clear" | "A1" | "A2" | "high" | "stel" | "twa" | "ror" | "fault";
export type FrameTypeName =
  | "telemetry"
  | "alarm"
  | "event"
  | "status"
  | "birth"
  | "config-refused"
  | "config"
  | "alarm-ack"
  | "time-sync"
  | `type-${number}`;
export type TransportName = "mqtt" | "lorawan";

export interface SimResult {
  format: typeof SIM_RESULT_FORMAT;
  scenario: {
    name: string;
    /** Path as given on the command line, or the shipped scenario's file name. */
    file: string;
    description: string;
    /** Virtual length of the run, ms. */
    durationMs: number;
  };
  /** The run's seed (printed by the CLI; `--seed` replays it exactly). */
  seed: number;
  /** Site name used for MQTT topics and broker accounts. */
  site: string;
  broker: { kind: "aedes" | "external"; url: string };
  nodes: NodeResult[];
  /** Faults as applied, in time order (what the timeline did, for the report's fault lane). */
  faults: FaultRecord[];
  expectations: ExpectationResult[];
  /** Every expectation held. */
  passed: boolean;
  totals: FleetTotals;
  /** Host-dependent figures: NOT part of the deterministic result (excluded by deterministicPart()). */
  timing: {
    wallMs: number;
    /** Simulated time / wall time (x real time), for the whole fleet. */
    speedup: number;
    shards: number;
  };
}

export interface FleetTotals {
  nodes: number;
  framesBuilt: number;
  framesDelivered: number;
  /** Built, not delivered, not in the outbox at the end: lost (the budget is 0). */
  framesLost: number;
  /** Built, not delivered yet, still held in a node's outbox at the end (not lost). */
  framesPending: number;
  duplicatesDropped: number;
  alarmsRaised: number;
  /** Alarm frames delivered to the collector. */
  alarmsDelivered: number;
}

export interface NodeResult {
  /** Scenario name of the node ("face-1"). */
  id: string;
  /** EUI-64, 16 lowercase hex digits (MQTT topics, broker user `mw-<eui>`). */
  eui: string;
  variant: "gas" | "vibration" | "combo";
  /** Location class: intake | face | return | local. */
  location: string;
  profile: string;
  transports: TransportName[];
  /** Number of boots (1 + power cuts + watchdog resets). */
  boots: number;
  taskErrors: number;
  traces: NodeTraces;
  /** Every alarm-level change the node made (from its alarm frames), with delivery. */
  alarms: AlarmRecord[];
  /** Seismic events the node summarised (event frames). */
  events: SeismicEventRecord[];
  /** Every frame the node built, by counter, with delivery. */
  frames: FrameRecord[];
  /** Airtime and duty cycle when the node has a LoRaWAN transport; null otherwise. */
  radio: RadioRecord | null;
  /** Outbox depth (frames waiting, in flight included) over time, sampled every `traces.periodMs`. */
  outbox: Series;
  /** The methane interlock's outputs (gas and combo nodes: host-sim/node/outputs.ts); null without one. */
  outputs: OutputsRecord | null;
  /** Ground truth the node's recording carried (labels), used by the expectations. */
  labels: LabelRecord[];
  /** What the collector (site/collector) measured for this node; absent in results from before it. */
  collector?: CollectorRecord;
}

/**
 * The collector's own view of a node: its rejects, and the alarm latency it measures against the labels
 * the scenario's alarm-within expectations check (site/collector/alarms.ts evaluateLatency: the first
 * alarm frame of the label's channel at its level or above RECEIVED within `windowMs` of the label; a
 * channel already at that level when the label begins counts 0, "already-active").
 */
export interface CollectorRecord {
  /** Copies rejected (bad MAC, malformed, a counter the replay window refuses). */
  rejected: number;
  windowMs: number;
  alarmLatency: {
    kind: string;
    channel: string;
    onsetMs: number;
    latencyMs: number;
    level: AlarmLevelName;
    via: TransportName | "already-active";
  }[];
  /** Labels with no qualifying alarm received within windowMs. */
  missing: LabelRecord[];
  /** Alarm raises no label explains (collector's view; faults excluded). */
  unexpectedRaises: number;
}

/** A sampled time series: `tMs[i]` and `v[i]` (null = no value at that instant). */
export interface Series {
  tMs: number[];
  v: (number | null)[];
}

export interface NodeTraces {
  /** Sampling period of the traces, virtual ms (traces are for plotting, not for checking). */
  periodMs: number;
  gas: GasTrace[];
  vibration: VibrationTrace | null;
}

export interface GasTrace {
  channel: GasChannelName;
  /** "pct_vol" (% by volume) or "ppm". */
  unit: string;
  /** Calibrated reading the node's pipeline holds (what it alarms on). */
  value: Series;
  /** The input the chip model was fed (ground truth), same instants. */
  truth: Series;
  setPoints: SetPointRecord[];
}

export interface SetPointRecord {
  level: AlarmLevelName;
  value: number;
  direction: "rising" | "falling";
  hysteresis: number;
}

export interface VibrationTrace {
  /** The detector's STA/LTA ratio (its characteristic function) at each trace instant. */
  staLta: Series;
  onThreshold: number;
  offThreshold: number;
  /** Detector triggers: on / off times from the node's event frames (off null while still on at the end). */
  triggers: { onMs: number; offMs: number | null }[];
}

export interface AlarmRecord {
  channel: ChannelName;
  level: AlarmLevelName;
  /** Frame counter of the alarm frame. */
  counter: number;
  /** Node virtual time the frame was built (the level changed). */
  raisedMs: number;
  /** Collector virtual time of the first copy, null if never delivered. */
  deliveredMs: number | null;
  /** Value in the protocol's scaled unit (CH4 centi-%vol, CO ppm, O2 deci-%vol, H2S deci-ppm, PPV um/s). */
  value: number;
}

export interface SeismicEventRecord {
  counter: number;
  builtMs: number;
  deliveredMs: number | null;
  onsetMs: number;
  durationMs: number;
  ppvUmPerS: number;
  pgaMilliG: number;
  dominantFreqDeciHz: number;
}

export interface FrameRecord {
  counter: number;
  type: FrameTypeName;
  /** Node virtual time the frame was built (entered the outbox). */
  builtMs: number;
  /** Virtual times the node handed it to a transport (re-sends after a drop or a reboot add entries). */
  sentMs: number[];
  /** Collector virtual time of the first verified copy; null if not delivered. */
  deliveredMs: number | null;
  /** deliveredMs - builtMs, null if not delivered. */
  latencyMs: number | null;
  via: TransportName | null;
  bytes: number;
  /** Copies the collector dropped as duplicates. */
  duplicates: number;
  /** Not delivered and not in the outbox at the end. */
  lost: boolean;
}

export interface RadioRecord {
  region: string;
  dataRate: number;
  transmissions: number;
  /** Transmissions that never reached the network (loss rate, link budget, gateway down, collision). */
  lostTransmissions: number;
  airtimeMs: number;
  /** Worst duty cycle over any sliding hour, percent, and the sub-band's limit. */
  maxDutyCyclePct: number;
  limitPct: number;
  /** Transmissions that started inside their sub-band's off-time (must be 0). */
  dutyCycleViolations: number;
  /** Airtime per hour bucket, ms (plots). */
  airtimePerHourMs: number[];
}

/**
 * The interlock's outputs as change points (not sampled: every change the node made, at its virtual time,
 * then one closing point at the end of the run), so expectations can measure trip latency exactly. Read
 * each point as a level held until the next one.
 */
export interface OutputsRecord {
  /** Relay output (the GPIO driving the coil): 1 energised = power to the equipment permitted, 0 tripped. */
  relay: Series;
  /** The pattern the beacon and sounder run: 0 none, 1 fault, 2 warning, 3 danger (ANNUNCIATION_NAMES). */
  beacon: Series;
  /** The relay's load contacts (1 = the equipment's supply connected), its release time included. */
  load?: Series;
  /** Interlock events (trip, reset, reset-refused, relay-fault, relay-fault-cleared) with their detail code. */
  events?: InterlockEventRecord[];
}

export interface InterlockEventRecord {
  tMs: number;
  kind: "trip" | "reset" | "reset-refused" | "relay-fault" | "relay-fault-cleared";
  /** trip: TripCause bits; reset: ResetSource; reset-refused: ResetResult; relay-fault: feedback fault code. */
  detail: number;
}

export interface LabelRecord {
  tMs: number;
  kind: string;
  channel: string;
  level?: string;
}

export interface FaultRecord {
  kind: string;
  /** Node ids the fault applies to (empty = the whole site: broker, gateway). */
  nodes: string[];
  atMs: number;
  /** End of the fault, null for instantaneous ones. */
  untilMs: number | null;
  detail: string;
}

export interface ExpectationResult {
  /** Stable name, e.g. "alarm-within 10 s", "no-frame-lost". */
  name: string;
  kind: string;
  passed: boolean;
  /** Why it failed (the first few offenders), or what was checked when it passed. */
  reason: string;
  /** Node ids involved. */
  nodes: string[];
  /** Measured figure (worst latency, frames lost, worst duty cycle, ...) and its unit. */
  measured: number | null;
  unit: string;
}

/** The result without its host-dependent part: what determinism tests compare. */
export function deterministicPart(r: SimResult): Omit<SimResult, "timing"> {
  const { timing: _timing, ...rest } = r;
  return rest;
}
