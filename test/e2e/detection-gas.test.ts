/**
 * Done-when of issue 3, gas half: every labelled gas crossing in the test recordings is alarmed within one
 * sample period, by the firmware gas pipeline (firmware/sensing/gas, the code the node runs) replayed over
 * labelled recordings: the committed fixture and seeded synthetic 6-hour recordings for every profile and location,
 * labelled at that profile's own set-points. A failing case prints its seed, profile and location.
 */
import { describe, expect, it } from "vitest";
import { GAS_PROFILES } from "../../firmware/sensing/gas/index.js";
import { checkGasCrossings } from "../../host-sim/recordings/evaluate.js";
import { openRecording } from "../../host-sim/recordings/recording.js";
import { gasSetPoints } from "../../host-sim/recordings/replay/gas-port.js";
import { replay } from "../../host-sim/recordings/replay/index.js";
import { synthesize } from "../../host-sim/recordings/synth/generate.js";
import { randomScenario } from "../../host-sim/recordings/synth/random.js";

const LOCATIONS = ["intake", "face", "return", "local"] as const;

describe("gas crossings are alarmed within one sample period", () => {
  it("in the committed fixture recording (kz-ru-coal, face)", async () => {
    const rec = await openRecording("test/fixtures/recordings/gas-face");
    const r = await replay(rec);
    expect(r.streams[0]).toMatchObject({
      pipeline: "gas",
      profile: "kz-ru-coal",
      location: "face",
      periodS: 1,
    });
    const results = checkGasCrossings(r.findings, rec.labels, 1);
    expect(results.map((x) => `${x.label.channel}/${x.label.level}`)).toEqual([
      "ch4/A1",
      "ch4/A2",
      "o2/A1",
      "co/A1",
      "co/A2",
      "o2/A1",
      "o2/A2",
    ]);
    expect(results.filter((x) => !x.ok)).toEqual([]);
    // The dropout is reported, never silent.
    expect(r.findings).toContainEqual({ t: 702, kind: "fault", channel: "h2s", level: "no-data" });
  });

  for (const profile of GAS_PROFILES.map((p) => p.name)) {
    it.each(LOCATIONS.map((l, i) => [l, 100 + i] as const))(
      `in synthetic 6-hour recordings: ${profile}, %s (seed %i)`,
      async (location, seed) => {
        const setPoints = gasSetPoints(profile, location);
        const scenario = randomScenario(seed, {
          durationS: 21_600,
          seismic: false,
          gasEventsPerHour: 2,
          setPoints,
          location,
        });
        const syn = await synthesize(scenario, seed);
        const r = await replay(
          { path: "synthetic", manifest: undefined, streams: [syn.gas!], labels: syn.labels },
          { profile, location },
        );
        const results = checkGasCrossings(r.findings, syn.labels, 1);
        const why = `seed ${seed}, ${profile}, ${location}`;
        expect(results.length, why).toBeGreaterThanOrEqual(5);
        expect(new Set(results.map((x) => x.label.channel)).size, why).toBeGreaterThanOrEqual(2);
        expect(
          results.filter((x) => !x.ok).map((x) => [x.label, x.latencyS]),
          why,
        ).toEqual([]);
      },
    );
  }
});
