/**
 * Running a shard in a worker thread. The worker runs shard-worker.ts, which runs the shard and posts
 * progress and the ShardResult back (plain JSON-safe data: SimResult's contract).
 *
 * Start-up: the project is TypeScript run from source. Letting each worker register tsx and compile the
 * whole module graph again costs seconds per worker (about 3.5 s measured on a 2-core machine), so the
 * first fleet run of a process bundles shard-worker.ts once with esbuild (the same sources; node_modules
 * left external, Moddable module names mapped to their host shims as tsconfig.json paths does) into
 * node_modules/.cache/minewatch-sim/, named by its content hash, and every worker starts from that file.
 * If bundling fails the worker falls back to registering tsx itself, as bin/minewatch.js does.
 */

import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { moddableShimFiles, nodeOnlyShimFiles } from "../moddable/aliases.js";
import type { ShardParams, ShardResult } from "./shard.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const CACHE_DIR = path.join(root, "node_modules", ".cache", "minewatch-sim");

function tsxApi(): string {
  const require = createRequire(path.join(root, "package.json"));
  return pathToFileURL(path.join(path.dirname(require.resolve("tsx/package.json")), "dist/esm/api/index.mjs"))
    .href;
}

let bundled: Promise<string> | undefined;

/** The worker entry bundled to one ES module file (once per process); its path. */
async function bundleWorker(): Promise<string> {
  const { build } = await import("esbuild");
  const shims: Record<string, string> = { ...moddableShimFiles, ...nodeOnlyShimFiles };
  const names = Object.keys(shims).map((n) => n.replace(/[/:.]/g, (c) => `\\${c}`));
  const out = await build({
    entryPoints: [path.join(here, "shard-worker.ts")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "silent",
    absWorkingDir: root,
    plugins: [
      {
        name: "moddable-host-shims",
        setup(b) {
          b.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, (a) => ({ path: shims[a.path]! }));
        },
      },
    ],
  });
  const text = out.outputFiles[0]!.text;
  const file = path.join(
    CACHE_DIR,
    `shard-worker-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.mjs`,
  );
  if (!fs.existsSync(file)) {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Write then rename: another process may be starting workers from the same file.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    pruneOldBundles(file);
  }
  return file;
}

/**
 * Bundles of earlier source versions, left by earlier runs, go once they are a day old (not at once: a
 * process still running older sources may be about to start a worker from its bundle).
 */
function pruneOldBundles(keep: string): void {
  const dayAgoMs = Date.now() - 86_400_000;
  for (const f of fs.readdirSync(CACHE_DIR)) {
    const full = path.join(CACHE_DIR, f);
    if (full === keep || !/^shard-worker-[0-9a-f]{16}\.mjs$/.test(f)) continue;
    try {
      if (fs.statSync(full).mtimeMs < dayAgoMs) fs.rmSync(full, { force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}

/** The bundled worker file, or undefined when bundling failed (the caller then uses tsx). */
async function workerFile(): Promise<string | undefined> {
  bundled ??= bundleWorker();
  try {
    return await bundled;
  } catch {
    return undefined;
  }
}

function tsxWorker(workerData: unknown): Worker {
  const code = `
const { workerData } = require("node:worker_threads");
import(${JSON.stringify(tsxApi())}).then(async ({ register }) => {
  register({ tsconfig: ${JSON.stringify(path.join(root, "tsconfig.json"))} });
  await import(${JSON.stringify(pathToFileURL(path.join(here, "shard-worker.ts")).href)});
});`;
  return new Worker(code, { eval: true, workerData });
}

export type WorkerMessage =
  | { type: "progress"; doneMs: number; totalMs: number }
  | { type: "done"; result: ShardResult }
  | { type: "error"; message: string };

export async function runShardInWorker(
  params: Omit<ShardParams, "onProgress">,
  onProgress: (doneMs: number, totalMs: number) => void,
): Promise<ShardResult> {
  const file = await workerFile();
  return new Promise((resolve, reject) => {
    const w = file
      ? new Worker(pathToFileURL(file), { workerData: params, execArgv: [] })
      : tsxWorker(params);
    let settled = false;
    w.on("message", (m: WorkerMessage) => {
      if (m.type === "progress") onProgress(m.doneMs, m.totalMs);
      else if (m.type === "done") {
        settled = true;
        resolve(m.result);
        void w.terminate();
      } else {
        settled = true;
        reject(new Error(m.message));
        void w.terminate();
      }
    });
    w.on("error", (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    w.on("exit", (code) => {
      if (!settled) reject(new Error(`shard ${params.shardIndex} worker exited with code ${code}`));
    });
  });
}
