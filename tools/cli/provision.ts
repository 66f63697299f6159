/**
 * `minewatch provision --port P --config node.yaml [--keys FILE] [--override "<reason>"]`: commissions one
 * node (tools/provision/provision.ts; it shares the console client, the simulated node and the set-point
 * profiles with the simulator). Exit 0 done; 2 with one line for anything refused or failed.
 */
import {
  PORT_HELP,
  PORT_OPTIONS,
  parseArgs,
  registryPath,
  requireValue,
  techName,
  wallClock,
  withPort,
} from "../provision/cli-common.js";
import { readKeyFile, resolveSecret } from "../provision/keys.js";
import { readNodeConfig } from "../provision/node-config.js";
import { provision } from "../provision/provision.js";
import type { Command } from "./main.js";

const USAGE = `usage: minewatch provision --port P --config node.yaml [--keys FILE] [--override "<reason>"] [options]

Checks node.yaml against the node's own rules and the registry, writes the node's config and keys over its
provisioning console, reboots it, reads everything back and compares, then records it in the registry.
  --config F         the node's description (see tools/provision/README.md)
  --keys F           keys to write (JSON/YAML: mac, lorawan-appkey as hex); default: generated from the
                     host's crypto random source, journalled in --keys-dir/<nodeId>.keys.pending.json and
                     moved to <nodeId>.keys.json (mode 600) once the node confirms them
  --keys-dir D       where generated keys go (default .minewatch/keys)
  --new-keys         replace the keys of a node that already has them (default: a provisioned node keeps
                     its keys, so the collector keeps verifying its frames)
  --override "why"   accept set-points looser than the profile, or a node moved to another place; recorded
${PORT_HELP}
Exit 0 provisioned; 2 refused or failed (one line saying what to do next).`;

export const command: Command = {
  summary: "commission a node: check node.yaml, write config and keys, read back, record",
  usage: USAGE,
  async run(args) {
    const { values: p } = parseArgs("provision", args, {
      ...PORT_OPTIONS,
      config: { type: "string" },
      keys: { type: "string" },
      "keys-dir": { type: "string" },
      override: { type: "string" },
      "new-keys": { type: "boolean" },
    });
    const configFile = requireValue(p.config, "--config", "provision");
    const config = readNodeConfig(configFile);
    const keysFile = p.keys;
    const keys = keysFile ? readKeyFile(keysFile) : undefined;
    const secret = await resolveSecret(p["secret-file"], true);
    const result = await withPort(p, true, (port) =>
      provision(port, {
        configFile,
        config,
        override: p.override,
        keys,
        keysFile,
        newKeys: p["new-keys"] === true,
        keysDir: p["keys-dir"] ?? ".minewatch/keys",
        secret,
        registryFile: registryPath(p),
        tech: techName(p),
        now: wallClock(),
        say: (line) => process.stdout.write(`${line}\n`),
      }),
    );
    process.stdout.write(`${result.summary.join("\n")}\n`);
    return 0;
  },
};
