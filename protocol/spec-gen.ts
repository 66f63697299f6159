/**
 * Generates the parts of SPEC.md that must never drift from the code: the CDDL (RFC 8610) of every frame
 * body, read from schema.ts, and the hex examples, produced by the encoder. test/protocol/spec.test.ts
 * checks that SPEC.md holds exactly this text.
 */
import { type FrameMac, sealFrame } from "./auth.js";
import { encodeFrameInto, MAX_FRAME_BYTES } from "./encode.js";
import { EXAMPLE_COUNTER, EXAMPLE_KEY, EXAMPLES } from "./examples.js";
import { toHex } from "./hex.js";
import { frameToJson } from "./json.js";
import {
  CONFIG_MAX_ENTRIES,
  CONFIG_PARAMS,
  FRAME_SPECS,
  type FrameSpec,
  PROTOCOL_VERSION,
} from "./schema.js";

function cddlName(spec: FrameSpec): string {
  return spec.name;
}

function cddlFor(spec: FrameSpec): string {
  const lines = [`${cddlName(spec)} = [`];
  const items: [string, string][] = spec.fields.map((f) => [
    f.kind === "bytes" ? `${f.name}: bstr .size ${f.length},` : `${f.name}: ${f.min}..${f.max},`,
    f.doc,
  ]);
  if (spec.name === "config") {
    items.push([
      `1*${CONFIG_MAX_ENTRIES} (param: 0..${CONFIG_PARAMS.length - 1}, value: int),`,
      "see the parameter table; ids strictly ascending",
    ]);
  }
  const width = Math.max(...items.map(([code]) => code.length));
  for (const [code, doc] of items) lines.push(`  ${code.padEnd(width)}  ; ${doc}`);
  lines.push("]");
  return lines.join("\n");
}

/** The CDDL of every frame body, one block. */
export function specCddl(): string {
  const lines = [`; minewatch protocol version ${PROTOCOL_VERSION}: the CBOR body of each frame type`];
  lines.push(`body = ${FRAME_SPECS.map(cddlName).join(" / ")}`);
  for (const spec of FRAME_SPECS) {
    lines.push("", `; type ${spec.type}, ${spec.direction}link: ${spec.doc}`, cddlFor(spec));
  }
  return lines.join("\n");
}

/** The config parameter table as Markdown. */
export function specConfigTable(): string {
  const lines = ["| id | parameter | range |", "| --- | --- | --- |"];
  for (const p of CONFIG_PARAMS) lines.push(`| ${p.id} | \`${p.name}\` | ${p.min}..${p.max} |`);
  return lines.join("\n");
}

/** Per type: the example as JSON, its bytes in hex, and the same sealed with the example key and counter. */
export function specExamples(mac: FrameMac): string {
  const out: string[] = [];
  const buffer = new Uint8Array(MAX_FRAME_BYTES);
  for (let i = 0; i < EXAMPLES.length; i++) {
    const spec = FRAME_SPECS[i]!;
    const frame = EXAMPLES[i]!;
    const end = encodeFrameInto(frame, buffer, 0);
    const plain = toHex(buffer.subarray(0, end));
    const sealedEnd = sealFrame(buffer, 0, end, EXAMPLE_COUNTER, EXAMPLE_KEY, mac);
    const sealed = toHex(buffer.subarray(0, sealedEnd));
    out.push(
      `### ${spec.name} (type ${spec.type}, ${spec.direction}link)`,
      "",
      "```json",
      JSON.stringify(frameToJson(frame)),
      "```",
      "",
      `- plain, ${end} bytes: \`${plain}\``,
      `- with MAC (counter ${EXAMPLE_COUNTER}), ${sealedEnd} bytes: \`${sealed}\``,
      "",
    );
  }
  return out.join("\n").trimEnd();
}

/** Everything between SPEC.md's generated-section markers. */
export function specGenerated(mac: FrameMac): string {
  return [
    "## Frame bodies (CDDL)",
    "",
    "```cddl",
    specCddl(),
    "```",
    "",
    "## Config parameters",
    "",
    specConfigTable(),
    "",
    "## Examples",
    "",
    `Authenticated examples use the key \`${toHex(EXAMPLE_KEY)}\` (an example, never a real node's key).`,
    "",
    specExamples(mac),
  ].join("\n");
}

export const SPEC_BEGIN = "<!-- generated from protocol/spec-gen.ts: begin -->";
export const SPEC_END = "<!-- generated from protocol/spec-gen.ts: end -->";
