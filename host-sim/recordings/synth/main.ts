/**
 * Writes a seeded synthetic recording for test engineers:
 *
 *   npx tsx host-sim/recordings/synth/main.ts <out-dir> [--seed N] [--hours H] [--rate HZ] [--no-gas]
 *       [--no-seismic] [--profile NAME] [--location L]
 *       [--set-point CHANNEL:LEVEL:VALUE:rising|falling:HYSTERESIS]...
 *
 * Gas crossings are labelled at the set-points of the gas profile and location (default: the gas
 * pipeline's default profile, location face), or only at the `--set-point`s given.
 * then `npx minewatch detect <out-dir> --evaluate`. Same arguments, same bytes.
 */
import { GAS_CHANNELS, type GasChannel } from "../channels.js";
import { LOCATIONS, type Location } from "../recording.js";
import { gasSetPoints } from "../replay/gas-port.js";
import { writeSynthetic } from "./generate.js";
import { randomScenario } from "./random.js";
import type { SetPoint } from "./scenario.js";

function fail(message: string): never {
  process.stderr.write(`synth: ${message}\n`);
  process.exit(2);
}

function positive(flag: string, text: string | undefined, integer = false): number {
  const v = Number(text);
  if (text === undefined || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    fail(`${flag} needs a ${integer ? "whole " : ""}number >= 0, got ${JSON.stringify(text ?? null)}`);
  }
  return v;
}

function setPoint(text: string | undefined): SetPoint {
  const [channel, level, value, direction, hysteresis] = (text ?? "").split(":");
  if (
    !GAS_CHANNELS.includes(channel as GasChannel) ||
    !level ||
    (direction !== "rising" && direction !== "falling")
  ) {
    fail(
      `--set-point wants CHANNEL:LEVEL:VALUE:rising|falling:HYSTERESIS, got ${JSON.stringify(text ?? null)}`,
    );
  }
  return {
    channel: channel as GasChannel,
    level,
    value: positive("--set-point value", value),
    direction,
    hysteresis: positive("--set-point hysteresis", hysteresis),
  };
}

const argv = process.argv.slice(2);
let out: string | undefined;
let seed = 1;
let hours = 1;
let rateHz = 500;
let gas = true;
let seismic = true;
let location: Location = "face";
let profile: string | undefined;
const setPoints: SetPoint[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === "--seed") seed = positive(a, argv[++i], true);
  else if (a === "--hours") hours = positive(a, argv[++i]);
  else if (a === "--rate") rateHz = positive(a, argv[++i]);
  else if (a === "--no-gas") gas = false;
  else if (a === "--no-seismic") seismic = false;
  else if (a === "--set-point") setPoints.push(setPoint(argv[++i]));
  else if (a === "--profile") profile = argv[++i];
  else if (a === "--location") {
    const v = argv[++i];
    if (!LOCATIONS.includes(v as Location))
      fail(`--location must be one of ${LOCATIONS.join("|")}, got ${JSON.stringify(v ?? null)}`);
    location = v as Location;
  } else if (a.startsWith("-")) fail(`unknown option ${a}`);
  else if (out === undefined) out = a;
  else fail(`one output directory, got ${out} and ${a}`);
}
if (out === undefined)
  fail("usage: synth <out-dir> [--seed N] [--hours H] [--rate HZ] [--no-gas] [--no-seismic] ...");
let labelled = setPoints;
if (labelled.length === 0) {
  try {
    labelled = gasSetPoints(profile, location);
  } catch (e) {
    fail((e as Error).message);
  }
}
const scenario = randomScenario(seed, {
  durationS: Math.round(hours * 3600),
  rateHz,
  gas,
  seismic,
  location,
  setPoints: labelled,
});
await writeSynthetic(out, scenario, seed);
process.stdout.write(
  `${out}: ${scenario.name}, ${hours} h, seed ${seed}, ${labelled.length} set-points labelled\n`,
);
