/**
 * What the field-tech commands (tools/cli/provision.ts, bump-test.ts, calibrate.ts, status.ts,
 * registry.ts, label.ts) share: option parsing with one-line errors, the guide (prompts on a terminal,
 * straight through with --yes), the wall clock, and opening / always closing the port.
 */
import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import { ProvisionError } from "./errors.js";
import type { Guide } from "./gas-test.js";
import { type NodePort, openPort } from "./port.js";
import { DEFAULT_REGISTRY } from "./registry.js";

export interface OptionSpec {
  /** Options that take a value. */
  values: readonly string[];
  /** Options that are flags. */
  flags: readonly string[];
  /** Options that may be given more than once (values collected in order). */
  repeat?: readonly string[];
}

export interface ParsedArgs {
  values: Map<string, string>;
  lists: Map<string, string[]>;
  flags: Set<string>;
  positional: string[];
}

export const PORT_VALUES = [
  "--port",
  "--sim-dir",
  "--sim-fault",
  "--baud",
  "--secret-file",
  "--registry",
  "--tech",
] as const;

export function parseArgs(command: string, args: readonly string[], spec: OptionSpec): ParsedArgs {
  const out: ParsedArgs = { values: new Map(), lists: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (spec.flags.includes(a)) out.flags.add(a);
    else if (spec.values.includes(a)) {
      const v = args[++i];
      if (v === undefined || (v.startsWith("--") && v.length > 2))
        throw new ProvisionError("usage", `${a} needs a value (see minewatch ${command} --help)`, a);
      if (spec.repeat?.includes(a)) out.lists.set(a, [...(out.lists.get(a) ?? []), v]);
      else if (out.values.has(a)) throw new ProvisionError("usage", `${a} given twice`, a);
      else out.values.set(a, v);
    } else if (a.startsWith("-"))
      throw new ProvisionError("usage", `unknown option "${a}" (see minewatch ${command} --help)`, a);
    else out.positional.push(a);
  }
  return out;
}

export function requireValue(p: ParsedArgs, name: string, command: string): string {
  const v = p.values.get(name);
  if (v === undefined)
    throw new ProvisionError("usage", `missing ${name} (see minewatch ${command} --help)`, name);
  return v;
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

export function techName(p: ParsedArgs): string {
  const t = p.values.get("--tech") ?? process.env.MINEWATCH_TECH ?? userInfo().username;
  if (!/^[\x20-\x7e]{1,64}$/.test(t))
    throw new ProvisionError("usage", `--tech "${t}" must be 1..64 printable characters`, t);
  return t;
}

export function registryPath(p: ParsedArgs): string {
  return p.values.get("--registry") ?? DEFAULT_REGISTRY;
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
  p: ParsedArgs,
  create: boolean,
  work: (port: NodePort) => Promise<T>,
): Promise<T> {
  const baudText = p.values.get("--baud");
  const port = await openPort(p.values.get("--port"), {
    ...(p.values.get("--sim-dir") ? { simDir: p.values.get("--sim-dir")! } : {}),
    create,
    simFaults: p.lists.get("--sim-fault") ?? [],
    ...(baudText ? { baud: numberArg("--baud", baudText) } : {}),
  });
  try {
    return await work(port);
  } finally {
    await port.close();
  }
}

export const PORT_HELP = `  --port P           the node: a serial port (/dev/ttyUSB0, COM3; needs \`npm install serialport\`)
                     or a simulated node sim:<name> (kept in --sim-dir, default .minewatch/sim)
  --secret-file F    the console's provisioning secret (first line); default $MINEWATCH_SECRET,
                     else asked on the terminal; never on the command line
  --registry F       the registry (default .minewatch/registry.jsonl)
  --tech NAME        who did it, for the record (default $MINEWATCH_TECH or your login)
  --baud N           console baud rate (default 115200)
  --sim-fault F      simulated nodes only: mute | cut-at=<COMMAND> | cut-after=<bytes>`;
