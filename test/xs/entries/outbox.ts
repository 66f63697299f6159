/**
 * XS entry for the outbox over the simulator's flash model (test/xs/outbox.test.ts, bench/outbox.bench.ts).
 * The same module runs in Node, so both engines get the same request bytes and must give the same replies.
 * Requests are built by ./outbox-requests.ts (command byte first, integers little-endian). Every reply is
 * the status block (STATUS_BYTES) followed by a command's own bytes; a power loss inside a command, and the
 * outbox's refusal to go on until rebuilt, are reported in the status block (code 1) instead of thrown.
 * Buffers are allocated once here so that heap counts show only what the outbox allocates.
 */
import {
  NONE,
  Outbox,
  OutboxError,
  type OutboxOptions,
  type Priority,
} from "../../../firmware/node/outbox.js";
import { FlashModel, isPowerLost } from "../../../host-sim/flash.js";
import { crc32 } from "../../../protocol/checksums.js";
import {
  CMD_ACK,
  CMD_ACK_N,
  CMD_APPEND,
  CMD_APPEND_ACK_N,
  CMD_APPEND_N,
  CMD_CRC_N,
  CMD_CUT,
  CMD_INIT,
  CMD_NEXT,
  CMD_NOP,
  CMD_REBOOT,
  CMD_SEND_ACK_N,
  CMD_WRITE_N,
  MAX_IDS,
  STATUS_BYTES,
} from "./outbox-requests.js";

const payload = new Uint8Array(1024);
const payloadView = new DataView(payload.buffer);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
const ids = new Int32Array(MAX_IDS);
let idCount = 0;
const replyBytes = new Uint8Array(STATUS_BYTES + 8 + 1024);
const reply = new DataView(replyBytes.buffer);
let flash = new FlashModel({ byteLength: 3 * 256, blockSize: 256, strict: true });
let options: OutboxOptions = { maxPayloadBytes: 48 };
let box = new Outbox(flash, options);
let counter = 0;
let code = 0;
let crcSink = 0;
const ones = new Uint8Array(2048).fill(0xff).buffer;

function status(extra: number): Uint8Array {
  reply.setUint32(0, code, true);
  reply.setUint32(4, box.depth, true);
  reply.setUint32(8, box.recoveredRecords, true);
  reply.setUint32(12, box.tornRecords, true);
  reply.setInt32(16, box.droppedSector, true);
  reply.setUint32(20, box.liveBytes, true);
  reply.setUint32(24, box.erases, true);
  reply.setUint32(28, box.copiedRecords, true);
  reply.setUint32(32, box.overflowTotal, true);
  reply.setUint32(36, flash.writeCount, true);
  reply.setUint32(40, (flash.lastTear?.opIndex ?? -1) >>> 0, true);
  reply.setUint32(44, crcSink, true);
  return replyBytes.subarray(0, STATUS_BYTES + extra);
}

/** Appends `frame` (a view of `payload`) with the next counter written into its first 4 bytes. */
function appendOne(frame: Uint8Array, priority: number): number {
  payloadView.setUint32(0, counter, true);
  return box.append(frame, priority as Priority, counter++);
}

function run(req: Uint8Array, v: DataView): number {
  const cmd = req[0];
  if (cmd === CMD_NOP) return 0;
  if (cmd === CMD_INIT) {
    flash = new FlashModel({
      byteLength: v.getUint16(1, true) * v.getUint16(3, true),
      blockSize: v.getUint16(3, true),
      strict: true,
    });
    options = { maxRecords: v.getUint16(5, true), maxPayloadBytes: v.getUint16(7, true) };
    box = new Outbox(flash, options);
    counter = 0;
    idCount = 0;
    return 0;
  }
  if (cmd === CMD_REBOOT) {
    flash.reboot();
    box = new Outbox(flash, options);
    idCount = 0;
    return 0;
  }
  if (cmd === CMD_CUT) {
    flash.cutAtWrite(v.getUint32(1, true), { seed: v.getUint32(5, true) });
    return 0;
  }
  if (cmd === CMD_APPEND) {
    const n = req.length - 6;
    for (let i = 0; i < n; i++) payload[i] = req[6 + i]!;
    counter = v.getUint32(2, true);
    const id = box.append(payload.subarray(0, n), req[1] as Priority, counter++);
    reply.setInt32(STATUS_BYTES, id, true);
    return 4;
  }
  if (cmd === CMD_NEXT) {
    const id = box.next();
    reply.setInt32(STATUS_BYTES, id, true);
    if (id === NONE) return 4;
    box.markSent(id);
    const bytes = box.frameBytes(id);
    reply.setUint32(STATUS_BYTES + 4, box.counterOf(id), true);
    replyBytes[STATUS_BYTES + 8] = box.priorityOf(id);
    replyBytes.set(bytes, STATUS_BYTES + 9);
    return 9 + bytes.length;
  }
  if (cmd === CMD_ACK) {
    replyBytes[STATUS_BYTES] = box.ack(v.getInt32(1, true)) ? 1 : 0;
    return 1;
  }
  const n = v.getUint16(1, true);
  const len = v.getUint16(3, true);
  const priority = req[5]!;
  const frame = payload.subarray(0, len); // one view per call, not per frame
  if (cmd === CMD_APPEND_N) {
    for (let i = 0; i < n; i++) {
      const id = appendOne(frame, priority);
      if (idCount < MAX_IDS) ids[idCount++] = id;
    }
  } else if (cmd === CMD_ACK_N) {
    for (let i = 0; i < idCount; i++) box.ack(ids[i]!);
    idCount = 0;
  } else if (cmd === CMD_APPEND_ACK_N) {
    for (let i = 0; i < n; i++) box.ack(appendOne(frame, priority));
  } else if (cmd === CMD_SEND_ACK_N) {
    for (let i = 0; i < n; i++) {
      const id = box.next();
      if (id === NONE) break;
      box.markSent(id);
      box.ack(id);
    }
  } else if (cmd === CMD_CRC_N) {
    // Baseline: the integrity work a record needs at the least, one CRC-32 over its frame.
    for (let i = 0; i < n; i++) crcSink = crc32(payload, 0, len, crcSink);
  } else if (cmd === CMD_WRITE_N) {
    // The flash model's own cost for a record of this frame size (native code on the board): writes of
    // erased-value bytes, which pass the NOR check anywhere, from one staging buffer as the outbox does.
    const size = (20 + len + 4 + 3) & ~3;
    for (let i = 0; i < n; i++) flash.write(0, size, ones);
  }
  return 0;
}

export function handle(req: Uint8Array): Uint8Array {
  const v = new DataView(req.buffer, req.byteOffset, req.byteLength);
  code = 0;
  let extra = 0;
  try {
    extra = run(req, v);
  } catch (e) {
    // After a power loss the outbox refuses further appends and acks ("flash-failed") until rebuilt.
    if (!isPowerLost(e) && !(e instanceof OutboxError && e.code === "flash-failed")) throw e;
    code = 1;
  }
  return status(extra);
}
