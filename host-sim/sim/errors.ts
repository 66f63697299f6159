/**
 * A scenario file that cannot be run: which file, which field (a path such as `nodes[2].faults[0].atS`),
 * what is wrong, and the offending value (house rule 5). The CLI prints `message` as its one line, exit 2.
 */
export type ScenarioErrorCode = "io" | "parse" | "bad-field" | "unknown-field" | "unknown-scenario";

export class ScenarioError extends Error {
  override readonly name: string = "ScenarioError";
  readonly code: ScenarioErrorCode;
  readonly file: string;
  readonly field: string;
  readonly problem: string;
  readonly value: unknown;

  constructor(code: ScenarioErrorCode, file: string, field: string, problem: string, value?: unknown) {
    super(`${file}: ${field === "" ? "" : `${field}: `}${problem}`);
    this.code = code;
    this.file = file;
    this.field = field;
    this.problem = problem;
    this.value = value;
  }
}

/** A value as an error message shows it: short, JSON-ish. */
export function shown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (v === undefined) return "nothing";
  if (typeof v === "number") return String(v); // NaN and Infinity as what they are (JSON says null)
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}...` : s;
  } catch {
    return String(v);
  }
}
