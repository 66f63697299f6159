/**
 * CRC-32 as used by IEEE 802.3 / zlib / PNG (reflected polynomial 0xEDB88320, initial value and final XOR
 * 0xFFFFFFFF; check value of "123456789" = 0xCBF43926, the catalogue's "CRC-32/ISO-HDLC"). The outbox puts
 * one on every flash record so that a record torn by a power cut is recognised on boot.
 *
 * Table-driven, one byte per step: the 1 KiB table is built once at module load; a call allocates nothing.
 */
const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c >>> 0;
}

/**
 * CRC-32 of `bytes[start, end)`. To checksum several pieces as one, pass the previous result as `crc`
 * (`crc32(b, 0, 4, crc32(a, 0, 8))` equals the CRC of a[0..8) followed by b[0..4)).
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
