/**
 * `npm run bench`: every bench/*.bench.ts module in turn. Each prints its own table and compares against
 * a baseline measured in the same run (a ratio); none asserts on wall-clock time.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts") && (!only || f.includes(only)))
  .sort();
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(here, f)).href)) as { run: () => Promise<void> };
  console.log(`\n## ${f.replace(/\.bench\.ts$/, "")}\n`);
  await mod.run();
}
