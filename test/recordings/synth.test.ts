import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRecording } from "../../host-sim/recordings/recording.js";
import { synthesize, writeSynthetic } from "../../host-sim/recordings/synth/generate.js";
import { randomScenario } from "../../host-sim/recordings/synth/random.js";
import { DEFAULT_GAS, type Scenario } from "../../host-sim/recordings/synth/scenario.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-synth-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const scenario = (): Scenario =>
  randomScenario(7, {
    durationS: 600,
    rateHz: 200,
    microseismicPerHour: 60,
    gasEventsPerHour: 12,
    setPoints: [{ channel: "ch4", level: "A1", value: 1.0, direction: "rising", hysteresis: 0.1 }],
  });

function filesOf(dir: string): Record<string, Buffer> {
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

describe("synthetic recordings", () => {
  it("same scenario and seed give byte-identical files; another seed does not", async () => {
    await writeSynthetic(path.join(tmp, "a"), scenario(), 42);
    await writeSynthetic(path.join(tmp, "b"), scenario(), 42);
    await writeSynthetic(path.join(tmp, "c"), scenario(), 43);
    const a = filesOf(path.join(tmp, "a"));
    const b = filesOf(path.join(tmp, "b"));
    const c = filesOf(path.join(tmp, "c"));
    expect(Object.keys(a).sort()).toEqual(["accel.csv", "gas.csv", "labels.jsonl", "recording.json"]);
    for (const f of Object.keys(a)) expect(a[f]!.equals(b[f]!), f).toBe(true);
    expect(a["accel.csv"]!.equals(c["accel.csv"]!)).toBe(false);
    expect(a["gas.csv"]!.equals(c["gas.csv"]!)).toBe(false);
  });

  it("writes a recording that reads back with its labels", async () => {
    const rec = await openRecording(path.join(tmp, "a"));
    expect(rec.manifest?.location).toBe("face");
    expect(rec.streams.map((s) => s.channels.map((c) => `${c.name}_${c.unit}`).join(","))).toEqual([
      "ch4_pct_vol,co_ppm,o2_pct_vol,h2s_ppm",
      "ax_m_per_s2,ay_m_per_s2,az_m_per_s2",
    ]);
    let rows = 0;
    for await (const b of rec.streams[1]!.blocks()) rows += b.count;
    expect(rows).toBe(600 * 200);
    const micro = rec.labels.filter((l) => l.kind === "microseismic");
    expect(micro.length).toBe(10);
    expect(rec.labels.some((l) => l.kind === "blast" && l.t === 240)).toBe(true);
  });

  it("labels each event's peak acceleration as it appears in the recorded samples", async () => {
    const s = scenario();
    const syn = await synthesize(s, 42);
    const events = syn.labels.filter((l) => l.kind === "microseismic" || l.kind === "blast");
    const peaks = events.map(() => 0);
    for await (const b of syn.accel!.blocks()) {
      for (let i = 0; i < b.count; i++) {
        events.forEach((l, e) => {
          if (b.tS[i]! >= l.t && b.tS[i]! < l.t + l.durationS!) {
            for (const axis of b.values) peaks[e] = Math.max(peaks[e]!, Math.abs(axis[i]!));
          }
        });
      }
    }
    // Recorded = event + noise (3.5e-3 rms) + machinery (<= 0.03 rms): within 0.2 m/s^2 of the label.
    for (const [e, l] of events.entries())
      expect(Math.abs(peaks[e]! - l.pgaMPerS2!), `event at ${l.t}`).toBeLessThan(0.2);
    expect(events.every((l) => l.ppvMmPerS! > 0)).toBe(true);
  });

  it("labels a set-point crossing at the first recorded sample at or beyond it, once per excursion", async () => {
    const s: Scenario = {
      name: "inrush",
      durationS: 1200,
      startUtc: "2026-01-05T06:00:00.000Z",
      location: "face",
      gas: {
        ...DEFAULT_GAS,
        events: [
          { kind: "gas-inrush", tS: 100, channel: "ch4", peak: 2, riseTauS: 20, holdS: 300, decayTauS: 60 },
          { kind: "fault-spike", tS: 900, channel: "ch4", delta: 2 },
          { kind: "fault-dropout", tS: 1000, channel: "co", durationS: 10 },
        ],
        setPoints: [
          { channel: "ch4", level: "A1", value: 1.0, direction: "rising", hysteresis: 0.1 },
          { channel: "ch4", level: "A2", value: 1.5, direction: "rising", hysteresis: 0.1 },
        ],
      },
    };
    const syn = await synthesize(s, 1);
    const crossings = syn.labels.filter((l) => l.kind === "gas-crossing");
    expect(crossings.map((l) => l.level)).toEqual(["A1", "A2"]);
    const ch4: number[] = [];
    const co: number[] = [];
    for await (const b of syn.gas!.blocks()) {
      for (let i = 0; i < b.count; i++) {
        ch4.push(b.values[0]![i]!);
        co.push(b.values[1]![i]!);
      }
    }
    expect(crossings[0]!.t).toBe(ch4.findIndex((v) => v >= 1.0));
    expect(crossings[1]!.t).toBe(ch4.findIndex((v) => v >= 1.5));
    expect(ch4[900]! - ch4[899]!).toBeGreaterThan(1.5); // the spike is in the data but is not a crossing
    expect(co.slice(1000, 1010).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(co[1010]!)).toBe(false);
  });
});
