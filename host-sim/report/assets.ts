/**
 * The page's inline stylesheet and script. The script is plain ES5-level JavaScript kept as text (it runs in
 * the viewer's browser, not in Node, so it is not compiled with the host code): it adds a crosshair with the
 * elapsed time under the pointer to every chart, checks that each chart's SVG was laid out (every drawn path
 * has a bounding box), and marks the page `data-rendered="<charts drawn>"` / `data-charts="<charts>"` for
 * the headless-Chromium test. It reads nothing from the network and writes no markup from data.
 */

export const REPORT_CSS = `
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#bf8700;--ink:#1f2328;--mute:#656d76;--line:#d0d7de}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0 auto;max-width:1040px;padding:16px}
h1{font-size:22px;margin:4px 0 8px}h2{font-size:18px;margin:0}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}
th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{background:#f6f8fa;padding:1px 4px;border-radius:4px;font-size:13px}
.verdict{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:700}
.pass{background:var(--ok)}.fail{background:var(--bad)}
tr.failed td{background:#ffebe9}
.note{color:var(--mute);font-size:12px}
details.node{border:1px solid var(--line);border-radius:6px;margin:12px 0;padding:8px 12px}
details.node>summary{cursor:pointer}details.node>summary h2{display:inline}
svg.chart{display:block;width:100%;height:auto;margin:6px 0;font:11px system-ui,sans-serif;user-select:none}
svg.chart .frame{fill:none;stroke:#8c959f;stroke-width:.6}
svg.chart .grid{stroke:#eaeef2;stroke-width:.6}
svg.chart .tick,svg.chart .ylabel{fill:var(--mute)}
svg.chart .ctitle{font-weight:600;fill:var(--ink)}
svg.chart .legend text{fill:var(--ink)}
svg.chart path.series{fill:none;stroke-width:1.2;stroke-linejoin:round}
svg.chart path.points{fill:none;stroke-width:4;stroke-linecap:round}
.points{stroke:#6e7781;fill:#6e7781}
.value{stroke:#0969da;fill:#0969da}.truth{stroke:#8c959f;fill:#8c959f;stroke-dasharray:3 2}
.stalta{stroke:#8250df;fill:#8250df}.outbox{stroke:#0550ae;fill:#0550ae}
.relay{stroke:#1a7f37;fill:#1a7f37}.beacon{stroke:#bc4c00;fill:#bc4c00}.load{stroke:#0550ae;fill:#0550ae;stroke-dasharray:4 2}
.pat-fault{stroke:#6e7781;fill:#6e7781}.pat-warning{stroke:#bf8700;fill:#bf8700}.pat-danger{stroke:#cf222e;fill:#cf222e}
.ilk-trip,.ilk-relay-fault{stroke:#cf222e;fill:#cf222e}.ilk-reset,.ilk-relay-fault-cleared{stroke:#1a7f37;fill:#1a7f37}.ilk-reset-refused{stroke:#bf8700;fill:#bf8700}
svg.chart .bars{stroke:none}.airtime{fill:#54aeff}
svg.chart .hline{stroke-width:1;stroke-dasharray:6 3}
svg.chart .hlabel{font-size:10px;stroke:none}
.lvl-A1{stroke:#bf8700;fill:#bf8700}.lvl-A2,.lvl-high{stroke:#cf222e;fill:#cf222e}
.lvl-stel,.lvl-twa,.lvl-ror{stroke:#a40e26;fill:#a40e26}.lvl-fault{stroke:#6e7781;fill:#6e7781}
.lvl-clear{stroke:#1a7f37;fill:#1a7f37}
.thr-on{stroke:#cf222e;fill:#cf222e}.thr-off{stroke:#1a7f37;fill:#1a7f37}.limit{stroke:#cf222e;fill:#cf222e}
svg.chart .band{stroke:none}.fault{fill:#ff8182;fill-opacity:.18}.trigger{fill:#8250df;fill-opacity:.15}
svg.chart .marker line{stroke-width:1}
svg.chart .marker.delivered line{stroke-dasharray:2 2;stroke-width:.8}
svg.chart .marker.delivered path{fill-opacity:.35}
svg.chart .marker.undelivered line{stroke-width:2.2}
.label{stroke:#57606a;fill:#57606a}svg.chart .marker.label line{stroke-dasharray:1 3}
.event{stroke:#953800;fill:#953800}.fault-at{stroke:#cf222e;fill:#cf222e}
svg.chart .marker.fault-at line{stroke-dasharray:4 2 1 2}
.ft-alarm{stroke:#cf222e;fill:#cf222e}.ft-event{stroke:#bc4c00;fill:#bc4c00}
.ft-telemetry{stroke:#0969da;fill:#0969da}.ft-status,.ft-birth{stroke:#1a7f37;fill:#1a7f37}
.pending{stroke:#bf8700;fill:#bf8700}.lost{stroke:#cf222e;fill:#cf222e}
svg.chart .xhair{stroke:#1f2328;stroke-width:.6;pointer-events:none}
svg.chart .xread{fill:#1f2328;font-weight:600;pointer-events:none}
`;

export const REPORT_SCRIPT = `(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function elapsed(ms) {
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400);
    var text = Math.floor(s / 3600) % 24 + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60) + "." + Math.floor((ms % 1000) / 100);
    return (d > 0 ? d + "d " : "") + text;
  }
  function crosshair(svg) {
    var t0 = Number(svg.getAttribute("data-t0")), t1 = Number(svg.getAttribute("data-t1"));
    var x0 = Number(svg.getAttribute("data-x0")), x1 = Number(svg.getAttribute("data-x1"));
    var y0 = Number(svg.getAttribute("data-y0")), y1 = Number(svg.getAttribute("data-y1"));
    var line = document.createElementNS(NS, "line");
    line.setAttribute("class", "xhair"); line.setAttribute("y1", String(y1)); line.setAttribute("y2", String(y0));
    line.setAttribute("visibility", "hidden");
    var read = document.createElementNS(NS, "text");
    read.setAttribute("class", "xread"); read.setAttribute("y", String(y1 - 4)); read.setAttribute("visibility", "hidden");
    svg.appendChild(line); svg.appendChild(read);
    svg.addEventListener("pointermove", function (e) {
      var m = svg.getScreenCTM();
      if (!m) return;
      var p = svg.createSVGPoint(); p.x = e.clientX; p.y = e.clientY;
      var q = p.matrixTransform(m.inverse());
      var on = q.x >= x0 && q.x <= x1;
      line.setAttribute("visibility", on ? "visible" : "hidden");
      read.setAttribute("visibility", on ? "visible" : "hidden");
      if (!on) return;
      line.setAttribute("x1", String(q.x)); line.setAttribute("x2", String(q.x));
      read.setAttribute("x", String(Math.min(q.x + 4, x1 - 90)));
      read.textContent = "t = " + elapsed(t0 + ((q.x - x0) / (x1 - x0)) * (t1 - t0));
    });
    svg.addEventListener("pointerleave", function () {
      line.setAttribute("visibility", "hidden"); read.setAttribute("visibility", "hidden");
    });
  }
  function laidOut(svg) {
    var drawn = svg.querySelectorAll("path.series, path.points, path.bars, line.hline, rect.band, g.marker");
    if (drawn.length === 0) return false;
    var paths = svg.querySelectorAll("path.series, path.bars");
    for (var k = 0; k < paths.length; k++) {
      var b = paths[k].getBBox();
      if (!(isFinite(b.width) && isFinite(b.height)) || (b.width === 0 && b.height === 0)) return false;
    }
    return true;
  }
  var charts = document.querySelectorAll("svg.chart"), drawn = 0;
  for (var i = 0; i < charts.length; i++) {
    crosshair(charts[i]);
    if (laidOut(charts[i])) { drawn++; charts[i].setAttribute("data-drawn", "1"); }
  }
  document.documentElement.setAttribute("data-charts", String(charts.length));
  document.documentElement.setAttribute("data-rendered", String(drawn));
})();
`;
