/** The printable label: node id, place, and a QR code of `minewatch:<nodeId>` drawn module for module. */
import { describe, expect, it } from "vitest";
import { LABEL_HEIGHT_MM, LABEL_WIDTH_MM, labelSvg, qrPayload } from "../../tools/provision/label.js";
import { encodeQr } from "../../tools/provision/qr.js";
import type { RegistryRecord } from "../../tools/provision/registry.js";
import { readQr } from "./qr-read.js";

const NODE: RegistryRecord = {
  seq: 1,
  at: "2026-11-25T08:00:00.000Z",
  kind: "provision",
  nodeId: "70b3d57e6aba8b4f",
  site: 'Lenina <north> & "B"',
  level: "-420 m",
  location: "face",
  profile: "kz-ru-coal",
  result: "pass",
  tech: "t",
  port: "sim:a",
  prev: "0".repeat(64),
};

describe("label", () => {
  const svg = labelSvg(NODE);

  it("is a millimetre-sized SVG with the node id, place and profile as text (XML-escaped)", () => {
    expect(svg).toMatch(
      new RegExp(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_WIDTH_MM}mm" height="${LABEL_HEIGHT_MM}mm"`,
      ),
    );
    expect(svg).toContain(">70b3d57e6aba8b4f</text>");
    expect(svg).toContain(">site Lenina &#60;north&#62; &#38; &#34;B&#34;</text>");
    expect(svg).toContain(">level -420 m</text>");
    expect(svg).toContain(">location face</text>");
    expect(svg).toContain(">kz-ru-coal, provisioned 2026-11-25</text>");
  });

  it("draws exactly the QR symbol's dark modules, offset by the 4-module quiet zone", () => {
    const q = encodeQr(qrPayload(NODE.nodeId));
    const squares = [...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => [
      Number(m[2]) - 4,
      Number(m[1]) - 4,
    ]);
    const dark: number[][] = [];
    for (let r = 0; r < q.size; r++)
      for (let c = 0; c < q.size; c++) if (q.modules[r * q.size + c]) dark.push([r, c]);
    expect(squares).toEqual(dark);
    expect(svg).toContain(`viewBox="0 0 ${q.size + 8} ${q.size + 8}"`);
    expect(svg).toContain(`data-qr-version="${q.version}"`);
  });

  it("its QR code, as drawn in the SVG, reads back as minewatch:<nodeId> with an independent decoder", () => {
    const units = Number(/viewBox="0 0 (\d+) \1" shape-rendering/.exec(svg)![1]);
    const drawn = new Set([...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[2]},${m[1]}`));
    // The SVG's units include the 4-module quiet zone on each side; readQr adds its own.
    const read = readQr(units - 8, (r, c) => drawn.has(`${r + 4},${c + 4}`));
    expect(read?.text).toBe("minewatch:70b3d57e6aba8b4f");
  });
});
