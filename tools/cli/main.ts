/**
 * `minewatch <command> ...`. Each command lives in its own file and registers here; every failure reaches
 * the user as one line on stderr with exit code 2 for bad input (see errors.ts).
 */
import { CliError } from "./errors.js";

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number> | number;
}

const commands: Record<string, () => Promise<Command>> = {};

function usage(): string {
  const lines = Object.entries(commandSummaries).map(([name, summary]) => `  ${name.padEnd(10)} ${summary}`);
  return [
    "minewatch: firmware and host tooling for underground-mine safety sensor nodes",
    "",
    "usage: minewatch <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "Run `minewatch <command> --help` for a command's options.",
  ].join("\n");
}

const commandSummaries: Record<string, string> = {};

export function registerCommand(name: string, summary: string, load: () => Promise<Command>): void {
  commands[name] = load;
  commandSummaries[name] = summary;
}

export async function main(argv: string[]): Promise<number> {
  await import("./commands.js");
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`minewatch: unknown command "${name}" (try: minewatch --help)\n`);
    return 2;
  }
  try {
    const command = await load();
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`minewatch ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`minewatch ${name}: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env.MINEWATCH_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return 70;
  }
}
