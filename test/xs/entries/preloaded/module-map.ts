// Target-rules fixture: a Map made at module level (mutable state in flash).
const cache = new Map<number, number>();
export function handle(request: Uint8Array): Uint8Array {
  cache.set(request[0]!, 1);
  return request;
}
