// Target-rules fixture: what a preloaded module may hold: a table only read at run time, a frozen object, a
// class whose instances keep their state, an Error subclass with its name as a field.
const TABLE = new Uint8Array([10, 20, 30, 40]);
const OFFSET = Object.freeze({ add: 1 });
class Counter {
  n = 0;
  bump(): number {
    return ++this.n;
  }
}
class FieldError extends Error {
  override readonly name = "FieldError";
}
const counter = { make: () => new Counter() };
export function handle(request: Uint8Array): Uint8Array {
  const c = counter.make();
  c.bump();
  let name = "";
  try {
    throw new FieldError("x");
  } catch (e) {
    name = (e as Error).name;
  }
  const out = new Uint8Array(3);
  out[0] = TABLE[request[0]! & 3]! + OFFSET.add;
  out[1] = c.bump();
  out[2] = name === "FieldError" ? 1 : 0;
  return out;
}
