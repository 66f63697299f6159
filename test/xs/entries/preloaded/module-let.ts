// Target-rules fixture: a top-level let (a mutable closure variable in flash).
let calls = 0;
export function handle(request: Uint8Array): Uint8Array {
  calls++;
  return request.subarray(0, calls > 0 ? 1 : 0);
}
