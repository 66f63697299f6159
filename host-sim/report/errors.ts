/**
 * A report that cannot be written: a code, the offending value and a one-line message (house rule 5). The
 * CLI turns it into its one line (exit 2 when the input was bad, e.g. `--report` names a file).
 */
export type ReportErrorCode = "bad-format" | "bad-series" | "bad-range" | "bad-dir" | "io";

export class ReportError extends Error {
  override readonly name: string = "ReportError";
  readonly code: ReportErrorCode;
  readonly value: unknown;

  constructor(code: ReportErrorCode, message: string, value?: unknown) {
    super(message);
    this.code = code;
    this.value = value;
  }
}
