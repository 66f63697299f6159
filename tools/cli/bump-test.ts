/**
 * `minewatch bump-test --port P --gas CH4 --applied 2.5 [--yes]`: the guided bump test
 * (tools/provision/gas-test.ts; criteria and their sources in tools/provision/tolerances.ts).
 * Exit 0 pass, 1 fail (recorded either way), 2 refused or a link failure.
 */
import {
  makeGuide,
  numberArg,
  PORT_HELP,
  PORT_OPTIONS,
  parseArgs,
  registryPath,
  requireValue,
  techName,
  wallClock,
  withPort,
} from "../provision/cli-common.js";
import { bumpTest } from "../provision/gas-test.js";
import { resolveSecret } from "../provision/keys.js";
import { parseGas } from "../provision/session.js";
import type { Command } from "./main.js";

const USAGE = `usage: minewatch bump-test --port P --gas CH4|CO|O2|H2S --applied <concentration> [--yes] [options]

Guides a bump test: puts the node in bump-test mode, asks you to apply the gas, checks the reading comes
within tolerance within the response time and that the alarm fires, asks you to remove the gas, records
pass or fail in the registry.
  --gas G            the gas under test
  --applied N        the bump gas's concentration in the gas's unit (%vol for CH4 and O2, ppm for CO, H2S);
                     it must be able to set off the first alarm (O2: at or below it)
  --reset-interlock  CH4 only: after the gas has cleared, reset the methane interlock from the console,
                     which also proves it tripped (a trip that never latched fails the test)
  --yes              do not wait for Enter at each step (unattended, or scripted)
${PORT_HELP}
Exit 0 pass; 1 fail (recorded); 2 refused or failed before a result.`;

export const command: Command = {
  summary: "guided bump test of one gas: reading, response time, alarm; recorded",
  usage: USAGE,
  async run(args) {
    const { values: p } = parseArgs("bump-test", args, {
      ...PORT_OPTIONS,
      gas: { type: "string" },
      applied: { type: "string" },
      yes: { type: "boolean" },
      "reset-interlock": { type: "boolean" },
    });
    const gas = parseGas(requireValue(p.gas, "--gas", "bump-test"));
    const applied = numberArg("--applied", requireValue(p.applied, "--applied", "bump-test"));
    const guide = makeGuide(p.yes === true, "bump-test");
    const secret = await resolveSecret(p["secret-file"], true);
    const out = await withPort(p, false, (port) =>
      bumpTest(port, {
        gas,
        applied,
        resetInterlock: p["reset-interlock"] === true,
        secret,
        registryFile: registryPath(p),
        tech: techName(p),
        now: wallClock(),
        guide,
      }),
    );
    process.stdout.write(`${out.lines.join("\n")}\n`);
    return out.pass ? 0 : 1;
  },
};
