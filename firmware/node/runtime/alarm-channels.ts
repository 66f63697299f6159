/**
 * The alarm channels: each channel's protocol alarm levels (a bit set), when it left Clear, and the value
 * the vibration alarm reported. A change of a channel's levels (runtime/alarm-policy.ts decides which
 * levels it announces) builds its alarm frames at once, in the sampling callback that saw it, at the
 * outbox's top priority, updates the interlock's beacon/sounder annunciation, and pumps the outbox. An
 * operator's acknowledge (downlink or console) is answered by an alarm frame with the resulting level.
 * Allocation-free (levelsOf excepted: tests and the console).
 */
import { highestLevel, SEVERITY } from "../../../protocol/alarm-severity.js";
import { AlarmLevel, Channel } from "../../../protocol/schema.js";
import { type Interlock, ResetSource } from "../interlock/interlock.js";
import { annunciationOf } from "../interlock/summary.js";
import { announcements } from "./alarm-policy.js";
import type { FrameBuilder } from "./frames.js";
import type { GasChannels } from "./gas.js";
import { channelFaultCode, type HealthSources } from "./health.js";
import type { VibrationChannel } from "./vibration.js";

/**
 * What the alarm channels read and drive. The runtime passes itself, seen through this interface (no
 * object is made for it: the heap budget counts).
 */
export interface AlarmChannelParts extends HealthSources {
  readonly builder: Pick<FrameBuilder, "emitAlarm">;
  readonly gas: GasChannels | undefined;
  readonly vibration: Pick<VibrationChannel, "port" | "acknowledge"> | undefined;
  readonly interlock:
    | Pick<Interlock, "latchNotPersisted" | "monitor" | "reset" | "setAlarmAnnunciation" | "statusByte">
    | undefined;
  /** Transmit now. */
  pump(): void;
}

export class AlarmChannels {
  /** Protocol alarm levels on per channel (bit set) and when the channel left Clear. */
  readonly levels = new Uint8Array(5);
  readonly onsetMs = new Float64Array(5).fill(Number.NaN);
  /** Value the vibration alarm reported (PPV, um/s). */
  vibAlarmUmPerS = 0;
  readonly #p: AlarmChannelParts;

  constructor(parts: AlarmChannelParts) {
    this.#p = parts;
  }

  /** A gas channel's protocol levels; CH4 also shows a fault while the interlock relay does not follow. */
  gasLevels(ch: number): number {
    const interlock = this.#p.interlock;
    let bits = this.#p.gas!.levels(ch);
    if (ch === Channel.Ch4 && interlock && interlock.monitor.fault !== 0) bits |= 1 << AlarmLevel.Fault;
    return bits;
  }

  /** A gas channel's evaluation may have changed its levels: announce the change. */
  updateGas(ch: number, now: number): void {
    this.set(ch, this.gasLevels(ch), now);
  }

  /** The vibration channel's PPV crossed its alarm limit (um/s): A2. */
  raiseVibration(ppvUmPerS: number, now: number): void {
    this.vibAlarmUmPerS = ppvUmPerS;
    this.set(Channel.Vibration, 1 << AlarmLevel.A2, now);
  }

  /** A channel's levels changed: alarm frames now, at top priority, then transmit at once. */
  set(ch: number, after: number, now: number): void {
    const before = this.levels[ch]!;
    if (before === after) return;
    const ann = announcements(before, after);
    this.levels[ch] = after;
    if (before === 0) this.onsetMs[ch] = now;
    for (let i = 0; i < SEVERITY.length; i++) {
      const level = SEVERITY[i]!;
      if (ann & (1 << level)) this.emitFrame(ch, level, now);
    }
    if (ann & (1 << AlarmLevel.Clear)) this.emitFrame(ch, AlarmLevel.Clear, now);
    if (after === 0) this.onsetMs[ch] = Number.NaN;
    this.#p.interlock?.setAlarmAnnunciation(annunciationOf(this.levels));
    this.#p.pump();
  }

  /** One alarm frame: the level's value (the reading, the PPV, or the fault code) and the alarm's age. */
  emitFrame(ch: number, level: number, now: number): void {
    const p = this.#p;
    let value: number;
    if (level === AlarmLevel.Fault)
      value = ch === Channel.Vibration ? (p.vibration?.port.fault ?? 0) : channelFaultCode(p, ch);
    else if (ch === Channel.Vibration) value = this.vibAlarmUmPerS;
    else value = p.gas!.scaled(ch);
    const onset = this.onsetMs[ch]!;
    const ageS = !Number.isNaN(onset) ? (now - onset) / 1000 : 0;
    p.builder.emitAlarm(ch, level, value, ageS);
  }

  /** Operator acknowledgement of a channel's alarm; answered by an alarm frame with the resulting level. */
  acknowledge(ch: number, now: number): void {
    const p = this.#p;
    const before = this.levels[ch]!;
    if (ch === Channel.Vibration) {
      if (p.vibration?.acknowledge()) this.set(ch, 0, now);
    } else {
      const pipeline = p.gas?.pipelines[ch];
      if (pipeline?.acknowledge()) this.set(ch, this.gasLevels(ch), now);
      // The control room's acknowledge of CH4 is also the interlock's deliberate reset: it re-energises only
      // if the gas is below the reset point and nothing else holds (interlock/trip.ts); answered by a status
      // frame either way.
      if (ch === Channel.Ch4) p.interlock?.reset(ResetSource.Downlink);
    }
    if (this.levels[ch] === before) {
      this.emitFrame(ch, highestLevel(before), now);
      p.pump();
    }
  }

  /** Alarm levels of a channel as protocol level numbers, most severe first (allocates: tests, console). */
  levelsOf(ch: number): number[] {
    const out: number[] = [];
    for (const l of SEVERITY) if (this.levels[ch]! & (1 << l)) out.push(l);
    return out;
  }
}
