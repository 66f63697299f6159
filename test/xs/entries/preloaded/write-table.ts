// Target-rules fixture: a scratch buffer made at module level and written at run time (read-only in flash).
const scratch = new Uint8Array(4);
export function handle(request: Uint8Array): Uint8Array {
  scratch[0] = request[0]!;
  return scratch.slice();
}
