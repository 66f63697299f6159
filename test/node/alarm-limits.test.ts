/**
 * One table of bad alarm parameters (issue 14 item 1), run through every way a set-point changes: the one
 * check itself (firmware/node/alarm-limits.ts), the console's provisioning commit, a signed config downlink,
 * and the field-tech tool's node.yaml check. Before it, the downlink path applied all of these (it only
 * checked 0..10000 and A1 <= A2): a signed downlink could switch gas alarms off.
 * (Scenario files set no set-points: a simulated node runs its profile's, so there is no fifth path.)
 */
import { describe, expect, it } from "vitest";
import { AlarmLimit, alarmLimitProblems } from "../../firmware/node/alarm-limits.js";
import { VirtualClock } from "../../host-sim/clock.js";
import { sealDownlink } from "../../host-sim/node/downlink.js";
import { IdealLink } from "../../host-sim/node/ideal-link.js";
import { createSimNode } from "../../host-sim/node/sim-node.js";
import { defaultConfig, Param } from "../../protocol/config-record.js";
import { decodeFrame } from "../../protocol/decode.js";
import type { BirthFrame, ConfigRefusedFrame } from "../../protocol/frames.js";
import { emptyRecord } from "../../protocol/provisioning-record.js";
import { ConfigRefusal, FrameType } from "../../protocol/schema.js";
import { checkNodeRecord } from "../../tools/provision/node-config.js";
import { recordFor, simNode } from "./console-host-rig.js";

/** [what, config parameter, raw value (the parameter's scale), the check's code] at kz-ru-coal face. */
const BAD: readonly (readonly [string, number, number, number])[] = [
  [
    "CH4 A2 at 100 %vol (switches the danger alarm off)",
    Param.ch4A2CentiPctVol,
    10_000,
    AlarmLimit.LooserThanProfile,
  ],
  ["CH4 A1 at 100 %vol", Param.ch4A1CentiPctVol, 10_000, AlarmLimit.LooserThanProfile],
  ["O2 low A1 at 0 %vol", Param.o2LowA1DeciPctVol, 0, AlarmLimit.SensorRange],
  ["CO A1 at 10000 ppm (the cell reads to 500)", Param.coA1Ppm, 10_000, AlarmLimit.SensorRange],
  [
    "O2 enrichment at 20 %vol (below normal air: always on)",
    Param.o2HighDeciPctVol,
    200,
    AlarmLimit.O2NormalAir,
  ],
  ["O2 deficiency A1 at 21 %vol (above normal air)", Param.o2LowA1DeciPctVol, 210, AlarmLimit.O2NormalAir],
  [
    "CH4 A1 0.9 above A2 0.8 (stricter than the profile, wrong order)",
    Param.ch4A2CentiPctVol,
    80,
    AlarmLimit.A1AfterA2,
  ],
];
/** The second parameter a case needs (CH4 A1 above A2 sets A1 too). */
const ALSO: Partial<Record<string, readonly [number, number]>> = {
  "CH4 A1 0.9 above A2 0.8 (stricter than the profile, wrong order)": [Param.ch4A1CentiPctVol, 90],
};

function paramsWith(base: Float64Array, what: string, param: number, raw: number): Float64Array {
  const p = base.slice();
  p[param] = raw;
  const also = ALSO[what];
  if (also) p[also[0]] = also[1];
  return p;
}

describe("the one alarm-parameter check", () => {
  const unset = new Float64Array(Param.ppvAlarmUmPerS + 1).fill(Number.NaN);

  it("accepts the profile's own values and stricter ones", () => {
    expect(alarmLimitProblems("kz-ru-coal", "face", unset)).toEqual([]);
    const stricter = unset.slice();
    stricter[Param.ch4A1CentiPctVol] = 50;
    stricter[Param.ch4A2CentiPctVol] = 70;
    stricter[Param.o2LowA1DeciPctVol] = 206;
    expect(alarmLimitProblems("kz-ru-coal", "face", stricter)).toEqual([]);
  });

  it.each(BAD)("refuses %s", (what, param, raw, code) => {
    const problems = alarmLimitProblems("kz-ru-coal", "face", paramsWith(unset, what, param, raw));
    expect(problems.map((p) => p.code)).toContain(code);
    expect(problems[0]!.message).toMatch(/^setpoints\.\w+/);
  });

  it("lets an override reason accept a looser set-point, and nothing else", () => {
    for (const [what, param, raw, code] of BAD) {
      const problems = alarmLimitProblems("kz-ru-coal", "face", paramsWith(unset, what, param, raw), true);
      const codes = problems.map((p) => p.code);
      expect(codes, what).not.toContain(AlarmLimit.LooserThanProfile);
      if (code !== AlarmLimit.LooserThanProfile) expect(codes, what).toContain(code);
    }
  });
});

describe("every path refuses the same table", () => {
  it.each(BAD)("console commit: %s", (what, param, raw) => {
    const { node } = simNode();
    const bytes = recordFor(node, (r) => {
      r.config.params.set(paramsWith(r.config.params, what, param, raw));
    });
    const before = node.runtime.config.params[param];
    expect(node.consoleHost!.commitConfig(bytes)).toMatchObject({
      // the set-point, or for A1 above A2 the record's own order rule (protocol/config-record.ts)
      field: expect.stringMatching(/^(setpoints\.|config$)/),
    });
    expect(node.runtime.config.params[param]).toBe(before);
  });

  it.each(BAD)("signed config downlink: %s", (what, param, raw, code) => {
    const clock = new VirtualClock();
    let link!: IdealLink;
    const node = createSimNode({
      clock,
      seed: 7,
      variant: "gas",
      sensorsWarm: true,
      transports: () => {
        link = new IdealLink(clock);
        return [link];
      },
    });
    clock.runUntil(1000);
    const entries = [{ param, value: raw }];
    const also = ALSO[what];
    if (also) entries.push({ param: also[0], value: also[1] });
    entries.sort((a, b) => a.param - b.param);
    const before = node.runtime.config.params.slice();
    link.downlink(
      FrameType.Config,
      sealDownlink({ type: FrameType.Config, revision: 9, entries }, 1, node.key),
    );
    clock.runUntil(2000);
    expect(node.runtime.config.revision).not.toBe(9);
    expect([...node.runtime.config.params]).toEqual([...before]);
    expect(node.runtime.configRefused).toBe(1);
    expect(node.runtime.lastDownlinkError).toMatch(
      /config revision 9 refused: setpoints\.|set-point must not exceed/,
    );
    // Answered on the wire (issue 14 item 1): a config-refused frame naming the parameter and the reason,
    // sent at once, then the birth frame with the configuration still in force.
    const after = link.delivered.filter((d) => d.atMs > 1000).map((d) => decodeFrame(d.bytes).frame);
    const refused = after.filter((f) => f.type === FrameType.ConfigRefused) as ConfigRefusedFrame[];
    // The config record's own order check sees A1 above A2 first (schema, naming A1: the downlink set both).
    const schemaOrder = ALSO[what] !== undefined;
    expect(refused).toEqual([
      {
        type: FrameType.ConfigRefused,
        revision: 9,
        param: schemaOrder ? Param.ch4A1CentiPctVol : param,
        reason: schemaOrder ? ConfigRefusal.Schema : code,
        value: schemaOrder ? ALSO[what]![1] : raw,
      },
    ]);
    const kinds = after.map((f) => f.type).filter((t) => t !== FrameType.Telemetry);
    expect(kinds.slice(0, 2)).toEqual([FrameType.ConfigRefused, FrameType.Birth]);
    const birth = after.find((f) => f.type === FrameType.Birth) as BirthFrame;
    expect(birth.configHash).toBe(node.runtime.configHash());
    node.shutdown();
  });

  it.each(BAD)("field-tech node.yaml check: %s", (what, param, raw) => {
    const r = emptyRecord(Uint8Array.of(0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0x0a, 0x01), defaultConfig());
    r.profile = "kz-ru-coal";
    r.location = "face";
    r.site = "zhezkazgan-7";
    r.level = "-340";
    r.config.params.set(paramsWith(r.config.params, what, param, raw));
    expect(() => checkNodeRecord(r, "node.yaml")).toThrow(/^node\.yaml: .*setpoints\./);
  });
});
