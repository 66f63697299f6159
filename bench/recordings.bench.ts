/**
 * Detection quality and replay speed (issue 3, done-when): gas crossings alarmed within one sample period
 * on a synthetic node-day per profile and location; seismic recall and false triggers per node-day,
 * measured on a synthetic node-day (seeded, labelled) and on the real IU.COLA trace; the replay's host speed
 * against the cost of producing the samples alone (baseline, same run).
 *
 *   npm run bench recordings            (MINEWATCH_BENCH_HOURS=2 for a quicker, shorter run)
 */
import { GAS_PROFILES } from "../firmware/sensing/gas/index.js";
import { openRecording } from "../host-sim/recordings/recording.js";
import { gasSetPoints } from "../host-sim/recordings/replay/gas-port.js";
import { replay } from "../host-sim/recordings/replay/index.js";
import { synthesize } from "../host-sim/recordings/synth/generate.js";
import { randomScenario } from "../host-sim/recordings/synth/random.js";
import { checkGasCrossings, type SeismicQuality, seismicQuality } from "../site/evaluation.js";

const SEED = 2026;
const RATE_HZ = 500;

function row(name: string, q: SeismicQuality): string {
  const kinds = Object.entries(q.byKind)
    .map(([k, v]) => `${k} ${v.matched}+${v.merged} merged/${v.labelled}`)
    .join(", ");
  return `| ${name} | ${(q.durationS / 3600).toFixed(2)} h | ${(100 * q.recall).toFixed(1)} % (${kinds}) | ${q.falseTriggers} | ${q.falsePerNodeDay.toFixed(1)} | ${q.split} | ${q.ppvRatioMedian?.toFixed(3) ?? "n/a"} | ${q.pgaRatioMedian?.toFixed(3) ?? "n/a"} | ${q.freqRatioMedian?.toFixed(3) ?? "n/a"} |`;
}

export async function run(): Promise<void> {
  const hours = Number(process.env.MINEWATCH_BENCH_HOURS ?? 24);
  const scenario = randomScenario(SEED, { durationS: hours * 3600, rateHz: RATE_HZ, gas: false });
  const syn = await synthesize(scenario, SEED);

  const r = await replay({
    path: "synthetic",
    manifest: undefined,
    streams: [syn.accel!],
    labels: syn.labels,
  });

  // Speed, on a 1 h slice, best of 3 (wall clock depends on what else the machine runs): baseline is
  // generating the samples alone, which every replay of a synthetic recording pays before any detection.
  const slice = await synthesize(
    randomScenario(SEED, { durationS: 3600, rateHz: RATE_HZ, gas: false }),
    SEED,
  );
  let genMs = Number.POSITIVE_INFINITY;
  let replayMs = Number.POSITIVE_INFINITY;
  let n = 0;
  let t0 = 0;
  for (let k = 0; k < 3; k++) {
    t0 = performance.now();
    n = 0;
    for await (const b of slice.accel!.blocks()) n += b.count;
    genMs = Math.min(genMs, performance.now() - t0);
    t0 = performance.now();
    await replay({ path: "slice", manifest: undefined, streams: [slice.accel!], labels: [] });
    replayMs = Math.min(replayMs, performance.now() - t0);
  }
  const s = r.streams[0]!;
  const synthQ = seismicQuality(r.findings, syn.labels, s.durationS, s.periodS);

  const real = await openRecording("test/fixtures/recordings/iu-cola");
  const rr = await replay(real);
  const realQ = seismicQuality(rr.findings, real.labels, rr.streams[0]!.durationS, rr.streams[0]!.periodS);

  console.log(
    `Seismic detection quality (detect defaults: recursive STA/LTA 0.05 s / 5 s, on 4, off 1.5; slow channels 5 / 100 samples)`,
  );
  console.log("");
  console.log(
    "| recording | length | recall | false triggers | per node-day | split | PPV det/label | PGA det/label | f dominant/corner |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  console.log(row(`synthetic seed ${SEED}, ${RATE_HZ} Hz x 3 axes`, synthQ));
  console.log(row("real IU.COLA.00.LHZ 1 sps (teleseism)", realQ));
  console.log("");
  console.log(
    `missed synthetic events (t s, PGA m/s^2): ${synthQ.missed.map((l) => `${l.t.toFixed(1)}:${l.pgaMPerS2}`).join(" ") || "none"}`,
  );
  console.log(
    `false triggers during labelled machinery: ${synthQ.falseDuringMachinery} of ${synthQ.falseTriggers}`,
  );
  console.log("");
  console.log("| replay (host, Node) | samples | ms | M samples/s | ratio to baseline |");
  console.log("| --- | --- | --- | --- | --- |");
  console.log(
    `| generate only (baseline) | ${n} | ${genMs.toFixed(0)} | ${(n / genMs / 1000).toFixed(2)} | 1.00 |`,
  );
  console.log(
    `| generate + seismic detector | ${n} | ${replayMs.toFixed(0)} | ${(n / replayMs / 1000).toFixed(2)} | ${(replayMs / genMs).toFixed(2)} |`,
  );
  console.log(`| real time factor of the replay | | | | ${(3_600_000 / replayMs).toFixed(0)}x |`);

  console.log("");
  console.log(
    `Gas: labelled set-point crossings alarmed within one sample period (1 s), synthetic ${hours} h each`,
  );
  console.log("");
  console.log("| profile | location | crossings | alarmed in time | worst latency s | replay ms |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const profile of GAS_PROFILES.map((p) => p.name)) {
    for (const [i, location] of (["intake", "face", "return", "local"] as const).entries()) {
      const seed = SEED + i;
      const g = randomScenario(seed, {
        durationS: hours * 3600,
        seismic: false,
        gasEventsPerHour: 1,
        location,
        setPoints: gasSetPoints(profile, location),
      });
      const gs = await synthesize(g, seed);
      t0 = performance.now();
      const gr = await replay(
        { path: "synthetic", manifest: undefined, streams: [gs.gas!], labels: gs.labels },
        { profile, location },
      );
      const ms = performance.now() - t0;
      const c = checkGasCrossings(gr.findings, gs.labels, 1);
      const worst = Math.max(0, ...c.map((x) => x.latencyS ?? Number.POSITIVE_INFINITY));
      console.log(
        `| ${profile} | ${location} | ${c.length} | ${c.filter((x) => x.ok).length} | ${worst} | ${ms.toFixed(0)} |`,
      );
    }
  }
}
