/**
 * The real-port adapter (tools/provision/serial-port.ts): the `serialport` package (an optional dependency
 * that installs with minewatch) loads with its native binding, and a missing device through it is one line;
 * with a stand-in for its SerialPort class: open failures become one line, bytes flow both ways into the
 * console client on the host's real clock, a silent port times out as "no answer".
 */
import { describe, expect, it } from "vitest";
import { crc16 } from "../../protocol/checksums.js";
import {
  loadSerialPort,
  openSerialPort,
  type SerialPortClass,
  type SerialPortLike,
} from "../../tools/provision/serial-port.js";
import { identify } from "../../tools/provision/session.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

function machineLine(body: string): Uint8Array {
  const b = enc.encode(body);
  return enc.encode(`${body}*${crc16(b, 0, b.length).toString(16).toUpperCase().padStart(4, "0")}\r\n`);
}

/** A stand-in port: `answer(line)` gives the node's reply body to a request body, or undefined for silence. */
function fakePort(opts: {
  openError?: string;
  answer?: (request: string) => string | undefined;
}): SerialPortClass {
  return class implements SerialPortLike {
    #data: ((d: Uint8Array) => void) | undefined;
    open(cb: (err: Error | null) => void): void {
      setTimeout(() => cb(opts.openError ? new Error(opts.openError) : null), 0);
    }
    write(data: Uint8Array): void {
      const text = dec.decode(data).trim();
      const m = /^@(\d+) (.*)\*[0-9A-F]{4}$/.exec(text);
      if (!m) return;
      const reply = opts.answer?.(m[2]!);
      if (reply !== undefined) setTimeout(() => this.#data?.(machineLine(`@${m[1]} ${reply}`)), 1);
    }
    close(cb?: (err: Error | null) => void): void {
      cb?.(null);
    }
    on(event: string, cb: (d: Uint8Array) => void): void {
      if (event === "data") this.#data = cb;
    }
  };
}

describe("real serial port", () => {
  it("loads the installed serialport package; a device that is not there is one line", async () => {
    expect(typeof (await loadSerialPort("/dev/ttyUSB9"))).toBe("function");
    await expect(openSerialPort("/dev/ttyUSB9", 115200)).rejects.toMatchObject({
      code: "wrong-port",
      message:
        "no serial port /dev/ttyUSB9: check the cable is plugged in and the port name (Linux /dev/ttyUSB0 or /dev/ttyACM0, Windows COM3)",
    });
  });

  it("without the package (an install that left optional dependencies out) says how to install it", async () => {
    await expect(loadSerialPort("/dev/ttyUSB0", "serialport-not-installed")).rejects.toMatchObject({
      code: "no-serial-driver",
      message:
        "a real port (/dev/ttyUSB0) needs the serial driver, which is not installed: run `npm install serialport` in the minewatch folder, then try again",
    });
  });

  it("a busy device is one line saying what to do", async () => {
    const load = async () => fakePort({ openError: "Error: Resource busy, cannot open /dev/ttyUSB0" });
    await expect(openSerialPort("/dev/ttyUSB0", 115200, load)).rejects.toMatchObject({
      code: "port-busy",
      message:
        "port /dev/ttyUSB0 is busy: close the other program using it (a terminal, another minewatch run) and try again",
    });
  });

  it("talks the console protocol through the port", async () => {
    const load = async () =>
      fakePort({
        answer: (r) =>
          r === "ID"
            ? "OK id=70b3d57e0000002a fw=0.1.0 variant=gas cfglen=0 cfgcrc=00000000 auth=0 bump=0"
            : undefined,
      });
    const port = await openSerialPort("/dev/ttyUSB0", 115200, load);
    try {
      expect(port.sim).toBeUndefined();
      expect(await identify(port)).toMatchObject({
        nodeId: "70b3d57e0000002a",
        variant: "gas",
        configBytes: 0,
      });
    } finally {
      await port.close();
    }
  });

  it("a node that never answers times out on the real clock as 'no answer'", async () => {
    const port = await openSerialPort("/dev/ttyUSB0", 115200, async () => fakePort({}), 100);
    try {
      await expect(identify(port)).rejects.toMatchObject({ code: "no-answer" });
    } finally {
      await port.close();
    }
  });
});
