/** Bad input to the collector (a key, a label, a counter file): a code and the offending value (rule 5). */
import { CodedError } from "../../protocol/errors.js";

export type CollectorErrorCode = "bad-key" | "bad-label" | "bad-counter-store" | "bad-option";

export class CollectorError extends CodedError<CollectorErrorCode> {
  override readonly name: string = "CollectorError";
}
