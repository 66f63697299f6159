/**
 * One error type for everything a recording can get wrong (house rule 5): a code a test can match, the place
 * (file, and line or record) and the offending value. The message is one line: `<place>: <problem>`, which
 * the CLI prints as is.
 */
export type RecordingErrorCode =
  | "io" // the file cannot be opened or read
  | "unknown-format" // neither CSV, MiniSEED nor a recording manifest
  | "missing-column" // no t_s column, no channel column, or a row with too few / too many fields
  | "bad-column" // a header name that is not `<channel>_<unit>` with a known unit
  | "bad-value" // a cell that is not a decimal number
  | "nan" // NaN or an infinity written out in a cell
  | "non-monotonic-time" // a time that does not increase
  | "bad-record" // a MiniSEED record that cannot be parsed or decoded
  | "bad-manifest" // recording.json does not follow FORMAT.md
  | "bad-label"; // a labels.jsonl line that does not follow FORMAT.md

export class RecordingError extends Error {
  override readonly name: string = "RecordingError";
  readonly code: RecordingErrorCode;
  /** e.g. `gas.csv line 12` or `accel.mseed record 5 (byte 2560)`. */
  readonly where: string;
  readonly value: unknown;

  constructor(code: RecordingErrorCode, where: string, problem: string, value?: unknown) {
    super(`${where}: ${problem}`);
    this.code = code;
    this.where = where;
    this.value = value;
  }
}

/** Quotes a value for an error message, short enough to stay on one line. */
export function shown(value: unknown): string {
  const s = typeof value === "string" ? JSON.stringify(value) : String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
