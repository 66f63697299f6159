// XS entry for the network-server codec test: the generated codec script is evaluated into this worker's
// global scope (xs.evaluate), and this entry calls its global functions with JSON in, JSON out.
export function handle(request: Uint8Array): Uint8Array {
  const { fn, input } = JSON.parse(new TextDecoder().decode(request)) as { fn: string; input: unknown };
  const f = (globalThis as unknown as Record<string, (input: unknown) => unknown>)[fn];
  const out = typeof f === "function" ? f(input) : { errors: [`no global ${fn}`] };
  return new TextEncoder().encode(JSON.stringify(out));
}
