// The generated network-server codec on the XS engine: same answers as in Node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeUplink, encodeDownlink } from "../../protocol/codec.js";
import { encodeFrame } from "../../protocol/encode.js";
import { EXAMPLES } from "../../protocol/examples.js";
import { buildCodecScript } from "../../site/network-server/build-codec.js";
import { XsWorker } from "./harness.js";

let xs: XsWorker;

async function call(fn: string, input: unknown): Promise<unknown> {
  const r = await xs.call(new TextEncoder().encode(JSON.stringify({ fn, input })));
  return JSON.parse(new TextDecoder().decode(r.reply));
}

beforeAll(async () => {
  xs = await XsWorker.start("test/xs/entries/protocol-codec.ts");
  await xs.evaluate(await buildCodecScript());
});
afterAll(async () => {
  await xs?.close();
});

describe("network-server codec on XS", () => {
  it("decodes every example and rejects bad bytes exactly as the TypeScript codec does in Node", async () => {
    const inputs = [
      ...EXAMPLES.map((f) => ({ bytes: Array.from(encodeFrame(f)), fPort: 10 })),
      { bytes: [0x42, 0x84], fPort: 10 },
      { bytes: [0x22, 0x84, 0x00], fPort: 10 },
      { bytes: [0x2f], fPort: 2 },
    ];
    for (const input of inputs) {
      expect(await call("decodeUplink", input)).toEqual(JSON.parse(JSON.stringify(decodeUplink(input))));
    }
  });

  it("encodes downlinks as Node does", async () => {
    for (const data of [
      { type: "time-sync", unixS: 1767225600, millis: 250 },
      { type: "alarm-ack", channel: "co", level: "STEL" },
      { type: "time-sync", unixS: -1, millis: 0 },
    ]) {
      expect(await call("encodeDownlink", { data })).toEqual(
        JSON.parse(JSON.stringify(encodeDownlink({ data }))),
      );
    }
  });
});
