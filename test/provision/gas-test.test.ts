/**
 * Guided bump test and calibration end to end against simulated nodes: the tool applies gas when the tech
 * would (SimHands), the node's real pipelines and alarm logic answer, the outcome is judged against
 * tolerances.ts and recorded. Failures are recorded too.
 */
import { describe, expect, it } from "vitest";
import { decodeProvisioning } from "../../protocol/provisioning-record.js";
import { bumpTest } from "../../tools/provision/gas-test.js";
import { CRITERIA } from "../../tools/provision/tolerances.js";
import { rig } from "./rig.js";

describe("bump test", () => {
  it("each gas passes on a healthy node: within tolerance in time, alarm fired, recorded", async () => {
    const t = rig();
    await t.provision("b1");
    const cases = [
      ["CH4", 2.5],
      ["CO", 200],
      ["O2", 18],
      ["H2S", 40],
    ] as const;
    for (const [gas, applied] of cases) {
      const out = await t.bump("b1", gas, applied);
      expect(out.pass, out.lines.join("\n")).toBe(true);
      expect(out.entry).toMatchObject({
        kind: "bump-test",
        gas,
        applied,
        result: "pass",
        unit: CRITERIA[gas].unit,
      });
      expect(out.entry.responseS).toBeGreaterThan(0);
      expect(out.entry.responseS! * 1000).toBeLessThanOrEqual(CRITERIA[gas].responseTimeMs);
      expect(out.entry.alarm).toMatch(/^(A1|A2)$/);
    }
    expect(t.asked).toContain("apply 2.5 %vol CH4 to the sensor now and keep it flowing");
    expect(t.asked).toContain("remove the gas from the CH4 sensor");
    // Bump-test mode is off again and the session locked when the test ends.
    const id = await t.onPort("b1", (p) => p.run(p.client.identify()));
    expect(id).toMatchObject({ bumpTest: false, authenticated: false });
  });

  it("a cell that lost sensitivity fails (reading short of tolerance) and is recorded as failed", async () => {
    const t = rig();
    await t.provision("b2");
    t.setState("b2", (s) => {
      s.drift.CO = { gain: 0.5, offset: 0 }; // reads half the truth: 100 ppm for 200 applied
    });
    const out = await t.bump("b2", "CO", 200);
    expect(out.pass).toBe(false);
    expect(out.entry).toMatchObject({ result: "fail", responseS: null, reading: 100, alarm: "A2" });
    expect(out.lines[0]).toMatch(/FAIL: reading never came within \+-40 ppm of 200 in 60 s \(peak 100\)/);
    expect(out.lines.join("\n")).toMatch(/calibrated; one that fails calibration is taken out of service/);
  });

  it("a dead cell fails on both counts: no reading, no alarm", async () => {
    const t = rig();
    await t.provision("b3");
    t.setState("b3", (s) => {
      s.drift.H2S = { gain: 0, offset: 0 }; // gas never reaches the sensor (blocked inlet)
    });
    const out = await t.bump("b3", "H2S", 40);
    expect(out.entry.result).toBe("fail");
    expect(out.entry.note).toMatch(/never came within .*; no alarm fired \(state none\)/);
  });

  it("refuses a bump gas too weak to set off the first alarm, and an unprovisioned node", async () => {
    const t = rig();
    await t.provision("b4");
    await expect(t.bump("b4", "CH4", 0.5)).rejects.toThrow(
      /--applied 0\.5 %vol CH4 cannot set off the first alarm at 0\.7 %vol \(face\): use a bump gas at or above it \(typical: 2\.5 %vol\)/,
    );
    await expect(t.bump("b4", "O2", 20.8)).rejects.toThrow(
      /cannot set off the first alarm at 20\.5 %vol .*at or below it/,
    );
    await t.onPort("fresh", async () => {}, { create: true });
    await expect(t.bump("fresh", "CH4", 2.5)).rejects.toThrow(
      /node [0-9a-f]{16} is not provisioned yet: run provision first/,
    );
    expect(t.records().filter((r) => r.kind === "bump-test")).toEqual([]);
  });
});

describe("methane bump test with --reset-interlock", () => {
  it("proves the interlock tripped and re-energises it once the gas has cleared", async () => {
    const t = rig();
    await t.provision("i1");
    const out = await t.bump("i1", "CH4", 2.5, undefined, true);
    expect(out.pass).toBe(true);
    expect(out.entry.note).toMatch(/alarm A2; interlock tripped and was reset \(relay energised\)$/);
    // Nothing latched any more: a second reset has nothing to do.
    const again = await t.onPort("i1", async (p) => {
      await p.run(p.client.auth(t.common.secret));
      return p.run(p.client.request("INTERLOCK.RESET"));
    });
    expect(again.code).toBe("nothing-latched");
  });

  it("a bump gas under the trip level cannot test the interlock, and says so", async () => {
    const t = rig();
    await t.provision("i2");
    const out = await t.bump("i2", "CH4", 0.9, undefined, true);
    expect(out.pass).toBe(true);
    expect(out.entry.note).toMatch(/bump gas below the trip level 1 %vol: interlock not tested/);
  });
});

describe("calibrate", () => {
  it("zero then span correct a drifted cell; the node keeps the calibration across runs", async () => {
    const t = rig();
    await t.provision("c1");
    t.setState("c1", (s) => {
      s.drift.CO = { gain: 0.8, offset: 3 };
    });
    const zero = await t.calibrate("c1", "CO", "zero");
    expect(zero.entry).toMatchObject({
      kind: "calibration",
      mode: "zero",
      result: "pass",
      before: 3,
      reading: 0,
    });
    const span = await t.calibrate("c1", "CO", "span", 100);
    expect(span.entry).toMatchObject({ mode: "span", result: "pass", before: 80, applied: 100 });
    expect(span.entry.reading).toBeCloseTo(100, 0);
    expect(t.asked).toContain("apply zero gas to the CO sensor (zero air) and keep it flowing");
    expect(t.asked).toContain("apply 100 ppm CO span gas to the sensor and keep it flowing");
    // A new run (a reboot of the simulated node) reads true values now.
    const reading = await t.onPort("c1", async (p) => {
      p.sim?.applyGas("CO", 50);
      await p.sleep(10_000);
      return p.run(p.client.reading("CO"));
    });
    expect(reading.value).toBeCloseTo(50, 0);
    expect(decodeProvisioning(await t.heldConfig("c1")).calGain[1]).not.toBeNaN();
  });

  it("a span the node refuses (sensitivity lost beyond the plausible gain) is recorded as a failure", async () => {
    const t = rig();
    await t.provision("c2");
    t.setState("c2", (s) => {
      s.drift.CO = { gain: 0.3, offset: 0 };
    });
    const before = await t.heldConfig("c2");
    const out = await t.calibrate("c2", "CO", "span", 100);
    expect(out.pass).toBe(false);
    expect(out.entry.result).toBe("fail");
    expect(out.entry.note).toMatch(/node refused the calibration: .*gain .* is outside 0\.5\.\.2/);
    expect(await t.heldConfig("c2")).toEqual(before); // nothing stored
  });

  it("CAL.SPAN sent as soon as READ is stable gives the right gain (within 1 %): the node calibrates on its unsmoothed readings", async () => {
    const t = rig();
    await t.provision("c4");
    t.setState("c4", (s) => {
      s.drift.CO = { gain: 0.8, offset: 0 };
    });
    // What a hasty tool (or a tech at a terminal) does: span gas on, five equal READs, CAL.SPAN at once.
    // Before the fix the node took its EMA-filtered value, still on its way up: 108.9 ppm shown afterwards.
    const { reads, reply, after } = await t.onPort("c4", async (p) => {
      await p.run(p.client.auth(t.common.secret));
      p.sim?.applyGas("CO", 100);
      const reads: number[] = [];
      for (let i = 0; i < 5; i++) {
        await p.sleep(1000);
        reads.push((await p.run(p.client.reading("CO"))).value);
      }
      const reply = await p.run(p.client.calibrateSpan("CO", 100));
      await p.sleep(10_000);
      return { reads, reply, after: (await p.run(p.client.reading("CO"))).value };
    });
    expect(Math.max(...reads) - Math.min(...reads)).toBeLessThan(1); // READ was stable (80 ppm: drifted)
    expect(Math.abs(reply.value - 100)).toBeLessThan(1);
    expect(Math.abs(after - 100)).toBeLessThan(1); // gain 1.25 within 1 %
    const gain = decodeProvisioning(await t.heldConfig("c4")).calGain[1]!;
    expect(Math.abs(gain / 1.25 - 1)).toBeLessThan(0.01);
  });

  it("CAL.SPAN while the readings still change is refused `unstable`, and nothing is stored", async () => {
    const t = rig();
    await t.provision("c5");
    const before = await t.heldConfig("c5");
    const err = await t.onPort("c5", async (p) => {
      await p.run(p.client.auth(t.common.secret));
      p.sim?.applyGas("CO", 100);
      await p.sleep(2000); // two readings at 100 ppm, three before at 0: not a stable window
      return p.run(p.client.calibrateSpan("CO", 100)).then(
        () => undefined,
        (e: Error) => e.message,
      );
    });
    expect(err).toMatch(/unstable.*CO readings spread 100 ppm \(0\.\.100\)/);
    expect(await t.heldConfig("c5")).toEqual(before);
  });

  it("refuses a span outside the sensor's range before touching the node", async () => {
    const t = rig();
    await t.provision("c3");
    await expect(t.calibrate("c3", "CO", "span", 900)).rejects.toThrow(
      /--span 900 ppm is outside the CO sensor's 0\.\.500 ppm/,
    );
  });
});

describe("a slow tech", () => {
  it("a prompt left waiting past the node's 120 s session timeout: the flow re-authenticates and carries on", async () => {
    const t = rig();
    await t.provision("s1");
    const out = await t.onPort("s1", async (p) => {
      // The tech walks off for 3 minutes at each prompt (virtual time).
      const guide = { say: () => {}, ask: () => p.sleep(180_000) };
      return bumpTest(p, { ...t.common, gas: "CO", applied: 200, guide });
    });
    expect(out.pass).toBe(true);
  });
});
