/**
 * The report a user opens: a real (short) fleet run written with writeReport, opened from disk in Debian's
 * headless Chromium with no network. Checks that every chart the result calls for is on the page, lays out
 * (the page's own script measures each series' bounding box), that each node's lanes are there (gas traces,
 * STA/LTA, frames, outbox, and the interlock's relay and beacon lanes on gas nodes only), and that nothing
 * went to the console, threw, asked the network or opened a dialog (the page's CSP forbids anything but its
 * own hashed style and script). Skipped with a visible message where chromium is absent (.ci/run installs it).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeCharts } from "../../host-sim/report/charts.js";
import { writeReport } from "../../host-sim/report/index.js";
import { runFleet } from "../../host-sim/sim/fleet.js";
import { parseScenario } from "../../host-sim/sim/load.js";
import type { SimResult } from "../../host-sim/sim/result.js";
import { findChromium, HeadlessChromium } from "./chromium.js";

const binary = findChromium();
if (!binary)
  console.warn(
    "SKIPPED test/report/report-html.test.ts: chromium is not installed (apt-get install chromium)",
  );

// A gas node that trips its interlock during a power cut, and a vibration node that sees a blast.
const SCENARIO = `name: report-check
durationS: 300
traceEveryS: 2
nodes:
  - id: face-1
    variant: gas
    location: face
    gas:
      events:
        - { kind: gas-inrush, tS: 60, channel: ch4, peak: 1.6, riseTauS: 8, holdS: 90, decayTauS: 20 }
  - id: vib-1
    variant: vibration
    seismic:
      events:
        - { kind: blast, tS: 150, pgaMPerS2: 2, cornerHz: 15, holes: 3, delayMs: 25 }
faults:
  - { kind: power-cut, atS: 200, durationS: 10, nodes: [face-1] }
expect:
  - { kind: no-frame-lost }
  - { kind: relay-trip-within, withinMs: 2000 }
`;

interface PageChart {
  id: string;
  node: string | null;
  drawn: boolean;
  series: number;
  seriesWidth: number;
}

describe.skipIf(!binary)("report.html in headless Chromium", () => {
  let dir: string;
  let result: SimResult;
  let browser: HeadlessChromium;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mw-report-"));
    const scenario = parseScenario(SCENARIO, "report-check.yaml");
    result = await runFleet({ scenario, file: "report-check.yaml", seed: 3, shards: 1 });
    await writeReport(result, dir);
    browser = await HeadlessChromium.launch(binary!);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("draws every chart of every node, with relay and beacon lanes on the gas node, and no console errors", async () => {
    const url = pathToFileURL(path.join(dir, "report.html")).href;
    await browser.open(url);
    const expected = result.nodes.map((_, i) => nodeCharts(result, i).map((c) => c.id));
    const total = expected.reduce((k, ids) => k + ids.length, 0);

    const attrs = await browser.evaluate<{ charts: string | null; rendered: string | null }>(
      `({ charts: document.documentElement.getAttribute("data-charts"),
          rendered: document.documentElement.getAttribute("data-rendered") })`,
    );
    expect(attrs).toEqual({ charts: String(total), rendered: String(total) });

    const charts = await browser.evaluate<PageChart[]>(`Array.from(document.querySelectorAll("svg.chart"))
      .map(function (svg) {
        var node = svg.closest("details.node");
        var series = svg.querySelectorAll("path.series, path.points, path.bars");
        var w = 0;
        for (var k = 0; k < series.length; k++) w = Math.max(w, series[k].getBBox().width);
        return { id: svg.id, node: node ? node.id : null, drawn: svg.getAttribute("data-drawn") === "1",
                 series: series.length, seriesWidth: w };
      })`);
    // Per node: exactly the charts the result calls for, each laid out with something drawn across it.
    expected.forEach((ids, i) => {
      const mine = charts.filter((c) => c.node === `node-${i}`);
      expect(mine.map((c) => c.id)).toEqual(ids);
      for (const c of mine) {
        expect(c, c.id).toMatchObject({ drawn: true });
        expect(c.series, c.id).toBeGreaterThan(0);
        expect(c.seriesWidth, c.id).toBeGreaterThan(100);
      }
    });
    const gasIds = expected[0]!;
    expect(gasIds).toEqual(expect.arrayContaining(["n0-gas-ch4", "n0-frames", "n0-relay", "n0-beacon"]));
    expect(expected[1]).toEqual(expect.arrayContaining(["n1-sta-lta", "n1-frames", "n1-outbox"]));
    expect(expected[1]!.some((id) => id.endsWith("-relay") || id.endsWith("-beacon"))).toBe(false);

    // The relay lane shows the trip (a marker) and the expectation held on the real run.
    const tripMarkers = await browser.evaluate<number>(
      `document.querySelectorAll("#n0-relay g.marker.ilk-trip").length`,
    );
    expect(tripMarkers).toBeGreaterThan(0);
    expect(result.expectations.find((e) => e.kind === "relay-trip-within")).toMatchObject({ passed: true });

    expect(browser.issues.consoleErrors).toEqual([]);
    expect(browser.issues.exceptions).toEqual([]);
    expect(browser.issues.dialogs).toEqual([]);
    // No network: the page itself is the only request.
    expect(browser.issues.requests).toEqual([url]);
  });
});
