/**
 * Moddable's `flash` module as the outbox's FlashRegion. On ESP32, `new Flash("outbox")` opens the data
 * partition of that name (modules/files/flash/esp32/flash.c in the Moddable SDK: esp_partition_find_first);
 * its `read(offset, byteLength)` returns a fresh ArrayBuffer (the HostBuffer form is only returned when
 * asked for with `useHostBuffer`), `erase(sector)` erases block `sector` of SPI_FLASH_SEC_SIZE (4096) bytes
 * and `write` is esp_partition_write, which programs bits without erasing (NOR: it can only clear bits).
 * Only firmware/main.ts uses this file; the simulator passes host-sim/flash.ts's model directly.
 */
import type Flash from "flash";
import type { FlashRegion } from "./layout.js";

export function flashRegion(flash: Flash): FlashRegion {
  return {
    byteLength: flash.byteLength,
    blockSize: flash.blockSize,
    erase: (sector) => flash.erase(sector),
    read: (offset, byteLength) => flash.read(offset, byteLength) as ArrayBuffer,
    write: (offset, byteLength, buffer) => flash.write(offset, byteLength, buffer),
  };
}
