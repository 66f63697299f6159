import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boardConfigDigest, createBoardFrameMac } from "../../firmware/node/runtime/board-crypto.js";
import { nobleFrameMac } from "../../site/frame-mac.js";

describe("board crypto (HMAC-SHA256 over Moddable's Digest)", () => {
  it("equals the host's vetted HMAC-SHA256/32 for any key and message, including views into larger buffers", () => {
    const boardMac = createBoardFrameMac(); // one instance: its pads are reused call after call
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(8),
        (key, message, offset) => {
          const backing = new Uint8Array(message.length + offset + 3);
          backing.set(message, offset);
          const view = backing.subarray(offset, offset + message.length);
          const board = new Uint8Array(4);
          const host = new Uint8Array(4);
          boardMac.mac(key, view, board);
          nobleFrameMac.mac(key, message, host);
          expect(board).toEqual(host);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("config digest is the first 32 bits of SHA-256", () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const h = createHash("sha256").update(bytes).digest();
    expect(boardConfigDigest(bytes.subarray(0))).toBe(h.readUInt32BE(0));
  });
});
