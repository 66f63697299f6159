// XS entry for the protocol parity test and benchmark: the same protocol/ modules the node ships, plus
// @noble/hashes as the injected MAC (on the board Moddable's native HMAC-SHA256 takes its place).
// Request: one op byte, then the op's payload. Corpus ops speak JSON (XS has TextEncoder/TextDecoder);
// the metered ops (10, 11) take [op, typeIndex, n] and repeat one encode/decode n times without
// allocating in the encode loop, so meter(n) - meter(1) is n - 1 times one operation.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { type FrameMac, FrameVerifier, sealFrame } from "../../../protocol/auth.js";
import { decodeFrame } from "../../../protocol/decode.js";
import { encodeFrameInto, MAX_FRAME_BYTES } from "../../../protocol/encode.js";
import { EXAMPLES } from "../../../protocol/examples.js";
import { fromHex, toHex } from "../../../protocol/hex.js";
import { frameFromJson, frameToJson } from "../../../protocol/json.js";

const nobleMac: FrameMac = {
  mac(key, data, out4) {
    const tag = hmac(sha256, key, data);
    for (let i = 0; i < out4.length; i++) out4[i] = tag[i]!;
  },
};

const frameBuffer = new Uint8Array(MAX_FRAME_BYTES);
const encodedExamples = EXAMPLES.map((f) => {
  const end = encodeFrameInto(f, frameBuffer, 0);
  return frameBuffer.slice(0, end);
});
const meterReply = new Uint8Array(1);

function errorOf(e: unknown): { error: string; message: string } {
  const err = e as { code?: string; message?: string };
  return {
    error: typeof err.code === "string" ? err.code : `not a ProtocolError: ${String(e)}`,
    message: String(err.message),
  };
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function encodeCorpus(items: unknown[]): unknown[] {
  return items.map((item) => {
    try {
      const end = encodeFrameInto(frameFromJson(item), frameBuffer, 0);
      return { hex: toHex(frameBuffer.subarray(0, end)) };
    } catch (e) {
      return errorOf(e);
    }
  });
}

function decodeCorpus(items: string[]): unknown[] {
  return items.map((hex) => {
    try {
      const d = decodeFrame(fromHex(hex));
      return { frame: frameToJson(d.frame), counterLow16: d.counterLow16, mac: toHex(d.mac) };
    } catch (e) {
      return errorOf(e);
    }
  });
}

interface SealItem {
  frame: unknown;
  counter: number;
  key: string;
}

function sealCorpus(items: SealItem[]): unknown[] {
  return items.map((item) => {
    try {
      const end = encodeFrameInto(frameFromJson(item.frame), frameBuffer, 0);
      const sealed = sealFrame(frameBuffer, 0, end, item.counter, fromHex(item.key), nobleMac);
      return { hex: toHex(frameBuffer.subarray(0, sealed)) };
    } catch (e) {
      return errorOf(e);
    }
  });
}

function verifySequence(request: { key: string; frames: string[] }): unknown[] {
  const key = fromHex(request.key);
  const verifier = new FrameVerifier(nobleMac, () => key);
  return request.frames.map((hex) => {
    try {
      const v = verifier.verify("node", fromHex(hex));
      return { counter: v.counter, frame: frameToJson(v.frame) };
    } catch (e) {
      return errorOf(e);
    }
  });
}

export function handle(request: Uint8Array): Uint8Array {
  const op = request[0];
  if (op === 10 || op === 11) {
    const frame = EXAMPLES[request[1]!]!;
    const bytes = encodedExamples[request[1]!]!;
    const n = request[2]!;
    let end = 0;
    if (op === 10) for (let i = 0; i < n; i++) end = encodeFrameInto(frame, frameBuffer, 0);
    else for (let i = 0; i < n; i++) end = decodeFrame(bytes).frame.type;
    meterReply[0] = end;
    return meterReply;
  }
  const payload = JSON.parse(new TextDecoder().decode(request.subarray(1)));
  if (op === 1) return json(encodeCorpus(payload));
  if (op === 2) return json(decodeCorpus(payload));
  if (op === 3) return json(sealCorpus(payload));
  if (op === 4) return json(verifySequence(payload));
  return json({ error: `unknown op ${op}` });
}
