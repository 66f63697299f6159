/**
 * The checksums of what crosses a wire or a file, one module: CRC-32 (outbox flash records, config
 * records, the console's config transfer), CRC-32C (the provisioning record's trailer), CRC-16 (each
 * console line). Runs on XS; nothing allocates per call.
 *
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

/**
 * CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF; check value
 * of "123456789" = E3069283, the catalogue's "CRC-32/ISCSI") of `bytes[0, end)`. Bit by bit, no table: a
 * record is a few hundred bytes, checked only on a commit, a read and a boot.
 */
export function crc32c(bytes: Uint8Array, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) {
    c ^= bytes[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR; catalogue check value of
 * "123456789" = 0x29B1) of bytes[start, end). Chosen for the per-line check because it is the common
 * serial-link CRC, catches every burst up to 16 bits (a dropped or flipped byte on a noisy cable), and is
 * four hex digits long. Bitwise: lines are short and it needs no table.
 */
export function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]! << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
