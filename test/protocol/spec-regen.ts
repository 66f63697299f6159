// `npx tsx test/protocol/spec-regen.ts`: rewrites the generated section of protocol/SPEC.md from the code.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SPEC_BEGIN, SPEC_END, specGenerated } from "../../protocol/spec-gen.js";
import { nobleFrameMac } from "./noble-mac.js";

const specPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../protocol/SPEC.md");
const text = fs.readFileSync(specPath, "utf8");
const begin = text.indexOf(SPEC_BEGIN);
const end = text.indexOf(SPEC_END);
if (begin < 0 || end < begin) throw new Error(`SPEC.md lacks the markers ${SPEC_BEGIN} ... ${SPEC_END}`);
const updated = `${text.slice(0, begin + SPEC_BEGIN.length)}\n${specGenerated(nobleFrameMac)}\n${text.slice(end)}`;
fs.writeFileSync(specPath, updated);
// Biome formats Markdown too (npm run lint checks it): leave the file as biome wants it.
execFileSync(
  process.execPath,
  [
    path.join(path.dirname(specPath), "../node_modules/@biomejs/biome/bin/biome"),
    "format",
    "--write",
    specPath,
  ],
  {
    stdio: "inherit",
  },
);
console.log(`rewrote the generated section of ${path.relative(process.cwd(), specPath)}`);
