// XS entry used by the harness's own test: sums bytes; with a first byte of 1 it also allocates per byte so
// the allocation probe has something to find.
const scratch = new Uint8Array(4);
let kept: number[][] = [];

export function handle(request: Uint8Array): Uint8Array {
  let sum = 0;
  const allocate = request[0] === 1;
  for (let i = 1; i < request.length; i++) {
    sum += request[i]!;
    if (allocate) kept.push([i]);
  }
  if (kept.length > 10000) kept = [];
  new DataView(scratch.buffer).setUint32(0, sum);
  return scratch;
}
