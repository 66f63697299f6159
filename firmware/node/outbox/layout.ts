/**
 * The outbox's on-flash layout, its priority classes and its error type.
 *
 * The region is a ring of erase blocks ("sectors", `blockSize` bytes: 4096 on ESP32). Integers are
 * little-endian. Every sector that holds data starts with a sector header; records follow it, 4-byte
 * aligned, until the sector is full; the rest of the sector stays erased (0xFF).
 *
 * Sector header (SECTOR_HEADER_BYTES = 24)
 *   0  u32 magic "MWO1" (0x314F574D)
 *   4  u32 sectorSeq    order of the sectors: each newly formatted sector gets the next number
 *   8  u32 CRC-32 of bytes 0..7
 *  12  u32 floorSeq     0xFFFFFFFF until written: "every sector with sectorSeq < floorSeq is dead"
 *  16  u32 CRC-32 of bytes 12..15
 *  20  u32 reserved (0xFFFFFFFF)
 *
 * Record (RECORD_HEADER_BYTES = 20, then the frame, then a CRC; total padded to a multiple of 4)
 *   0  u8  magic 0xA7
 *   1  u8  state        0xFF = waiting; ACKED (0x00) or SHED (0xF0) once gone: any other value = gone
 *   2  u8  priority class (Priority below)
 *   3  u8  reserved (0xFF)
 *   4  u16 frame byteLength (1..maxPayloadBytes)
 *   6  u16 reserved (0xFFFF)
 *   8  u32 record seq   one per append, kept when a record is copied: the record's identity on flash
 *  12  u32 frame counter (the protocol's, opaque here; the collector dedupes on it)
 *  16  u32 header CRC-32 over byte 0 and bytes 2..15 (the state byte is left out: it changes later)
 *  20  frame bytes
 *  20+n u32 CRC-32 over the frame bytes, seeded with the header CRC (binds the frame to its header)
 *
 * Why this shape: NOR flash can clear bits without an erase, so acknowledging or shedding a record is one
 * single-byte write of its state; a torn state write leaves some bits cleared, which still reads "gone" (the
 * state is only written after the ack arrived, so "gone" is then the truth). The header has its own CRC so
 * that a record whose frame was torn can be skipped by its length; a torn header ends the scan of its sector,
 * which is then closed for appends (its free space can no longer be trusted to be erased). The floor lives
 * in the sector header of the sector that received a reclaimed sector's records, written only after the
 * copies: a torn erase of the reclaimed sector can then never bring its old records (acknowledged ones
 * included) back. Recovery and reclamation are described in ../outbox.ts.
 */

/** What the outbox needs of a flash region: Moddable's `flash` module shape (read returns an ArrayBuffer). */
import { CodedError } from "../../../protocol/errors.js";
import { deepFreeze } from "../../../protocol/freeze.js";

export interface FlashRegion {
  readonly byteLength: number;
  readonly blockSize: number;
  erase(sector: number): void;
  read(offset: number, byteLength: number): ArrayBuffer;
  write(offset: number, byteLength: number, buffer: ArrayBuffer): void;
}

/**
 * Priority classes, most urgent first: `next()` returns the oldest waiting frame of the lowest class
 * number. Alarm before event (life safety first); status before birth, as the task's sketch orders them
 * (a status frame carries the current outbox depth and faults, a birth only the identity); telemetry last,
 * and it is the first to be shed when the outbox is full.
 */
export const Priority = { Alarm: 0, Event: 1, Status: 2, Birth: 3, Telemetry: 4 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];
export const PRIORITY_CLASSES = 5;
export const PRIORITY_NAMES = ["alarm", "event", "status", "birth", "telemetry"] as const;

export type OutboxErrorCode =
  /** The flash region cannot hold a ring (fewer than 3 sectors, sectors too small for the largest frame). */
  | "bad-geometry"
  /** An option out of its documented range. */
  | "bad-option"
  /** Not a Uint8Array, or empty. */
  | "bad-frame"
  /** A frame longer than maxPayloadBytes: it can never be stored (it is never cut). */
  | "frame-too-large"
  /** Not one of the Priority classes. */
  | "bad-priority"
  /** A frame counter that is not an integer in 0..0xFFFFFFFF. */
  | "bad-counter"
  /** An id that is not an integer the outbox could have issued. */
  | "bad-id"
  /** A flash operation failed earlier (power loss, flash error): rebuild the outbox from flash first. */
  | "flash-failed"
  /** An internal invariant broke (a bug): the message says which. */
  | "internal";

export class OutboxError extends CodedError<OutboxErrorCode> {
  override readonly name: string = "OutboxError";
}

export const SECTOR_MAGIC = 0x314f574d;
export const SECTOR_HEADER_BYTES = 24;
export const SECTOR_CRC_AT = 8;
export const FLOOR_AT = 12;
export const RECORD_MAGIC = 0xa7;
export const RECORD_HEADER_BYTES = 20;
export const STATE_AT = 1;
export const STATE_WAITING = 0xff;
export const STATE_ACKED = 0x00;
export const STATE_SHED = 0xf0;
export const UNSET = 0xffffffff;

/** Bytes a record of `frameBytes` occupies on flash (header + frame + CRC, padded to 4). */
export function recordBytes(frameBytes: number): number {
  return (RECORD_HEADER_BYTES + frameBytes + 4 + 3) & ~3;
}

/** True when bytes[start, end) are all erased (0xFF). */
export function allErased(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

// Tables frozen at load, so a preload puts them in flash as they are (protocol/freeze.ts).
deepFreeze(PRIORITY_NAMES);
deepFreeze(Priority);
