/**
 * What the collector keeps outside itself: the per-node MAC keys (provisioned with the nodes) and the
 * replay-protection counters. The counters MUST outlive the collector process: FrameVerifier.restore()
 * after a restart is what stops the collector from accepting a replay of a frame it accepted before
 * (protocol/auth.ts). The file store writes a temporary file and renames it over the old one, so a crash
 * mid-write leaves the previous counters, never a torn file (rename is atomic on POSIX file systems).
 */
import fs from "node:fs";
import { MAC_KEY_BYTES } from "../../protocol/schema.js";
import { checkNodeId } from "../../protocol/topics.js";
import { CollectorError } from "./errors.js";

export class KeyStore {
  readonly #keys = new Map<string, Uint8Array>();

  /** From `{nodeId: hexKey}` (32 hex digits each). */
  static fromHex(keys: Readonly<Record<string, string>>): KeyStore {
    const s = new KeyStore();
    for (const [nodeId, hex] of Object.entries(keys)) {
      if (typeof hex !== "string" || !/^[0-9a-fA-F]{32}$/.test(hex)) {
        throw new CollectorError(
          "bad-key",
          `key for node ${nodeId} must be 32 hex digits, got "${hex}"`,
          hex,
        );
      }
      s.set(
        nodeId,
        Uint8Array.from(hex.match(/../g)!, (h) => Number.parseInt(h, 16)),
      );
    }
    return s;
  }

  set(nodeId: string, key: Uint8Array): void {
    checkNodeId(nodeId);
    if (!(key instanceof Uint8Array) || key.length !== MAC_KEY_BYTES) {
      const n = key instanceof Uint8Array ? key.length : typeof key;
      throw new CollectorError(
        "bad-key",
        `key for node ${nodeId} must be ${MAC_KEY_BYTES} bytes, got ${n}`,
        n,
      );
    }
    this.#keys.set(nodeId, key.slice());
  }

  get(nodeId: string): Uint8Array | undefined {
    return this.#keys.get(nodeId);
  }

  has(nodeId: string): boolean {
    return this.#keys.has(nodeId);
  }
}

/** Highest accepted frame counter per node. */
export interface CounterStore {
  load(): Record<string, number>;
  save(nodeId: string, counter: number): void;
}

export class MemoryCounterStore implements CounterStore {
  readonly counters: Record<string, number> = {};
  load(): Record<string, number> {
    return { ...this.counters };
  }
  save(nodeId: string, counter: number): void {
    this.counters[nodeId] = counter;
  }
}

/** A JSON file `{nodeId: counter}`, rewritten atomically on every save. */
export class FileCounterStore implements CounterStore {
  readonly path: string;
  #counters: Record<string, number> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  load(): Record<string, number> {
    if (this.#counters) return { ...this.#counters };
    let text: string;
    try {
      text = fs.readFileSync(this.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        this.#counters = {};
        return {};
      }
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CollectorError("bad-counter-store", `${this.path}: not JSON`, this.path);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new CollectorError("bad-counter-store", `${this.path}: must hold {nodeId: counter}`, parsed);
    }
    const out: Record<string, number> = {};
    for (const [nodeId, c] of Object.entries(parsed)) {
      if (!Number.isInteger(c) || (c as number) < 0 || (c as number) > 0xffffffff) {
        throw new CollectorError(
          "bad-counter-store",
          `${this.path}: counter of ${nodeId} is ${String(c)}`,
          c,
        );
      }
      out[nodeId] = c as number;
    }
    this.#counters = out;
    return { ...out };
  }

  save(nodeId: string, counter: number): void {
    const all = this.#counters ?? this.load();
    all[nodeId] = counter;
    const tmp = `${this.path}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all));
    fs.renameSync(tmp, this.path);
  }
}
