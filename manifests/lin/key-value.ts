/**
 * ECMA-419 key-value storage (`embedded:storage/key-value`) for Moddable's desktop simulator (-p lin),
 * which Moddable implements only for esp32, mac, nrf52, pico, pebble and zephyr (modules/io/storage).
 * Same surface as Moddable's ESP32 one (modules/io/storage/esp32/storage-esp32.js: a frozen object whose
 * `open({ path, format })` returns a Storage), one file per key under `<file root>minewatch-kv/<path>/`,
 * so provisioning survives a restart of the simulator as NVS survives a reboot.
 */
import { Directory, File } from "file";
import config from "mc/config";

type Format = "buffer" | "string";
const ROOT = `${(config.file as { root: string }).root}minewatch-kv/`;

function checkName(kind: string, name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.length > 15 || name.includes("/"))
    throw new RangeError(`key-value ${kind} must be 1..15 characters without "/", got ${String(name)}`);
}

class Storage {
  #dir: string;
  format: Format;
  constructor(dir: string, format: Format) {
    this.#dir = dir;
    this.format = format;
  }
  read(key: string): ArrayBuffer | string | undefined {
    checkName("key", key);
    const path = this.#dir + key;
    if (!File.exists(path)) return undefined;
    const file = new File(path);
    try {
      return this.format === "string" ? file.read(String) : file.read(ArrayBuffer);
    } finally {
      file.close();
    }
  }
  write(key: string, value: ArrayBuffer | ArrayBufferView | string): void {
    checkName("key", key);
    const path = this.#dir + key;
    if (File.exists(path)) File.delete(path);
    const file = new File(path, true);
    try {
      if (typeof value === "string") file.write(value);
      else if (ArrayBuffer.isView(value))
        file.write(new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice().buffer);
      else file.write(value);
    } finally {
      file.close();
    }
  }
  delete(key: string): void {
    checkName("key", key);
    if (File.exists(this.#dir + key)) File.delete(this.#dir + key);
  }
  close(): void {}
}

export default Object.freeze({
  open(options: { path: string; format?: Format }): Storage {
    checkName("path", options.path);
    const format = options.format ?? "string";
    if (format !== "buffer" && format !== "string")
      throw new RangeError(`key-value format must be "buffer" or "string", got ${String(format)}`);
    Directory.create(ROOT);
    Directory.create(`${ROOT}${options.path}/`);
    return new Storage(`${ROOT}${options.path}/`, format);
  },
});
