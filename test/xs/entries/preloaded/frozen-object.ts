// Target-rules fixture: a module-level object written at run time (frozen by the preload).
const state = { calls: 0 };
export function handle(request: Uint8Array): Uint8Array {
  state.calls++;
  return request;
}
