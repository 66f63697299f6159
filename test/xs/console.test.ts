/**
 * The provisioning console on the real XS engine: a scripted session gives byte-identical replies on XS
 * and in Node; the config-transfer path allocates nothing per line (heap delta per call does not grow with
 * the lines in it); its meter cost per 96-byte CFG.DATA line is deterministic.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc16, crc32 } from "../../protocol/checksums.js";
import { handle as nodeHandle } from "./entries/console.js";
import { XsWorker } from "./harness.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

function machine(seq: number, command: string): string {
  const head = `@${seq} ${command}`;
  return `${head}*${crc16(enc.encode(head), 0, head.length).toString(16).toUpperCase().padStart(4, "0")}\r\n`;
}
const session = (text: string) => Uint8Array.from([0, ...enc.encode(text)]);
const bulk = (n: number) => Uint8Array.of(1, n);

const CONFIG = enc.encode('{"n":"xs2"}  ');
const CONFIG_CRC = crc32(CONFIG).toString(16).toUpperCase().padStart(8, "0");

const SCRIPT = [
  "ID\r\n",
  "help\r\n",
  "CFG.BEGIN 2 00000000\r\n",
  "AUTH wrong-secret\r\n",
  machine(1, "AUTH s3cret-pass"),
  machine(2, `CFG.BEGIN 13 ${CONFIG_CRC}`),
  machine(3, "CFG.DATA 0 7B226E223A2278733222"),
  machine(4, "CFG.DATA 10 7D2020"),
  machine(5, "CFG.COMMIT"),
  machine(5, "CFG.COMMIT"),
  "CFG.READ\r\n",
  machine(6, "KEY.SET mac 00112233445566778899AABBCCDDEEFF"),
  "KEY.INFO mac\r\n",
  "READ CH4\r\nREAD NO2\r\n",
  "CAL.SPAN CO 100.5\r\n",
  `ID ${"z".repeat(260)}\r\n`,
  "ID\r\n",
];

describe("provisioning console on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start("test/xs/entries/console.ts");
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("a scripted session gives the same bytes on XS as in Node", async () => {
    const transcript: string[] = [];
    for (const line of SCRIPT) {
      const x = await xs.call(session(line));
      const n = nodeHandle(session(line));
      expect(dec.decode(x.reply)).toBe(dec.decode(n));
      transcript.push(dec.decode(x.reply));
    }
    // Spot-check that the session really did what it says (not two engines agreeing on garbage).
    expect(transcript[2]).toBe("ERR locked CFG.BEGIN changes the node: send AUTH <secret> first\r\n");
    expect(transcript[8]).toMatch(new RegExp(`^@5 OK committed len=13 crc=${CONFIG_CRC}\\*`));
    expect(transcript[9]).toBe(transcript[8]); // replayed, not re-run
    expect(transcript[10]).toBe(
      `OK total=13 crc=${CONFIG_CRC} off=0 len=13 data=7B226E223A22787332227D2020\r\n`,
    );
    expect(transcript[11]).not.toContain("00112233");
    expect(transcript[13]).toBe(
      "OK gas=CH4 value=0.75 unit=%vol alarm=none\r\nERR unknown-gas field=gas no NO2\r\n",
    );
    expect(transcript[15]).toBe("ERR line-too-long line of 263 bytes; the limit is 254 before CR LF\r\n");
  });

  it("the config-transfer path allocates nothing per line", async () => {
    await xs.call(bulk(2));
    await xs.evaluate("gc()");
    const deltas: Record<number, number[]> = {};
    let prev = await xs.call(bulk(1));
    for (const n of [1, 40, 1, 40, 1, 40]) {
      const r = await xs.call(bulk(n));
      expect(new DataView(r.reply.buffer).getUint32(0)).toBe(n + 2);
      (deltas[n] ??= []).push(r.heapCount - prev.heapCount);
      prev = r;
    }
    expect(Math.max(...deltas[40]!)).toBeLessThanOrEqual(Math.max(...deltas[1]!));
    if (process.env.MINEWATCH_FIGURES) {
      process.stdout.write(
        `console on XS: heap slots per call with 1 CFG.DATA line ${deltas[1]!.join("/")}, with 40 lines ${deltas[40]!.join("/")}\n`,
      );
    }
  });

  it("same replies as Node for the bulk path, and a deterministic cost per CFG.DATA line", async () => {
    for (const n of [1, 5, 40]) {
      expect(Array.from((await xs.call(bulk(n))).reply)).toEqual(Array.from(nodeHandle(bulk(n))));
    }
    // Per line = difference of two call sizes (cancels per-call work), less the harness's own cost of
    // making and reading the same bytes (mode 2).
    const perLine = async (mode: number) => {
      const one = await xs.call(Uint8Array.of(mode, 1));
      const many = await xs.call(Uint8Array.of(mode, 41));
      return (many.compute - one.compute) / 40;
    };
    const total = await perLine(1);
    expect(await perLine(1)).toBe(total);
    const harness = await perLine(2);
    const consolePerLine = total - harness;
    expect(consolePerLine).toBeGreaterThan(0);
    if (process.env.MINEWATCH_FIGURES) {
      // "@65535 CFG.DATA 3936 <192 hex>" is 214 bytes with CR LF in human form; the reply "OK next=4032" 14.
      process.stdout.write(
        `console on XS: ${consolePerLine.toFixed(0)} meter units per 96-byte CFG.DATA line (harness ${harness.toFixed(0)} subtracted), ` +
          `${(consolePerLine / 96).toFixed(0)} per config byte; bundle ${xs.bundleBytes} bytes\n`,
      );
    }
  });
});
