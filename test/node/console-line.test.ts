import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineBuffer, parseDecimal, parseUint } from "../../firmware/node/console/line.js";
import { secretEquals } from "../../firmware/node/console/session.js";
import { LineWriter } from "../../firmware/node/console/writer.js";
import { crc16 } from "../../protocol/checksums.js";
import { LINE_MAX_BYTES } from "../../protocol/console-wire.js";
import { rig } from "./console-rig.js";

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);

describe("console line helpers", () => {
  it("CRC-16/CCITT-FALSE matches the catalogue check value (0x29B1 for '123456789')", () => {
    expect(crc16(bytes("123456789"), 0, 9)).toBe(0x29b1);
    expect(crc16(bytes("x123456789y"), 1, 10)).toBe(0x29b1);
  });

  it("parses integers and plain decimals, refuses anything else", () => {
    const u = (s: string) => parseUint(bytes(s), 0, s.length);
    expect([u("0"), u("4096"), u("123456789"), u(""), u("1234567890"), u("-1"), u("1e3")]).toEqual([
      0, 4096, 123456789, -1, -1, -1, -1,
    ]);
    const d = (s: string) => parseDecimal(bytes(s), 0, s.length);
    expect([d("2.5"), d("100"), d("-0.25"), d("0.1"), d(".5"), d("7.")]).toEqual([
      2.5, 100, -0.25, 0.1, 0.5, 7,
    ]);
    for (const bad of ["", "-", ".", "1.2.3", "1e2", "0x10", "NaN", "1234567890123456"])
      expect(d(bad)).toBeNaN();
  });

  it("secretEquals: exact match only, never for a prefix, an extension or an empty secret", () => {
    const secret = bytes("s3cret-pass");
    const eq = (s: string) => secretEquals(secret, bytes(`AUTH ${s}`), 5, 5 + s.length);
    expect(eq("s3cret-pass")).toBe(true);
    expect(eq("s3cret-pas")).toBe(false);
    expect(eq("s3cret-passX")).toBe(false);
    expect(eq("s3cret-pasS")).toBe(false);
    expect(eq("")).toBe(false);
    expect(secretEquals(new Uint8Array(0), bytes(""), 0, 0)).toBe(false);
  });

  it("LineBuffer keeps at most 254 bytes and counts the rest; backspace only edits what it holds", () => {
    const line = new LineBuffer();
    for (let i = 0; i < 300; i++) line.push(0x41);
    expect([line.length, line.seen, line.overflowed]).toEqual([254, 300, true]);
    expect(line.push(0x0d)).toBe(true);
    line.clear();
    for (const b of bytes("AB\x01C")) line.push(b);
    line.push(0x08);
    line.push(0x08);
    expect([line.length, line.badByte]).toEqual([2, -1]);
    expect(line.push(0x0a)).toBe(true);
  });

  it("LineWriter cuts text that would not fit and still ends in *CRC CR LF within 256 bytes", () => {
    const w = new LineWriter();
    w.ascii("ERR x ").text("é\u0001".repeat(200));
    w.finish(true);
    expect(w.truncated).toBe(true);
    expect(w.length).toBe(LINE_MAX_BYTES);
    const text = new TextDecoder().decode(w.bytes.subarray(0, w.length));
    expect(text).toMatch(/^ERR x \?+\*[0-9A-F]{4}\r\n$/);
  });
});

describe("console against arbitrary input", () => {
  it("never throws, answers every terminated line with one OK / ERR line of <= 256 bytes", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            fc
              .constantFrom("ID", "HELP", "AUTH x", "CFG.DATA 0 00", "@1 ID*0000", "READ CH4", "CFG.READ 9")
              .map(bytes),
          ),
          { maxLength: 8 },
        ),
        (chunks) => {
          const { typeLines, terminal, clock } = rig();
          const out: string[] = [];
          for (const c of chunks) {
            typeLines("");
            terminal.line!.send(Uint8Array.from([...c, 0x0d, 0x0a]));
            clock.advance(500);
            out.push(...terminal.take());
          }
          for (const l of out) {
            expect(l.length + 2).toBeLessThanOrEqual(LINE_MAX_BYTES);
            expect(l).toMatch(/^(@\d+ )?(OK|ERR [a-z-]+)( |$|\*)/);
          }
        },
      ),
      { numRuns: 150, seed: 4242 },
    );
  });
});
