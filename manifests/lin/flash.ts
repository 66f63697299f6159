/**
 * Moddable's `flash` module for the desktop simulator (-p lin), which Moddable provides only for esp, esp32
 * and nrf52 (modules/files/flash). A partition is a file `<file root>minewatch-flash-<name>.bin` with the
 * ESP32's NOR rules (modules/files/flash/esp32/flash.c over esp_partition_*): 4096-byte sectors, erase sets
 * a sector to 0xFF, write can only clear bits (old AND new), so the outbox's recovery scan sees on the
 * desktop what it would see on the board. Like the ESP32's module, `write` throws Error "invalid" for a
 * byteLength <= 0 or a buffer shorter than byteLength (modules/files/flash/esp32/flash.c checks both before
 * esp_partition_write); the message here goes on to say which.
 */
import { File } from "file";
import config from "mc/config";

const SECTOR_BYTES = 4096;
/** Same size as the "outbox" partition in manifests/esp32/partitions-4mb.csv. */
const PARTITION_BYTES = 0x40000;

export default class Flash {
  #path: string;
  constructor(name: string) {
    if (typeof name !== "string" || !/^[a-z0-9_]{1,16}$/.test(name))
      throw new RangeError(`flash partition name must be 1..16 of [a-z0-9_], got ${String(name)}`);
    this.#path = `${(config.file as { root: string }).root}minewatch-flash-${name}.bin`;
    if (!File.exists(this.#path)) {
      const file = new File(this.#path, true);
      const erased = new Uint8Array(SECTOR_BYTES).fill(0xff).buffer;
      for (let offset = 0; offset < PARTITION_BYTES; offset += SECTOR_BYTES) file.write(erased);
      file.close();
    }
  }
  get byteLength(): number {
    return PARTITION_BYTES;
  }
  get blockSize(): number {
    return SECTOR_BYTES;
  }
  #check(offset: number, byteLength: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(byteLength) || offset < 0 || byteLength < 0)
      throw new RangeError(`flash range must be non-negative integers, got ${offset}+${byteLength}`);
    if (offset + byteLength > PARTITION_BYTES)
      throw new RangeError(
        `flash range ${offset}+${byteLength} exceeds the partition (${PARTITION_BYTES} bytes)`,
      );
  }
  read(offset: number, byteLength: number): ArrayBuffer {
    this.#check(offset, byteLength);
    const file = new File(this.#path);
    try {
      file.position = offset;
      return file.read(ArrayBuffer, byteLength);
    } finally {
      file.close();
    }
  }
  write(offset: number, byteLength: number, buffer: ArrayBuffer | ArrayBufferView): void {
    if (byteLength === 0)
      throw new Error(
        `invalid: flash write of 0 bytes at offset ${offset}; the ESP32's flash module refuses a byteLength <= 0`,
      );
    this.#check(offset, byteLength);
    const data = ArrayBuffer.isView(buffer)
      ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : new Uint8Array(buffer);
    if (data.length < byteLength)
      throw new Error(
        `invalid: flash write of ${byteLength} bytes from a buffer of ${data.length}; the ESP32's flash module refuses a buffer shorter than byteLength`,
      );
    const merged = new Uint8Array(this.read(offset, byteLength));
    for (let i = 0; i < byteLength; i++) merged[i] = merged[i]! & data[i]!;
    const file = new File(this.#path, true);
    try {
      file.position = offset;
      file.write(merged.buffer);
    } finally {
      file.close();
    }
  }
  erase(sector: number): void {
    if (!Number.isInteger(sector) || sector < 0 || sector >= PARTITION_BYTES / SECTOR_BYTES)
      throw new RangeError(`flash sector must be 0..${PARTITION_BYTES / SECTOR_BYTES - 1}, got ${sector}`);
    const file = new File(this.#path, true);
    try {
      file.position = sector * SECTOR_BYTES;
      file.write(new Uint8Array(SECTOR_BYTES).fill(0xff).buffer);
    } finally {
      file.close();
    }
  }
}
