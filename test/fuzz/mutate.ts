// Mutated-frame generator shared by the test suite (>= 1e5 frames) and `npm run fuzz` (>= 1e6): seeded
// (host-sim/prng.ts), so a failure prints a seed and an index that replay it exactly.

import { Prng } from "../../host-sim/prng.js";
import { sealFrame } from "../../protocol/auth.js";
import { decodeFrame } from "../../protocol/decode.js";
import { encodeFrame } from "../../protocol/encode.js";
import { ProtocolError } from "../../protocol/errors.js";
import { EXAMPLE_KEY, EXAMPLES } from "../../protocol/examples.js";
import { HEADER_AUTH_BIT, TRAILER_BYTES } from "../../protocol/schema.js";
import { nobleFrameMac } from "../protocol/noble-mac.js";

/** Bytes that mean something to a CBOR head or our header. */
const INTERESTING = [
  0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x21, 0x22, 0x28, 0x2f, 0x38, 0x3b, 0x3f, 0x40, 0x48,
  0x58, 0x5f, 0x60, 0x7f, 0x80, 0x84, 0x98, 0x9f, 0xa0, 0xbf, 0xc0, 0xd8, 0xf4, 0xf6, 0xf9, 0xfb, 0xff,
];

/** Every example frame, plain and sealed (counter 1..). */
export function seedCorpus(): Uint8Array[] {
  const corpus: Uint8Array[] = [];
  EXAMPLES.forEach((frame, i) => {
    const plain = encodeFrame(frame);
    corpus.push(plain);
    const buffer = new Uint8Array(plain.length + TRAILER_BYTES);
    buffer.set(plain);
    corpus.push(buffer.slice(0, sealFrame(buffer, 0, plain.length, i + 1, EXAMPLE_KEY, nobleFrameMac)));
  });
  return corpus;
}

export function mutate(prng: Prng, input: Uint8Array): Uint8Array {
  let b = Array.from(input);
  const rounds = prng.int(1, 3);
  for (let r = 0; r < rounds; r++) {
    const at = b.length === 0 ? 0 : prng.int(0, b.length - 1);
    switch (prng.int(0, 8)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << prng.int(0, 7));
        break;
      case 1:
        if (b.length) b[at] = prng.int(0, 255);
        break;
      case 2:
        if (b.length) b[at] = INTERESTING[prng.int(0, INTERESTING.length - 1)]!;
        break;
      case 3:
        b = b.slice(0, prng.int(0, b.length));
        break;
      case 4:
        b.splice(
          at,
          0,
          prng.chance(0.5) ? prng.int(0, 255) : INTERESTING[prng.int(0, INTERESTING.length - 1)]!,
        );
        break;
      case 5:
        b.splice(at, 1);
        break;
      case 6: {
        const len = prng.int(1, 6);
        b.splice(at, 0, ...b.slice(at, at + len));
        break;
      }
      case 7:
        b[0] = (prng.int(0, 7) << 5) | (prng.chance(0.5) ? HEADER_AUTH_BIT : 0) | prng.int(0, 15);
        break;
      default: {
        const len = prng.int(0, 12);
        b = Array.from({ length: len }, () => prng.int(0, 255));
        break;
      }
    }
  }
  return new Uint8Array(b);
}

export interface FuzzReport {
  frames: number;
  accepted: number;
  byCode: Record<string, number>;
}

/** A decoded frame's numbers: every one must be finite (NaN or Infinity is never a field value). */
function nonFinite(value: unknown, path: string): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} = ${value}`;
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const bad = nonFinite(v, `${path}.${k}`);
      if (bad) return bad;
    }
  }
  return undefined;
}

/**
 * Decodes `count` mutated frames. Throws (with seed and index) if the decoder raises anything but a
 * ProtocolError, or accepts bytes that are not exactly what the encoder produces for the decoded frame: the
 * re-encode runs outside the decode's `try`, so a frame the decoder accepts and the encoder refuses (a value
 * out of range) is a failure, not a clean rejection; and every decoded number must be finite.
 */
export function fuzzDecoder(
  seed: number,
  count: number,
  decode: typeof decodeFrame = decodeFrame,
): FuzzReport {
  const prng = new Prng(seed);
  const corpus = seedCorpus();
  const report: FuzzReport = { frames: 0, accepted: 0, byCode: {} };
  const fail = (i: number, bytes: Uint8Array, msg: string) =>
    new Error(`seed ${seed} frame ${i} (${Buffer.from(bytes).toString("hex")}): ${msg}`);
  for (let i = 0; i < count; i++) {
    const bytes = mutate(prng, corpus[i % corpus.length]!);
    report.frames++;
    let d: ReturnType<typeof decodeFrame>;
    try {
      d = decode(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw fail(i, bytes, e instanceof Error ? e.message : String(e));
      report.byCode[e.code] = (report.byCode[e.code] ?? 0) + 1;
      continue;
    }
    const bad = nonFinite(d.frame, "frame");
    if (bad) throw fail(i, bytes, `accepted a frame with ${bad}`);
    let again: Uint8Array;
    try {
      again = encodeFrame(d.frame);
    } catch (e) {
      throw fail(
        i,
        bytes,
        `accepted a frame the encoder refuses: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const body = bytes.slice(0, d.authenticated ? bytes.length - TRAILER_BYTES : bytes.length);
    body[0] = body[0]! & ~HEADER_AUTH_BIT;
    if (again.length !== body.length || again.some((x, k) => x !== body[k])) {
      throw fail(i, bytes, "accepted non-canonical bytes");
    }
    report.accepted++;
  }
  return report;
}
