/**
 * The outbox on the real XS engine, over the flash model bundled with it (a 64 KiB region of 16 sectors of
 * 4096 bytes, as an ESP32 data partition; 256 slots): XS meter units per append, per ack, per append+ack in
 * steady state (the ring wrapping, sectors formatted, erased and reclaimed), and per record found by the
 * boot recovery scan; each against a baseline measured in the same worker on the same bytes: one CRC-32 over
 * the frame (the least integrity work a stored frame needs). Per-op figures are differences of two calls of
 * n and 2n operations, which cancels the per-call overhead. The model's own cost for a record write is
 * shown too: on the board that work is Moddable's native flash write, not XS. Recovery per record is the
 * cost added by one more waiting record (net of the erased-space check its bytes would otherwise get). Heap: slots added by a call of n and of 4n
 * append+ack pairs (equal = nothing allocated per frame).
 */

import {
  CMD_ACK_N,
  CMD_APPEND_ACK_N,
  CMD_APPEND_N,
  CMD_CRC_N,
  CMD_NOP,
  CMD_REBOOT,
  CMD_WRITE_N,
  initRequest,
  nRequest,
  simpleRequest,
} from "../test/xs/entries/outbox-requests.js";
import { XsWorker } from "../test/xs/harness.js";

const SECTORS = 16;
const BLOCK = 4096;
const SLOTS = 256;
const MAX_PAYLOAD = 256;

export async function run(): Promise<void> {
  const xs = await XsWorker.start("test/xs/entries/outbox.ts");
  const init = () => xs.call(initRequest(SECTORS, BLOCK, SLOTS, MAX_PAYLOAD));
  const units = async (cmd: number, n: number, len: number) => (await xs.call(nRequest(cmd, n, len))).compute;
  try {
    const rows: string[][] = [];
    for (const len of [24, 200]) {
      await init();
      const crc = ((await units(CMD_CRC_N, 200, len)) - (await units(CMD_CRC_N, 100, len))) / 100;
      const ratio = (x: number) => `${(x / crc).toFixed(1)}x`;
      const write = ((await units(CMD_WRITE_N, 200, len)) - (await units(CMD_WRITE_N, 100, len))) / 100;

      await init();
      const a1 = await units(CMD_APPEND_N, 40, len);
      const k1 = await units(CMD_ACK_N, 0, len);
      const a2 = await units(CMD_APPEND_N, 80, len);
      const k2 = await units(CMD_ACK_N, 0, len);
      const append = (a2 - a1) / 40;
      const ack = (k2 - k1) / 40;

      await init();
      for (let i = 0; i < 3; i++) await units(CMD_APPEND_ACK_N, 1000, len); // past the first wraps
      const s1 = await units(CMD_APPEND_ACK_N, 500, len);
      const s2 = await units(CMD_APPEND_ACK_N, 1000, len);
      const steady = (s2 - s1) / 500;
      await xs.evaluate("gc()");
      const heap: number[] = [];
      for (const n of [100, 400]) {
        const before = (await xs.call(simpleRequest(CMD_NOP))).heapCount;
        heap.push((await xs.call(nRequest(CMD_APPEND_ACK_N, n, len))).heapCount - before);
      }

      const boot = async (records: number) => {
        await init();
        if (records > 0) await units(CMD_APPEND_N, records, len);
        return (await xs.call(simpleRequest(CMD_REBOOT))).compute;
      };
      const empty = await boot(0);
      const r1 = await boot(100);
      const r2 = await boot(200);
      const perRecord = (r2 - r1) / 100;

      rows.push(
        [`append, ${len}-byte frame`, append.toFixed(0), ratio(append), ""],
        [`ack`, ack.toFixed(0), ratio(ack), ""],
        [
          `append + ack, steady state with wraps`,
          steady.toFixed(0),
          ratio(steady),
          `${heap[0]} / ${heap[1]}`,
        ],
        [`boot recovery, added per waiting record`, perRecord.toFixed(0), ratio(perRecord), ""],
        [`boot recovery, empty 64 KiB region`, empty.toFixed(0), ratio(empty), ""],
        [`baseline: CRC-32 of the ${len}-byte frame`, crc.toFixed(0), "1.0x", ""],
        [`(flash model's write of that record: native on the board)`, write.toFixed(0), ratio(write), ""],
      );
    }
    const header = [
      "operation (XS, 16 x 4096-byte sectors)",
      "meter units",
      "vs CRC-32 of the frame",
      "heap slots per call (100 / 400 pairs)",
    ];
    const table = [header, ...rows];
    const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
    for (const r of table) console.log(`| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`);
    console.log(`\nbundle ${xs.bundleBytes} bytes (outbox + flash model + entry)`);
  } finally {
    await xs.close();
  }
}
