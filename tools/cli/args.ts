/**
 * Command-line options for every `minewatch` command: node's `util.parseArgs` splits the words (tokens
 * mode), and this adds the CLI's house rules on top, so every problem is ONE line naming the option and
 * `minewatch <command> --help`, exit 2 (house rule 5):
 * - an unknown option, a missing value, a flag given a value (`--json=1`), an option given twice (unless it
 *   is `multiple`) are refused;
 * - an option that takes a value refuses another option in its place (`--seed --json`), but takes a value
 *   that starts with one dash (`--seed -1`), which the command's own check then refuses by name.
 * `--help` / `-h` never reach a command: tools/cli/main.ts prints the command's usage first.
 */
import { parseArgs } from "node:util";
import { CliError } from "./errors.js";

export interface OptionSpec {
  type: "string" | "boolean";
  /** A string option that may be given more than once (values collected in order). */
  multiple?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S["type"] extends "boolean"
  ? boolean
  : S["multiple"] extends true
    ? string[]
    : string;

export interface CommandArgs<T extends OptionSpecs> {
  /** Each option given, by its long name without the dashes. */
  values: { [K in keyof T]?: ValueOf<T[K]> };
  positionals: string[];
}

/** How a refused command line becomes the thrown error (the field-tech commands use ProvisionError). */
export type UsageError = (message: string, value: string) => Error;

export function parseCommandArgs<T extends OptionSpecs>(
  command: string,
  argv: readonly string[],
  options: T,
  usageError: UsageError = (message) => new CliError(message),
): CommandArgs<T> {
  const see = `(see minewatch ${command} --help)`;
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") positionals.push(t.value);
    if (t.kind !== "option") continue;
    const spec = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    // No command has one-letter options: `-x` is unknown even where an option is called x.
    if (spec === undefined || !t.rawName.startsWith("--"))
      throw usageError(`unknown option "${t.rawName}" ${see}`, t.rawName);
    if (spec.type === "boolean") {
      if (t.value !== undefined) throw usageError(`${t.rawName} takes no value ${see}`, t.value);
      values[t.name] = true;
      continue;
    }
    const v = t.value;
    if (v === undefined || (!t.inlineValue && v.startsWith("--")))
      throw usageError(`${t.rawName} needs a value ${see}`, t.rawName);
    const before = values[t.name];
    if (spec.multiple) values[t.name] = [...((before as string[] | undefined) ?? []), v];
    else if (before !== undefined) throw usageError(`${t.rawName} given twice ${see}`, t.rawName);
    else values[t.name] = v;
  }
  return { values: values as CommandArgs<T>["values"], positionals };
}
