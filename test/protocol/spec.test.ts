import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeFrame } from "../../protocol/decode.js";
import { encodeFrame } from "../../protocol/encode.js";
import { EXAMPLES } from "../../protocol/examples.js";
import { fromHex } from "../../protocol/hex.js";
import { FRAME_SPECS } from "../../protocol/schema.js";
import { SPEC_BEGIN, SPEC_END, specGenerated } from "../../protocol/spec-gen.js";
import { nobleFrameMac } from "./noble-mac.js";

/**
 * Biome formats Markdown (table padding, JSON layout), so compare modulo whitespace and the length of
 * table-rule dashes: every value, name, range and hex digit still has to match.
 */
function normalize(markdown: string): string {
  return markdown.replace(/\s+/g, "").replace(/-{3,}/g, "---");
}

const spec = fs.readFileSync(path.resolve(import.meta.dirname, "../../protocol/SPEC.md"), "utf8");

describe("protocol/SPEC.md cannot rot", () => {
  it("its generated section (CDDL, parameters, hex examples) is exactly what the code generates", () => {
    const begin = spec.indexOf(SPEC_BEGIN) + SPEC_BEGIN.length;
    const end = spec.indexOf(SPEC_END);
    expect(begin).toBeGreaterThan(SPEC_BEGIN.length);
    expect(normalize(spec.slice(begin, end)), "regenerate with: npx tsx test/protocol/spec-regen.ts").toBe(
      normalize(specGenerated(nobleFrameMac)),
    );
  });

  it("every hex example in it decodes to its example frame", () => {
    const plain = [...spec.matchAll(/- plain, (\d+) bytes: `([0-9a-f]+)`/g)];
    expect(plain).toHaveLength(FRAME_SPECS.length);
    plain.forEach((m, i) => {
      expect(decodeFrame(fromHex(m[2]!)).frame).toEqual(EXAMPLES[i]);
      expect(Number(m[1])).toBe(encodeFrame(EXAMPLES[i]!).length);
    });
  });

  it("has a CDDL rule per frame type and points to the MQTT topics", () => {
    for (const s of FRAME_SPECS) expect(spec).toContain(`\n${s.name} = [`);
    expect(spec).toContain("## MQTT topics");
    expect(spec).toContain("SPEC-mqtt.md");
  });
});
