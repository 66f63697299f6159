/**
 * The label's QR encoder (tools/provision/qr.ts), checked against published examples and by decoding its
 * own symbols structurally (format bits from both copies, version from the size, codewords read back in
 * placement order, Reed-Solomon syndromes zero, byte-mode payload equal to the input).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildSymbol,
  dataPositions,
  encodeQr,
  formatBits,
  type QrCode,
  rsEcc,
} from "../../tools/provision/qr.js";

// ISO/IEC 18004 annex I (also in JIS X 0510 annex I): "01234567" at 1-M in numeric mode. Its data codewords
// (mode 0001, count 8, 012 345 67, terminator, pad) and the 10 EC codewords the annex lists.
const ISO_DATA = [
  0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11,
];
const ISO_ECC = [0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55];
// The same symbol with mask 0 as published by an independent encoder's test suite (Quarer, QrCodeTests
// Create_1M), X = dark.
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
// thonky.com QR tutorial, "Error Correction Coding": HELLO WORLD at 1-M (alphanumeric) data and EC codewords.
const HELLO_DATA = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
const HELLO_ECC = [196, 35, 39, 119, 235, 215, 231, 226, 93, 23];
// thonky.com "Format and Version Information" table, level M, masks 0..7.
const FORMAT_M = [
  "101010000010010",
  "101000100100101",
  "101111001111100",
  "101101101001011",
  "100010111111001",
  "100000011001110",
  "100111110010111",
  "100101010100000",
];

function render(q: QrCode): string[] {
  const rows: string[] = [];
  for (let r = 0; r < q.size; r++) {
    let s = "";
    for (let c = 0; c < q.size; c++) s += q.modules[r * q.size + c] ? "X" : "-";
    rows.push(s);
  }
  return rows;
}

// --- a structural decoder, written from the standard's layout independently of the encoder's tables ----
const TOTAL = [26, 44, 70, 100, 134, 172];
const EC_PER_BLOCK = [10, 16, 26, 18, 24, 16];
const BLOCKS = [1, 1, 1, 2, 2, 4];
const MASK_FN = [
  (r: number, c: number) => (r + c) % 2 === 0,
  (r: number) => r % 2 === 0,
  (_r: number, c: number) => c % 3 === 0,
  (r: number, c: number) => (r + c) % 3 === 0,
  (r: number, c: number) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r: number, c: number) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r: number, c: number) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r: number, c: number) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

function readFormat(q: QrCode): { copy1: number; copy2: number } {
  const m = (r: number, c: number) => q.modules[r * q.size + c]!;
  const s = q.size;
  // Copy 1 around the top-left finder, copy 2 split between the top-right and bottom-left finders.
  const p1 = [
    [8, 0],
    [8, 1],
    [8, 2],
    [8, 3],
    [8, 4],
    [8, 5],
    [8, 7],
    [8, 8],
    [7, 8],
    [5, 8],
    [4, 8],
    [3, 8],
    [2, 8],
    [1, 8],
    [0, 8],
  ];
  const p2 = [
    [s - 1, 8],
    [s - 2, 8],
    [s - 3, 8],
    [s - 4, 8],
    [s - 5, 8],
    [s - 6, 8],
    [s - 7, 8],
    [8, s - 8],
    [8, s - 7],
    [8, s - 6],
    [8, s - 5],
    [8, s - 4],
    [8, s - 3],
    [8, s - 2],
    [8, s - 1],
  ];
  let copy1 = 0;
  let copy2 = 0;
  for (let i = 0; i < 15; i++) {
    copy1 = (copy1 << 1) | m(p1[i]![0]!, p1[i]![1]!);
    copy2 = (copy2 << 1) | m(p2[i]![0]!, p2[i]![1]!);
  }
  return { copy1, copy2 };
}

function gfMul(a: number, b: number): number {
  let p = 0;
  while (b) {
    if (b & 1) p ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
    b >>= 1;
  }
  return p;
}

function syndromesZero(block: number[], n: number): boolean {
  let alpha = 1;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const c of block) s = gfMul(s, alpha) ^ c;
    if (s !== 0) return false;
    alpha = gfMul(alpha, 2);
  }
  return true;
}

function decode(q: QrCode): { version: number; mask: number; text: string; rsOk: boolean } {
  const version = (q.size - 17) / 4;
  const { copy1, copy2 } = readFormat(q);
  expect(copy1).toBe(copy2);
  const info = copy1 ^ 0x5412;
  expect(info >> 13).toBe(0b00); // level M
  const mask = (info >> 10) & 7;
  // Function modules: rebuild the map from the layout (finders + separators, timing, alignment, format, dark).
  const s = q.size;
  const fn = new Uint8Array(s * s);
  const mark = (r: number, c: number) => {
    if (r >= 0 && c >= 0 && r < s && c < s) fn[r * s + c] = 1;
  };
  for (let r = 0; r < 9; r++) for (let c = 0; c < 9; c++) mark(r, c);
  for (let r = 0; r < 9; r++) for (let c = s - 8; c < s; c++) mark(r, c);
  for (let r = s - 8; r < s; r++) for (let c = 0; c < 9; c++) mark(r, c);
  for (let i = 0; i < s; i++) {
    mark(6, i);
    mark(i, 6);
  }
  if (version >= 2) {
    const a = s - 7;
    for (let r = a - 2; r <= a + 2; r++) for (let c = a - 2; c <= a + 2; c++) mark(r, c);
  }
  const bits: number[] = [];
  for (const p of dataPositions(s, fn)) {
    const r = Math.floor(p / s);
    const c = p % s;
    bits.push(q.modules[p]! ^ (MASK_FN[mask]!(r, c) ? 1 : 0));
  }
  const total = TOTAL[version - 1]!;
  expect(bits.length).toBe(total * 8 + (version === 1 ? 0 : 7)); // remainder bits
  const cw: number[] = [];
  for (let i = 0; i < total; i++) {
    let b = 0;
    for (let k = 0; k < 8; k++) b = (b << 1) | bits[i * 8 + k]!;
    cw.push(b);
  }
  const nb = BLOCKS[version - 1]!;
  const ec = EC_PER_BLOCK[version - 1]!;
  const dataLen = (total - nb * ec) / nb;
  const blocks: number[][] = Array.from({ length: nb }, () => []);
  let p = 0;
  for (let i = 0; i < dataLen; i++) for (let b = 0; b < nb; b++) blocks[b]!.push(cw[p++]!);
  for (let i = 0; i < ec; i++) for (let b = 0; b < nb; b++) blocks[b]!.push(cw[p++]!);
  const rsOk = blocks.every((b) => syndromesZero(b, ec));
  const data = blocks.flatMap((b) => b.slice(0, dataLen));
  const bit = (i: number) => (data[i >> 3]! >> (7 - (i & 7))) & 1;
  const field = (from: number, n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | bit(from + i);
    return v;
  };
  expect(field(0, 4)).toBe(0b0100); // byte mode
  const len = field(4, 8);
  const bytes = Uint8Array.from({ length: len }, (_, i) => field(12 + 8 * i, 8));
  return { version, mask, text: new TextDecoder().decode(bytes), rsOk };
}

describe("QR encoder (byte mode, level M, versions 1..6)", () => {
  it("Reed-Solomon EC codewords equal the published examples", () => {
    expect([...rsEcc(Uint8Array.from(ISO_DATA), 10)]).toEqual(ISO_ECC);
    expect([...rsEcc(Uint8Array.from(HELLO_DATA), 10)]).toEqual(HELLO_ECC);
  });

  it("format bits for level M equal the published table for every mask", () => {
    for (let mask = 0; mask < 8; mask++)
      expect(formatBits(mask).toString(2).padStart(15, "0")).toBe(FORMAT_M[mask]);
  });

  it("places the ISO annex I codewords module for module as the published 1-M mask-0 symbol", () => {
    expect(render(buildSymbol(Uint8Array.from(ISO_DATA), 1, 0))).toEqual(ISO_MASK0);
  });

  it("a short string decodes back: format copies agree, version from size, RS checks, payload", () => {
    const q = encodeQr("minewatch:70b3d57e6aba8b4f");
    expect(q.version).toBe(2); // 26 bytes: v1-M holds 14, v2-M 26
    expect(q.size).toBe(25);
    const d = decode(q);
    expect(d).toMatchObject({ version: 2, mask: q.mask, text: "minewatch:70b3d57e6aba8b4f", rsOk: true });
  });

  it("every length 0..106 picks the smallest version and round-trips (multi-block versions 4..6)", () => {
    const capacity = [14, 26, 42, 62, 84, 106];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 106 }), fc.integer({ min: 0, max: 0xffffff }), (n, seed) => {
        let x = seed;
        const text = Array.from({ length: n }, () => {
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          return String.fromCharCode(0x20 + (x % 95));
        }).join("");
        const q = encodeQr(text);
        expect(q.version).toBe(capacity.findIndex((c) => c >= n) + 1);
        const d = decode(q);
        expect(d.rsOk).toBe(true);
        expect(d.text).toBe(text);
      }),
      { numRuns: 60 },
    );
  });

  it("refuses content longer than version 6 holds, naming the length", () => {
    expect(() => encodeQr("x".repeat(107))).toThrow(/107 bytes; at most 106 fit/);
  });
});
