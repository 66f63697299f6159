/**
 * The simulator's key-value storage (ECMA-419 3rd edition `embedded:storage/key-value` semantics: string
 * keys, binary or string values, a write replaces the value). It outlives a simulated reboot (it is the
 * node's NVS). Values are copied in and out, as NVS does, so a caller cannot change stored bytes by
 * keeping a reference. Writes are counted (NVS wear). No Node APIs: bundled into XS entries too.
 */
import type { KeyValueStore } from "../../firmware/node/storage.js";

/** ESP-IDF NVS: key names up to 15 characters (NVS_KEY_NAME_MAX_SIZE 16 including the NUL). */
const MAX_KEY = 15;

export class MemoryKeyValue implements KeyValueStore {
  #values = new Map<string, string | ArrayBuffer>();
  writes = 0;

  read(key: string): string | ArrayBuffer | undefined {
    const v = this.#values.get(checkKey(key));
    return v instanceof ArrayBuffer ? v.slice(0) : v;
  }

  write(key: string, value: string | ArrayBuffer): void {
    checkKey(key);
    this.writes++;
    this.#values.set(key, value instanceof ArrayBuffer ? value.slice(0) : String(value));
  }

  delete(key: string): void {
    this.#values.delete(checkKey(key));
  }

  keys(): string[] {
    return [...this.#values.keys()];
  }
}

function checkKey(key: string): string {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY) {
    throw new RangeError(`key-value key must be 1..${MAX_KEY} characters, got ${JSON.stringify(key)}`);
  }
  return key;
}
