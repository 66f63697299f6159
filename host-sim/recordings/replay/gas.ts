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
      for (let c = 0; c < this.#columns.length; c++) this.#values[c] = b.values[this.#columns[c]!]![i]!;
      if (this.samples === 0) this.firstS = t;
      this.lastS = t;
      this.samples++;
      this.#port.push(t * 1000, this.#values);
      for (let c = 0; c < this.#channels.length; c++) this.#diff(t, c);
    }
  }

  finish(): void {}

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
