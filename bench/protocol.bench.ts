/**
 * Protocol benchmark: the frame-size table (`minewatch frames`), then per frame type the XS cost of one
 * encode and one decode in meter units (deterministic), ours against cbor-x bundled into XS the same way:
 * cbor-x's default (the frame object as a map) and cbor-x on the bare value array (our body's shape).
 * One operation's cost = (meter(101 ops) - meter(1 op)) / 100, so the call's fixed cost cancels out.
 */

import { FRAME_SPECS } from "../protocol/schema.js";
import { XsWorker } from "../test/xs/harness.js";
import { formatFrameSizeTable, frameSizeRows } from "../tools/cli/frames.js";

async function perOp(xs: XsWorker, op: number, type: number): Promise<number> {
  const one = await xs.call(new Uint8Array([op, type, 1]));
  const many = await xs.call(new Uint8Array([op, type, 101]));
  return (many.compute - one.compute) / 100;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export async function run(): Promise<void> {
  console.log("Frame sizes (bytes; max = worst case of any valid frame; budgets from DESIGN.md):\n");
  console.log(formatFrameSizeTable(frameSizeRows()));

  const ours = await XsWorker.start("test/xs/entries/protocol.ts");
  const cborx = await XsWorker.start("test/xs/entries/protocol-cborx.ts");
  const oursMin = await XsWorker.start("test/xs/entries/protocol.ts", { minify: true });
  const cborxMin = await XsWorker.start("test/xs/entries/protocol-cborx.ts", { minify: true });
  try {
    const rows: string[][] = [];
    for (let t = 0; t < FRAME_SPECS.length; t++) {
      const enc = await perOp(ours, 10, t);
      const dec = await perOp(ours, 11, t);
      const cxEnc = await perOp(cborx, 10, t);
      const cxDec = await perOp(cborx, 11, t);
      const cxArrEnc = await perOp(cborx, 12, t);
      const cxArrDec = await perOp(cborx, 13, t);
      rows.push([
        FRAME_SPECS[t]!.name,
        enc.toFixed(0),
        cxEnc.toFixed(0),
        `${(cxEnc / enc).toFixed(2)}x`,
        cxArrEnc.toFixed(0),
        `${(cxArrEnc / enc).toFixed(2)}x`,
        dec.toFixed(0),
        cxDec.toFixed(0),
        `${(cxDec / dec).toFixed(2)}x`,
        cxArrDec.toFixed(0),
        `${(cxArrDec / dec).toFixed(2)}x`,
      ]);
    }
    console.log("\nXS meter units per operation (ratio = cbor-x / ours; > 1 means ours is cheaper):\n");
    console.log(
      table(
        [
          "type",
          "enc ours",
          "enc cbor-x",
          "ratio",
          "enc cbor-x[]",
          "ratio",
          "dec ours",
          "dec cbor-x",
          "ratio",
          "dec cbor-x[]",
          "ratio",
        ],
        rows,
      ),
    );
    console.log(
      `\nXS bundle (minified): ours ${oursMin.bundleBytes} bytes (protocol + JSON view + @noble/hashes for the test MAC), ` +
        `cbor-x entry ${cborxMin.bundleBytes} bytes (cbor-x + protocol/schema and examples)`,
    );
  } finally {
    await Promise.all([ours.close(), cborx.close(), oursMin.close(), cborxMin.close()]);
  }
}
