import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { GasChannel } from "../../host-sim/recordings/channels.js";
import { checkGasCrossings } from "../../host-sim/recordings/evaluate.js";
import { openRecording } from "../../host-sim/recordings/recording.js";
import type { GasPort, GasPortOptions } from "../../host-sim/recordings/replay/gas.js";
import { replay } from "../../host-sim/recordings/replay/index.js";
import { synthesize } from "../../host-sim/recordings/synth/generate.js";
import { randomScenario } from "../../host-sim/recordings/synth/random.js";
import type { SetPoint } from "../../host-sim/recordings/synth/scenario.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-replay-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Unit-test stand-in for the gas pipeline (house rule 4: a mock only inside a unit test): an ideal comparator
 * with hysteresis, no filter, and a no-data fault. It shows what the replay does with a pipeline's states.
 */
function idealPort(setPoints: SetPoint[]) {
  return (o: GasPortOptions): GasPort => {
    const on = new Set<string>();
    const noData = new Set<GasChannel>();
    return {
      push(_tMs, values) {
        o.channels.forEach((ch, i) => {
          const v = values[i]!;
          if (Number.isNaN(v)) noData.add(ch);
          else noData.delete(ch);
          if (Number.isNaN(v)) return;
          for (const sp of setPoints.filter((s) => s.channel === ch)) {
            const key = `${ch}/${sp.level}`;
            const beyond = sp.direction === "rising" ? v >= sp.value : v <= sp.value;
            const back =
              sp.direction === "rising" ? v < sp.value - sp.hysteresis : v > sp.value + sp.hysteresis;
            if (beyond) on.add(key);
            else if (back) on.delete(key);
          }
        });
      },
      alarms(ch, into) {
        for (const k of on) if (k.startsWith(`${ch}/`)) into.add(k.slice(ch.length + 1));
      },
      faults(ch, into) {
        if (noData.has(ch)) into.add("no-data");
      },
    };
  };
}

const SP: SetPoint[] = [
  { channel: "ch4", level: "A1", value: 1.0, direction: "rising", hysteresis: 0.1 },
  { channel: "ch4", level: "A2", value: 1.5, direction: "rising", hysteresis: 0.1 },
  { channel: "o2", level: "A1", value: 19.5, direction: "falling", hysteresis: 0.2 },
];

describe("replaying gas through a pipeline's states", () => {
  it("reports alarm and fault changes at the sample that causes them, with the value", async () => {
    const file = path.join(tmp, "g.csv");
    fs.writeFileSync(
      file,
      "t_s,ch4_pct_vol,o2_pct_vol\n0,0.5,20.9\n1,1.0,20.9\n2,1.6,19.4\n3,0.95,\n4,0.85,20.9\n",
    );
    const r = await replay(await openRecording(file), { gasPort: idealPort(SP) });
    expect(r.streams).toEqual([
      { name: file, pipeline: "gas", channel: "ch4+o2", samples: 5, durationS: 5, periodS: 1 },
    ]);
    expect(r.findings).toEqual([
      { t: 1, kind: "alarm", channel: "ch4", level: "A1", value: 1 },
      { t: 2, kind: "alarm", channel: "ch4", level: "A2", value: 1.6 },
      { t: 2, kind: "alarm", channel: "o2", level: "A1", value: 19.4 },
      { t: 3, kind: "alarm-clear", channel: "ch4", level: "A2", value: 0.95 },
      { t: 3, kind: "fault", channel: "o2", level: "no-data" },
      { t: 4, kind: "alarm-clear", channel: "ch4", level: "A1", value: 0.85 },
      { t: 4, kind: "alarm-clear", channel: "o2", level: "A1", value: 20.9 },
      { t: 4, kind: "fault-clear", channel: "o2", level: "no-data", value: 20.9 },
    ]);
  });

  it("an ideal comparator alarms every labelled crossing of a synthetic day in time (the criterion is reachable)", async () => {
    const scenario = randomScenario(5, {
      durationS: 86400,
      seismic: false,
      gasEventsPerHour: 1,
      setPoints: SP,
    });
    const syn = await synthesize(scenario, 5);
    const r = await replay(
      { path: "s", manifest: undefined, streams: [syn.gas!], labels: syn.labels },
      { gasPort: idealPort(SP) },
    );
    const results = checkGasCrossings(r.findings, syn.labels, 1);
    expect(results.length).toBeGreaterThan(5);
    expect(results.filter((x) => !x.ok)).toEqual([]);
    // A pipeline one sample late still passes; two samples late fails: the check has teeth.
    const late = (n: number) => r.findings.map((f) => (f.kind === "alarm" ? { ...f, t: f.t + n } : f));
    expect(checkGasCrossings(late(1), syn.labels, 1).every((x) => x.ok)).toBe(true);
    expect(checkGasCrossings(late(2), syn.labels, 1).some((x) => !x.ok)).toBe(true);
  });
});

describe("gaps and sample rates of gas CSVs (issue 14 item 8)", () => {
  const rows = (times: number[], cell: (t: number) => string) =>
    `t_s,ch4_pct_vol\n${times.map((t) => `${t},${cell(t)}`).join("\n")}\n`;
  const times = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it("rows missing from a gas CSV are a gap: the real pipeline raises no-data as it does for empty cells", async () => {
    const all = [...times(0, 200)];
    const empty = path.join(tmp, "empty-cells.csv");
    fs.writeFileSync(
      empty,
      rows(all, (t) => (t >= 10 && t < 150 ? "" : "0.2")),
    );
    const jump = path.join(tmp, "missing-rows.csv");
    fs.writeFileSync(
      jump,
      rows([...times(0, 9), ...times(150, 200)], () => "0.2"),
    );
    const a = await replay(await openRecording(empty), { location: "face" });
    const b = await replay(await openRecording(jump), { location: "face" });
    const noData = a.findings.filter((f) => f.level === "no-data");
    expect(noData.map((f) => [f.t, f.kind])).toEqual([
      [noData[0]!.t, "fault"],
      [150, "fault-clear"],
    ]);
    expect(noData[0]!.t).toBeGreaterThanOrEqual(10);
    expect(noData[0]!.t).toBeLessThan(150);
    expect(b.findings.filter((f) => f.kind !== "gap")).toEqual(a.findings);
    expect(b.findings.filter((f) => f.kind === "gap")).toEqual([
      { t: 10, kind: "gap", channel: "ch4", durationS: 140 },
    ]);
    expect(b.streams[0]).toMatchObject({ samples: 61, periodS: 1 });
  });

  it("a gap of 10^9 s costs a few pushes once no-data has fired", async () => {
    const file = path.join(tmp, "year-gap.csv");
    fs.writeFileSync(
      file,
      rows([0, 1, 2, 3, 1e9, 1e9 + 1], () => "0.2"),
    );
    let pushes = 0;
    const counting = (o: GasPortOptions): GasPort => {
      const inner = idealPort(SP)(o);
      return {
        ...inner,
        push(t, v) {
          pushes++;
          inner.push(t, v);
        },
      };
    };
    const r = await replay(await openRecording(file), { gasPort: counting });
    expect(pushes).toBe(6 + 2); // 6 rows, one empty slot (no-data at once), the gap's last slot
    expect(r.findings.map((f) => [f.t, f.kind, f.level ?? f.durationS])).toEqual([
      [4, "gap", 1e9 - 4],
      [4, "fault", "no-data"],
      [1e9, "fault-clear", "no-data"],
    ]);
  });

  it.each([
    ["1e-9", "sample rate 1000000000 Hz (t_s step 1e-9 s) is outside what the gas pipeline takes"],
    ["1e12", "sample rate 1e-12 Hz (t_s step 1000000000000 s) is outside what the gas pipeline takes"],
    ["0.001", "sample rate 1000 Hz (t_s step 0.001 s) is outside what the gas pipeline takes"],
  ])("refuses a gas CSV whose t_s step is %s s, in one line", async (step, message) => {
    const file = path.join(tmp, `rate-${step}.csv`);
    fs.writeFileSync(file, `t_s,ch4_pct_vol\n0,0.2\n${step},0.2\n`);
    await expect(replay(await openRecording(file))).rejects.toThrow(`${file}: ${message}`);
  });

  it("refuses an acceleration CSV sampled faster than the seismic detector takes", async () => {
    const file = path.join(tmp, "rate-accel.csv");
    fs.writeFileSync(file, "t_s,az_m_per_s2\n0,0\n1e-9,0\n");
    await expect(replay(await openRecording(file))).rejects.toThrow(
      `${file}: sample rate 1000000000 Hz (t_s step 1e-9 s) is outside what the seismic pipeline takes: 0.01 to 10000 Hz`,
    );
  });
});

describe("absurd accelerations (issue 14 item 9)", () => {
  // 1e160 m/s^2 overflowed the detector: detect printed PPV and PGA Infinity and STA/LTA NaN.
  it.each([
    ["ax_m_per_s2", "1e160", "ax is 1e+160 m/s^2, beyond +-10000 m/s^2 (about 1000 g"],
    ["az_m_per_s2", "-2e4", "az is -20000 m/s^2, beyond +-10000 m/s^2"],
    [
      "raw_counts",
      "1e300",
      "raw is 1e+300 counts, beyond +-2147483648 counts (a 32-bit digitizer's full scale)",
    ],
  ])("refuses %s = %s in one line naming the stream and the time", async (column, value, message) => {
    const file = path.join(tmp, `absurd-${column}.csv`);
    let text = `t_s,${column}\n`;
    for (let i = 0; i < 1000; i++) text += `${i / 100},${i === 500 ? value : Math.sin(i) * 0.001}\n`;
    fs.writeFileSync(file, text);
    await expect(replay(await openRecording(file))).rejects.toThrow(`${file} at t = 5 s: ${message}`);
  });

  it("replays accelerations up to the limit to finite figures", async () => {
    const file = path.join(tmp, "strong.csv");
    let text = "t_s,ax_m_per_s2\n";
    for (let i = 0; i < 2000; i++)
      text += `${i / 100},${i >= 1000 && i < 1020 ? 9999 * Math.sin(i) : Math.sin(i) * 0.001}\n`;
    fs.writeFileSync(file, text);
    const r = await replay(await openRecording(file));
    const events = r.findings.filter((f) => f.kind === "event");
    expect(events.length).toBeGreaterThan(0);
    for (const f of events) {
      for (const v of [f.pgaMPerS2, f.ppvMmPerS, f.dominantHz, f.staLtaPeak, f.durationS])
        expect(Number.isFinite(v)).toBe(true);
    }
  });
});

describe("routing channels to pipelines", () => {
  it.each([
    ["t_s,co_pct_vol\n0,1\n1,1\n", "co must be recorded in ppm, not pct_vol"],
    ["t_s,nh3_ppm\n0,1\n1,1\n", "gas channel nh3_ppm is not one the gas pipeline knows (ch4, co, o2, h2s)"],
    ["t_s,bx_m_per_s2\n0,1\n1,1\n", "acceleration channel bx is not an axis (ax, ay, az)"],
    ["t_s,az_m_per_s2,raw_counts\n0,1,1\n1,1,1\n", "a counts channel must be alone in its stream"],
    ["t_s,az_m_per_s2\n0,1\n", "fewer than two samples: no sample rate"],
  ])("rejects %j", async (text, message) => {
    const file = path.join(tmp, `r${message.length}.csv`);
    fs.writeFileSync(file, text);
    await expect(replay(await openRecording(file))).rejects.toThrow(`${file}: ${message}`);
  });

  it("feeds a one-axis CSV to the detector, leaving out samples with an empty cell", async () => {
    const file = path.join(tmp, "z.csv");
    let text = "t_s,az_m_per_s2\n";
    for (let i = 0; i < 2000; i++) text += `${i / 100},${i === 500 ? "" : Math.sin(i) * 0.001}\n`;
    fs.writeFileSync(file, text);
    const r = await replay(await openRecording(file));
    expect(r.streams).toMatchObject([
      { pipeline: "seismic", channel: "accel", samples: 1999, periodS: 0.01 },
    ]);
    // Left out, not silently: the empty cell is a gap of one sample.
    const gaps = r.findings.filter((f) => f.kind === "gap");
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ t: 5, channel: "accel" });
    expect(gaps[0]!.durationS).toBeCloseTo(0.01, 9);
  });

  it("reports a record missing from the real MiniSEED trace as one gap of its length", async () => {
    const real = fs.readFileSync(
      path.resolve(import.meta.dirname, "../../../shared/data/iu-cola-lhz-2010-02-27.mseed"),
    );
    const file = path.join(tmp, "gap.mseed");
    fs.writeFileSync(file, Buffer.concat([real.subarray(0, 5 * 512), real.subarray(6 * 512)]));
    const missing = new DataView(real.buffer, real.byteOffset + 5 * 512).getUint16(30);
    const r = await replay(await openRecording(file));
    const gaps = r.findings.filter((f) => f.kind === "gap");
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.durationS).toBeCloseTo(missing, 3);
  });

  it("reports rows missing from an acceleration CSV as a gap, as a MiniSEED gap is", async () => {
    const file = path.join(tmp, "accel-gap.csv");
    let text = "t_s,ax_m_per_s2,ay_m_per_s2,az_m_per_s2\n";
    for (let i = 0; i < 3000; i++)
      if (i < 1000 || i >= 1500) text += `${i / 100},0.001,0,${Math.sin(i) * 0.001}\n`;
    fs.writeFileSync(file, text);
    const r = await replay(await openRecording(file));
    const gaps = r.findings.filter((f) => f.kind === "gap");
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.t).toBeCloseTo(10, 9);
    expect(gaps[0]!.durationS).toBeCloseTo(5, 9);
  });
});
