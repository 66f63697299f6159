/** Bad input to the collector (a key, a label, a counter file): a code and the offending value (rule 5). */
export type CollectorErrorCode = "bad-key" | "bad-label" | "bad-counter-store" | "bad-option";

export class CollectorError extends Error {
  override readonly name: string = "CollectorError";
  readonly code: CollectorErrorCode;
  readonly value: unknown;
  constructor(code: CollectorErrorCode, message: string, value: unknown) {
    super(message);
    this.code = code;
    this.value = value;
  }
}
