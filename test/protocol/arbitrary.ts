// fast-check generators for valid frames, read from protocol/schema.ts so every type and field is covered.
// Integers are biased to their range ends and to CBOR head-size boundaries (23/24, 255/256, 65535/65536).
import fc from "fast-check";
import type { Frame } from "../../protocol/frames.js";
import {
  CONFIG_MAX_ENTRIES,
  CONFIG_PARAMS,
  FRAME_SPECS,
  type FrameSpec,
  FrameType,
} from "../../protocol/schema.js";

const BOUNDARIES = [0, 1, 23, 24, 255, 256, 65535, 65536, 4294967295, -1, -24, -25, -256, -257];

export function arbInt(min: number, max: number): fc.Arbitrary<number> {
  const edges = [min, max, ...BOUNDARIES.filter((b) => b >= min && b <= max)];
  return fc.oneof(fc.integer({ min, max }), fc.constantFrom(...edges));
}

function arbConfigEntries(): fc.Arbitrary<{ param: number; value: number }[]> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: CONFIG_PARAMS.length - 1 }), {
      minLength: 1,
      maxLength: CONFIG_MAX_ENTRIES,
    })
    .chain((ids) => {
      const sorted = ids.slice().sort((a, b) => a - b);
      return fc
        .tuple(...sorted.map((id) => arbInt(CONFIG_PARAMS[id]!.min, CONFIG_PARAMS[id]!.max)))
        .map((values) => sorted.map((param, i) => ({ param, value: values[i]! })));
    });
}

export function arbFrameOf(spec: FrameSpec): fc.Arbitrary<Frame> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of spec.fields) {
    fields[f.name] =
      f.kind === "bytes" ? fc.uint8Array({ minLength: f.length, maxLength: f.length }) : arbInt(f.min, f.max);
  }
  if (spec.type === FrameType.Config) fields.entries = arbConfigEntries();
  return fc.record(fields).map((r) => ({ type: spec.type, ...r }) as unknown as Frame);
}

export const arbFrame: fc.Arbitrary<Frame> = fc.oneof(...FRAME_SPECS.map(arbFrameOf));
