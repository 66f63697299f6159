/** Worker-thread entry (see shard-pool.ts): runs one shard and posts the result. */
import { parentPort, workerData } from "node:worker_threads";
import { runShard, type ShardParams } from "./shard.js";
import type { WorkerMessage } from "./shard-pool.js";

const port = parentPort!;
const params = workerData as Omit<ShardParams, "onProgress">;
const post = (m: WorkerMessage): void => port.postMessage(m);
runShard({ ...params, onProgress: (doneMs, totalMs) => post({ type: "progress", doneMs, totalMs }) }).then(
  (result) => post({ type: "done", result }),
  (e: unknown) => post({ type: "error", message: (e as Error)?.message ?? String(e) }),
);
