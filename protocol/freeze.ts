/**
 * Freezes a module-level table and everything in it, so the XS linker can preload it into flash as it is
 * (its "not frozen" warning: an unfrozen object there is aliased into RAM on first use, a pointer of RAM for
 * every one) and no code can change a table at run time. Plain objects and arrays are frozen all the way down
 * (an already frozen one is still walked); typed arrays are left as they are (they cannot be frozen; a
 * preload keeps their bytes read-only in flash). Runs once per table at load; never per sample.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return value;
  const proto = Object.getPrototypeOf(value);
  // Plain objects and arrays only: class instances, functions and built-ins are not tables.
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d && "value" in d) deepFreeze(d.value);
  }
  return value;
}
