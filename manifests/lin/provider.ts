/**
 * `embedded:provider/builtin` for Moddable's desktop simulator (-p lin), which has none: Moddable's lin IO
 * manifest (modules/io/manifests/lin) offers only sockets and `embedded:io/serial` (a tty by path,
 * modules/io/serial/lin/serial.c). So on the desktop the node reaches real UART parts through USB-serial
 * adapters (MIPEX-02 at `config.serialDevice`, LoRa-E5 at `config.modemDevice`); there is no I2C or SPI
 * bus, so the ADS1115 cells and the ADXL355 are absent and `I2C`/`SPI` are left out on purpose.
 */
import Serial from "embedded:io/serial";
import config from "mc/config";

const device = Object.freeze(
  {
    io: Object.freeze({ Serial }),
    Serial: Object.freeze({ default: Object.freeze({ io: Serial, device: config.serialDevice as string }) }),
    Modem: Object.freeze({ default: Object.freeze({ io: Serial, device: config.modemDevice as string }) }),
    pin: Object.freeze({}),
  },
  true,
);

export default device;
