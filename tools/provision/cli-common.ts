/**
 * What the field-tech commands (tools/cli/provision.ts, bump-test.ts, calibrate.ts, status.ts,
 * registry.ts, label.ts) share: the port options and their parsing with one-line errors, the guide
 * (prompts on a terminal, straight through with --yes), the wall clock, and opening / always closing the port.
 */
import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import { type CommandArgs, type OptionSpecs, parseCommandArgs } from "../cli/args.js";
import { ProvisionError } from "./errors.js";
import type { Guide } from "./gas-test.js";
import { type NodePort, openPort } from "./port.js";
import { DEFAULT_REGISTRY } from "./registry.js";

/** The options every command that talks to a node takes (PORT_HELP says what they mean). */
export const PORT_OPTIONS = {
  port: { type: "string" },
  "sim-dir": { type: "string" },
  "sim-fault": { type: "string", multiple: true },
  baud: { type: "string" },
  "secret-file": { type: "string" },
  registry: { type: "string" },
  tech: { type: "string" },
} as const;

/** The parsed port options (a command's own options come alongside). */
export interface PortValues {
  port?: string;
  "sim-dir"?: string;
  "sim-fault"?: string[];
  baud?: string;
  tech?: string;
  registry?: string;
}

/** The command line through node's util.parseArgs (../cli/args.ts); a refusal is a "usage" ProvisionError. */
export function parseArgs<T extends OptionSpecs>(
  command: string,
  args: readonly string[],
  options: T,
): CommandArgs<T> {
  return parseCommandArgs(
    command,
    args,
    options,
    (message, value) => new ProvisionError("usage", message, value),
  );
}

export function requireValue(value: string | undefined, name: string, command: string): string {
  if (value === undefined)
    throw new ProvisionError("usage", `missing ${name} (see minewatch ${command} --help)`, name);
  return value;
}

/** A decimal number argument ("2.5", "100"); anything else is refused naming the text. */
export function numberArg(name: string, text: string): number {
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(text))
    throw new ProvisionError(
      "usage",
      `${name} "${text}" must be a plain decimal number like 2.5 or 100`,
      text,
    );
  return Number(text);
}

/** Host wall clock for registry records; MINEWATCH_NOW (ISO 8601) fixes it, for tests only. */
export function wallClock(): () => Date {
  const fixed = process.env.MINEWATCH_NOW;
  if (fixed === undefined) return () => new Date();
  const d = new Date(fixed);
  if (Number.isNaN(d.getTime()))
    throw new ProvisionError("usage", `MINEWATCH_NOW "${fixed}" is not an ISO 8601 time`, fixed);
  return () => d;
}

export function techName(p: PortValues): string {
  const t = p.tech ?? process.env.MINEWATCH_TECH ?? userInfo().username;
  if (!/^[\x20-\x7e]{1,64}$/.test(t))
    throw new ProvisionError("usage", `--tech "${t}" must be 1..64 printable characters`, t);
  return t;
}

export function registryPath(p: Pick<PortValues, "registry">): string {
  return p.registry ?? DEFAULT_REGISTRY;
}

/** Prompts on a terminal; with --yes (or no terminal and --yes) it only prints the steps. */
export function makeGuide(yes: boolean, command: string): Guide {
  const interactive = !yes;
  if (interactive && !process.stdin.isTTY)
    throw new ProvisionError(
      "usage",
      `${command} guides you step by step on a terminal; without one, add --yes to run the steps unattended`,
      command,
    );
  return {
    say: (line) => process.stdout.write(`${line}\n`),
    ask: async (instruction) => {
      if (!interactive) {
        process.stdout.write(`-> ${instruction}\n`);
        return;
      }
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        await rl.question(`-> ${instruction}, then press Enter `);
      } finally {
        rl.close();
      }
    },
  };
}

/** Opens the port named by --port, runs `work`, and always closes the port (a simulated node is saved). */
export async function withPort<T>(
  p: PortValues,
  create: boolean,
  work: (port: NodePort) => Promise<T>,
): Promise<T> {
  const baudText = p.baud;
  const port = await openPort(p.port, {
    ...(p["sim-dir"] ? { simDir: p["sim-dir"] } : {}),
    create,
    simFaults: p["sim-fault"] ?? [],
    ...(baudText ? { baud: numberArg("--baud", baudText) } : {}),
  });
  try {
    return await work(port);
  } finally {
    await port.close();
  }
}

export const PORT_HELP = `  --port P           the node: a serial port (/dev/ttyUSB0, COM3; through the serialport package)
                     or a simulated node sim:<name> (kept in --sim-dir, default .minewatch/sim)
  --secret-file F    the console's provisioning secret (first line); default $MINEWATCH_SECRET,
                     else asked on the terminal; never on the command line
  --registry F       the registry (default .minewatch/registry.jsonl)
  --tech NAME        who did it, for the record (default $MINEWATCH_TECH or your login)
  --baud N           console baud rate (default 115200)
  --sim-fault F      simulated nodes only: mute | cut-at=<COMMAND> | cut-at-line=<n> | cut-after=<bytes>`;
