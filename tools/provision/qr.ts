/**
 * A small QR Code encoder for the node label: byte mode, error correction level M, versions 1..6 (up to 106
 * bytes: a node id, a site and a location fit with room to spare). Written from the structure ISO/IEC 18004
 * describes; tested by decoding its own output structurally and against published examples (ISO 18004
 * annex I's "01234567" 1-M codewords and matrix, thonky.com's "HELLO WORLD" 1-M error correction codewords).
 *
 * Pipeline: bits (mode 0100, 8-bit count, bytes, terminator, 0xEC/0x11 pad) -> data codewords -> split into
 * blocks, Reed-Solomon EC per block over GF(256) (poly 0x11D, generator roots a^0..a^(n-1)) -> interleave ->
 * matrix (finders, separators, timing, alignment, dark module, format info) -> zigzag data placement ->
 * the mask with the lowest penalty (the four rules of 18004 section 7.8.3).
 */
import { ProvisionError } from "./errors.js";

/** Error correction level M, per version 1..6: total codewords, EC codewords per block, data per block. */
const VERSIONS_M: readonly { total: number; ecPerBlock: number; blocks: readonly number[] }[] = [
  { total: 26, ecPerBlock: 10, blocks: [16] },
  { total: 44, ecPerBlock: 16, blocks: [28] },
  { total: 70, ecPerBlock: 26, blocks: [44] },
  { total: 100, ecPerBlock: 18, blocks: [32, 32] },
  { total: 134, ecPerBlock: 24, blocks: [43, 43] },
  { total: 172, ecPerBlock: 16, blocks: [27, 27, 27, 27] },
];
/** Centre of the one alignment pattern of versions 2..6 (row = column). */
const ALIGNMENT = [0, 18, 22, 26, 30, 34];
export const QR_MAX_VERSION = VERSIONS_M.length;

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D).
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}
function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

/** Generator polynomial of degree n (coefficients, highest power first, leading 1 omitted). */
function generator(n: number): Uint8Array {
  let g = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array<number>(g.length + 1).fill(0);
    for (let j = 0; j < g.length; j++) {
      next[j] = next[j]! ^ g[j]!;
      next[j + 1] = next[j + 1]! ^ mul(g[j]!, EXP[i]!);
    }
    g = next;
  }
  return Uint8Array.from(g.slice(1));
}

/** The n Reed-Solomon EC codewords of `data` (remainder of data(x) * x^n divided by the generator). */
export function rsEcc(data: Uint8Array, n: number): Uint8Array {
  const g = generator(n);
  const r = new Uint8Array(n);
  for (const d of data) {
    const factor = d ^ r[0]!;
    r.copyWithin(0, 1);
    r[n - 1] = 0;
    for (let i = 0; i < n; i++) r[i] = r[i]! ^ mul(g[i]!, factor);
  }
  return r;
}

/** The 15 format bits for level M (bits 00) and `mask`: BCH(15,5) with generator 0x537, XOR 0x5412. */
export function formatBits(mask: number): number {
  const data = (0b00 << 3) | mask;
  let rem = data << 10;
  for (let i = 14; i >= 10; i--) if (rem & (1 << i)) rem ^= 0x537 << (i - 10);
  return ((data << 10) | rem) ^ 0x5412;
}

/** Byte-mode data codewords for `bytes` at `version` (mode, count, data, terminator, pad). */
export function dataCodewords(bytes: Uint8Array, version: number): Uint8Array {
  const v = VERSIONS_M[version - 1]!;
  const capacity = v.blocks.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(capacity);
  let bit = 0;
  const put = (value: number, n: number): void => {
    for (let i = n - 1; i >= 0; i--, bit++) if ((value >>> i) & 1) out[bit >> 3]! |= 0x80 >> (bit & 7);
  };
  put(0b0100, 4);
  put(bytes.length, 8);
  for (const b of bytes) put(b, 8);
  put(0, Math.min(4, capacity * 8 - bit)); // terminator
  bit = (bit + 7) & ~7;
  for (let i = bit >> 3, pad = 0xec; i < capacity; i++, pad ^= 0xec ^ 0x11) out[i] = pad;
  return out;
}

/** Data codewords -> blocks with their EC -> the interleaved codeword sequence. */
export function interleave(data: Uint8Array, version: number): Uint8Array {
  const v = VERSIONS_M[version - 1]!;
  const blocks: Uint8Array[] = [];
  const ecc: Uint8Array[] = [];
  let p = 0;
  for (const n of v.blocks) {
    const b = data.subarray(p, p + n);
    p += n;
    blocks.push(b);
    ecc.push(rsEcc(b, v.ecPerBlock));
  }
  const out: number[] = [];
  for (let i = 0; i < Math.max(...v.blocks); i++) for (const b of blocks) if (i < b.length) out.push(b[i]!);
  for (let i = 0; i < v.ecPerBlock; i++) for (const e of ecc) out.push(e[i]!);
  return Uint8Array.from(out);
}

const MASKS: readonly ((r: number, c: number) => boolean)[] = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (_r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

export interface QrCode {
  version: number;
  mask: number;
  /** Modules per side (17 + 4 x version). */
  size: number;
  /** Row-major, 1 = dark. */
  modules: Uint8Array;
}

/** Places the function patterns; returns the modules and which of them are function modules. */
function functionPatterns(version: number): { size: number; m: Uint8Array; fn: Uint8Array } {
  const size = 17 + 4 * version;
  const m = new Uint8Array(size * size);
  const fn = new Uint8Array(size * size);
  const set = (r: number, c: number, dark: boolean): void => {
    m[r * size + c] = dark ? 1 : 0;
    fn[r * size + c] = 1;
  };
  for (const [r0, c0] of [
    [0, 0],
    [0, size - 7],
    [size - 7, 0],
  ] as const)
    for (let r = -1; r <= 7; r++)
      for (let c = -1; c <= 7; c++) {
        const rr = r0 + r;
        const cc = c0 + c;
        if (rr < 0 || cc < 0 || rr >= size || cc >= size) continue;
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        set(rr, cc, ring !== 2 && ring !== 4); // 7x7 finder, its light ring, and the separator
      }
  for (let i = 8; i < size - 8; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  if (version >= 2) {
    const a = ALIGNMENT[version - 1]!;
    for (let r = -2; r <= 2; r++)
      for (let c = -2; c <= 2; c++) set(a + r, a + c, Math.max(Math.abs(r), Math.abs(c)) !== 1);
  }
  // Format info areas (filled per mask) and the dark module.
  for (let i = 0; i < 9; i++) {
    fn[8 * size + i] = 1;
    fn[i * size + 8] = 1;
  }
  for (let i = 0; i < 8; i++) {
    fn[8 * size + size - 1 - i] = 1;
    fn[(size - 1 - i) * size + 8] = 1;
  }
  set(size - 8, 8, true);
  return { size, m, fn };
}

function placeFormat(m: Uint8Array, size: number, mask: number): void {
  const bits = formatBits(mask);
  const bit = (i: number): number => (bits >>> i) & 1;
  for (let i = 0; i <= 5; i++) m[i * size + 8] = bit(i);
  m[7 * size + 8] = bit(6);
  m[8 * size + 8] = bit(7);
  m[8 * size + 7] = bit(8);
  for (let i = 9; i < 15; i++) m[8 * size + 14 - i] = bit(i);
  for (let i = 0; i < 8; i++) m[8 * size + size - 1 - i] = bit(i);
  for (let i = 8; i < 15; i++) m[(size - 15 + i) * size + 8] = bit(i);
  m[(size - 8) * size + 8] = 1;
}

/** The data modules' positions in placement order (upward/downward two-column zigzag from bottom right). */
export function dataPositions(size: number, fn: Uint8Array): number[] {
  const out: number[] = [];
  let upward = true;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5; // the vertical timing pattern's column is skipped
    for (let k = 0; k < size; k++) {
      const r = upward ? size - 1 - k : k;
      for (const c of [right, right - 1]) if (!fn[r * size + c]) out.push(r * size + c);
    }
    upward = !upward;
  }
  return out;
}

/** The symbol for already-made data codewords at a version and mask (exposed for the published examples). */
export function buildSymbol(data: Uint8Array, version: number, mask: number): QrCode {
  const { size, m, fn } = functionPatterns(version);
  const codewords = interleave(data, version);
  const pos = dataPositions(size, fn);
  for (let i = 0; i < pos.length; i++) {
    const dark = i < codewords.length * 8 ? (codewords[i >> 3]! >> (7 - (i & 7))) & 1 : 0; // remainder bits 0
    const p = pos[i]!;
    m[p] = dark ^ (MASKS[mask]!(Math.floor(p / size), p % size) ? 1 : 0);
  }
  placeFormat(m, size, mask);
  return { version, mask, size, modules: m };
}

/** ISO 18004 7.8.3 penalty: runs, 2x2 blocks, finder-like 1:1:3:1:1 patterns, dark/light balance. */
export function penalty(q: QrCode): number {
  const { size, modules: m } = q;
  let score = 0;
  const at = (r: number, c: number, rows: boolean): number => (rows ? m[r * size + c]! : m[c * size + r]!);
  for (const rows of [true, false])
    for (let r = 0; r < size; r++) {
      let run = 1;
      for (let c = 1; c <= size; c++) {
        if (c < size && at(r, c, rows) === at(r, c - 1, rows)) run++;
        else {
          if (run >= 5) score += 3 + run - 5;
          run = 1;
        }
      }
      for (let c = 0; c + 11 <= size; c++) {
        let s = "";
        for (let k = 0; k < 11; k++) s += at(r, c + k, rows);
        if (s === "10111010000" || s === "00001011101") score += 40;
      }
    }
  let dark = 0;
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      dark += m[r * size + c]!;
      if (r + 1 < size && c + 1 < size) {
        const v = m[r * size + c];
        if (v === m[r * size + c + 1] && v === m[(r + 1) * size + c] && v === m[(r + 1) * size + c + 1])
          score += 3;
      }
    }
  score += 10 * Math.floor(Math.abs((dark * 100) / (size * size) - 50) / 5);
  return score;
}

/** Encodes `text` (UTF-8) in byte mode at level M in the smallest version 1..6, with the best mask. */
export function encodeQr(text: string | Uint8Array): QrCode {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const version =
    VERSIONS_M.findIndex((v) => v.blocks.reduce((a, b) => a + b, 0) * 8 >= 12 + 8 * bytes.length) + 1;
  if (version === 0)
    throw new ProvisionError(
      "usage",
      `label QR content is ${bytes.length} bytes; at most 106 fit (version 6, level M): shorten the site or location`,
      bytes.length,
    );
  const data = dataCodewords(bytes, version);
  let best: QrCode | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 8; mask++) {
    const q = buildSymbol(data, version, mask);
    const s = penalty(q);
    if (s < bestScore) {
      best = q;
      bestScore = s;
    }
  }
  return best!;
}
