/**
 * Running a shard in a worker thread. The worker is a tiny eval'd script that registers tsx (the project is
 * TypeScript run from source, like bin/minewatch.js does) and imports shard-worker.ts, which runs the shard
 * and posts progress and the ShardResult back (plain JSON-safe data: SimResult's contract).
 */

import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ShardParams, ShardResult } from "./shard.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

function tsxApi(): string {
  const require = createRequire(path.join(root, "package.json"));
  return pathToFileURL(path.join(path.dirname(require.resolve("tsx/package.json")), "dist/esm/api/index.mjs"))
    .href;
}

export type WorkerMessage =
  | { type: "progress"; doneMs: number; totalMs: number }
  | { type: "done"; result: ShardResult }
  | { type: "error"; message: string };

export function runShardInWorker(
  params: Omit<ShardParams, "onProgress">,
  onProgress: (doneMs: number, totalMs: number) => void,
): Promise<ShardResult> {
  const code = `
const { workerData } = require("node:worker_threads");
import(${JSON.stringify(tsxApi())}).then(async ({ register }) => {
  register({ tsconfig: ${JSON.stringify(path.join(root, "tsconfig.json"))} });
  await import(${JSON.stringify(pathToFileURL(path.join(here, "shard-worker.ts")).href)});
});`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: params });
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
