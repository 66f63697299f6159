/**
 * `minewatch calibrate --port P --gas CO --zero | --span 100 [--yes]`: the guided calibration
 * (tools/provision/gas-test.ts). Exit 0 pass, 1 fail (recorded either way), 2 refused or a link failure.
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
import { ProvisionError } from "../provision/errors.js";
import { calibrate } from "../provision/gas-test.js";
import { resolveSecret } from "../provision/keys.js";
import { parseGas } from "../provision/session.js";
import type { Command } from "./main.js";

const USAGE = `usage: minewatch calibrate --port P --gas CH4|CO|O2|H2S (--zero | --span <concentration>) [--yes] [options]

Guides a zero or span calibration: asks you to apply zero or span gas, waits for a settled reading,
calibrates, checks the reading afterwards, asks you to remove the gas, records pass or fail.
  --zero             zero calibration (zero air; nitrogen for O2)
  --span N           span calibration with N of the gas (%vol for CH4 and O2, ppm for CO, H2S)
  --yes              do not wait for Enter at each step
${PORT_HELP}
Exit 0 pass; 1 fail (recorded); 2 refused or failed before a result.`;

export const command: Command = {
  summary: "guided zero or span calibration of one gas; recorded",
  usage: USAGE,
  async run(args) {
    const { values: p } = parseArgs("calibrate", args, {
      ...PORT_OPTIONS,
      gas: { type: "string" },
      span: { type: "string" },
      yes: { type: "boolean" },
      zero: { type: "boolean" },
    });
    const gas = parseGas(requireValue(p.gas, "--gas", "calibrate"));
    const spanText = p.span;
    if ((p.zero === true) === (spanText !== undefined))
      throw new ProvisionError("usage", "give exactly one of --zero or --span <concentration>", spanText);
    const mode = spanText === undefined ? "zero" : "span";
    const applied = spanText === undefined ? 0 : numberArg("--span", spanText);
    const guide = makeGuide(p.yes === true, "calibrate");
    const secret = await resolveSecret(p["secret-file"], true);
    const out = await withPort(p, false, (port) =>
      calibrate(port, {
        gas,
        mode,
        applied,
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
