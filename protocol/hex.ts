/**
 * Hex text <-> bytes without Buffer (XS has no Buffer, and xsnap 0.15 lacks Uint8Array.fromHex).
 */
import { ProtocolError } from "./errors.js";

const DIGITS = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += DIGITS[bytes[i]! >> 4]! + DIGITS[bytes[i]! & 15]!;
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses hex (upper or lower case; spaces, colons, a leading 0x ignored). */
export function fromHex(text: string): Uint8Array {
  if (typeof text !== "string")
    throw new ProtocolError("bad-hex", `hex must be text, got ${typeof text}`, text);
  let s = text.replace(/[\s:]/g, "");
  if (s.slice(0, 2) === "0x" || s.slice(0, 2) === "0X") s = s.slice(2);
  if (s.length === 0) throw new ProtocolError("bad-hex", "no hex digits", text);
  for (let i = 0; i < s.length; i++) {
    if (nibble(s.charCodeAt(i)) < 0) {
      throw new ProtocolError("bad-hex", `"${s[i]}" at position ${i} is not a hex digit`, s[i]);
    }
  }
  if (s.length % 2 !== 0) {
    throw new ProtocolError(
      "bad-hex",
      `odd number of hex digits (${s.length}): bytes take two digits each`,
      s.length,
    );
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = (nibble(s.charCodeAt(2 * i)) << 4) | nibble(s.charCodeAt(2 * i + 1));
  return out;
}
