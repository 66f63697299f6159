/**
 * Restarting the board when the software watchdog trips (runtime/watchdog.ts), on Moddable's ESP32 port.
 *
 * The Moddable SDK has no JavaScript "restart" module; what it has is this path, in its own sources:
 * a Timer callback runs between xsBeginHost / xsEndHost (modules/base/timer/modTimer.c), and an exception
 * that leaves it makes xsEndHost call fxAbort(the, xsUnhandledExceptionExit) (xs/includes/xs.h); fxAbort
 * (xs/platforms/esp/xsPlatform.c) ends in c_exit(status), which xs/platforms/esp/xsHost.h defines as
 * esp_restart() on the ESP32. So the watchdog's trip hook, after it has driven every interlock output low
 * and closed the IO, throws this error out of the watchdog's timer callback, and the chip restarts
 * (ESP-IDF: reset reason SW_CPU_RESET). No abort hook (globalThis.abort) may be installed that returns
 * false: it would swallow the restart. On the desktop simulator the same path ends the process.
 *
 * A loop that never returns to the event loop cannot reach this: that is the ESP-IDF task watchdog's job.
 * Moddable's ESP32 builds leave it off (build/devices/esp32/xsProj-esp32/sdkconfig.defaults:
 * "# CONFIG_ESP_TASK_WDT_EN is not set"); with CONFIG_ESP_TASK_WDT_EN=y and CONFIG_ESP_TASK_WDT_PANIC=y in
 * the manifest's sdkconfig, the XS task subscribes itself (xsProj-esp32/main/main.c esp_task_wdt_add) and
 * is fed once per event-loop turn (xsHost.c modMessageService, modWatchDogReset), so a stuck script panics
 * and restarts the chip after CONFIG_ESP_TASK_WDT_TIMEOUT_S.
 */
import { RuntimeError } from "./errors.js";

/** Thrown out of the watchdog's timer callback: Moddable turns it into esp_restart() (see above). */
export function restartBoard(task: string, lateMs: number): never {
  throw new RuntimeError(
    "watchdog-restart",
    `watchdog: task ${task} is ${Math.round(lateMs)} ms late: restarting the board`,
    task,
  );
}
