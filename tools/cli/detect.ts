/**
 * `minewatch detect <recording>`: replays a recording (directory, manifest, CSV or MiniSEED file) through the
 * node's sensing pipelines and prints what they decide: gas alarms and faults, seismic events. With
 * `--evaluate`, compares against the recording's labels (or `--labels FILE`) and prints the quality figures.
 */
import { gasProfileNamed, isGasError } from "../../firmware/sensing/gas/index.js";
import { isSeismicError, ppvProfileNamed } from "../../firmware/sensing/seismic/index.js";
import { RecordingError } from "../../host-sim/recordings/errors.js";
import { checkGasCrossings, seismicQuality } from "../../host-sim/recordings/evaluate.js";
import { findingJson, findingText } from "../../host-sim/recordings/findings.js";
import { readLabels } from "../../host-sim/recordings/labels.js";
import { LOCATIONS, type Location, openRecording } from "../../host-sim/recordings/recording.js";
import { type ReplayOptions, replay } from "../../host-sim/recordings/replay/index.js";
import type { SeismicOverrides } from "../../host-sim/recordings/replay/seismic.js";
import { parseCommandArgs } from "./args.js";
import { CliError } from "./errors.js";
import type { Command } from "./main.js";

const USAGE = `usage: minewatch detect <recording> [options]

<recording>: a recording directory (recording.json inside), a manifest .json, a .csv or a .mseed file
(format: host-sim/recordings/FORMAT.md).

options:
  --profile NAME        gas set-point profile (default: the recording's, else the gas pipeline's default)
  --location L          intake | face | return | local: where the node hangs (methane limits depend on it)
  --json                one JSON object a line: t (s from the recording's start), kind, channel, ...
  --evaluate            compare with the labels: gas crossings alarmed within one sample period,
                        seismic recall and false triggers per node-day (exit 1 if a crossing was missed)
  --labels FILE         labels for --evaluate (default: the recording's labels file)
  --sta S, --lta S      seismic STA / LTA windows in seconds
  --on X, --off X       seismic trigger thresholds (STA/LTA ratio)
  --method M            recursive | classic STA/LTA
  --ppv-profile NAME    PPV limit profile for event classes (e.g. usbm-ri8507-plaster, din4150-3-line1)`;

interface Args {
  target: string;
  profile?: string;
  location?: Location;
  json: boolean;
  evaluate: boolean;
  labels?: string;
  seismic: SeismicOverrides;
}

function number(flag: string, text: string | undefined): number {
  const v = text === undefined ? Number.NaN : Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(v) || v <= 0) {
    throw new CliError(
      `${flag} needs a number > 0, got ${text === undefined ? "nothing" : JSON.stringify(text)}`,
    );
  }
  return v;
}

/** `name` if `lookup` knows it (a profile table), else a CliError with the lookup's own message. */
function known(flag: string, name: string, lookup: (name: string) => unknown): string {
  try {
    lookup(name);
  } catch (e) {
    throw new CliError(`${flag}: ${(e as Error).message}`);
  }
  return name;
}

const DETECT_OPTIONS = {
  profile: { type: "string" },
  location: { type: "string" },
  json: { type: "boolean" },
  evaluate: { type: "boolean" },
  labels: { type: "string" },
  sta: { type: "string" },
  lta: { type: "string" },
  on: { type: "string" },
  off: { type: "string" },
  method: { type: "string" },
  "ppv-profile": { type: "string" },
} as const;

export function parseArgs(argv: string[]): Args {
  const { values: v, positionals } = parseCommandArgs("detect", argv, DETECT_OPTIONS);
  const a: Args = { target: "", json: v.json === true, evaluate: v.evaluate === true, seismic: {} };
  // Checked here, not when a gas channel turns up: a seismic-only recording must not accept a typo.
  if (v.profile !== undefined) a.profile = known("--profile", v.profile, gasProfileNamed);
  if (v.location !== undefined) {
    if (!LOCATIONS.includes(v.location as Location))
      throw new CliError(
        `--location must be one of ${LOCATIONS.join("|")}, got ${JSON.stringify(v.location)}`,
      );
    a.location = v.location as Location;
  }
  if (v.labels !== undefined) a.labels = v.labels;
  if (v.sta !== undefined) a.seismic.staS = number("--sta", v.sta);
  if (v.lta !== undefined) a.seismic.ltaS = number("--lta", v.lta);
  if (v.on !== undefined) a.seismic.onThreshold = number("--on", v.on);
  if (v.off !== undefined) a.seismic.offThreshold = number("--off", v.off);
  if (v.method !== undefined) {
    if (v.method !== "recursive" && v.method !== "classic")
      throw new CliError(`--method must be recursive or classic, got ${JSON.stringify(v.method)}`);
    a.seismic.method = v.method;
  }
  if (v["ppv-profile"] !== undefined)
    a.seismic.ppvProfile = known("--ppv-profile", v["ppv-profile"], ppvProfileNamed);
  if (positionals.length !== 1) {
    throw new CliError(
      positionals.length === 0
        ? "no recording given (see minewatch detect --help)"
        : `one recording at a time, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  a.target = positionals[0]!;
  return a;
}

function pct(x: number): string {
  return Number.isNaN(x) ? "n/a" : `${(100 * x).toFixed(1)} %`;
}

async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    // What the readers read past (a truncated last MiniSEED record, NaN samples): one line each, on stderr.
    const warn = (m: string) => process.stderr.write(`minewatch detect: warning: ${m}\n`);
    const rec = await openRecording(args.target, { warn });
    const labels = args.labels !== undefined ? await readLabels(args.labels) : rec.labels;
    const options: ReplayOptions = { seismic: args.seismic };
    if (args.profile !== undefined) options.profile = args.profile;
    if (args.location !== undefined) options.location = args.location;
    const result = await replay(rec, options);
    if (!args.json) {
      for (const s of result.streams) {
        out(
          `# ${s.pipeline} ${s.channel}: ${s.samples} samples, ${s.durationS.toFixed(1)} s at ${(1 / s.periodS).toPrecision(4)} Hz (${s.name})${s.profile ? `, profile ${s.profile}, location ${s.location}` : ""}`,
        );
      }
    }
    for (const f of result.findings) out(args.json ? findingJson(f) : findingText(f));
    if (!args.evaluate) return 0;
    if (labels.length === 0)
      throw new CliError(
        `${args.target}: --evaluate needs labels (none in the recording; give --labels FILE)`,
      );
    let failed = false;
    const gasStreams = result.streams.filter((s) => s.pipeline === "gas");
    if (gasStreams.length > 0) {
      const periodS = Math.max(...gasStreams.map((s) => s.periodS));
      const crossings = checkGasCrossings(result.findings, labels, periodS);
      const ok = crossings.filter((c) => c.ok).length;
      const worst = Math.max(0, ...crossings.map((c) => c.latencyS ?? Number.POSITIVE_INFINITY));
      failed = ok < crossings.length;
      if (args.json)
        out(
          JSON.stringify({
            kind: "evaluation-gas",
            crossings: crossings.length,
            alarmedInTime: ok,
            periodS,
            worstLatencyS: worst,
          }),
        );
      else {
        out(
          `# gas: ${ok} of ${crossings.length} labelled crossings alarmed within one sample period (${periodS} s); worst latency ${worst} s`,
        );
        for (const c of crossings.filter((x) => !x.ok)) {
          out(
            `#   MISSED ${c.label.channel} ${c.label.level} at ${c.label.t} s (latency ${c.latencyS ?? "never"})`,
          );
        }
      }
    }
    for (const s of result.streams.filter((x) => x.pipeline === "seismic")) {
      const mine = result.findings.filter((f) => f.channel === s.channel);
      const q = seismicQuality(mine, labels, s.durationS, s.periodS);
      if (args.json) {
        const { missed, ...figures } = q;
        out(
          JSON.stringify({
            kind: "evaluation-seismic",
            channel: s.channel,
            ...figures,
            missedT: missed.map((l) => l.t),
          }),
        );
      } else {
        const kinds = Object.entries(q.byKind)
          .map(([k, v]) => `${k} ${v.matched}+${v.merged} merged/${v.labelled}`)
          .join(", ");
        out(
          `# seismic ${s.channel}: recall ${pct(q.recall)} (${kinds}); ${q.falseTriggers} false triggers in ${(q.durationS / 3600).toFixed(2)} h = ${q.falsePerNodeDay.toFixed(1)} per node-day (${q.falseDuringMachinery} during machinery); ${q.split} split`,
        );
        out(
          `#   median detected/labelled: PPV ${q.ppvRatioMedian?.toFixed(3) ?? "n/a"}, PGA ${q.pgaRatioMedian?.toFixed(3) ?? "n/a"}, dominant/corner frequency ${q.freqRatioMedian?.toFixed(3) ?? "n/a"}`,
        );
      }
    }
    return failed ? 1 : 0;
  } catch (e) {
    if (e instanceof RecordingError) throw new CliError(e.message);
    if (isSeismicError(e) || isGasError(e)) throw new CliError(`${args.target}: ${(e as Error).message}`);
    throw e;
  }
}

export const command: Command = {
  summary: "replay a recording through the sensing pipelines; print alarms and events",
  usage: USAGE,
  run,
};
