/**
 * The boot-time recovery scan of the outbox's flash region (layout in ./layout.ts). It may allocate (it runs
 * once per boot): one read of each sector header, then one whole-sector read per sector.
 *
 * 1. Sector headers. A sector is in use when its header is valid (magic, CRC) and its sectorSeq is not
 *    below the floor (the highest valid floorSeq in any header). Every other sector is free: "erased" if it
 *    reads all 0xFF, "dirty" (erase before use) otherwise.
 * 2. If no sector is free, power was cut while a reclamation was copying the oldest sector's records into a
 *    freshly formatted one (after every completed operation at least one sector is free; see ../outbox.ts):
 *    the newest sector holds only copies, so it is dropped (dirty) and the originals count.
 * 3. Records, newest sector first. A record whose header or frame CRC fails is torn and skipped (by its
 *    length when the header is intact; otherwise the scan of that sector stops and the sector is closed for
 *    appends). A record seq seen once is ignored in older sectors: a copy made by reclamation outlives its
 *    original, and acknowledgements are written to the newest copy. Records whose state byte is not 0xFF are
 *    gone (acknowledged or shed); the rest are waiting.
 * 4. Appends resume in the newest sector, after its last record, only if everything from there to the end of
 *    the sector is erased.
 */
import { crc32 } from "../../../protocol/checksums.js";
import {
  allErased,
  FLOOR_AT,
  type FlashRegion,
  PRIORITY_CLASSES,
  RECORD_HEADER_BYTES,
  RECORD_MAGIC,
  recordBytes,
  SECTOR_CRC_AT,
  SECTOR_HEADER_BYTES,
  SECTOR_MAGIC,
  STATE_AT,
  STATE_WAITING,
  UNSET,
} from "./layout.js";

export const SECTOR_ERASED = 0;
export const SECTOR_DIRTY = 1;
export const SECTOR_USED = 2;

export interface RecoveredRecord {
  seq: number;
  priority: number;
  counter: number;
  frameBytes: number;
  /** Offset of the record in the region. */
  offset: number;
}

export interface Recovery {
  /** Per sector: SECTOR_ERASED, SECTOR_DIRTY or SECTOR_USED. */
  sectorState: Uint8Array;
  sectorSeq: Uint32Array;
  /** Per used sector: offset within the sector where the next record goes (blockSize = closed). */
  sectorWrite: Uint32Array;
  /** Newest used sector, or -1. */
  head: number;
  /** Waiting records, ascending seq. */
  records: RecoveredRecord[];
  nextSeq: number;
  nextSectorSeq: number;
  /** Records whose CRC failed (a write cut by a power loss). */
  tornRecords: number;
  /** Sectors closed for appends (torn header, or free space not erased). */
  closedSectors: number;
  /** The sector dropped as an unfinished reclamation, or -1. */
  droppedSector: number;
}

export function recover(flash: FlashRegion, sectors: number, blockSize: number): Recovery {
  const sectorState = new Uint8Array(sectors);
  const sectorSeq = new Uint32Array(sectors);
  const sectorWrite = new Uint32Array(sectors);
  const valid = new Uint8Array(sectors);
  let floor = 0;
  let maxSectorSeq = -1;
  for (let s = 0; s < sectors; s++) {
    const h = new Uint8Array(flash.read(s * blockSize, SECTOR_HEADER_BYTES));
    const v = new DataView(h.buffer);
    const headerCrc = v.getUint32(SECTOR_CRC_AT, true);
    if (v.getUint32(0, true) !== SECTOR_MAGIC || crc32(h, 0, SECTOR_CRC_AT) !== headerCrc) continue;
    valid[s] = 1;
    const seq = v.getUint32(4, true);
    sectorSeq[s] = seq;
    if (seq > maxSectorSeq) maxSectorSeq = seq;
    const f = v.getUint32(FLOOR_AT, true);
    if (
      f !== UNSET &&
      f <= seq &&
      crc32(h, FLOOR_AT, FLOOR_AT + 4, headerCrc) === v.getUint32(FLOOR_AT + 4, true)
    ) {
      if (f > floor) floor = f;
    }
  }
  let used = 0;
  let newest = -1;
  for (let s = 0; s < sectors; s++) {
    if (valid[s] && sectorSeq[s]! >= floor) {
      sectorState[s] = SECTOR_USED;
      used++;
      if (newest < 0 || sectorSeq[s]! > sectorSeq[newest]!) newest = s;
    }
  }
  let droppedSector = -1;
  if (used === sectors) {
    droppedSector = newest;
    sectorState[newest] = SECTOR_DIRTY;
  }

  const order: number[] = [];
  for (let s = 0; s < sectors; s++) if (sectorState[s] === SECTOR_USED) order.push(s);
  order.sort((a, b) => sectorSeq[b]! - sectorSeq[a]!);
  const head = order.length > 0 ? order[0]! : -1;

  const seen = new Set<number>();
  const records: RecoveredRecord[] = [];
  let maxSeq = -1;
  let tornRecords = 0;
  let closedSectors = 0;
  for (const s of order) {
    const b = new Uint8Array(flash.read(s * blockSize, blockSize));
    const v = new DataView(b.buffer);
    const words = new Uint32Array(b.buffer);
    let off = SECTOR_HEADER_BYTES;
    let write = blockSize;
    while (off + recordBytes(1) <= blockSize) {
      if (allErased(b, off, off + RECORD_HEADER_BYTES)) {
        if (wordsErased(words, off >> 2, blockSize >> 2)) write = off;
        else closedSectors++;
        break;
      }
      const len = v.getUint16(off + 4, true);
      const hcrc = crc32(b, off + 2, off + 16, crc32(b, off, off + 1));
      const r = recordBytes(len);
      if (
        b[off] !== RECORD_MAGIC ||
        hcrc !== v.getUint32(off + 16, true) ||
        len === 0 ||
        off + r > blockSize ||
        b[off + 2]! >= PRIORITY_CLASSES
      ) {
        tornRecords++;
        closedSectors++;
        break;
      }
      const end = off + RECORD_HEADER_BYTES + len;
      if (crc32(b, off + RECORD_HEADER_BYTES, end, hcrc) !== v.getUint32(end, true)) {
        tornRecords++;
        off += r;
        continue;
      }
      const seq = v.getUint32(off + 8, true);
      if (seq > maxSeq) maxSeq = seq;
      if (!seen.has(seq)) {
        seen.add(seq);
        if (b[off + STATE_AT] === STATE_WAITING) {
          records.push({
            seq,
            priority: b[off + 2]!,
            counter: v.getUint32(off + 12, true),
            frameBytes: len,
            offset: s * blockSize + off,
          });
        }
      }
      off += r;
    }
    sectorWrite[s] = write;
  }
  for (let s = 0; s < sectors; s++) {
    if (sectorState[s] === SECTOR_USED) continue;
    const words = new Uint32Array(flash.read(s * blockSize, blockSize));
    sectorState[s] = wordsErased(words, 0, blockSize >> 2) ? SECTOR_ERASED : SECTOR_DIRTY;
  }
  records.sort((a, b) => a.seq - b.seq);
  return {
    sectorState,
    sectorSeq,
    sectorWrite,
    head,
    records,
    nextSeq: maxSeq + 1,
    nextSectorSeq: maxSectorSeq + 1,
    tornRecords,
    closedSectors,
    droppedSector,
  };
}

/** True when 32-bit words [from, to) are all erased: a quarter of the steps of a byte loop (boot time). */
function wordsErased(words: Uint32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (words[i] !== 0xffffffff) return false;
  return true;
}
