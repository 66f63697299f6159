/**
 * XS entry: the LoRaWAN node code (AT line parser, LoRa-E5 driver, LoRaWAN transport with its airtime and
 * duty-cycle accounting) against a tiny scripted modem serial and a manual clock, all bundled into XS. The
 * same module runs in Node (the test imports `handle`) so the replies can be compared byte for byte.
 *
 * Request: [mode, n (uint16 BE)]. Modes:
 * 0 parse the transcript below n times (AtLineParser only);
 * 1 n unconfirmed sends of a 24-byte frame through the LoRa-E5 driver (command built, written, answered);
 * 2 n telemetry frames through the LoRaWAN transport (EU868 DR5), the clock advanced past each off-time;
 * 3 n alarms (confirmed, ACK) through the transport.
 * Reply: 5 x uint32 BE: [lines or results, sum of kinds or bytes written, value sum, airtime ms x 1000, uplinks].
 */
import type { Clock } from "../../../firmware/node/clock.js";
import { AtLineParser, ascii } from "../../../firmware/node/transports/lorawan/at-protocol.js";
import { E5Op, LoraE5 } from "../../../firmware/node/transports/lorawan/lora-e5.js";
import { LoRaWanTransport } from "../../../firmware/node/transports/lorawan.js";

const TRANSCRIPT = ascii(
  "+CMSGHEX: Start\r\n+CMSGHEX: Wait ACK\r\n+CMSGHEX: ACK Received\r\n" +
    '+CMSGHEX: PORT: 10; RX: "29820102"\r\n+CMSGHEX: RXWIN1, RSSI -43, SNR 10.0\r\n+CMSGHEX: Done\r\n' +
    "+MSGHEX: No band in 13469ms\r\n+MSGHEX: Length error 51\r\n+JOIN: Join failed\r\n+MODE: ERROR(-12)\r\n",
);

/** A manual clock with a fixed timer table (no allocation per timer). */
class ManualClock implements Clock {
  #now = 0;
  readonly #cb: ((() => void) | undefined)[] = [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ];
  readonly #at = new Float64Array(8);
  now(): number {
    return this.#now;
  }
  setTimer(callback: () => void, delayMs: number): number {
    for (let i = 0; i < 8; i++) {
      if (this.#cb[i] === undefined) {
        this.#cb[i] = callback;
        this.#at[i] = this.#now + delayMs;
        return i + 1;
      }
    }
    throw new Error("ManualClock: out of timers");
  }
  clearTimer(id: number): void {
    this.#cb[id - 1] = undefined;
  }
  /** Runs due timers in time order up to `toMs`. */
  runUntil(toMs: number): void {
    for (;;) {
      let next = -1;
      for (let i = 0; i < 8; i++) {
        if (this.#cb[i] !== undefined && this.#at[i]! <= toMs && (next < 0 || this.#at[i]! < this.#at[next]!))
          next = i;
      }
      if (next < 0) break;
      const cb = this.#cb[next]!;
      this.#cb[next] = undefined;
      if (this.#at[next]! > this.#now) this.#now = this.#at[next]!;
      cb();
    }
    if (toMs > this.#now) this.#now = toMs;
  }
}

const R_OK = (name: string) => ascii(`+${name}: OK\r\n`);
const ANSWERS: [Uint8Array, Uint8Array][] = [
  [ascii("AT+MSGHEX"), ascii("+MSGHEX: Start\r\n+MSGHEX: Done\r\n")],
  [
    ascii("AT+CMSGHEX"),
    ascii("+CMSGHEX: Start\r\n+CMSGHEX: Wait ACK\r\n+CMSGHEX: ACK Received\r\n+CMSGHEX: Done\r\n"),
  ],
  [ascii("AT+JOIN"), ascii("+JOIN: Start\r\n+JOIN: NORMAL\r\n+JOIN: Network joined\r\n+JOIN: Done\r\n")],
  [ascii("AT+MODE"), R_OK("MODE")],
  [ascii("AT+DR"), R_OK("DR")],
  [ascii("AT+ADR"), R_OK("ADR")],
  [ascii("AT+PORT"), R_OK("PORT")],
  [ascii("AT+RETRY"), R_OK("RETRY")],
  [ascii("AT"), R_OK("AT")],
];

/** The modem end of the UART: answers each command line from ANSWERS when `deliver()` is called. */
let written = 0;
let lastWriter: ScriptedSerial | undefined;
class ScriptedSerial {
  format: "number" | "buffer" = "number";
  readonly onReadable: (count: number) => void;
  pending: Uint8Array | undefined;
  readPos = 0;
  constructor(options: { onReadable: (count: number) => void }) {
    this.onReadable = options.onReadable;
  }
  write(bytes: Uint8Array): void {
    written += bytes.length;
    lastWriter = this;
    for (let i = 0; i < ANSWERS.length; i++) {
      const pat = ANSWERS[i]![0];
      let match = bytes.length >= pat.length;
      for (let j = 0; match && j < pat.length; j++) match = bytes[j] === pat[j];
      if (match) {
        this.pending = ANSWERS[i]![1];
        this.readPos = 0;
        return;
      }
    }
  }
  read(): number | undefined {
    const p = this.pending;
    if (!p || this.readPos >= p.length) return undefined;
    return p[this.readPos++];
  }
  close(): void {}
}

/** Hands the modem's answers to the driver until nothing is left (an answer may trigger the next command). */
function deliver(): void {
  for (;;) {
    const s = lastWriter;
    if (!s?.pending || s.readPos >= s.pending.length) return;
    s.onReadable(s.pending.length - s.readPos);
  }
}

const clock = new ManualClock();
const parser = new AtLineParser();
let results = 0;
let resultSum = 0;
const driver = new LoraE5({
  serial: { io: ScriptedSerial, port: 1 },
  clock,
  onResult(_op, result) {
    results++;
    resultSum += result;
  },
});
const frame = new Uint8Array(24).fill(0x5a);

let sent = 0;
let acked = 0;
const transport = new LoRaWanTransport({
  serial: { io: ScriptedSerial, port: 2 },
  clock,
  random: () => 0.5,
  region: "EU868",
  dataRate: 5,
  onSent() {
    sent++;
  },
  onAck() {
    acked++;
  },
});
let transportStarted = false;
const alarm = new Uint8Array(11).fill(0x22);

const out = new Uint8Array(20);
const view = new DataView(out.buffer);

export function handle(request: Uint8Array): Uint8Array {
  const mode = request[0]!;
  const n = (request[1]! << 8) | request[2]!;
  let a = 0;
  let b = 0;
  let c = 0;
  if (mode === 0) {
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < TRANSCRIPT.length; i++) {
        if (parser.push(TRANSCRIPT[i]!)) {
          a++;
          b += parser.kind;
          c += parser.value;
        }
      }
    }
  } else if (mode === 1) {
    for (let k = 0; k < n; k++) {
      if (driver.op !== E5Op.None) break;
      driver.send(frame, frame.length, false, 10_000);
      deliver();
    }
    a = results;
    b = written;
    c = resultSum;
  } else {
    if (!transportStarted) {
      transportStarted = true;
      transport.start();
      deliver();
    }
    for (let k = 0; k < n; k++) {
      if (mode === 2) transport.send(4, frame, k);
      else transport.send(2, alarm, k);
      clock.runUntil(transport.nextUplinkAtMs);
      deliver();
    }
    a = sent;
    b = acked;
    c = transport.stats.uplinks;
  }
  view.setUint32(0, a >>> 0);
  view.setUint32(4, b >>> 0);
  view.setUint32(8, c >>> 0);
  view.setUint32(12, Math.round(transport.stats.airtimeMs * 1000) >>> 0);
  view.setUint32(16, Math.round(clock.now()) >>> 0);
  return out;
}
