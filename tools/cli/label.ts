/**
 * `minewatch label <nodeId> [--registry F] [--out F]`: the node's printable SVG label (node id, place, QR)
 * from its latest provisioning in the registry (tools/provision/label.ts).
 */
import { writeFileSync } from "node:fs";
import { parseArgs, registryPath } from "../provision/cli-common.js";
import { ProvisionError } from "../provision/errors.js";
import { labelSvg } from "../provision/label.js";
import { currentNodes, readRegistry } from "../provision/registry.js";
import type { Command } from "./main.js";

const USAGE = `usage: minewatch label <nodeId> [--registry F] [--out F]

Writes a printable 62 x 29 mm SVG label with the node id, site, level, location and a QR code of
"minewatch:<nodeId>", from the node's latest provisioning in the registry (default: <nodeId>.label.svg).
Exit 0 written; 2 an unknown node or bad input.`;

export const command: Command = {
  summary: "printable SVG label (node id, location, QR code) for a provisioned node",
  usage: USAGE,
  run(args) {
    const { values: p, positionals } = parseArgs("label", args, {
      registry: { type: "string" },
      out: { type: "string" },
    });
    const [nodeId, ...extra] = positionals;
    if (!nodeId || extra.length > 0)
      throw new ProvisionError(
        "usage",
        "label needs exactly one node id (see minewatch label --help)",
        nodeId,
      );
    const nodes = currentNodes(readRegistry(registryPath(p)).records);
    const node = nodes.get(nodeId.toLowerCase());
    if (!node)
      throw new ProvisionError(
        "refused",
        `node ${nodeId} is not in the registry ${registryPath(p)}: provision it first (known: ${[...nodes.keys()].join(", ") || "none"})`,
        nodeId,
      );
    const out = p.out ?? `${node.nodeId}.label.svg`;
    writeFileSync(out, labelSvg(node));
    process.stdout.write(
      `label for ${node.nodeId} (${node.site} ${node.level} ${node.location}) written to ${out}\n`,
    );
    return 0;
  },
};
