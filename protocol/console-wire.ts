/**
 * Wire constants and byte helpers of the provisioning console's line protocol (protocol/SPEC-console.md).
 * Shared by the node (firmware/node/console.ts) and the host client (tools/console/client.ts), so both
 * ends agree on limits and checksums by construction. No allocation in any helper.
 */

/** Longest line either way, terminator included. 256 fits a 96-byte hex chunk with its framing. */
export const LINE_MAX_BYTES = 256;
/** Payload bytes per CFG.DATA / CFG.READ chunk: 192 hex digits, leaving room for `@seq`, command and CRC. */
export const CHUNK_BYTES = 96;
/** Largest config the console stages (one preallocated buffer); the runtime may accept less. */
export const CONFIG_MAX_BYTES = 4096;
/** Longest key accepted by KEY.SET (bytes); the runtime checks each slot's exact length. */
export const KEY_MAX_BYTES = 64;
/** Provisioning secret length bounds (printable ASCII, no spaces). */
export const SECRET_MIN_BYTES = 8;
export const SECRET_MAX_BYTES = 64;
/** Key check value bytes shown by KEY.SET / KEY.INFO (3, as in the payment-industry KCV convention). */
export const KCV_BYTES = 3;

/** An authenticated session ends after this long without an authenticated command (on the injected Clock). */
export const SESSION_IDLE_MS = 120_000;
/** Wrong secrets allowed before the back-off starts. */
export const AUTH_FREE_TRIES = 3;
/** First lockout after AUTH_FREE_TRIES wrong secrets; doubles with each further wrong secret. */
export const LOCKOUT_BASE_MS = 30_000;
export const LOCKOUT_MAX_MS = 15 * 60_000;
/** A repeated machine line (same `@seq` and CRC) within this window gets the cached reply, not a re-run. */
export const REPLAY_WINDOW_MS = 5_000;

export const CR = 0x0d;
export const LF = 0x0a;
export const SPACE = 0x20;
export const TAB = 0x09;
export const AT = 0x40;
export const STAR = 0x2a;
export const BACKSPACE = 0x08;
export const DELETE = 0x7f;

const HEX = "0123456789ABCDEF";
/** Upper-case hex digit codes, indexable by nibble. */
export const HEX_DIGITS = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEX_DIGITS[i] = HEX.charCodeAt(i);

/**
 * ASCII bytes of a string, made once (at module load or first use). XS boxes a string primitive for every
 * `charCodeAt` call (measured: ~4 heap slots per character), so per-line code compares and copies these
 * bytes instead of calling string methods.
 */
export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

/** Value of each byte as a hex digit (either case), -1 for any other byte: one table read per digit. */
export const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[65 + i] = HEX_VALUE[97 + i] = 10 + i;

/** Value of a hex digit (either case), or -1. */
export function hexNibble(c: number): number {
  return HEX_VALUE[c & 0xff]!;
}
