import { decode as cborxDecode, encode as cborxEncode } from "cbor-x";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeFrame } from "../../protocol/decode.js";
import { encodeFrame, encodeFrameInto, maxFrameBytes } from "../../protocol/encode.js";
import { ProtocolError } from "../../protocol/errors.js";
import type { Frame } from "../../protocol/frames.js";
import { frameFromJson, frameToJson } from "../../protocol/json.js";
import { FRAME_SPECS, FrameType, specForType } from "../../protocol/schema.js";
import { arbFrame, arbFrameOf } from "./arbitrary.js";

/** The frame's fields as the plain CBOR array our body should be. */
function bodyValues(frame: Frame): unknown[] {
  const record = frame as unknown as Record<string, unknown>;
  const values = specForType(frame.type)!.fields.map((f) => record[f.name]);
  if (frame.type === FrameType.Config) for (const e of frame.entries) values.push(e.param, e.value);
  return values;
}

describe("decode(encode(x)) == x for arbitrary valid frames", () => {
  it("round-trips every type (fast-check, 20,000 frames)", () => {
    fc.assert(
      fc.property(arbFrame, (frame) => {
        const bytes = encodeFrame(frame);
        const d = decodeFrame(bytes);
        expect(d.frame).toEqual(frame);
        expect(d.authenticated).toBe(false);
        expect(bytes.length).toBeLessThanOrEqual(maxFrameBytes(specForType(frame.type)!));
      }),
      { numRuns: 20_000 },
    );
  });

  it("round-trips through the JSON view", () => {
    fc.assert(
      fc.property(arbFrame, (frame) => {
        const json = JSON.parse(JSON.stringify(frameToJson(frame)));
        expect(encodeFrame(frameFromJson(json))).toEqual(encodeFrame(frame));
      }),
      { numRuns: 5_000 },
    );
  });

  it("every valid frame of a budgeted type fits its budget", () => {
    for (const spec of FRAME_SPECS.filter((s) => s.budgetBytes > 0)) {
      fc.assert(
        fc.property(arbFrameOf(spec), (frame) => {
          expect(encodeFrame(frame).length).toBeLessThanOrEqual(spec.budgetBytes);
        }),
        { numRuns: 3_000 },
      );
    }
  });

  it("encodes at an offset inside a larger buffer without touching the bytes around it", () => {
    fc.assert(
      fc.property(arbFrame, fc.integer({ min: 0, max: 16 }), (frame, offset) => {
        const buffer = new Uint8Array(offset + 80).fill(0xee);
        const end = encodeFrameInto(frame, buffer, offset);
        expect(buffer.subarray(offset, end)).toEqual(encodeFrame(frame));
        expect(buffer.subarray(0, offset).every((b) => b === 0xee)).toBe(true);
        expect(buffer.subarray(end).every((b) => b === 0xee)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("cbor-x, the independent reference, agrees", () => {
  it("cbor-x decodes our body to the frame's field values", () => {
    fc.assert(
      fc.property(arbFrame, (frame) => {
        const bytes = encodeFrame(frame);
        const decoded = cborxDecode(bytes.subarray(1)) as unknown[];
        const expected = bodyValues(frame).map((v) => (v instanceof Uint8Array ? [...v] : v));
        expect(decoded.map((v) => (v instanceof Uint8Array ? [...v] : v))).toEqual(expected);
      }),
      { numRuns: 10_000 },
    );
  });

  it("cbor-x encodes the same values to exactly our body bytes (both are shortest-form)", () => {
    fc.assert(
      fc.property(arbFrame, (frame) => {
        const body = encodeFrame(frame).subarray(1);
        // cbor-x tags a Uint8Array (RFC 8746 typed array, tag 64) but writes a Buffer as a plain byte string.
        const values = bodyValues(frame).map((v) => (v instanceof Uint8Array ? Buffer.from(v) : v));
        expect(new Uint8Array(cborxEncode(values))).toEqual(new Uint8Array(body));
      }),
      { numRuns: 10_000 },
    );
  });
});

describe("out-of-range values do not encode", () => {
  it("rejects any integer field just outside its range, or a non-integer, naming the field", () => {
    for (const spec of FRAME_SPECS) {
      const valid = fc.sample(arbFrameOf(spec), { numRuns: 1, seed: 7 })[0]! as unknown as Record<
        string,
        unknown
      >;
      for (const f of spec.fields.filter((x) => x.kind === "int")) {
        for (const bad of [f.min - 1, f.max + 1, 0.5 + f.min, Number.NaN, "1", undefined]) {
          const frame = { ...valid, [f.name]: bad } as unknown as Frame;
          try {
            encodeFrame(frame);
            expect.unreachable(`${spec.name}.${f.name} = ${String(bad)} encoded`);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
            expect((e as ProtocolError).code).toBe("out-of-range");
            expect((e as ProtocolError).message).toContain(`${spec.name}.${f.name}`);
            expect((e as ProtocolError).value).toBe(bad);
          }
        }
      }
    }
  });
});
