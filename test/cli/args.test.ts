/**
 * Every command's command line (tools/cli/args.ts on node's util.parseArgs): `--help` and `-h` print the
 * command's usage and exit 0; an unknown option is one line naming it and the help, exit 2, before the
 * command does anything. And the house rules the parser adds on top of util.parseArgs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseCommandArgs } from "../../tools/cli/args.js";
import { CliError } from "../../tools/cli/errors.js";
import { main } from "../../tools/cli/main.js";

const COMMANDS = [
  "frames",
  "decode",
  "detect",
  "sim",
  "provision",
  "bump-test",
  "calibrate",
  "status",
  "registry",
  "label",
];

let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("minewatch <command> --help and a bad option", () => {
  it("minewatch --help lists exactly these commands", async () => {
    expect(await main(["--help"])).toBe(0);
    const listed = [...out.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]);
    expect(listed).toEqual(COMMANDS);
  });

  it.each(COMMANDS)("%s --help and -h print its usage, exit 0", async (name) => {
    expect(await main([name, "--help"])).toBe(0);
    expect(err).toBe("");
    expect(out).toMatch(new RegExp(`^usage: minewatch ${name}\\b`));
    const help = out;
    out = "";
    expect(await main([name, "-h"])).toBe(0);
    expect(out).toBe(help);
  });

  it.each(COMMANDS)("%s --bogus: one line naming the option, exit 2", async (name) => {
    expect(await main([name, "--bogus", "x"])).toBe(2);
    expect(out).toBe("");
    expect(err).toBe(`minewatch ${name}: unknown option "--bogus" (see minewatch ${name} --help)\n`);
  });
});

describe("parseCommandArgs", () => {
  const OPTIONS = {
    seed: { type: "string" },
    json: { type: "boolean" },
    fault: { type: "string", multiple: true },
  } as const;
  const parse = (...argv: string[]) => parseCommandArgs("sim", argv, OPTIONS);

  it("values by long name, positionals in order, repeated values of a multiple option in order", () => {
    expect(parse("a", "--seed", "7", "b", "--json", "--fault", "x", "--fault=y")).toEqual({
      values: { seed: "7", json: true, fault: ["x", "y"] },
      positionals: ["a", "b"],
    });
    expect(parse("--seed=--x").values.seed).toBe("--x"); // an inline value is taken as written
    expect(parse("--seed", "-1").values.seed).toBe("-1"); // for the option's own check to refuse by name
    expect(parse("--", "--json").positionals).toEqual(["--json"]);
  });

  it.each([
    [["--seed"], "--seed needs a value (see minewatch sim --help)"],
    [["--seed", "--json"], "--seed needs a value (see minewatch sim --help)"],
    [["--json=1"], "--json takes no value (see minewatch sim --help)"],
    [["--seed", "1", "--seed", "2"], "--seed given twice (see minewatch sim --help)"],
    [["-j"], 'unknown option "-j" (see minewatch sim --help)'],
    [["--no-json"], 'unknown option "--no-json" (see minewatch sim --help)'],
    [["--toString"], 'unknown option "--toString" (see minewatch sim --help)'],
  ])("refuses %j in one line", (argv, message) => {
    expect(() => parse(...argv)).toThrow(CliError);
    expect(() => parse(...argv)).toThrow(message);
    try {
      parse(...argv);
    } catch (e) {
      expect((e as CliError).exitCode).toBe(2);
    }
  });
});
