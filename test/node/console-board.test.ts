/**
 * The console's UART on the board (manifests/boards/*.json config) is the one the simulator wires
 * (host-sim/device.ts): the DevKitC's UART0 on its USB bridge, RX GPIO 3 / TX GPIO 1 (ESP32 datasheet pin
 * description: U0RXD is GPIO3, U0TXD is GPIO1), at the console's default baud rate.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { CONSOLE_DEFAULT_BAUD } from "../../firmware/node/console.js";
import { DEFAULT_PINS, DEFAULT_PORTS } from "../../host-sim/device.js";

interface BoardConfig {
  ports?: Record<string, number>;
  pins?: Record<string, number>;
  consoleBaud?: number;
}
const board = (name: string): BoardConfig =>
  (
    JSON.parse(fs.readFileSync(new URL(`../../manifests/boards/${name}.json`, import.meta.url), "utf8")) as {
      config: BoardConfig;
    }
  ).config;

describe("console UART in the board manifests", () => {
  it("the devkit names UART0 on GPIO 3 / 1 at 115200, as the simulator wires it", () => {
    const c = board("esp32-devkit");
    expect(c.ports?.console).toBe(DEFAULT_PORTS.console);
    expect(c.pins?.consoleReceive).toBe(DEFAULT_PINS.consoleReceive);
    expect(c.pins?.consoleTransmit).toBe(DEFAULT_PINS.consoleTransmit);
    expect(c.consoleBaud).toBe(CONSOLE_DEFAULT_BAUD);
    expect([c.ports?.serial, c.ports?.modem]).not.toContain(c.ports?.console);
  });

  it("a board that names a console port names its baud; one without runs without a console", () => {
    for (const name of ["esp32-devkit", "xiao-esp32s3-wio-e5", "lin"]) {
      const c = board(name);
      if (c.ports?.console === undefined) expect(c.pins?.consoleReceive, name).toBeUndefined();
      else expect(c.consoleBaud, name).toBeGreaterThan(0);
    }
  });
});
