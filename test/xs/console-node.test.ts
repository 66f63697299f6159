/**
 * The provisioning console with the real runtime host on the real XS engine: a whole simulated gas node
 * bundled for xsnap answers ID and takes a config write (the provisioning record, three CFG.DATA lines)
 * with byte-identical replies on XS and in Node, and the record reaches the runtime on both.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc16, crc32 } from "../../protocol/checksums.js";
import { CHUNK_BYTES } from "../../protocol/console-wire.js";
import { bytesToHex } from "../../tools/console/client.js";
import { SECRET } from "../node/console-host-rig.js";
import { handle as nodeHandle } from "./entries/console-node.js";
import { XsWorker } from "./harness.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

function machine(seq: number, command: string): string {
  const head = `@${seq} ${command}`;
  return `${head}*${crc16(enc.encode(head), 0, head.length).toString(16).toUpperCase().padStart(4, "0")}\r\n`;
}
const send = (text: string) => Uint8Array.from([1, ...enc.encode(text)]);
const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, "0");

describe("console + runtime host on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start("test/xs/entries/console-node.ts", { meteringLimit: 1e11 });
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("answers ID and takes a config write, byte for byte as in Node", async () => {
    const record = (await xs.call(Uint8Array.of(0))).reply;
    expect([...record]).toEqual([...nodeHandle(Uint8Array.of(0))]);
    const crc = hex8(crc32(record));
    const lines = [
      machine(1, "ID"),
      machine(2, `AUTH ${SECRET}`),
      machine(3, `CFG.BEGIN ${record.length} ${crc}`),
    ];
    let seq = 4;
    for (let off = 0; off < record.length; off += CHUNK_BYTES)
      lines.push(machine(seq++, `CFG.DATA ${off} ${bytesToHex(record.subarray(off, off + CHUNK_BYTES))}`));
    lines.push(machine(seq++, "CFG.COMMIT"), machine(seq++, "ID"));
    const replies: string[] = [];
    const cost: number[] = [];
    for (const line of lines) {
      const x = await xs.call(send(line));
      expect(dec.decode(x.reply)).toBe(dec.decode(nodeHandle(send(line))));
      replies.push(dec.decode(x.reply));
      cost.push(x.compute);
    }
    const baseline = (await xs.call(Uint8Array.of(2))).compute;
    expect(replies[0]).toMatch(
      /^@1 OK id=70b3d57e[0-9a-f]{8} fw=0\.1\.0 variant=gas cfglen=0 cfgcrc=00000000 auth=0 bump=0\*/,
    );
    expect(replies[2]).toMatch(/^@3 OK max-chunk=96\*/);
    expect(replies.at(-2)).toMatch(
      new RegExp(`^@${seq - 2} OK committed len=${record.length} crc=${crc}\\*`),
    );
    expect(replies.at(-1)).toMatch(new RegExp(`cfglen=${record.length} cfgcrc=${crc} auth=1`));
    if (process.env.MINEWATCH_FIGURES) {
      const over = (i: number) => cost[i]! - baseline;
      process.stdout.write(
        `console+host on XS (meter units over a ${baseline} baseline of 500 ms of node): ID ${over(0)} first, ${over(lines.length - 1)} after the commit, ` +
          `CFG.DATA ${over(3)}, CFG.COMMIT ${over(lines.length - 2)}; bundle ${xs.bundleBytes} bytes\n`,
      );
    }
  });
});
