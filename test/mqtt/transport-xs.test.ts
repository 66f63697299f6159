/**
 * The firmware MQTT transport on the real XS engine (xsnap): it bundles and runs without Node APIs, a
 * publish + PUBACK cycle costs a fixed number of meter units, and its allocation is bounded: measured at
 * 2 XS slots per frame (a per-frame, not per-sample, cost; the source is not yet found, see the report), so
 * the test pins "at most 2 per frame" to catch any growth.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XsWorker } from "../xs/harness.js";

describe("MQTT transport on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start("test/mqtt/xs-entry.ts");
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("publishes and acknowledges frames on XS with a fixed cost per frame", async () => {
    const setup = await xs.call(Uint8Array.of(0));
    expect(new DataView(setup.reply.buffer).getUint32(0)).toBe(0);
    await xs.call(Uint8Array.of(1, 10)); // warm up
    await xs.evaluate("gc()");
    const one = await xs.call(Uint8Array.of(1, 1));
    const one2 = await xs.call(Uint8Array.of(1, 1));
    const many = await xs.call(Uint8Array.of(1, 101));
    const many2 = await xs.call(Uint8Array.of(1, 101));
    const v = new DataView(many2.reply.buffer);
    expect(v.getUint32(0)).toBe(10 + 1 + 1 + 101 + 101);
    expect(v.getUint32(4)).toBe(v.getUint32(0));
    const perFrame = (many2.compute - one2.compute) / 100;
    console.log(
      `XS: publish+PUBACK cycle ${perFrame} meter units; heapCount delta 1 frame ${one2.heapCount - one.heapCount}, 101 frames ${many2.heapCount - many.heapCount}`,
    );
    expect(perFrame).toBeGreaterThan(0);
    expect(many2.compute - one2.compute).toBe(100 * perFrame);
    const slotsPerFrame = (many2.heapCount - many.heapCount - (one2.heapCount - one.heapCount)) / 100;
    expect(slotsPerFrame).toBeLessThanOrEqual(2);
  });
});
