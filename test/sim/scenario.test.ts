/** Scenario files: every shipped one is valid; a bad one names the file, the field path and the problem. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../host-sim/sim/errors.js";
import { loadScenario, parseScenario, shippedScenarios } from "../../host-sim/sim/load.js";
import { holdAt, readRecordedGas, recordedLabels } from "../../host-sim/sim/recorded-sources.js";
import { MAX_FLEET_NODES } from "../../host-sim/sim/scenario.js";

const MINIMAL = `name: t
durationS: 60
nodes:
  - id: n1
    variant: gas
`;

function errorOf(text: string, file = "bad.yaml"): ScenarioError {
  try {
    parseScenario(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error("expected a ScenarioError");
}

describe("scenario files", () => {
  it("ships the six required scenarios and each one validates", () => {
    const names = shippedScenarios();
    for (const n of [
      "demo",
      "methane-inrush",
      "rockburst",
      "broker-outage-1h",
      "radio-loss-30",
      "power-cuts-during-alarms",
    ])
      expect(names).toContain(n);
    for (const n of names) {
      const { scenario } = loadScenario(n);
      expect(scenario.name).toBe(n);
      expect(scenario.expect.length).toBeGreaterThan(0);
    }
  });

  it("fills defaults for a minimal scenario", () => {
    const s = parseScenario(MINIMAL, "min.yaml");
    expect(s.nodes[0]).toMatchObject({ id: "n1", variant: "gas", location: "face", transport: "mqtt" });
    expect(s.site).toBe("sim-site");
    expect(s.faults).toEqual([]);
  });

  it("refuses a fleet larger than MAX_FLEET_NODES, in one line naming the field (issue 14 item 11)", () => {
    const entries = Array.from(
      { length: 30 },
      (_, i) => `  - id: n${i}\n    variant: gas\n    count: 1000\n`,
    ).join("");
    const e = errorOf(`name: t\ndurationS: 60\nnodes:\n${entries}`);
    expect(e.message).toMatch(new RegExp(`nodes.*at most ${MAX_FLEET_NODES} nodes`));
    expect(e.message.split("\n")).toHaveLength(1);
    // At the cap it is accepted.
    const two = `name: t\ndurationS: 60\nnodes:\n  - id: a\n    variant: gas\n    count: 1000\n  - id: b\n    variant: gas\n    count: 1000\n`;
    expect(parseScenario(two, "cap.yaml").nodes).toHaveLength(MAX_FLEET_NODES);
  });

  it("expands count into numbered nodes", () => {
    const s = parseScenario(MINIMAL.replace("variant: gas", "variant: gas\n    count: 3"), "c.yaml");
    expect(s.nodes.map((n) => n.id)).toEqual(["n1-1", "n1-2", "n1-3"]);
  });

  it.each([
    [MINIMAL.replace("durationS: 60", "durationS: -5"), "durationS", "must be > 0, got -5"],
    [MINIMAL.replace("durationS: 60", "duration: 60"), "duration", "unknown field"],
    [MINIMAL.replace("variant: gas", "variant: gass"), "nodes[0].variant", 'got "gass"'],
    [
      `${MINIMAL}faults:\n  - { kind: power-cut, atS: 10, durationS: 5, nodes: [n9] }\n`,
      "faults[0].nodes[0]",
      'no node named "n9"',
    ],
    [
      `${MINIMAL}faults:\n  - { kind: power-cut, atS: 100, durationS: 5, nodes: [n1] }\n`,
      "faults[0].atS",
      "must be <= 60",
    ],
    [
      `${MINIMAL}expect:\n  - { kind: alarm-within }\n`,
      "expect[0].withinS",
      "must be a finite number, got nothing",
    ],
    [
      MINIMAL.replace("variant: gas", "variant: gas\n    seismic: { events: [] }"),
      "nodes[0].seismic",
      "a gas node has no accelerometer",
    ],
    [
      `${MINIMAL}faults:\n  - { kind: sensor-fault, atS: 1, durationS: 5, nodes: [n1], sensor: ch4, mode: melted }\n`,
      "faults[0].mode",
      'must be one of no-answer, corrupt-checksum, all-ff, stuck, got "melted"',
    ],
    [
      `${MINIMAL}expect:\n  - { kind: relay-trip-within, withinMs: 2000, label: gas-inrush, level: A2 }\n`,
      "expect[0].level",
      'only a gas-crossing label has a level (label is "gas-inrush")',
    ],
    [
      `${MINIMAL}expect:\n  - { kind: relay-trip-within }\n`,
      "expect[0].withinMs",
      "must be a finite number, got nothing",
    ],
    [
      MINIMAL.replace("variant: gas", "variant: vibration") +
        "expect:\n  - { kind: relay-no-auto-reenergise, nodes: [n1] }\n",
      "expect[0].nodes",
      'node "n1" is a vibration node: it has no methane interlock relay',
    ],
  ])("names the field and the problem (%#)", (text, field, problem) => {
    const e = errorOf(text);
    expect(e.file).toBe("bad.yaml");
    expect(e.field).toBe(field);
    expect(e.message).toContain(problem);
    expect(e.message.startsWith(`bad.yaml: ${field}: `)).toBe(true);
    expect(e.message).not.toContain("\n");
  });

  it("reports YAML syntax errors with the line", () => {
    const e = errorOf("name: t\ndurationS: [1,\n");
    expect(e.code).toBe("parse");
    expect(e.message).toMatch(/^bad\.yaml: (line \d+: )?not valid YAML/);
  });

  it("refuses an unknown shipped name, listing the shipped ones", () => {
    expect(() => loadScenario("no-such-scenario")).toThrow(/shipped: .*demo/);
  });

  it("reads the interlock expectations with their defaults (CH4 A2 crossing; the nodes that have a relay)", () => {
    const text = MINIMAL.replace(
      "    variant: gas\n",
      "    variant: gas\n  - id: v1\n    variant: vibration\n",
    );
    const s = parseScenario(
      `${text}expect:\n  - { kind: relay-trip-within, withinMs: 1500 }\n  - { kind: relay-no-auto-reenergise }\n`,
      "i.yaml",
    );
    expect(s.expect).toEqual([
      {
        kind: "relay-trip-within",
        withinMs: 1500,
        nodes: ["n1"],
        label: "gas-crossing",
        channel: "ch4",
        level: "A2",
      },
      { kind: "relay-no-auto-reenergise", nodes: ["n1"] },
    ]);
  });
});

describe("recorded nodes", () => {
  it("resolves a node's recording relative to the scenario file, and names a missing one in one line", () => {
    const { scenario } = loadScenario("recorded-face");
    expect(scenario.nodes[0]!.recording).toMatch(/test[/\\]fixtures[/\\]recordings[/\\]gas-face$/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mw-rec-"));
    const file = path.join(dir, "s.yaml");
    fs.writeFileSync(
      file,
      "name: s\ndurationS: 60\nnodes:\n  - { id: a, variant: gas, recording: nowhere/gas.csv }\n",
    );
    expect(() => loadScenario(file)).toThrow(
      `${file}: nodes[0].recording: no such recording "nowhere/gas.csv"`,
    );
  });

  it("refuses gas events beside a recording", () => {
    expect(() =>
      parseScenario(
        "name: s\ndurationS: 60\nnodes:\n  - id: a\n    variant: gas\n    recording: x.csv\n    gas: { events: [{ kind: fault-spike, tS: 1, channel: ch4, delta: 1 }] }\n",
        "s.yaml",
      ),
    ).toThrow(/nodes\[0\]\.gas\.events: a node replaying a recording takes its gas from it/);
  });

  it("computes crossings from the recorded values against the node's own set-points (us-msha-coal face)", async () => {
    const g = await readRecordedGas("test/fixtures/recordings/gas-face", "recording");
    const ch4 = g.channels[0]!;
    const at = holdAt(ch4);
    expect(at(ch4.tMs[5]! + 500)).toBe(ch4.v[5]);
    expect(at(0)).toBe(ch4.v[0]);
    // MSHA face: CH4 1.0 (A1 in our profile terms) and 1.5; the recording's own labels were for kz-ru-coal.
    const labels = await recordedLabels(g, [
      { channel: "ch4", level: "A1", value: 1.0, direction: "rising", hysteresis: 0.05 },
      { channel: "ch4", level: "A2", value: 1.5, direction: "rising", hysteresis: 0.05 },
    ]);
    const crossings = labels.filter((l) => l.kind === "gas-crossing");
    expect(crossings.map((l) => l.setPoint)).toEqual([1.0, 1.5]);
    const firstAtOrAbove = (v: number) => ch4.tMs[ch4.v.findIndex((x) => x >= v)]! / 1000;
    expect(crossings.map((l) => l.t)).toEqual([firstAtOrAbove(1.0), firstAtOrAbove(1.5)]);
    expect(labels.some((l) => l.kind === "gas-inrush")).toBe(true); // the recording's event labels are kept
  });
});
