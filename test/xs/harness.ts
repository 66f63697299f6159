/**
 * Runs node code on the real XS engine (npm @agoric/xsnap builds `xsnap-worker` from Moddable's XS sources).
 *
 * An entry module exports `handle(request: Uint8Array): Uint8Array`. It is bundled with esbuild exactly as
 * ../shared/DESIGN.md prescribes (iife, platform neutral, Moddable module names aliased to host shims),
 * evaluated in a fresh xsnap worker, and called with bytes; each call returns the reply and the worker's
 * meter counts. Those counts are deterministic run to run: they are minewatch's CPU (`compute`, XS meter
 * units) and memory (`heapCount`, live XS slots) figures for the node.
 *
 * Every worker runs under the target's rules (./target-rules.ts): frozen primordials, firmware/ and protocol/
 * modules frozen after their body ran as a preload leaves them, buffers made at module level kept read-only
 * (checked after every call), and RAM measured against the board's creation.
 *
 * Node code that needs host IO calls the global `issueCommand(ArrayBuffer): ArrayBuffer` that xsnap provides;
 * `onHostCommand` answers it here.
 */
import "@endo/init";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { xsnap } from "@agoric/xsnap";
import { build } from "esbuild";
import { moddableShimFiles } from "../../host-sim/moddable/aliases.js";
import { preloadPlugin, TARGET_PRELUDE } from "./target-rules.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface BundleOptions {
  aliases?: Record<string, string>;
  /** Folders (from the project root) preloaded besides firmware/ and protocol/ (target-rules fixtures). */
  preloaded?: string[];
  minify?: boolean;
}

const GLOBAL = "__minewatchEntry";

/** Bundles an entry for XS; returns the script text. */
export async function bundleForXs(entry: string, options: BundleOptions = {}): Promise<string> {
  const result = await build({
    entryPoints: [path.resolve(root, entry)],
    bundle: true,
    write: false,
    format: "iife",
    globalName: GLOBAL,
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    minify: options.minify ?? false,
    alias: { ...moddableShimFiles, ...options.aliases },
    // Modules are strict on the device (ES modules): a write to a frozen object throws there, so here too.
    banner: { js: '"use strict";' },
    plugins: [preloadPlugin(options.preloaded)],
    logLevel: "silent",
    absWorkingDir: root,
  });
  const [file] = result.outputFiles;
  // (esbuild throws on a plugin error: its message names the module and the binding.)
  if (!file) throw new Error(`esbuild produced no output for ${entry}`);
  return `${file.text}
globalThis.handleCommand = function (message) {
  const out = ${GLOBAL}.handle(new Uint8Array(message));
  if (!(out instanceof Uint8Array)) throw new TypeError("XS entry handle() must return a Uint8Array");
  // The flash-table check (target-rules.ts) runs off the meter: the call's compute is the node's alone.
  const limit = currentMeterLimit();
  const used = resetMeter(limit, 0);
  __minewatchCheckFlashTables();
  resetMeter(limit, used);
  return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out.buffer : out.slice().buffer;
};
`;
}

export interface XsReply {
  reply: Uint8Array;
  /** XS meter units spent by this call. */
  compute: number;
  /** Live XS heap slots after this call (before any collection). */
  heapCount: number;
}

export interface XsWorkerOptions extends BundleOptions {
  name?: string;
  onHostCommand?: (request: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  /** Meter limit per call (xsnap's crank limit); a call that exceeds it fails. */
  meteringLimit?: number;
  /** Take the heap right after the bundle ran as the flash baseline for `ramFigures()`. */
  measureRam?: boolean;
}

interface XsnapWorker {
  evaluate(
    code: string,
  ): Promise<{ meterUsage: { compute: number | null; currentHeapCount: number | null } }>;
  issueCommand(m: Uint8Array): Promise<{
    reply: Uint8Array;
    meterUsage: { compute: number | null; currentHeapCount: number | null };
  }>;
  close(): Promise<void>;
  terminate(): Promise<void>;
  makeSnapshotStream(description?: string): AsyncIterable<Uint8Array>;
}

/**
 * The worker's live heap as XS itself writes it into a snapshot (moddable/xs/sources/xsSnapshot.c
 * fxWriteSnapshot, in the @agoric/xsnap sources): the VERS atom's 4th byte is sizeof(txSlot) on this build,
 * the BLOC atom holds the live chunks (strings, bytecode, typed-array and ArrayBuffer storage, compacted),
 * the HEAP atom the live slots (heap count x slot size). Measured, not estimated: xsnap's meter reports
 * slots only.
 */
export interface XsHeapFigures {
  /** sizeof(txSlot) in this xsnap build, bytes (32 on 64-bit hosts). */
  slotBytes: number;
  /** Live slots written to the snapshot. */
  slots: number;
  /** Live chunk bytes written to the snapshot. */
  chunkBytes: number;
  /** Whole snapshot, bytes. */
  snapshotBytes: number;
}

function parseSnapshotAtoms(bytes: Uint8Array): XsHeapFigures {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (tag(4) !== "XS_M") throw new Error(`XS snapshot: expected an XS_M container, got ${tag(4)}`);
  const figures: XsHeapFigures = { slotBytes: 0, slots: 0, chunkBytes: 0, snapshotBytes: bytes.length };
  let heapBytes = 0;
  for (let at = 8; at + 8 <= bytes.length; ) {
    const size = dv.getUint32(at);
    const name = tag(at + 4);
    if (name === "VERS") figures.slotBytes = Math.abs(dv.getInt8(at + 11));
    else if (name === "BLOC") figures.chunkBytes = size - 8;
    else if (name === "HEAP") heapBytes = size - 8;
    if (size < 8) break;
    at += size;
  }
  if (!figures.slotBytes) throw new Error("XS snapshot: no VERS atom");
  figures.slots = heapBytes / figures.slotBytes;
  return figures;
}

export class XsWorker {
  #worker: XsnapWorker;
  #flash: XsHeapFigures | undefined;
  readonly bundleBytes: number;

  private constructor(worker: XsnapWorker, bundleBytes: number) {
    this.#worker = worker;
    this.bundleBytes = bundleBytes;
  }

  static async start(entry: string, options: XsWorkerOptions = {}): Promise<XsWorker> {
    const script = await bundleForXs(entry, options);
    const onHost = options.onHostCommand;
    const worker = (await xsnap({
      name: options.name ?? `minewatch-${path.basename(entry)}`,
      os: os.type(),
      spawn,
      fs,
      stdout: "inherit",
      stderr: "inherit",
      meteringLimit: options.meteringLimit ?? 1e9,
      handleCommand: onHost
        ? async (m: Uint8Array) => onHost(m)
        : async () => {
            throw new Error("this XS entry has no host command handler");
          },
    })) as XsnapWorker;
    try {
      await worker.evaluate(TARGET_PRELUDE);
      await worker.evaluate(script);
    } catch (e) {
      await worker.terminate().catch(() => {});
      throw new Error(
        `XS could not evaluate the bundle of ${entry}: ${xsError(e).message.replace(/^XS: /, "")}`,
      );
    }
    const xs = new XsWorker(worker, Buffer.byteLength(script));
    // What exists once every module ran is what a preload puts in flash; RAM is measured against it.
    if (options.measureRam) xs.#flash = await xs.heapFigures();
    return xs;
  }

  /**
   * Live slots and chunk bytes the node holds in RAM: the heap now less the heap right after the bundle ran
   * (on the board that part is preloaded into flash). Needs `measureRam` at start.
   */
  async ramFigures(): Promise<XsHeapFigures> {
    if (!this.#flash) throw new Error("XsWorker.ramFigures: start the worker with measureRam: true");
    const now = await this.heapFigures();
    return {
      slotBytes: now.slotBytes,
      slots: now.slots - this.#flash.slots,
      chunkBytes: now.chunkBytes - this.#flash.chunkBytes,
      snapshotBytes: now.snapshotBytes,
    };
  }

  /**
   * Fails if node code wrote a buffer that a preload puts in flash (target-rules.ts). Every `call` checks
   * this on its way out; this is for work done through `evaluate`.
   */
  async checkFlashTables(): Promise<void> {
    try {
      await this.#worker.evaluate("globalThis.__minewatchCheckFlashTables()");
    } catch (e) {
      throw xsError(e);
    }
  }

  async call(request: Uint8Array): Promise<XsReply> {
    let r: Awaited<ReturnType<XsnapWorker["issueCommand"]>>;
    try {
      r = await this.#worker.issueCommand(request);
    } catch (e) {
      throw xsError(e);
    }
    return {
      reply: new Uint8Array(r.reply),
      compute: r.meterUsage.compute ?? Number.NaN,
      heapCount: r.meterUsage.currentHeapCount ?? Number.NaN,
    };
  }

  /** Evaluates extra script in the worker (e.g. `gc()`); returns its meter counts. */
  async evaluate(code: string): Promise<{ compute: number; heapCount: number }> {
    let r: Awaited<ReturnType<XsnapWorker["evaluate"]>>;
    try {
      r = await this.#worker.evaluate(code);
    } catch (e) {
      throw xsError(e);
    }
    return {
      compute: r.meterUsage.compute ?? Number.NaN,
      heapCount: r.meterUsage.currentHeapCount ?? Number.NaN,
    };
  }

  /** Live slots and chunk bytes, measured from a snapshot of the worker (XsHeapFigures); the worker goes on. */
  async heapFigures(): Promise<XsHeapFigures> {
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const part of this.#worker.makeSnapshotStream("minewatch-heap")) {
      parts.push(part);
      n += part.length;
    }
    const all = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return parseSnapshotAtoms(all);
  }

  async close(): Promise<void> {
    await this.#worker.close();
  }
}

/** xsnap reports an exception in the worker as "unhandled exception" with the XS message in `cause`. */
function xsError(e: unknown): Error {
  const err = e as Error & { cause?: unknown };
  const causes: string[] = [];
  let c: unknown = err?.cause;
  while (c && causes.length < 4) {
    causes.push(c instanceof Error ? c.message : String(c));
    c = (c as { cause?: unknown }).cause;
  }
  return new Error(`XS: ${[err?.message ?? String(e), ...causes].join(": ")}`, { cause: e });
}
