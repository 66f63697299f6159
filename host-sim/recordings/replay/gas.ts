/**
 * Replays gas streams through the firmware's gas pipeline and turns its state changes (alarm levels on/off,
 * faults raised/cleared) into findings. The pipeline is reached through `GasPort`, the few calls detect
 * needs; `openGasPort` wires it to firmware/sensing/gas.
 */
import { GAS_CHANNELS, type GasChannel } from "../channels.js";
import type { Finding } from "../findings.js";
import type { SampleBlock, SampleStream } from "../stream.js";
import { openGasPort } from "./gas-port.js";

/** What detect needs from a gas pipeline: samples in, per-channel state as named flags out. */
export interface GasPort {
  /** One sample time: each installed channel's value in its unit (NaN = no data at this time). */
  push(tMs: number, values: Float64Array): void;
  /** Names of the alarm levels on for a channel (e.g. A1, A2, STEL, TWA, ROR) after the last push. */
  alarms(channel: GasChannel, into: Set<string>): void;
  /** Names of the faults / states on for a channel (e.g. no-data, stuck, warm-up) after the last push. */
  faults(channel: GasChannel, into: Set<string>): void;
}

export interface GasPortOptions {
  profile: string | undefined;
  location: string | undefined;
  periodS: number;
  /** Installed channels, in the order of `push`'s values. */
  channels: readonly GasChannel[];
}

/** A step longer than this many sample periods leaves a gap (libmseed's tolerance: half a period). */
const GAP_PERIODS = 1.5;
/** Empty samples fed into a gap before the no-data fault must have fired (a stand-in pipeline may have none). */
const MAX_GAP_FILL = 10_000;

export class GasReplay {
  samples = 0;
  firstS = Number.NaN;
  lastS = Number.NaN;
  readonly periodS: number;
  #port: GasPort;
  #columns: number[];
  #channels: GasChannel[];
  #values: Float64Array;
  #out: Finding[];
  #prev: { alarms: Set<string>; faults: Set<string> }[];
  #now = new Set<string>();

  constructor(
    stream: SampleStream,
    periodS: number,
    options: { profile?: string; location?: string },
    out: Finding[],
    open: (o: GasPortOptions) => GasPort = openGasPort,
  ) {
    this.periodS = periodS;
    this.#out = out;
    this.#channels = GAS_CHANNELS.filter((c) => stream.channels.some((x) => x.name === c));
    this.#columns = this.#channels.map((c) => stream.channels.findIndex((x) => x.name === c));
    this.#values = new Float64Array(this.#channels.length);
    this.#prev = this.#channels.map(() => ({ alarms: new Set(), faults: new Set() }));
    this.#port = open({
      profile: options.profile,
      location: options.location,
      periodS,
      channels: this.#channels,
    });
  }

  get durationS(): number {
    return this.samples > 0 ? this.lastS - this.firstS + this.periodS : 0;
  }

  feed(b: SampleBlock): void {
    for (let i = 0; i < b.count; i++) {
      const t = b.tS[i]!;
      // Missing rows (a jump in t_s) or a MiniSEED gap: the node would have seen no sample at those times.
      if (this.samples > 0 && t - this.lastS > GAP_PERIODS * this.periodS) this.#gap(t);
      for (let c = 0; c < this.#columns.length; c++) this.#values[c] = b.values[this.#columns[c]!]![i]!;
      if (this.samples === 0) this.firstS = t;
      this.lastS = t;
      this.samples++;
      this.#port.push(t * 1000, this.#values);
      for (let c = 0; c < this.#channels.length; c++) this.#diff(t, c);
    }
  }

  finish(): void {}

  /**
   * A gap before the sample at `t`: reported as a `gap` finding, and the pipeline is fed "no data" at the
   * missing sample times, as it is fed an empty cell (the node's timer checks its channels every period), so
   * the no-data fault fires at the same time as for empty cells. Once every channel shows no-data the rest of
   * the gap is one more empty sample at its last slot: a gap of a year costs a few pushes, not 3 x 10^7.
   */
  #gap(t: number): void {
    const from = this.lastS;
    this.#out.push({
      t: from + this.periodS,
      kind: "gap",
      channel: this.#channels.join("+"),
      durationS: t - from - this.periodS,
    });
    this.#values.fill(Number.NaN);
    const slots = Math.round((t - from) / this.periodS) - 1;
    const at = (k: number) => {
      const ts = from + k * this.periodS;
      this.#port.push(ts * 1000, this.#values);
      for (let c = 0; c < this.#channels.length; c++) this.#diff(ts, c);
    };
    let k = 1;
    for (; k <= slots && k <= MAX_GAP_FILL; k++) {
      at(k);
      if (this.#prev.every((p) => p.faults.has("no-data"))) break;
    }
    if (k < slots) at(slots);
  }

  #diff(t: number, c: number): void {
    const channel = this.#channels[c]!;
    const value = this.#values[c]!;
    const prev = this.#prev[c]!;
    for (const [kind, set, get] of [
      ["alarm", prev.alarms, (s: Set<string>) => this.#port.alarms(channel, s)],
      ["fault", prev.faults, (s: Set<string>) => this.#port.faults(channel, s)],
    ] as const) {
      const now = this.#now;
      now.clear();
      get(now);
      for (const level of now) {
        if (!set.has(level)) this.#out.push(finding(t, kind, channel, level, value));
      }
      for (const level of set) {
        if (!now.has(level))
          this.#out.push(finding(t, kind === "alarm" ? "alarm-clear" : "fault-clear", channel, level, value));
      }
      set.clear();
      for (const level of now) set.add(level);
    }
  }
}

function finding(t: number, kind: Finding["kind"], channel: string, level: string, value: number): Finding {
  const f: Finding = { t, kind, channel, level };
  if (!Number.isNaN(value)) f.value = value;
  return f;
}
