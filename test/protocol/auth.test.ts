import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameVerifier, sealFrame } from "../../protocol/auth.js";
import { encodeFrame } from "../../protocol/encode.js";
import { ProtocolError } from "../../protocol/errors.js";
import { EXAMPLE_ALARM, EXAMPLE_KEY, EXAMPLE_TELEMETRY } from "../../protocol/examples.js";
import type { Frame } from "../../protocol/frames.js";
import { TRAILER_BYTES } from "../../protocol/schema.js";
import { arbFrame } from "./arbitrary.js";
import { nobleFrameMac } from "./noble-mac.js";

function seal(frame: Frame, counter: number, key = EXAMPLE_KEY): Uint8Array {
  const plain = encodeFrame(frame);
  const out = new Uint8Array(plain.length + TRAILER_BYTES);
  out.set(plain);
  return out.slice(0, sealFrame(out, 0, plain.length, counter, key, nobleFrameMac));
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return (e as ProtocolError).code;
  }
  return "no error";
}

const otherKey = new Uint8Array(16).fill(9);

describe("sealFrame", () => {
  it("adds exactly 6 bytes and a MAC equal to node:crypto's HMAC-SHA256 over header || body || counter32", () => {
    fc.assert(
      fc.property(arbFrame, fc.integer({ min: 0, max: 0xffffffff }), (frame, counter) => {
        const plain = encodeFrame(frame);
        const sealed = seal(frame, counter);
        expect(sealed.length).toBe(plain.length + 6);
        expect(sealed[0]).toBe(plain[0]! | 0x10);
        const data = Buffer.alloc(plain.length + 4);
        data.set(plain);
        data[0] = sealed[0]!;
        data.writeUInt32BE(counter, plain.length);
        const reference = createHmac("sha256", EXAMPLE_KEY).update(data).digest().subarray(0, 4);
        expect(Buffer.from(sealed.subarray(plain.length + 2))).toEqual(reference);
        expect((sealed[plain.length]! << 8) | sealed[plain.length + 1]!).toBe(counter & 0xffff);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects a key that is not 16 bytes and a counter outside 32 bits", () => {
    const out = new Uint8Array(64);
    const end = out.set(encodeFrame(EXAMPLE_ALARM)) ?? encodeFrame(EXAMPLE_ALARM).length;
    expect(codeOf(() => sealFrame(out, 0, end, 1, new Uint8Array(15), nobleFrameMac))).toBe("bad-key");
    expect(codeOf(() => sealFrame(out, 0, end, -1, EXAMPLE_KEY, nobleFrameMac))).toBe("out-of-range");
    expect(codeOf(() => sealFrame(out, 0, end, 2 ** 32, EXAMPLE_KEY, nobleFrameMac))).toBe("out-of-range");
    expect(codeOf(() => sealFrame(new Uint8Array(end + 5), 0, end, 1, EXAMPLE_KEY, nobleFrameMac))).toBe(
      "no-room",
    );
  });
});

describe("FrameVerifier", () => {
  const verifier = () => new FrameVerifier(nobleFrameMac, (id) => (id === "n1" ? EXAMPLE_KEY : undefined));

  it("accepts increasing counters and returns the frame and the full counter", () => {
    const v = verifier();
    expect(v.verify("n1", seal(EXAMPLE_ALARM, 5))).toEqual({ frame: EXAMPLE_ALARM, counter: 5 });
    expect(v.verify("n1", seal(EXAMPLE_TELEMETRY, 9)).counter).toBe(9);
    expect(v.lastCounter("n1")).toBe(9);
  });

  it("rejects a replayed counter, saying so, and leaves the state unchanged", () => {
    const v = verifier();
    const first = seal(EXAMPLE_ALARM, 5);
    v.verify("n1", first);
    v.verify("n1", seal(EXAMPLE_ALARM, 6));
    expect(codeOf(() => v.verify("n1", first))).toBe("replayed-counter");
    expect(codeOf(() => v.verify("n1", seal(EXAMPLE_ALARM, 6)))).toBe("replayed-counter");
    expect(v.lastCounter("n1")).toBe(6);
  });

  it("rejects a bad MAC (wrong key, altered byte), saying so", () => {
    const v = verifier();
    expect(codeOf(() => v.verify("n1", seal(EXAMPLE_ALARM, 1, otherKey)))).toBe("bad-mac");
    const altered = seal(EXAMPLE_ALARM, 2);
    altered[4] = altered[4]! ^ 1;
    expect(codeOf(() => v.verify("n1", altered))).toBe("bad-mac");
    expect(v.lastCounter("n1")).toBeUndefined();
  });

  it("reconstructs counters across the 16-bit wrap, and catches a replay from the previous epoch", () => {
    const v = verifier();
    v.restore("n1", 0xfffe);
    expect(v.verify("n1", seal(EXAMPLE_ALARM, 0x10003)).counter).toBe(0x10003);
    // Same low 16 bits as an old frame (counter 3): the MAC was made for 3, not 0x10003.
    expect(codeOf(() => v.verify("n1", seal(EXAMPLE_ALARM, 3)))).toBe("replayed-counter");
    expect(v.verify("n1", seal(EXAMPLE_ALARM, 0x20001)).counter).toBe(0x20001);
  });

  it("rejects frames without MAC, and nodes without key, as unauthenticated", () => {
    const v = verifier();
    expect(codeOf(() => v.verify("n1", encodeFrame(EXAMPLE_ALARM)))).toBe("unauthenticated");
    expect(codeOf(() => v.verify("stranger", seal(EXAMPLE_ALARM, 1)))).toBe("unauthenticated");
  });

  it("a frame too short for its trailer is truncated, not a MAC error", () => {
    expect(codeOf(() => verifier().verify("n1", seal(EXAMPLE_ALARM, 1).subarray(0, 7)))).toBe("truncated");
  });
});

describe("FrameVerifier replay window (frames may arrive out of counter order)", () => {
  const verifier = (windowSize?: number) =>
    new FrameVerifier(nobleFrameMac, () => EXAMPLE_KEY, windowSize === undefined ? {} : { windowSize });

  it("accepts an alarm that overtook queued telemetry, exactly once each", () => {
    const v = verifier();
    v.verify("n1", seal(EXAMPLE_TELEMETRY, 10));
    // After an outage the outbox sends the alarm (counter 14) before telemetry 11..13.
    expect(v.verify("n1", seal(EXAMPLE_ALARM, 14)).counter).toBe(14);
    for (const c of [11, 12, 13]) expect(v.verify("n1", seal(EXAMPLE_TELEMETRY, c)).counter).toBe(c);
    for (const c of [10, 11, 12, 13, 14]) {
      expect(codeOf(() => v.verify("n1", seal(EXAMPLE_TELEMETRY, c)))).toBe("replayed-counter");
    }
    expect(v.lastCounter("n1")).toBe(14);
  });

  it("refuses a counter older than the window as stale, naming it", () => {
    const v = verifier(8);
    v.verify("n1", seal(EXAMPLE_TELEMETRY, 0));
    v.verify("n1", seal(EXAMPLE_TELEMETRY, 20));
    let message = "";
    try {
      v.verify("n1", seal(EXAMPLE_TELEMETRY, 5));
    } catch (e) {
      message = (e as Error).message;
      expect((e as ProtocolError).code).toBe("replayed-counter");
    }
    expect(message).toMatch(/counter 5 was already used or is older than the replay window/);
    // Inside the window (13..20) an unseen counter is still accepted.
    expect(v.verify("n1", seal(EXAMPLE_TELEMETRY, 13)).counter).toBe(13);
  });

  it("rebuilds counters across the 16-bit wrap, in and out of order", () => {
    const v = verifier();
    v.verify("n1", seal(EXAMPLE_TELEMETRY, 0xfffe));
    expect(v.verify("n1", seal(EXAMPLE_TELEMETRY, 0x10001)).counter).toBe(0x10001);
    expect(v.verify("n1", seal(EXAMPLE_TELEMETRY, 0xffff)).counter).toBe(0xffff);
    expect(v.verify("n1", seal(EXAMPLE_TELEMETRY, 0x10000)).counter).toBe(0x10000);
    expect(codeOf(() => v.verify("n1", seal(EXAMPLE_TELEMETRY, 0xffff)))).toBe("replayed-counter");
  });

  it("after restore, nothing at or below the restored counter is accepted again", () => {
    const v = verifier();
    v.restore("n1", 100);
    for (const c of [100, 99, 60])
      expect(codeOf(() => v.verify("n1", seal(EXAMPLE_TELEMETRY, c)))).toBe("replayed-counter");
    expect(v.verify("n1", seal(EXAMPLE_TELEMETRY, 101)).counter).toBe(101);
  });

  it("never accepts the same counter twice under any arrival order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 60 }), (order) => {
        const v = verifier(64);
        const accepted = new Set<number>();
        for (const c of order) {
          try {
            const r = v.verify("n1", seal(EXAMPLE_ALARM, c));
            expect(accepted.has(r.counter)).toBe(false);
            accepted.add(r.counter);
          } catch (e) {
            expect((e as ProtocolError).code).toBe("replayed-counter");
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("rejects a bad window size with its value", () => {
    expect(codeOf(() => verifier(0))).toBe("out-of-range");
  });
});
