/** The interlock lanes of the report: relay and beacon charts for a node with outputs, none without. */
import { describe, expect, it } from "vitest";
import { nodeCharts } from "../../host-sim/report/charts.js";
import { renderReportHtml } from "../../host-sim/report/html.js";
import { buildResult } from "./fixture.js";

describe("report charts: interlock lanes", () => {
  const r = buildResult({ durationMs: 600_000, periodMs: 2000 });

  it("draws a relay lane and a beacon lane, with the trip as a marker, for the node with outputs", () => {
    const ids = nodeCharts(r, 0).map((c) => c.id);
    expect(ids.slice(-2)).toEqual(["n0-relay", "n0-beacon"]);
    const relay = nodeCharts(r, 0).find((c) => c.id === "n0-relay")!;
    expect(relay.lines!.map((l) => l.label)).toEqual(["relay output"]);
    expect(relay.lines![0]!.data).toBe(r.nodes[0]!.outputs!.relay);
    expect(relay.markers!.filter((m) => m.cls.includes("ilk-trip")).map((m) => m.tMs)).toEqual([
      r.nodes[0]!.outputs!.events![0]!.tMs,
    ]);
    const beacon = nodeCharts(r, 0).find((c) => c.id === "n0-beacon")!;
    expect(beacon.hLines!.map((h) => h.label)).toEqual(["fault", "warning", "danger"]);
  });

  it("has no interlock lanes for a node without outputs (vibration)", () => {
    expect(nodeCharts(r, 1).some((c) => c.id.endsWith("-relay") || c.id.endsWith("-beacon"))).toBe(false);
  });

  it("puts both lanes on the page as SVG charts", () => {
    const { html, charts } = renderReportHtml(r);
    expect(html).toContain('id="n0-relay"');
    expect(html).toContain('id="n0-beacon"');
    expect((html.match(/<svg class="chart"/g) ?? []).length).toBe(charts);
  });
});
