/**
 * Counter resynchronisation and forgery resistance (issue 14 items 2 and 3; protocol/SPEC.md "Counter
 * resynchronisation"). Before it, an empty collector refused every frame of a node past counter 65535 as a
 * bad MAC (a lock-out), and one lucky forged frame up to 65535 ahead was accepted and locked the real node
 * out until it caught up.
 */
import { describe, expect, it } from "vitest";
import { type FrameMac, FrameVerifier } from "../../protocol/auth.js";
import { ProtocolError } from "../../protocol/errors.js";
import { AlarmLevel, Channel } from "../../protocol/schema.js";
import { Collector } from "../../site/collector/collector.js";
import { MemoryCounterStore } from "../../site/collector/stores.js";
import { nobleFrameMac } from "../../site/frame-mac.js";
import { alarm, KEY_A, keys, NODE_A, seal, telemetry } from "./frames.js";

const codeOf = (f: () => unknown): string => {
  try {
    f();
    return "ok";
  } catch (e) {
    return e instanceof ProtocolError ? e.code : String(e);
  }
};

/** A forged frame: a real frame's body with its MAC replaced. */
function forged(bytes: Uint8Array, tag = 0x5a): Uint8Array {
  const f = bytes.slice();
  for (let i = f.length - 4; i < f.length; i++) f[i] = tag;
  return f;
}

describe("an empty collector meets a node far past counter 65535", () => {
  it("holds the first frame at 2^20, accepts both on the next one, and refuses a forgery", () => {
    const c = new Collector({ keys: keys() });
    const base = 2 ** 20;
    expect(c.ingest(NODE_A, seal(alarm(AlarmLevel.A2), base, KEY_A), "mqtt", 1000)).toBe("held");
    expect(c.lastCounter(NODE_A)).toBeUndefined();
    expect(c.ingest(NODE_A, forged(seal(telemetry(), base + 1, KEY_A)), "mqtt", 1500)).toBe("rejected");
    expect(c.ingest(NODE_A, seal(telemetry(), base + 1, KEY_A), "mqtt", 2000)).toBe("accepted");
    expect(c.lastCounter(NODE_A)).toBe(base + 1);
    expect(c.frames.map((f) => f.counter)).toEqual([base, base + 1]);
    // The held alarm reached the alarm view with the counter it was sent under.
    expect(c.alarms.state(NODE_A, Channel.Ch4)).toMatchObject({ level: AlarmLevel.A2, counter: base });
    // Then the node goes on as usual, and the counters are saved.
    expect(c.ingest(NODE_A, seal(telemetry(), base + 2, KEY_A), "mqtt", 3000)).toBe("accepted");
    const r = c.results();
    expect(r.heldByPath.mqtt).toBe(1);
    expect(r.rejects).toEqual({ "bad-mac": 1 });
    expect(r.security.map((e) => e.kind)).toEqual(["bad-mac", "counter-resync"]);
  });

  it("also after a restored collector and a gap of more than 65535 frames", () => {
    const store = new MemoryCounterStore();
    store.save(NODE_A, 1000);
    const c = new Collector({ keys: keys(), counters: store });
    const far = 1000 + 100_000;
    expect(c.ingest(NODE_A, seal(telemetry(), far, KEY_A), "mqtt", 0)).toBe("held");
    expect(c.ingest(NODE_A, seal(telemetry(), far + 3, KEY_A), "mqtt", 10)).toBe("accepted");
    expect(c.lastCounter(NODE_A)).toBe(far + 3);
    // Out of order within the window below the new highest: still accepted once.
    expect(c.ingest(NODE_A, seal(telemetry(), far + 1, KEY_A), "mqtt", 20)).toBe("accepted");
    expect(c.ingest(NODE_A, seal(telemetry(), far + 1, KEY_A), "mqtt", 30)).toBe("duplicate");
  });

  it("a node below 65536 on an empty collector is accepted on its first frame, as before", () => {
    const c = new Collector({ keys: keys() });
    expect(c.ingest(NODE_A, seal(telemetry(), 5, KEY_A), "mqtt", 0)).toBe("accepted");
  });
});

describe("one forged frame cannot move a node's counter far ahead", () => {
  it("a frame that MACs 60,000 ahead (a lucky forgery) is held; the real node is not locked out", () => {
    const c = new Collector({ keys: keys() });
    for (let n = 0; n < 10; n++)
      expect(c.ingest(NODE_A, seal(telemetry(), n, KEY_A), "mqtt", n)).toBe("accepted");
    // Stands in for a forgery that guessed the 32-bit MAC: a valid MAC, far ahead.
    expect(c.ingest(NODE_A, seal(alarm(AlarmLevel.A2), 60_009, KEY_A), "mqtt", 100)).toBe("held");
    expect(c.lastCounter(NODE_A)).toBe(9);
    expect(c.alarms.active()).toEqual([]);
    for (let n = 10; n < 20; n++)
      expect(c.ingest(NODE_A, seal(telemetry(), n, KEY_A), "mqtt", 200 + n)).toBe("accepted");
    expect(c.lastCounter(NODE_A)).toBe(19);
  });

  it("a step within maxStep is taken on one frame; one past it is held", () => {
    const v = new FrameVerifier(nobleFrameMac, () => KEY_A, { resync: { maxStep: 4096 } });
    v.verify(NODE_A, seal(telemetry(), 100, KEY_A));
    expect(v.verify(NODE_A, seal(telemetry(), 100 + 4096, KEY_A)).counter).toBe(4196);
    expect(codeOf(() => v.verify(NODE_A, seal(telemetry(), 4196 + 4097, KEY_A)))).toBe("held");
    expect(v.lastCounter(NODE_A)).toBe(4196);
  });
});

describe("bad MACs: counted, reported, and the search is bounded", () => {
  it("raises a security event at the 1st, 2nd, 4th and 8th bad MAC from a node", () => {
    const c = new Collector({ keys: keys() });
    c.ingest(NODE_A, seal(telemetry(), 1, KEY_A), "mqtt", 0);
    for (let i = 0; i < 9; i++) c.ingest(NODE_A, forged(seal(telemetry(), 2 + i, KEY_A), i), "mqtt", 10 + i);
    const security = c.results().security;
    expect(security.map((e) => e.count)).toEqual([1, 2, 4, 8]);
    expect(security.every((e) => e.kind === "bad-mac" && e.nodeId === NODE_A)).toBe(true);
    expect(c.results().rejects["bad-mac"]).toBe(9);
  });

  it("an unknown node's junk costs a full search only on every 8th frame", () => {
    let hmacs = 0;
    const counting: FrameMac = {
      mac(key, data, out4) {
        hmacs++;
        nobleFrameMac.mac(key, data, out4);
      },
    };
    const v = new FrameVerifier(counting, () => KEY_A, { resync: { epochs: 1024, searchEvery: 8 } });
    for (let i = 0; i < 16; i++)
      expect(codeOf(() => v.verify(NODE_A, forged(seal(telemetry(), 7, KEY_A), i)))).toBe("bad-mac");
    // 16 first-epoch tries, and two searches of up to 1024 epochs (frames 1 and 9).
    expect(hmacs).toBeLessThanOrEqual(16 + 2 * 1024);
    expect(hmacs).toBeGreaterThan(2 * 1000);
    expect(v.badMacCount(NODE_A)).toBe(16);
  });

  it("a synced node's frame is accepted through one candidate only (2^-32 a forgery try)", () => {
    // Count the HMACs a junk frame costs once the node is synced: one candidate that could accept it, one
    // older one that can only say "stale", and a near search of 4 epochs that can only hold it.
    let hmacs = 0;
    const counting: FrameMac = {
      mac(key, data, out4) {
        hmacs++;
        nobleFrameMac.mac(key, data, out4);
      },
    };
    const v = new FrameVerifier(counting, () => KEY_A, { resync: { searchEvery: 1_000_000 } });
    expect(codeOf(() => v.verify(NODE_A, seal(telemetry(), 70_000, KEY_A)))).toBe("held");
    v.verify(NODE_A, seal(telemetry(), 70_001, KEY_A)); // confirms
    hmacs = 0;
    expect(codeOf(() => v.verify(NODE_A, forged(seal(telemetry(), 70_002, KEY_A))))).toBe("bad-mac");
    expect(hmacs).toBe(2 + 4);
  });
});
