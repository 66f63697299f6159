// The generated network-server codec, run as TTN / ChirpStack run it: a plain script in an isolated
// context (node:vm: no require, no process, no module), in ES5.1 syntax, under TTN's 40 KB limit.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeFrame } from "../../protocol/encode.js";
import { EXAMPLE_CONFIG, EXAMPLE_TIME_SYNC, EXAMPLES } from "../../protocol/examples.js";
import { frameToJson } from "../../protocol/json.js";
import { FRAME_SPECS } from "../../protocol/schema.js";
import { buildCodecScript, TTN_MAX_FORMATTER_BYTES } from "../../site/network-server/build-codec.js";

type Fn = (input: unknown) => {
  data?: Record<string, unknown>;
  bytes?: number[];
  fPort?: number;
  warnings: string[];
  errors: string[];
};
let script: string;
let codec: { decodeUplink: Fn; decodeDownlink: Fn; encodeDownlink: Fn; probe: Record<string, string> };

/** Syntax kinds that ES5.1 does not have. */
const ES2015_KINDS = new Set([
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.ClassExpression,
  ts.SyntaxKind.TemplateExpression,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.SpreadElement,
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.ObjectBindingPattern,
  ts.SyntaxKind.ArrayBindingPattern,
  ts.SyntaxKind.ComputedPropertyName,
  ts.SyntaxKind.ShorthandPropertyAssignment,
  ts.SyntaxKind.YieldExpression,
  ts.SyntaxKind.AwaitExpression,
]);

beforeAll(async () => {
  script = await buildCodecScript();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mw-codec-"));
  const file = path.join(dir, "minewatch-codec.js");
  fs.writeFileSync(file, script);
  const context = vm.createContext({});
  vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file });
  codec = vm.runInContext(
    "({ decodeUplink, decodeDownlink, encodeDownlink, probe: { require: typeof require, process: typeof process, module: typeof module } })",
    context,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Values from the vm context have another realm's prototypes; compare as JSON. */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

describe("network-server codec (site/network-server/build-codec.ts)", () => {
  it("runs where there is no require, process or module", () => {
    expect(codec.probe).toEqual({ require: "undefined", process: "undefined", module: "undefined" });
  });

  it("is ES5.1 syntax (no let/const, arrows, classes, templates, spread, for-of, destructuring) and under 40 KB", () => {
    expect(Buffer.byteLength(script)).toBeLessThanOrEqual(TTN_MAX_FORMATTER_BYTES);
    const source = ts.createSourceFile("codec.js", script, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ES2015_KINDS.has(node.kind)) found.push(ts.SyntaxKind[node.kind]);
      if (ts.isVariableDeclarationList(node) && node.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))
        found.push("let/const");
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(found).toEqual([]);
  });

  it("decodeUplink gives every uplink example's JSON view, from a plain byte array", () => {
    FRAME_SPECS.forEach((spec, i) => {
      const bytes = Array.from(encodeFrame(EXAMPLES[i]!));
      const r = plain(
        spec.direction === "up"
          ? codec.decodeUplink({ bytes, fPort: 10 })
          : codec.decodeDownlink({ bytes, fPort: 10 }),
      );
      expect(r).toEqual({ data: frameToJson(EXAMPLES[i]!), warnings: [], errors: [] });
    });
  });

  it("reports bad input in errors, one line naming the problem, never by throwing", () => {
    expect(plain(codec.decodeUplink({ bytes: [0x42, 0x84], fPort: 10 })).errors).toEqual([
      "unsupported-version: unsupported protocol version 2 (this decoder knows up to 1)",
    ]);
    expect(codec.decodeUplink({ bytes: [0x22, 0x84, 0], fPort: 10 }).errors[0]).toMatch(/^truncated: /);
    expect(
      codec.decodeUplink({ bytes: [0x22, 0x84, 0, 2, 0x19, 0, 0x98, 0x18, 0x1e], fPort: 10 }).errors[0],
    ).toMatch(/^not-canonical: /);
    expect(codec.decodeUplink({ bytes: [0x22, 300], fPort: 10 }).errors[0]).toMatch(
      /bytes\[1\] is not a byte: 300/,
    );
    expect(
      codec.decodeUplink({ bytes: Array.from(encodeFrame(EXAMPLES[1]!)), fPort: 3 }).warnings[0],
    ).toMatch(/fPort 3/);
  });

  it("warns that it cannot verify a MAC, and shows the counter", () => {
    const sealed = [0x32, 0x84, 0x00, 0x02, 0x18, 0x98, 0x18, 0x1e, 0x00, 0x2a, 0x22, 0x8b, 0x5b, 0x4b];
    const r = codec.decodeUplink({ bytes: sealed, fPort: 10 });
    expect(r.data).toMatchObject({ type: "alarm", counterLow16: 42, mac: "228b5b4b" });
    expect(r.warnings.join(" ")).toMatch(/MAC not verified/);
  });

  it("encodeDownlink encodes downlinks from their JSON view and refuses uplinks and bad values", () => {
    const r = plain(codec.encodeDownlink({ data: { type: "time-sync", unixS: 1767225600, millis: 250 } }));
    expect(r).toEqual({
      bytes: Array.from(encodeFrame(EXAMPLE_TIME_SYNC)),
      fPort: 10,
      warnings: [],
      errors: [],
    });
    const cfg = plain(
      codec.encodeDownlink({
        data: {
          type: "config",
          revision: 7,
          params: { ch4A2CentiPctVol: 150, telemetryPeriodS: 300, ch4A1CentiPctVol: 100 },
        },
      }),
    );
    expect(cfg.bytes).toEqual(Array.from(encodeFrame(EXAMPLE_CONFIG)));
    expect(
      codec.encodeDownlink({ data: { type: "alarm", channel: 0, level: 1, value: 1, ageS: 1 } }).errors[0],
    ).toMatch(/uplink/);
    expect(codec.encodeDownlink({ data: { type: "time-sync", unixS: 1, millis: 1000 } }).errors[0]).toMatch(
      /^out-of-range: time-sync\.millis must be an integer in 0\.\.999, got 1000/,
    );
  });
});
