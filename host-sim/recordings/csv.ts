/**
 * CSV dialect of the recording format (FORMAT.md section "CSV"): `#` comment lines (metadata such as
 * `# start_utc: 2010-02-27T06:50:00.0695Z`), a header `t_s,<channel>_<unit>,...`, one row per sample time,
 * an empty cell = no data for that channel at that time. Read line by line in bounded memory; written with
 * the writer's back-pressure respected.
 */
import fs from "node:fs";
import readline from "node:readline";
import { type Channel, columnName, parseColumnName, UNITS } from "./channels.js";
import { RecordingError, shown } from "./errors.js";
import { makeBlock, type SampleBlock, type SampleStream } from "./stream.js";

/** A plain decimal number: no hex, no `Infinity`, no empty string (all of which `Number()` would take). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export const CSV_BLOCK_SAMPLES = 4096;

/** Parses one cell; NaN return means "empty cell" (no data). Throws with file, line and column on garbage. */
function cell(text: string, where: string, column: string): number {
  const s = text.trim();
  if (s === "") return Number.NaN;
  if (DECIMAL.test(s)) return Number(s);
  if (NOT_FINITE.test(s)) {
    throw new RecordingError("nan", where, `${column} is ${s}: write an empty cell for missing data`, s);
  }
  throw new RecordingError("bad-value", where, `${column} is not a number: ${shown(s)}`, s);
}

function parseStartUtc(text: string, where: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\dT/.test(text) || !Number.isFinite(ms)) {
    throw new RecordingError(
      "bad-value",
      where,
      `start_utc is not an ISO 8601 UTC time: ${shown(text)}`,
      text,
    );
  }
  return ms;
}

function open(file: string): { lines: readline.Interface; input: fs.ReadStream } {
  const input = fs.createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 16 });
  return { lines: readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }), input };
}

/**
 * Splits and checks a header line (`t_s,<channel>_<unit>,...`). Linear in the number of columns (a repeated
 * channel is found through a Set): a hostile 10^5-column header costs 10^5 steps, not 10^10.
 */
export function parseCsvHeader(header: string, where: string): { names: string[]; channels: Channel[] } {
  const names = header.split(",").map((s) => s.trim());
  if (names[0] !== "t_s") {
    throw new RecordingError(
      "missing-column",
      where,
      `first column must be t_s, got ${shown(names[0])}`,
      names[0],
    );
  }
  if (names.length < 2) throw new RecordingError("missing-column", where, "no channel columns after t_s");
  const channels: Channel[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < names.length; i++) {
    const n = names[i]!;
    const c = parseColumnName(n);
    if (!c) {
      const units = UNITS.map((u) => `_${u}`).join(", ");
      throw new RecordingError(
        "bad-column",
        where,
        `column ${shown(n)} is not <channel>_<unit> (${units})`,
        n,
      );
    }
    if (seen.has(c.name)) {
      throw new RecordingError("bad-column", where, `column ${shown(n)} repeats channel ${c.name}`, n);
    }
    seen.add(c.name);
    channels.push(c);
  }
  return { names, channels };
}

/**
 * Opens a CSV recording stream: reads the comments and header now, the rows when `blocks()` is pulled.
 * Each `blocks()` call reads the file again from the start, so a stream can be replayed more than once.
 */
export async function openCsv(file: string, blockSamples = CSV_BLOCK_SAMPLES): Promise<SampleStream> {
  try {
    await fs.promises.access(file, fs.constants.R_OK);
  } catch (e) {
    throw new RecordingError("io", file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`, file);
  }
  const { lines, input } = open(file);
  let headerLine = 0;
  let startUtcMs: number | undefined;
  let header: string | undefined;
  try {
    for await (const raw of lines) {
      headerLine++;
      // A UTF-8 byte order mark (spreadsheet exports) is not part of the first line's text.
      const line = (headerLine === 1 ? raw.replace(/^\uFEFF/, "") : raw).trim();
      if (line === "") continue;
      if (line.startsWith("#")) {
        const m = /^#\s*start_utc\s*:\s*(\S+)\s*$/.exec(line);
        if (m) startUtcMs = parseStartUtc(m[1]!, `${file} line ${headerLine}`);
        continue;
      }
      header = line;
      break;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (header === undefined) {
    throw new RecordingError("missing-column", file, "no header line (expected t_s,<channel>_<unit>,...)");
  }
  const { names, channels } = parseCsvHeader(header, `${file} line ${headerLine}`);
  const columns = names.length;

  async function* blocks(): AsyncGenerator<SampleBlock> {
    const block = makeBlock(channels.length, blockSamples);
    const { lines, input } = open(file);
    let lineNo = 0;
    let lastT = Number.NEGATIVE_INFINITY;
    try {
      for await (const line of lines) {
        lineNo++;
        if (lineNo <= headerLine || line.trim() === "" || line.startsWith("#")) continue;
        const at = `${file} line ${lineNo}`;
        const fields = line.split(",");
        if (fields.length !== columns) {
          throw new RecordingError(
            "missing-column",
            at,
            `${fields.length} fields, the header has ${columns} (${names.join(",")})`,
            fields.length,
          );
        }
        const t = cell(fields[0]!, at, "t_s");
        if (Number.isNaN(t)) throw new RecordingError("missing-column", at, "t_s is empty", "");
        if (!(t > lastT)) {
          throw new RecordingError(
            "non-monotonic-time",
            at,
            `t_s ${t} does not increase (previous ${lastT})`,
            t,
          );
        }
        lastT = t;
        const i = block.count;
        if (i === 0) {
          block.firstPosition = lineNo;
          block.gapBeforeS = 0;
        }
        block.tS[i] = t;
        for (let c = 0; c < channels.length; c++)
          block.values[c]![i] = cell(fields[c + 1]!, at, names[c + 1]!);
        block.count = i + 1;
        if (block.count === blockSamples) {
          yield block;
          block.count = 0;
        }
      }
      if (block.count > 0) yield block;
    } finally {
      lines.close();
      input.destroy();
    }
  }

  return { name: file, channels, startUtcMs, periodS: undefined, blocks };
}

/** Shortest text that reads back to the same float64 (JS number-to-string is round-trip exact). */
function fmt(v: number): string {
  return Number.isNaN(v) ? "" : String(v);
}

/** Writes a stream as CSV (the export direction: MiniSEED or generator -> CSV); resolves when flushed. */
export async function writeCsv(file: string, stream: SampleStream): Promise<number> {
  const out = fs.createWriteStream(file, { encoding: "utf8" });
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
  });
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await new Promise<void>((r) => out.once("drain", () => r()));
  };
  let rows = 0;
  try {
    if (stream.startUtcMs !== undefined)
      await write(`# start_utc: ${new Date(stream.startUtcMs).toISOString()}\n`);
    await write(`t_s,${stream.channels.map(columnName).join(",")}\n`);
    for await (const b of stream.blocks()) {
      let text = "";
      for (let i = 0; i < b.count; i++) {
        text += fmt(b.tS[i]!);
        for (let c = 0; c < b.values.length; c++) text += `,${fmt(b.values[c]![i]!)}`;
        text += "\n";
      }
      rows += b.count;
      await write(text);
    }
  } finally {
    out.end();
  }
  await done;
  return rows;
}
