// Firmware type world: Moddable's own published declarations (npm @moddable/typings 5.6.0) for the
// Moddable / ECMA-419 module names the node code uses. Our own declarations for modules that package lacks
// live in minewatch-moddable.d.ts. Nothing here is Node: a Node API used in firmware/ or protocol/ fails
// `npm run typecheck`.
/// <reference path="../node_modules/@moddable/typings/xs.d.ts" />
/// <reference path="../node_modules/@moddable/typings/timer.d.ts" />
/// <reference path="../node_modules/@moddable/typings/time.d.ts" />
/// <reference path="../node_modules/@moddable/typings/flash.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/_common.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/i2c.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/spi.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/serial.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/digital.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/digitalbank.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/analog.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/pwm.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/pulsecount.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/smbus.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/socket/tcp.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_provider/builtin.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_network/mqtt/client.d.ts" />
/// <reference path="../node_modules/@moddable/typings/mc/config.d.ts" />
