/**
 * The node's printable label: an SVG sized in millimetres (62 x 29 mm, a common label-printer roll width)
 * with a QR code of `minewatch:<nodeId>` (the key into the registry) and, in text, the node id, site, level,
 * location class and profile from the node's latest provisioning. The QR keeps the ISO 18004 quiet zone of
 * 4 modules; modules are drawn as one path with crisp edges so a thermal printer does not blur them.
 */
import { encodeQr } from "./qr.js";
import type { RegistryRecord } from "./registry.js";

export const LABEL_WIDTH_MM = 62;
export const LABEL_HEIGHT_MM = 29;
const QUIET = 4;

export function qrPayload(nodeId: string): string {
  return `minewatch:${nodeId}`;
}

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function labelSvg(node: RegistryRecord): string {
  const q = encodeQr(qrPayload(node.nodeId));
  const units = q.size + 2 * QUIET;
  const qrMm = LABEL_HEIGHT_MM - 2;
  let path = "";
  for (let r = 0; r < q.size; r++)
    for (let c = 0; c < q.size; c++)
      if (q.modules[r * q.size + c]) path += `M${c + QUIET} ${r + QUIET}h1v1h-1z`;
  const x = qrMm + 2;
  const lines: [number, string, string][] = [
    [5, "7", "MINEWATCH GAS NODE"],
    [10.5, "4.6", node.nodeId],
    [15.5, "3.6", `site ${node.site}`],
    [19.5, "3.6", `level ${node.level}`],
    [23.5, "3.6", `location ${node.location}`],
    [27, "2.6", `${node.profile}, provisioned ${node.at.slice(0, 10)}`],
  ];
  const text = lines
    .map(
      ([y, size, t], i) =>
        `<text x="${x}" y="${y}" font-size="${i === 0 ? "3" : size}" font-family="${i === 1 ? "DejaVu Sans Mono,monospace" : "DejaVu Sans,sans-serif"}"${i <= 1 ? ' font-weight="bold"' : ""}>${esc(t)}</text>`,
    )
    .join("\n  ");
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_WIDTH_MM}mm" height="${LABEL_HEIGHT_MM}mm" viewBox="0 0 ${LABEL_WIDTH_MM} ${LABEL_HEIGHT_MM}">
  <title>minewatch node ${esc(node.nodeId)}</title>
  <rect width="${LABEL_WIDTH_MM}" height="${LABEL_HEIGHT_MM}" fill="#fff"/>
  <svg x="1" y="1" width="${qrMm}" height="${qrMm}" viewBox="0 0 ${units} ${units}" shape-rendering="crispEdges" data-qr-version="${q.version}" data-qr-mask="${q.mask}">
    <path d="${path}" fill="#000"/>
  </svg>
  ${text}
</svg>
`;
}
