/**
 * `minewatch registry export --csv [--out F]`, `registry verify [--head N:HEX]` and `registry anchor`: the
 * audit view of the registry (tools/provision/registry.ts). Export and verify check the hash chain and its
 * end against the anchor kept apart (`<registry>.head`) first; a damaged or edited registry is one line and
 * exit 2.
 */
import { writeFileSync } from "node:fs";
import { parseArgs, registryPath } from "../provision/cli-common.js";
import { ProvisionError } from "../provision/errors.js";
import { adoptRegistry, anchorPath, checkNotedHead, readRegistry, toCsv } from "../provision/registry.js";
import type { Command } from "./main.js";

const USAGE = `usage: minewatch registry export --csv [--out F] [--registry F]
       minewatch registry verify [--head N:HEX] [--registry F]
       minewatch registry anchor [--registry F]

export   every provisioning, bump test and calibration as CSV (RFC 4180, one row per record), to stdout or F
verify   checks every line, the hash chain, and that the file ends where minewatch last wrote it (the count
         and last line's hash in <registry>.head); prints the count and head: note it somewhere apart (the
         shift log) and --head N:HEX later proves records 1..N are unchanged, even if both files were rewritten
anchor   a registry from before anchors: anchors it as it stands (only where no anchor exists; check it
         against a backup first)
Exit 0 done; 2 bad input or a damaged / edited registry.`;

export const command: Command = {
  summary: "export the registry as CSV for audits, or verify its hash chain",
  usage: USAGE,
  run(args) {
    const { values: p, positionals } = parseArgs("registry", args, {
      registry: { type: "string" },
      out: { type: "string" },
      csv: { type: "boolean" },
      head: { type: "string" },
    });
    const [action, ...extra] = positionals;
    if (extra.length > 0)
      throw new ProvisionError("usage", `unexpected "${extra[0]}" (see minewatch registry --help)`, extra[0]);
    const file = registryPath(p);
    if (p.head !== undefined && action !== "verify")
      throw new ProvisionError("usage", "--head goes with registry verify", p.head);
    if (action === "anchor") {
      const { records, head } = adoptRegistry(file);
      process.stdout.write(
        `${file}: anchored as it stands at ${records.length} record(s) (head ${records.length}:${head.slice(0, 16)}) in ${anchorPath(file)}\n`,
      );
      return 0;
    }
    const read = readRegistry(file);
    const { records, head } = read;
    if (action === "verify") {
      const problem = p.head === undefined ? undefined : checkNotedHead(read, p.head);
      if (problem) throw new ProvisionError("bad-file", `registry ${file}: ${problem}`, p.head);
      process.stdout.write(
        `${file}: ${records.length} record(s), hash chain intact and ending where ${anchorPath(file)} says${p.head ? `, noted head ${p.head.split(":")[0]} matches` : ""} (head ${records.length}:${head.slice(0, 16)})\n`,
      );
      return 0;
    }
    if (action !== "export")
      throw new ProvisionError(
        "usage",
        `registry needs "export", "verify" or "anchor", got "${action ?? ""}"`,
        action,
      );
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
