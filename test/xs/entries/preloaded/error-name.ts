// Target-rules fixture: an Error subclass that assigns the name it inherits from the frozen Error.prototype.
class NamedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NamedError";
  }
}
export function handle(_request: Uint8Array): Uint8Array {
  try {
    throw new NamedError("boom");
  } catch (e) {
    return new TextEncoder().encode(`${(e as Error).name}: ${(e as Error).message}`);
  }
}
