/**
 * Synthetic gas channels: a modelled concentration per channel (baseline + events), then the sensor (drift,
 * noise, resolution, faults), sampled every `periodS`. Labels: each event's onset, and every set-point
 * crossing of the recorded values (the ground truth the alarm test checks).
 */

import { Threshold } from "../../../firmware/sensing/gas/setpoints.js";
import type { Prng } from "../../prng.js";
import { GAS_CHANNELS, type GasChannel } from "../channels.js";
import type { Label } from "../labels.js";
import { makeBlock, type SampleBlock, type SampleStream } from "../stream.js";
import type { GasEvent, GasScenario, SetPoint } from "./scenario.js";

/** Model value added by one event at time t (unit of the channel); 0 outside the event. */
function contribution(e: GasEvent, t: number): number {
  const dt = t - e.tS;
  if (dt < 0) return 0;
  switch (e.kind) {
    case "gas-inrush":
    case "toxic-release": {
      const rise = e.peak * (1 - Math.exp(-Math.min(dt, e.holdS) / e.riseTauS));
      return dt <= e.holdS ? rise : rise * Math.exp(-(dt - e.holdS) / e.decayTauS);
    }
    case "gas-accumulation": {
      const top = (e.ratePerH * Math.min(dt, e.durationS)) / 3600;
      return dt <= e.durationS ? top : top * Math.exp(-(dt - e.durationS) / e.decayTauS);
    }
    case "o2-deficiency": {
      const fall = e.dropPctVol * (1 - Math.exp(-Math.min(dt, e.holdS) / e.tauS));
      return -(dt <= e.holdS ? fall : fall * Math.exp(-(dt - e.holdS) / e.tauS));
    }
    case "sensor-drift":
      return (e.ratePerDay * dt) / 86400;
    default:
      return 0;
  }
}

/** Channel order of the gas stream: the four gases of GAS_CHANNELS. */
export function gasStream(
  name: string,
  scenario: GasScenario,
  durationS: number,
  prng: () => Prng,
): SampleStream {
  const channels = GAS_CHANNELS.map(
    (c) => ({ name: c, unit: c === "ch4" || c === "o2" ? "pct_vol" : "ppm" }) as const,
  );
  const n = Math.floor(durationS / scenario.periodS);
  const byChannel = GAS_CHANNELS.map((c) => scenario.events.filter((e) => e.channel === c));

  async function* blocks(): AsyncGenerator<SampleBlock> {
    const rng = prng();
    const block = makeBlock(channels.length, 1024);
    const last = new Float64Array(channels.length);
    for (let i = 0; i < n; i++) {
      const t = i * scenario.periodS;
      const k = block.count;
      if (k === 0) block.firstPosition = i;
      block.tS[k] = t;
      let ch4 = 0;
      for (let c = 0; c < channels.length; c++) {
        const ch = GAS_CHANNELS[c]!;
        let v = scenario.baseline[ch];
        let stuck = false;
        let dropout = false;
        let spike = 0;
        for (const e of byChannel[c]!) {
          v += contribution(e, t);
          if (e.kind === "fault-stuck" && t >= e.tS && t < e.tS + e.durationS) stuck = true;
          if (e.kind === "fault-dropout" && t >= e.tS && t < e.tS + e.durationS) dropout = true;
          if (e.kind === "fault-spike" && t >= e.tS && t < e.tS + scenario.periodS) spike += e.delta;
        }
        // Gas added to air dilutes its oxygen (air is 20.9 % O2): O2 falls by 0.209 x the CH4 added.
        if (ch === "o2") v -= 0.209 * (ch4 - scenario.baseline.ch4);
        const noise = rng.gaussian(0, scenario.noiseSd[ch]); // drawn every sample: faults do not shift the stream
        const res = scenario.resolution[ch];
        let out = Math.max(0, Math.round((v + noise) / res) * res);
        out = Number(out.toFixed(6)); // 0.30000000000000004 -> 0.3 in the CSV
        if (ch === "ch4") ch4 = v;
        if (stuck) out = last[c]!;
        last[c] = out;
        block.values[c]![k] = dropout ? Number.NaN : spike !== 0 ? out + spike : out;
      }
      block.count = k + 1;
      if (block.count === block.tS.length) {
        yield block;
        block.count = 0;
      }
    }
    if (block.count > 0) yield block;
  }
  return { name, channels, startUtcMs: undefined, periodS: scenario.periodS, blocks };
}

/** Onset labels for every gas event of the scenario. */
export function gasEventLabels(scenario: GasScenario): Label[] {
  return scenario.events.map((e) => {
    const l: Label = {
      t: e.tS,
      kind: e.kind === "toxic-release" ? "toxic-release" : e.kind,
      channel: e.channel,
    };
    if ("durationS" in e) l.durationS = e.durationS;
    if ("peak" in e) l.peak = e.peak;
    return l;
  });
}

/**
 * Crossing labels from the recorded values: the first sample at or beyond a set-point, re-armed once the
 * value has come back past the set-point by its hysteresis. That is the node's own rule, so it is the
 * node's own code: an unlatched firmware `Threshold` per set-point (firmware/sensing/gas/setpoints.ts), and
 * a label wherever its condition turns active. Spike samples and dropouts neither cross nor re-arm (a spike
 * is a sensor fault, not air; a NaN leaves a Threshold as it was).
 */
export async function crossingLabels(stream: SampleStream, scenario: GasScenario): Promise<Label[]> {
  const out: Label[] = [];
  const rules = scenario.setPoints.map(
    (sp) => new Threshold(sp.value, sp.hysteresis, sp.direction === "rising", false),
  );
  const index = (ch: GasChannel) => GAS_CHANNELS.indexOf(ch);
  const spikes = new Set(
    scenario.events
      .filter((e) => e.kind === "fault-spike")
      .map((e) => `${e.channel}@${Math.floor(e.tS / scenario.periodS)}`),
  );
  let sample = 0;
  for await (const b of stream.blocks()) {
    for (let i = 0; i < b.count; i++, sample++) {
      scenario.setPoints.forEach((sp: SetPoint, s) => {
        const v = b.values[index(sp.channel)]![i]!;
        if (Number.isNaN(v) || spikes.has(`${sp.channel}@${sample}`)) return;
        const rule = rules[s]!;
        const wasActive = rule.active;
        rule.update(v);
        if (!wasActive && rule.active) {
          out.push({
            t: b.tS[i]!,
            kind: "gas-crossing",
            channel: sp.channel,
            level: sp.level,
            setPoint: sp.value,
            direction: sp.direction,
          });
        }
      });
    }
  }
  return out;
}
