/**
 * XS entry: the provisioning console (firmware/node/console.ts) with a minimal fake runtime, run the same on
 * XS and in Node.
 *
 * Request [0, ...text]: a scripted session. The text goes to the node over the host Serial class of a
 * SimBoard on the virtual clock (as a terminal or the tool would send it), the clock runs 3 s, and the reply
 * is every byte the node sent back meanwhile.
 * Request [1, n]: the config-transfer hot path without the host Serial: a bare port feeds CFG.BEGIN, n
 * CFG.DATA lines of 96 bytes and CFG.COMMIT straight into the console's onReadable and swallows the reply
 * bytes; the reply is [lines handled (uint32 BE), a hash of the reply bytes (uint32 BE)].
 * Request [2, n]: baseline for [1, n]: the same lines made and read through the same port, no console; the
 * difference of the two is the console's own cost.
 */

import type { ConsoleHost, ConsoleRefusal } from "../../../firmware/node/console/host.js";
import { Console, type ConsoleSerialPort } from "../../../firmware/node/console.js";
import { type SerialLine, type SerialPeer, SimBoard } from "../../../host-sim/board.js";
import { VirtualClock } from "../../../host-sim/clock.js";
import { makeSerial } from "../../../host-sim/io/serial.js";
import { Prng } from "../../../host-sim/prng.js";
import { crc32 } from "../../../protocol/checksums.js";
import { asciiBytes, HEX_DIGITS } from "../../../protocol/console-wire.js";

const SECRET = Uint8Array.of(0x73, 0x33, 0x63, 0x72, 0x65, 0x74, 0x2d, 0x70, 0x61, 0x73, 0x73); // s3cret-pass

/** Test fake: config bytes kept as given, a JSON-free check (first byte must be "{"), KCV = CRC-32 bytes. */
class MiniHost implements ConsoleHost {
  config: Uint8Array = Uint8Array.of(0x7b, 0x7d);
  keys: Record<string, Uint8Array> = {};
  commits = 0;
  identify() {
    return { nodeId: "xs-node-1", firmwareVersion: "0.1.0", variant: "gas" };
  }
  readConfig(): Uint8Array {
    return this.config;
  }
  validateConfig(bytes: Uint8Array): ConsoleRefusal | null {
    return bytes[0] === 0x7b || bytes[0] === 0
      ? null
      : { error: "bad-encoding", field: "config", reason: "not {" };
  }
  commitConfig(bytes: Uint8Array): ConsoleRefusal | null {
    this.commits++;
    // Keep small configs (the scripted session reads them back); the bulk mode's zeros are only counted.
    if (bytes.length <= 256) this.config = bytes.slice();
    return null;
  }
  writeKey(slot: string, key: Uint8Array): ConsoleRefusal | null {
    this.keys[slot] = key.slice();
    return null;
  }
  keyInfo(slot: string) {
    const k = this.keys[slot];
    if (!k) return { kcv: null };
    const c = crc32(k);
    return { kcv: Uint8Array.of(c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff) };
  }
  provisioningSecret(): Uint8Array {
    return SECRET;
  }
  setProvisioningSecret(): ConsoleRefusal | null {
    return null;
  }
  reading(gas: string) {
    return gas === "CH4"
      ? { value: 0.75, unit: "%vol", alarm: "none" }
      : { error: "unknown-gas", field: "gas", reason: `no ${gas}` };
  }
  calibrate(gas: string, kind: "zero" | "span", value: number) {
    return { value: kind === "zero" ? 0 : value, unit: gas === "CO" ? "ppm" : "%vol" };
  }
  setBumpTest(): ConsoleRefusal | null {
    return null;
  }
  reboot(): void {}
  resetInterlock() {
    return { error: "no-interlock", field: "interlock", reason: "no interlock here" };
  }
}

// --- mode 0: scripted session over the host Serial --------------------------------------------------------

const clock = new VirtualClock();
const board = new SimBoard(clock, new Prng(3));
const sessionOut = new Uint8Array(16384);
let sessionLen = 0;
class Terminal implements SerialPeer {
  line: SerialLine | undefined;
  connect(line: SerialLine): void {
    this.line = line;
  }
  receive(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length && sessionLen < sessionOut.length; i++)
      sessionOut[sessionLen++] = bytes[i]!;
  }
}
const terminal = new Terminal();
board.attachSerial(1, terminal);
new Console({ serial: { io: makeSerial(board), port: 1 }, host: new MiniHost(), clock });

// --- mode 1: bare port, bulk CFG.DATA ---------------------------------------------------------------------

const input = new Uint8Array(16384);
let inLen = 0;
let inPos = 0;
let outSum = 0;
let onReadable: (count: number) => void = () => {};

let port: BarePort;
class BarePort implements ConsoleSerialPort {
  constructor(options: { onReadable: (count: number) => void }) {
    onReadable = options.onReadable;
    port = this;
  }
  read(): number | undefined {
    return inPos < inLen ? input[inPos++] : undefined;
  }
  write(value: number): void {
    outSum = (Math.imul(outSum, 31) + value) >>> 0;
  }
  close(): void {}
}

const bareClock = new VirtualClock();
const bare = new Console({
  serial: { io: BarePort, port: 0 },
  host: new MiniHost(),
  clock: bareClock,
  txFifoBytes: 0x7fffffff,
});

// Words pre-encoded: a charCodeAt per character would allocate on XS and blur the console's own figures.
const AUTH = asciiBytes("AUTH s3cret-pass\r\n");
const BEGIN = asciiBytes("CFG.BEGIN ");
const DATA = asciiBytes("CFG.DATA ");
const COMMIT = asciiBytes("CFG.COMMIT\r\n");
const SP = asciiBytes(" ");
const CRLF = asciiBytes("\r\n");
function put(b: Uint8Array): void {
  for (let i = 0; i < b.length; i++) input[inLen++] = b[i]!;
}
function putUint(n: number): void {
  let div = 1;
  while (div * 10 <= n) div *= 10;
  for (; div >= 1; div = Math.floor(div / 10)) input[inLen++] = 48 + (Math.floor(n / div) % 10);
}
function putHex32(n: number): void {
  for (let s = 28; s >= 0; s -= 4) input[inLen++] = HEX_DIGITS[(n >>> s) & 15]!;
}
const zeros = new Uint8Array(96 * 42);

let baseline = false;
let sink = 0;
function feed(): void {
  inPos = 0;
  if (baseline) {
    // The same bytes read through the same port, no console: what the harness itself costs.
    for (let b = port.read(); b !== undefined; b = port.read()) sink ^= b;
  } else onReadable(inLen);
  inLen = 0;
}

const reply1 = new Uint8Array(8);
const view1 = new DataView(reply1.buffer);
let authed = false;

export function handle(request: Uint8Array): Uint8Array {
  if (request[0] === 0) {
    sessionLen = 0;
    terminal.line!.send(request.subarray(1));
    clock.advance(3000);
    return sessionOut.slice(0, sessionLen);
  }
  const n = request[1]!;
  baseline = request[0] === 2;
  if (!authed) {
    put(AUTH);
    feed();
    authed = true;
  }
  const before = bare.lines;
  outSum = 0;
  put(BEGIN);
  putUint(n * 96);
  put(SP);
  putHex32(crc32(zeros, 0, n * 96));
  put(CRLF);
  feed();
  for (let i = 0; i < n; i++) {
    put(DATA);
    putUint(i * 96);
    put(SP);
    for (let k = 0; k < 192; k++) input[inLen++] = 48;
    put(CRLF);
    feed();
  }
  put(COMMIT);
  feed();
  view1.setUint32(0, bare.lines - before);
  view1.setUint32(4, outSum ^ sink);
  return reply1;
}
