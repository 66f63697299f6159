/**
 * The payload codec as ChirpStack runs it: the GENERATED standalone script (site/network-server/build-codec.ts, the very
 * file a user pastes into ChirpStack's device profile) evaluated in its own JavaScript realm, not an import of
 * protocol/codec.ts. So the simulator tests what ships: a bundling or ES5-lowering mistake breaks the run.
 *
 * ChirpStack v4 calls `decodeUplink(input)` with input {bytes: [..], fPort, variables} (its codec template's
 * comment) and puts the result's `data` in the event's `object`; with `errors` it publishes no object and logs
 * an UPLINK_CODEC event (integration.proto LogCode). It runs the script under an execution-time limit; here
 * each call gets `timeoutMs` (default 100 ms) of node:vm time, and values cross the realm boundary as JSON,
 * as they do into and out of ChirpStack's embedded engine.
 */
import vm from "node:vm";

export interface CodecInput {
  bytes: number[];
  fPort: number;
  variables: Record<string, string>;
}

export interface CodecOutput {
  data?: Record<string, unknown>;
  warnings: string[];
  errors: string[];
}

export interface UplinkCodec {
  decodeUplink(input: CodecInput): CodecOutput;
}

let cached: Promise<string> | undefined;

/** The generated script, built once per process (esbuild + TypeScript ES5 lowering take about a second). */
export function generatedCodecScript(): Promise<string> {
  // Imported on first use, not at load: site/network-server/build-codec.ts runs as a command when its module URL is
  // the process's script, which is true inside the simulator's bundled worker (one file for everything).
  cached ??= import("./build-codec.js").then((m) => m.buildCodecScript());
  return cached;
}

export class VmCodec implements UplinkCodec {
  readonly #context: vm.Context;
  readonly #call: vm.Script;
  readonly #timeoutMs: number;

  constructor(script: string, timeoutMs = 100) {
    this.#context = vm.createContext({});
    new vm.Script(script, { filename: "minewatch-codec.js" }).runInContext(this.#context, { timeout: 1000 });
    if (typeof this.#context.decodeUplink !== "function") {
      throw new Error("codec script defines no decodeUplink function");
    }
    this.#call = new vm.Script("JSON.stringify(decodeUplink(JSON.parse(__input)))", { filename: "call.js" });
    this.#timeoutMs = timeoutMs;
  }

  decodeUplink(input: CodecInput): CodecOutput {
    this.#context.__input = JSON.stringify(input);
    let raw: unknown;
    try {
      raw = this.#call.runInContext(this.#context, { timeout: this.#timeoutMs });
    } catch (e) {
      return { warnings: [], errors: [`codec threw: ${(e as Error).message}`] };
    }
    const out = (typeof raw === "string" ? JSON.parse(raw) : {}) as Partial<CodecOutput>;
    return {
      ...(out.data && typeof out.data === "object" ? { data: out.data } : {}),
      warnings: Array.isArray(out.warnings) ? out.warnings.map(String) : [],
      errors: Array.isArray(out.errors) ? out.errors.map(String) : [],
    };
  }
}

/** The generated codec in a fresh realm. */
export async function loadGeneratedCodec(timeoutMs = 100): Promise<VmCodec> {
  return new VmCodec(await generatedCodecScript(), timeoutMs);
}
