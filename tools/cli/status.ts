/**
 * `minewatch status [--registry F] [--bump-days N] [--json]`: nodes whose bump test or calibration is
 * overdue (tools/provision/status.ts). Exit 0 nothing due, 1 something is due, 2 bad input.
 */
import { numberArg, parseArgs, registryPath, wallClock } from "../provision/cli-common.js";
import { currentNodes, readRegistry } from "../provision/registry.js";
import { dueItems, formatDue } from "../provision/status.js";
import { BUMP_INTERVAL_DAYS } from "../provision/tolerances.js";
import type { Command } from "./main.js";

const USAGE = `usage: minewatch status [--registry F] [--bump-days N] [--json]

Lists every registered node and gas whose bump test or span calibration is overdue or was never done.
  --registry F       the registry (default .minewatch/registry.jsonl)
  --bump-days N      bump test interval in days (default ${BUMP_INTERVAL_DAYS}); calibration intervals come
                     from each node's set-point profile
  --json             print JSON
Exit 0 nothing due; 1 something due; 2 bad input or a damaged registry.`;

export const command: Command = {
  summary: "list nodes whose bump test or calibration is overdue",
  usage: USAGE,
  run(args) {
    const { values: p } = parseArgs("status", args, {
      registry: { type: "string" },
      "bump-days": { type: "string" },
      json: { type: "boolean" },
    });
    const days = p["bump-days"];
    const bumpDays = days === undefined ? BUMP_INTERVAL_DAYS : numberArg("--bump-days", days);
    const { records } = readRegistry(registryPath(p));
    const items = dueItems(records, wallClock()(), bumpDays);
    if (p.json) process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    else process.stdout.write(`${formatDue(items, currentNodes(records).size).join("\n")}\n`);
    return items.length === 0 ? 0 : 1;
  },
};
