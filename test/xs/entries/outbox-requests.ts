/**
 * Request builders and reply readers for the outbox XS entry (outbox.ts): the XS test and the bench send the
 * same bytes to XS and to Node.
 */
export const CMD_NOP = 0;
export const CMD_INIT = 1;
export const CMD_APPEND = 2;
export const CMD_NEXT = 3;
export const CMD_ACK = 4;
export const CMD_REBOOT = 5;
export const CMD_CUT = 6;
export const CMD_APPEND_N = 7;
export const CMD_ACK_N = 8;
export const CMD_APPEND_ACK_N = 9;
export const CMD_SEND_ACK_N = 10;
export const CMD_CRC_N = 11;
export const CMD_WRITE_N = 12;
export const STATUS_BYTES = 48;
export const MAX_IDS = 4096;

export function initRequest(sectors: number, blockSize: number, maxRecords: number, maxPayloadBytes: number) {
  const b = new Uint8Array(9);
  const v = new DataView(b.buffer);
  b[0] = CMD_INIT;
  v.setUint16(1, sectors, true);
  v.setUint16(3, blockSize, true);
  v.setUint16(5, maxRecords, true);
  v.setUint16(7, maxPayloadBytes, true);
  return b;
}

export function appendRequest(priority: number, counter: number, frame: Uint8Array): Uint8Array {
  const b = new Uint8Array(6 + frame.length);
  b[0] = CMD_APPEND;
  b[1] = priority;
  new DataView(b.buffer).setUint32(2, counter, true);
  b.set(frame, 6);
  return b;
}

export function ackRequest(id: number): Uint8Array {
  const b = new Uint8Array(5);
  b[0] = CMD_ACK;
  new DataView(b.buffer).setInt32(1, id, true);
  return b;
}

export function cutRequest(opIndex: number, seed: number): Uint8Array {
  const b = new Uint8Array(9);
  b[0] = CMD_CUT;
  new DataView(b.buffer).setUint32(1, opIndex, true);
  new DataView(b.buffer).setUint32(5, seed, true);
  return b;
}

/** APPEND_N / ACK_N / APPEND_ACK_N / SEND_ACK_N / CRC_N / WRITE_N: n operations on frames of `len` bytes. */
export function nRequest(cmd: number, n: number, len = 24, priority = 4): Uint8Array {
  const b = new Uint8Array(6);
  b[0] = cmd;
  new DataView(b.buffer).setUint16(1, n, true);
  new DataView(b.buffer).setUint16(3, len, true);
  b[5] = priority;
  return b;
}

export const simpleRequest = (cmd: number) => new Uint8Array([cmd]);

export interface OutboxStatus {
  powerLost: boolean;
  depth: number;
  recovered: number;
  torn: number;
  droppedSector: number;
  liveBytes: number;
  erases: number;
  copied: number;
  overflow: number;
  flashOps: number;
}

export function readStatus(reply: Uint8Array): OutboxStatus {
  const v = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  return {
    powerLost: v.getUint32(0, true) === 1,
    depth: v.getUint32(4, true),
    recovered: v.getUint32(8, true),
    torn: v.getUint32(12, true),
    droppedSector: v.getInt32(16, true),
    liveBytes: v.getUint32(20, true),
    erases: v.getUint32(24, true),
    copied: v.getUint32(28, true),
    overflow: v.getUint32(32, true),
    flashOps: v.getUint32(36, true),
  };
}

/** The id in an APPEND / NEXT reply. */
export function replyId(reply: Uint8Array): number {
  return new DataView(reply.buffer, reply.byteOffset, reply.byteLength).getInt32(STATUS_BYTES, true);
}
