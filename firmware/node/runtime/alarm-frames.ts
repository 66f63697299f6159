/**
 * The alarm policy's frames (runtime/alarm-policy.ts decides which levels a change announces): a change of
 * a channel's alarm levels builds its alarm frames at once, in the sampling callback that saw it, at the
 * outbox's top priority, updates the interlock's beacon/sounder annunciation, and pumps the outbox. An
 * operator's acknowledge (downlink or console) is answered by an alarm frame with the resulting level.
 * The channel state lives on the runtime (levels, onsetMs, vibAlarmUmPerS). Allocation-free.
 */
import { AlarmLevel, Channel } from "../../../protocol/schema.js";
import { ResetSource } from "../interlock/interlock.js";
import { annunciationOf } from "../interlock/summary.js";
import type { NodeRuntime } from "../runtime.js";
import { announcements, highestLevel, SEVERITY } from "./alarm-policy.js";
import { channelFaultCode } from "./health.js";

/** A gas channel's protocol levels; CH4 also shows a fault while the interlock relay does not follow. */
export function gasLevels(rt: NodeRuntime, ch: number): number {
  let bits = rt.gas!.levels(ch);
  if (ch === Channel.Ch4 && rt.interlock && rt.interlock.monitor.fault !== 0) bits |= 1 << AlarmLevel.Fault;
  return bits;
}

/** A channel's levels changed: alarm frames now, at top priority, then transmit at once. */
export function setLevels(rt: NodeRuntime, ch: number, after: number, now: number): void {
  const before = rt.levels[ch]!;
  if (before === after) return;
  const ann = announcements(before, after);
  rt.levels[ch] = after;
  if (before === 0) rt.onsetMs[ch] = now;
  for (let i = 0; i < SEVERITY.length; i++) {
    const level = SEVERITY[i]!;
    if (ann & (1 << level)) emitAlarmFrame(rt, ch, level, now);
  }
  if (ann & (1 << AlarmLevel.Clear)) emitAlarmFrame(rt, ch, AlarmLevel.Clear, now);
  if (after === 0) rt.onsetMs[ch] = Number.NaN;
  rt.interlock?.setAlarmAnnunciation(annunciationOf(rt.levels));
  rt.pump();
}

/** One alarm frame: the level's value (the reading, the PPV, or the fault code) and the alarm's age. */
export function emitAlarmFrame(rt: NodeRuntime, ch: number, level: number, now: number): void {
  let value: number;
  if (level === AlarmLevel.Fault)
    value = ch === Channel.Vibration ? (rt.vibration?.port.fault ?? 0) : channelFaultCode(rt, ch);
  else if (ch === Channel.Vibration) value = rt.vibAlarmUmPerS;
  else value = rt.gas!.scaled(ch);
  const onset = rt.onsetMs[ch]!;
  const ageS = !Number.isNaN(onset) ? (now - onset) / 1000 : 0;
  rt.builder.emitAlarm(ch, level, value, ageS);
}

/** Operator acknowledgement of a channel's alarm; answered by an alarm frame with the resulting level. */
export function acknowledgeAlarm(rt: NodeRuntime, ch: number, now: number): void {
  const before = rt.levels[ch]!;
  if (ch === Channel.Vibration) {
    if (rt.vibration?.acknowledge()) setLevels(rt, ch, 0, now);
  } else {
    const p = rt.gas?.pipelines[ch];
    if (p?.acknowledge()) setLevels(rt, ch, gasLevels(rt, ch), now);
    // The control room's acknowledge of CH4 is also the interlock's deliberate reset: it re-energises only
    // if the gas is below the reset point and nothing else holds (interlock/trip.ts); answered by a status
    // frame either way.
    if (ch === Channel.Ch4) rt.interlock?.reset(ResetSource.Downlink);
  }
  if (rt.levels[ch] === before) {
    emitAlarmFrame(rt, ch, highestLevel(before), now);
    rt.pump();
  }
}
