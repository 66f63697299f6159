/**
 * A user-facing failure: one line, an exit code, never a stack trace (house rule 5).
 * Exit codes: 1 = the run worked and found a failure (an expectation, a check); 2 = bad input.
 */
export class CliError extends Error {
  override readonly name: string = "CliError";
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}
