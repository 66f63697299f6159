/**
 * `minewatch registry export --csv [--out F]` and `minewatch registry verify`: the audit view of the
 * registry (tools/provision/registry.ts). Both verify the hash chain first; a damaged or edited registry
 * is one line and exit 2.
 */
import { writeFileSync } from "node:fs";
import { parseArgs, registryPath } from "../provision/cli-common.js";
import { ProvisionError } from "../provision/errors.js";
import { readRegistry, toCsv } from "../provision/registry.js";
import type { Command } from "./main.js";

const USAGE = `usage: minewatch registry export --csv [--out F] [--registry F]
       minewatch registry verify [--registry F]

export   every provisioning, bump test and calibration as CSV (RFC 4180, one row per record), to stdout or F
verify   checks every line and the hash chain; prints the record count
Exit 0 done; 2 bad input or a damaged / edited registry.`;

export const command: Command = {
  summary: "export the registry as CSV for audits, or verify its hash chain",
  usage: USAGE,
  run(args) {
    const { values: p, positionals } = parseArgs("registry", args, {
      registry: { type: "string" },
      out: { type: "string" },
      csv: { type: "boolean" },
    });
    const [action, ...extra] = positionals;
    if (extra.length > 0)
      throw new ProvisionError("usage", `unexpected "${extra[0]}" (see minewatch registry --help)`, extra[0]);
    const file = registryPath(p);
    const { records, head } = readRegistry(file);
    if (action === "verify") {
      process.stdout.write(
        `${file}: ${records.length} record(s), hash chain intact (head ${head.slice(0, 16)})\n`,
      );
      return 0;
    }
    if (action !== "export")
      throw new ProvisionError("usage", `registry needs "export" or "verify", got "${action ?? ""}"`, action);
    if (!p.csv)
      throw new ProvisionError("usage", "registry export needs --csv (the one format for now)", action);
    const csv = toCsv(records);
    const out = p.out;
    if (out) {
      writeFileSync(out, csv);
      process.stderr.write(`${records.length} record(s) written to ${out}\n`);
    } else process.stdout.write(csv);
    return 0;
  },
};
