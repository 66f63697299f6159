// The protocol on the real XS engine (xsnap): XS and Node produce byte-identical frames for a corpus of
// every type with edge values, each decodes the other's bytes, error codes agree, and the encoder
// allocates nothing per frame.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../../host-sim/prng.js";
import { FrameVerifier, sealFrame } from "../../protocol/auth.js";
import { decodeFrame } from "../../protocol/decode.js";
import { encodeFrame } from "../../protocol/encode.js";
import { EXAMPLE_KEY, EXAMPLES } from "../../protocol/examples.js";
import { fromHex, toHex } from "../../protocol/hex.js";
import { frameFromJson, frameToJson } from "../../protocol/json.js";
import { FRAME_SPECS } from "../../protocol/schema.js";
import { mutate, seedCorpus } from "../fuzz/mutate.js";
import { arbFrame } from "../protocol/arbitrary.js";
import { nobleFrameMac } from "../protocol/noble-mac.js";
import { XsWorker } from "./harness.js";

let xs: XsWorker;

async function ask(op: number, payload: unknown): Promise<unknown[]> {
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const req = new Uint8Array(body.length + 1);
  req[0] = op;
  req.set(body, 1);
  return JSON.parse(new TextDecoder().decode((await xs.call(req)).reply));
}

function nodeEncode(json: unknown): unknown {
  try {
    return { hex: toHex(encodeFrame(frameFromJson(json))) };
  } catch (e) {
    return { error: (e as { code: string }).code, message: (e as Error).message };
  }
}

function nodeDecode(hex: string): unknown {
  try {
    const d = decodeFrame(fromHex(hex));
    return { frame: frameToJson(d.frame), counterLow16: d.counterLow16, mac: toHex(d.mac) };
  } catch (e) {
    return { error: (e as { code: string }).code, message: (e as Error).message };
  }
}

// Every example, 400 arbitrary valid frames biased to range ends and CBOR head boundaries, and every
// integer field pushed one past each end of its range (so both engines must refuse them the same way).
const valid = [...EXAMPLES, ...fc.sample(arbFrame, { numRuns: 400, seed: 419 })].map(frameToJson);
const invalid = FRAME_SPECS.flatMap((spec, i) =>
  spec.fields
    .filter((f) => f.kind === "int")
    .flatMap((f) => [f.min - 1, f.max + 1].map((bad) => ({ ...frameToJson(EXAMPLES[i]!), [f.name]: bad }))),
);
const corpus = [...valid, ...invalid];

beforeAll(async () => {
  xs = await XsWorker.start("test/xs/entries/protocol.ts");
});
afterAll(async () => {
  await xs?.close();
});

describe("protocol on XS vs Node", () => {
  it("XS encodes the corpus byte-identically to Node (and refuses the same out-of-range values)", async () => {
    const fromXs = await ask(1, corpus);
    expect(fromXs).toEqual(corpus.map(nodeEncode));
    expect(fromXs.filter((r) => "error" in (r as object))).toHaveLength(invalid.length);
  });

  it("Node decodes XS's bytes and XS decodes Node's bytes to the same frames", async () => {
    const xsHex = (await ask(1, valid)).map((r) => (r as { hex: string }).hex);
    expect(xsHex.map((hex) => frameToJson(decodeFrame(fromHex(hex)).frame))).toEqual(valid);
    const nodeHex = valid.map((j) => toHex(encodeFrame(frameFromJson(j))));
    const decodedOnXs = await ask(2, nodeHex);
    expect(decodedOnXs.map((r) => (r as { frame: unknown }).frame)).toEqual(valid);
  });

  it("XS rejects 3,000 mutated frames with the same codes and messages as Node", async () => {
    const prng = new Prng(2024);
    const seeds = seedCorpus();
    const hexes = Array.from({ length: 3000 }, (_, i) =>
      toHex(mutate(prng, seeds[i % seeds.length]!)),
    ).filter((h) => h.length > 0);
    expect(await ask(2, hexes)).toEqual(hexes.map(nodeDecode));
  });

  it("MAC trailers sealed on XS (noble bundled) equal Node's, and XS's verifier rejects replay and bad MAC", async () => {
    const items = EXAMPLES.map((f, i) => ({
      frame: frameToJson(f),
      counter: 0xfff0 + i * 7,
      key: toHex(EXAMPLE_KEY),
    }));
    const sealedOnXs = (await ask(3, items)).map((r) => (r as { hex: string }).hex);
    const sealedOnNode = EXAMPLES.map((f, i) => {
      const plain = encodeFrame(f);
      const out = new Uint8Array(plain.length + 6);
      out.set(plain);
      return toHex(
        out.subarray(0, sealFrame(out, 0, plain.length, items[i]!.counter, EXAMPLE_KEY, nobleFrameMac)),
      );
    });
    expect(sealedOnXs).toEqual(sealedOnNode);
    const verifier = new FrameVerifier(nobleFrameMac, () => EXAMPLE_KEY);
    expect(sealedOnXs.map((h) => verifier.verify("n", fromHex(h)).counter)).toEqual(
      items.map((x) => x.counter),
    );
    const tampered = `${sealedOnXs[1]!.slice(0, -2)}00`;
    const results = await ask(4, {
      key: toHex(EXAMPLE_KEY),
      frames: [sealedOnXs[0], sealedOnXs[1], sealedOnXs[0], tampered],
    });
    expect(results.map((r) => (r as { error?: string }).error ?? (r as { counter: number }).counter)).toEqual(
      [items[0]!.counter, items[1]!.counter, "replayed-counter", "bad-mac"],
    );
  });
});

describe("protocol cost on XS", () => {
  async function metered(op: number, type: number, n: number) {
    return xs.call(new Uint8Array([op, type, n]));
  }

  it("encoding allocates nothing per frame: the heap delta per call does not grow with frames encoded", async () => {
    for (let t = 0; t < EXAMPLES.length; t++) {
      await xs.evaluate("gc()");
      const a1 = await metered(10, t, 1);
      const a2 = await metered(10, t, 1);
      const b1 = await metered(10, t, 100);
      const b2 = await metered(10, t, 100);
      expect(b2.heapCount - b1.heapCount, FRAME_SPECS[t]!.name).toBe(a2.heapCount - a1.heapCount);
    }
  });

  it("meter counts are deterministic and linear in frames encoded", async () => {
    const one = await metered(10, 1, 1);
    const again = await metered(10, 1, 1);
    const many = await metered(10, 1, 101);
    expect(again.compute).toBe(one.compute);
    expect((many.compute - one.compute) % 100).toBe(0);
    expect((many.compute - one.compute) / 100).toBeGreaterThan(0);
  });
});
