/**
 * The LoRa-E5 driver writes the OTAA identity (DevEUI, JoinEUI = the AT set's AppEui, AppKey) into the modem
 * during `configure`, and the bytes on the UART are exactly the AT specification's commands. The serial
 * here is a scripted ECMA-419 Serial that records every write and answers with the lines the test gives it.
 */
import { describe, expect, it } from "vitest";
import {
  E5Op,
  E5Result,
  type E5Serial,
  type E5SerialClass,
  LoraE5,
} from "../../firmware/node/transports/lorawan/lora-e5.js";
import { LoRaWanError, LoRaWanTransport } from "../../firmware/node/transports/lorawan.js";
import { VirtualClock } from "../../host-sim/clock.js";

const DEV_EUI = Uint8Array.from([0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0x06, 0x11, 0x22]);
const JOIN_EUI = Uint8Array.from([0x80, 0, 0, 0, 0, 0, 0, 0x06]);
const APP_KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

function scripted() {
  const written: string[] = [];
  let rx: number[] = [];
  let onReadable: ((count: number) => void) | undefined;
  const Serial = class implements E5Serial {
    format: "number" | "buffer" = "number";
    constructor(o: { onReadable: (count: number) => void }) {
      onReadable = o.onReadable;
    }
    read() {
      if (this.format !== "number") throw new TypeError("the driver reads one byte at a time");
      return rx.shift();
    }
    write(value: number | Uint8Array) {
      if (typeof value === "number" || this.format !== "buffer")
        throw new TypeError("a command is one buffer write");
      written.push(String.fromCharCode(...value).replace(/\r\n$/, ""));
    }
    close() {}
  } as unknown as E5SerialClass;
  const answer = (...lines: string[]) => {
    rx = Array.from(lines.map((l) => `${l}\r\n`).join(""), (c) => c.charCodeAt(0));
    onReadable!(rx.length);
  };
  return { Serial, written, answer };
}

function driver() {
  const clock = new VirtualClock();
  const s = scripted();
  const results: [number, number, number][] = [];
  const e5 = new LoraE5({
    serial: { io: s.Serial, port: 1 },
    clock,
    onResult: (op, result, value) => results.push([op, result, value]),
  });
  return { ...s, e5, results, clock };
}

describe("LoRa-E5 OTAA identity", () => {
  it('writes each command as one buffer in format "buffer" and reads in "number" (ESP32 serial formats)', () => {
    // The scripted port throws unless a write is a buffer in format "buffer": on the ESP32 a buffer written
    // in "number" format leaves as a single 0x00 byte. Reads must find the port back in "number" format.
    const { e5, written, answer, results } = driver();
    e5.configure("EU868", 5, 10, 4);
    answer("+AT: OK");
    expect(written).toEqual(["AT", "AT+MODE=LWOTAA"]);
    expect(results).toEqual([]);
  });

  it("writes DevEUI, JoinEUI and AppKey after AT and before the mode; an ID step waits for its own line", () => {
    const { e5, written, answer, results } = driver();
    e5.configure("EU868", 5, 10, 4, { devEui: DEV_EUI, joinEui: JOIN_EUI, appKey: APP_KEY });
    answer("+AT: OK");
    expect(written.at(-1)).toBe('AT+ID=DevEui,"70B3D57ED0061122"');
    // The DevAddr line (printed by an ID query) does not finish the DevEui step.
    answer("+ID: DevAddr, 24:90:01:38");
    expect(written).toHaveLength(2);
    answer("+ID: DevEui, 70:B3:D5:7E:D0:06:11:22");
    expect(written.at(-1)).toBe('AT+ID=AppEui,"8000000000000006"');
    answer("+ID: AppEui, 80:00:00:00:00:00:00:06");
    expect(written.at(-1)).toBe('AT+KEY=APPKEY,"A0A1A2A3A4A5A6A7A8A9AAABACADAEAF"');
    answer("+KEY: APPKEY A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
    expect(written.at(-1)).toBe("AT+MODE=LWOTAA");
    for (const line of ["+MODE: LWOTAA", "+DR: EU868", "+DR: DR5", "+ADR: OFF", "+PORT: 10", "+RETRY: 4"]) {
      answer(line);
    }
    expect(written.slice(4)).toEqual([
      "AT+MODE=LWOTAA",
      "AT+DR=EU868",
      "AT+DR=DR5",
      "AT+ADR=OFF",
      "AT+PORT=10",
      "AT+RETRY=4",
    ]);
    expect(results).toEqual([[E5Op.Configure, E5Result.Ok, 0]]);
  });

  it("only the keys given are written", () => {
    const { e5, written, answer } = driver();
    e5.configure("EU868", 0, 10, 4, { appKey: APP_KEY });
    answer("+AT: OK");
    expect(written.at(-1)).toMatch(/^AT\+KEY=APPKEY,"/);
    answer("+KEY: APPKEY A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
    expect(written.at(-1)).toBe("AT+MODE=LWOTAA");
  });

  it("a modem that refuses the key ends the configuration with its error number", () => {
    const { e5, answer, results } = driver();
    e5.configure("EU868", 5, 10, 4, { appKey: APP_KEY });
    answer("+AT: OK");
    answer("+KEY: ERROR(-1)");
    expect(results).toEqual([[E5Op.Configure, E5Result.AtError, -1]]);
  });

  it("a key of the wrong length is refused when the transport is made, naming its length", () => {
    const s = scripted();
    const make = (keys: object) =>
      new LoRaWanTransport({
        serial: { io: s.Serial, port: 1 },
        clock: new VirtualClock(),
        random: () => 0.5,
        region: "EU868",
        keys,
      });
    expect(() => make({ appKey: new Uint8Array(15) })).toThrow(LoRaWanError);
    const error = (() => {
      try {
        make({ devEui: new Uint8Array(7) });
      } catch (e) {
        return e as LoRaWanError;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ code: "bad-option", value: 7 });
    expect(error?.message).toMatch(/devEui must be 8 bytes, got 7/);
    expect(() => make({ devEui: DEV_EUI, joinEui: JOIN_EUI, appKey: APP_KEY })).not.toThrow();
  });
});
