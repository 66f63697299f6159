/**
 * The outbox and the flash model on the real XS engine: the same replies as in Node for the same requests
 * (byte for byte, through wraps, reclamation, shedding, a power cut and recovery), and no heap growth per
 * append / ack in steady state (the heap delta of a call does not grow with the number of frames in it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../../host-sim/prng.js";
import { handle as nodeHandle } from "./entries/outbox.js";
import {
  ackRequest,
  appendRequest,
  CMD_ACK_N,
  CMD_APPEND_ACK_N,
  CMD_APPEND_N,
  CMD_CUT,
  CMD_NEXT,
  CMD_NOP,
  CMD_REBOOT,
  CMD_SEND_ACK_N,
  cutRequest,
  initRequest,
  nRequest,
  readStatus,
  replyId,
  simpleRequest,
} from "./entries/outbox-requests.js";
import { XsWorker } from "./harness.js";

const ENTRY = "test/xs/entries/outbox.ts";

describe("outbox on XS", () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start(ENTRY);
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("gives Node's replies byte for byte: mixed traffic, a wrap, shedding, a power cut, recovery", async () => {
    const prng = new Prng(5);
    const script: Uint8Array[] = [initRequest(5, 512, 24, 48)];
    const lastIds: number[] = [];
    let counter = 1;
    for (let i = 0; i < 300; i++) {
      const r = prng.next();
      if (r < 0.5) {
        const frame = new Uint8Array(prng.int(1, 48)).map(() => prng.int(0, 255));
        script.push(appendRequest(prng.int(0, 4), counter++, frame));
      } else if (r < 0.8) script.push(simpleRequest(CMD_NEXT));
      else script.push(nRequest(CMD_SEND_ACK_N, prng.int(1, 3)));
      if (i === 150) script.push(nRequest(CMD_APPEND_N, 40, 30, 4)); // an outage's worth: sheds
      if (i === 200) script.push(cutRequest(0, 0)); // placeholder, replaced below with a future index
    }
    script.push(simpleRequest(CMD_REBOOT), nRequest(CMD_SEND_ACK_N, 100));
    // Cut power a few operations after the placeholder's position (index known only when running).
    const xsReplies: Uint8Array[] = [];
    const nodeReplies: Uint8Array[] = [];
    let ops = 0;
    for (let req of script) {
      if (req[0] === CMD_CUT) req = cutRequest(ops + 7, 99);
      const a = (await xs.call(req)).reply;
      const b = nodeHandle(req).slice();
      xsReplies.push(a);
      nodeReplies.push(b);
      ops = readStatus(b).flashOps;
      if (req[0] === CMD_NEXT && replyId(b) >= 0) lastIds.push(replyId(b));
    }
    expect(xsReplies).toEqual(nodeReplies);
    const statuses = nodeReplies.map(readStatus);
    expect(statuses.some((s) => s.powerLost)).toBe(true);
    expect(Math.max(...statuses.map((s) => s.erases))).toBeGreaterThan(5);
    expect(Math.max(...statuses.map((s) => s.overflow))).toBeGreaterThan(0);
    expect(lastIds.length).toBeGreaterThan(20);
    // After the reboot and the final drain nothing waits, on both engines.
    expect(statuses.at(-1)!.depth).toBe(0);
    expect(statuses.at(-2)!.recovered).toBeGreaterThan(0);
  });

  it("acks of unknown ids are refused alike", async () => {
    const a = (await xs.call(ackRequest(123456))).reply;
    expect(a).toEqual(nodeHandle(ackRequest(123456)).slice());
    expect(a.at(-1)).toBe(0);
  });

  it("appends and acks allocate nothing per frame (heap delta independent of frames per call)", async () => {
    await xs.call(initRequest(16, 4096, 256, 256));
    // Warm up through a full wrap of the ring so every sector has been formatted and reclaimed once.
    for (let i = 0; i < 4; i++) await xs.call(nRequest(CMD_APPEND_ACK_N, 500, 24));
    await xs.evaluate("gc()");
    const deltas: number[] = [];
    for (const n of [50, 200]) {
      const before = (await xs.call(simpleRequest(CMD_NOP))).heapCount;
      deltas.push((await xs.call(nRequest(CMD_APPEND_ACK_N, n, 24))).heapCount - before);
    }
    expect(deltas[1]).toBe(deltas[0]);
    const split: number[] = [];
    for (const n of [40, 160]) {
      const before = (await xs.call(simpleRequest(CMD_NOP))).heapCount;
      const appended = (await xs.call(nRequest(CMD_APPEND_N, n, 24))).heapCount;
      const acked = (await xs.call(nRequest(CMD_ACK_N, 0))).heapCount;
      split.push(appended - before, acked - appended);
    }
    expect(split[2]).toBe(split[0]);
    expect(split[3]).toBe(split[1]);
  });
});
