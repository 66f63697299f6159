/**
 * The label's QR code (tools/provision/qr.ts on npm `qrcode`): read back by an independent decoder (npm
 * `jsqr`) for every content length the label allows, in the smallest version; the encoder library checked
 * module for module against the symbol ISO/IEC 18004 publishes.
 */
import fc from "fast-check";
import { create } from "qrcode";
import { describe, expect, it } from "vitest";
import { encodeQr, type QrCode } from "../../tools/provision/qr.js";
import { readQr } from "./qr-read.js";

// ISO/IEC 18004 annex I (also JIS X 0510 annex I): "01234567" at 1-M in numeric mode with mask 0, as
// published by an independent encoder's test suite (Quarer, QrCodeTests Create_1M), X = dark.
const ISO_MASK0 = [
  "XXXXXXX---XXX-XXXXXXX",
  "X-----X-XXX---X-----X",
  "X-XXX-X--XX---X-XXX-X",
  "X-XXX-X--X-XX-X-XXX-X",
  "X-XXX-X-XX-XX-X-XXX-X",
  "X-----X----X--X-----X",
  "XXXXXXX-X-X-X-XXXXXXX",
  "---------------------",
  "X-X-X-X---X-X---X--X-",
  "XX-X----X-XX-X-X---X-",
  "---XX-XXX-XX-XXX-XXX-",
  "XX--XX-X-X-XXX-XX--X-",
  "--X--XXX-XXX-XXX----X",
  "--------X-X---X----X-",
  "XXXXXXX-----X---X---X",
  "X-----X---X---X--X-XX",
  "X-XXX-X-XXX-X-X-XXX-X",
  "X-XXX-X--X-X-X-X-XXX-",
  "X-XXX-X-XX-X-XXX--X-X",
  "X-----X----XXX-XXX---",
  "XXXXXXX-X--X-XXX--X-X",
];

const read = (q: QrCode) => readQr(q.size, (r, c) => q.modules[r * q.size + c] === 1);

describe("label QR code (byte mode, level M, versions 1..6)", () => {
  it("the node's payload reads back with an independent decoder", () => {
    const q = encodeQr("minewatch:70b3d57e6aba8b4f");
    expect(q.version).toBe(2); // 26 bytes: v1-M holds 14, v2-M 26
    expect(q.size).toBe(25);
    expect(q.modules).toHaveLength(25 * 25);
    expect(read(q)).toMatchObject({ text: "minewatch:70b3d57e6aba8b4f", version: 2 });
  });

  it("every length 0..106 (UTF-8 too) picks the smallest version and reads back byte for byte", () => {
    const capacity = [14, 26, 42, 62, 84, 106];
    const alphabet = " !#%&*+-./0123456789:ABCXYZabcxyz~éЛ€";
    const versions = new Set<number>();
    fc.assert(
      fc.property(
        fc
          .tuple(fc.integer({ min: 0, max: 106 }), fc.array(fc.constantFrom(...alphabet), { minLength: 106 }))
          .map(([n, cs]) => cs.slice(0, n).join("")),
        (wanted) => {
          // Trim to at most 106 UTF-8 bytes (é, Л take 2, € 3).
          let text = wanted;
          while (new TextEncoder().encode(text).length > 106) text = text.slice(0, -1);
          const bytes = [...new TextEncoder().encode(text)];
          const q = encodeQr(text);
          expect(q.version).toBe(capacity.findIndex((c) => c >= bytes.length) + 1);
          expect(q.size).toBe(17 + 4 * q.version);
          const r = read(q);
          expect(r?.bytes).toEqual(bytes);
          expect(r?.version).toBe(q.version);
          versions.add(q.version);
        },
      ),
      { numRuns: 60 },
    );
    expect([...versions].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("refuses content longer than version 6 holds, naming the length", () => {
    expect(() => encodeQr("x".repeat(107))).toThrow(/107 bytes; at most 106 fit/);
  });

  it("the encoder library draws the ISO 18004 annex I symbol module for module", () => {
    const q = create("01234567", { errorCorrectionLevel: "M", maskPattern: 0 });
    const rows = Array.from({ length: q.modules.size }, (_, r) =>
      Array.from({ length: q.modules.size }, (_, c) => (q.modules.get(r, c) ? "X" : "-")).join(""),
    );
    expect(rows).toEqual(ISO_MASK0);
  });
});
