/**
 * The whole node on the real XS engine (xsnap): runtime + sensing + protocol + drivers, with the chip
 * models bundled on the XS side too. Same results as Node, and a heap that stays flat over a simulated hour
 * (xsnap's live slot count after a full collection). The node's own heap against the 64 KiB budget is
 * measured without the chip models, host IO through the command channel: test/xs/node-remote.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handle } from "./entries/node.js";
import { XsWorker } from "./harness.js";

function setup(variant: number, odrHz: number, alarm: boolean): Uint8Array {
  const r = new Uint8Array(5);
  r[1] = variant;
  new DataView(r.buffer).setUint16(2, odrHz * 16, true);
  r[4] = alarm ? 1 : 0;
  return r;
}

function run(ms: number): Uint8Array {
  const r = new Uint8Array(5);
  r[0] = 1;
  new DataView(r.buffer).setUint32(1, ms, true);
  return r;
}

describe("node on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start("test/xs/entries/node.ts", { meteringLimit: 1e12 });
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("gives the same results as Node for a gas node with a methane alarm", async () => {
    const steps = [setup(0, 1000, true), run(60_000), run(120_000)];
    for (const req of steps) {
      const x = await xs.call(req);
      expect([...x.reply]).toEqual([...handle(req)]);
    }
    const last = new DataView((await xs.call(run(1))).reply.buffer);
    expect(last.getUint32(20, true) & 4).toBe(4); // CH4 A2 latched
    expect(last.getUint32(12, true)).toBe(0);
  });

  it("keeps a combo node's heap flat over a simulated hour (growth < 500 slots)", async () => {
    await xs.call(setup(2, 62.5, true));
    await xs.call(run(120_000));
    await xs.evaluate("gc()");
    const base = (await xs.call(run(1))).heapCount;
    const samples: number[] = [];
    for (let m = 0; m < 58; m += 2) {
      await xs.call(run(120_000));
      samples.push((await xs.evaluate("gc()")).heapCount);
    }
    await xs.evaluate("gc()");
    const end = await xs.call(run(1));
    const r = new DataView(end.reply.buffer);
    expect(r.getUint32(0, true)).toBeGreaterThanOrEqual(3600);
    expect(r.getUint32(12, true)).toBe(0);
    const grow = end.heapCount - base;
    console.log(
      `node on XS: heap ${base} slots after 2 min, ${end.heapCount} after 1 h (+${grow}); gc samples ${samples.join(",")}`,
    );
    expect(Math.abs(grow)).toBeLessThan(500);
  });
});
