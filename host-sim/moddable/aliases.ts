/**
 * Moddable module names -> host shims, for vitest and Node (esbuild has its own copy in xs/harness.ts since it
 * needs absolute paths). Exact-match patterns so that e.g. "timers" (Node) is never captured by "timer".
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export const moddableShimFiles: Record<string, string> = {
  timer: path.join(here, "timer.ts"),
  time: path.join(here, "time.ts"),
};

export const moddableAliasesForVitest = Object.entries(moddableShimFiles).map(([name, file]) => ({
  find: new RegExp(`^${name.replace(/[/:]/g, (c) => `\\${c}`)}$`),
  replacement: file,
}));
