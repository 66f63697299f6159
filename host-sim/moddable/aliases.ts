/**
 * Moddable module names -> host shims, for vitest and Node; the XS harness's esbuild uses
 * `moddableShimFiles` only (the XS-safe ones). Exact-match patterns so that e.g. "timers" (Node) is never
 * captured by "timer". tsconfig.json `paths` mirrors this table for the type-check and for tsx.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Shims that run on XS as well as Node. */
export const moddableShimFiles: Record<string, string> = {
  timer: path.join(here, "timer.ts"),
  time: path.join(here, "time.ts"),
};

/** Shims that need Node (real sockets); never bundled for XS. */
export const nodeOnlyShimFiles: Record<string, string> = {
  "embedded:network/mqtt/client": path.join(here, "../mqtt/client.ts"),
  crypt: path.join(here, "crypt.ts"),
};

export const moddableAliasesForVitest = Object.entries({ ...moddableShimFiles, ...nodeOnlyShimFiles }).map(
  ([name, file]) => ({
    find: new RegExp(`^${name.replace(/[/:]/g, (c) => `\\${c}`)}$`),
    replacement: file,
  }),
);
