/**
 * The board's crypto for the runtime: HMAC-SHA256 (RFC 2104) over Moddable's native SHA-256 (`crypt`
 * Digest), as protocol/auth.ts's FrameMac, and the config digest (first 32 bits of SHA-256).
 * HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)) with a 64-byte block; keys here are 16 bytes (< block).
 */
import { Digest } from "crypt";
import type { FrameMac } from "../../../protocol/auth.js";

const BLOCK = 64;

/** Moddable's Digest.write takes an ArrayBuffer (its declaration has no typed-array views). */
function bufferOf(view: Uint8Array): ArrayBuffer {
  const buffer = view.buffer as ArrayBuffer;
  if (view.byteOffset === 0 && view.byteLength === buffer.byteLength) return buffer;
  return buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}
/**
 * The board's FrameMac. Its pads are made here, at run time: a buffer made at module level is preloaded into
 * flash on the device and writing it throws "read-only buffer".
 */
export function createBoardFrameMac(): FrameMac {
  const ipad = new Uint8Array(BLOCK);
  const opad = new Uint8Array(BLOCK);
  return {
    mac(key, data, out4) {
      ipad.fill(0x36);
      opad.fill(0x5c);
      for (let i = 0; i < key.length; i++) {
        ipad[i] = ipad[i]! ^ key[i]!;
        opad[i] = opad[i]! ^ key[i]!;
      }
      const inner = new Digest("SHA256");
      inner.write(ipad.buffer);
      inner.write(bufferOf(data));
      const outer = new Digest("SHA256");
      outer.write(opad.buffer);
      outer.write(inner.close());
      const tag = new Uint8Array(outer.close());
      for (let i = 0; i < out4.length; i++) out4[i] = tag[i]!;
    },
  };
}

export function boardConfigDigest(bytes: Uint8Array): number {
  const d = new Digest("SHA256");
  d.write(bufferOf(bytes));
  const h = new Uint8Array(d.close());
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}
