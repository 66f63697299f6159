/**
 * The XS tests run under the target's rules (test/xs/target-rules.ts): frozen primordials, preloaded
 * modules frozen after their body ran, module-level buffers read-only, top-level let refused. First the rules
 * themselves, each on a fixture that breaks one of them (these are what a board does, issue 12 items 2-3);
 * then every module of firmware/ and protocol/ loaded at once under them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { XsWorker } from "./harness.js";

const FIXTURES = "test/xs/entries/preloaded";
const workers: XsWorker[] = [];
afterAll(async () => {
  for (const w of workers) await w.close().catch(() => {});
});

async function start(entry: string, extra: Parameters<typeof XsWorker.start>[1] = {}): Promise<XsWorker> {
  const xs = await XsWorker.start(entry, { preloaded: [FIXTURES], ...extra });
  workers.push(xs);
  return xs;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("the target's rules on XS", () => {
  it("lets a preloaded module keep read-only tables, frozen objects, classes and Error names as fields", async () => {
    const xs = await start(`${FIXTURES}/allowed.ts`);
    expect([...(await xs.call(new Uint8Array([2]))).reply]).toEqual([31, 2, 1]);
  });

  it("makes an Error subclass that assigns this.name throw, as Moddable's frozen primordials do", async () => {
    const xs = await start(`${FIXTURES}/error-name.ts`);
    // What the fixture caught is not its NamedError but the TypeError its constructor raised.
    expect(text((await xs.call(new Uint8Array([0]))).reply)).toMatch(/^TypeError: .*set name: not writable$/);
  });

  it("fails a run-time write to a buffer made at module level (read-only in flash on the board)", async () => {
    const xs = await start(`${FIXTURES}/write-table.ts`);
    await expect(xs.call(new Uint8Array([0]))).resolves.toBeDefined(); // 0 over 0: nothing changed
    await expect(xs.call(new Uint8Array([7]))).rejects.toThrow(
      /"test\/xs\/entries\/preloaded\/write-table": scratch .*written at run time at byte 0.*read-only buffer/,
    );
  });

  it("refuses a Map made at module level when the module is preloaded", async () => {
    await expect(start(`${FIXTURES}/module-map.ts`)).rejects.toThrow(
      /preload of "test\/xs\/entries\/preloaded\/module-map": cache: a Map made at module level/,
    );
  });

  it("refuses a top-level let at bundle time, naming module, binding and line", async () => {
    await expect(start(`${FIXTURES}/module-let.ts`)).rejects.toThrow(
      /preload of "test\/xs\/entries\/preloaded\/module-let": top-level calls \(line 2\)/,
    );
  });

  it("freezes a module-level object: a run-time write throws", async () => {
    const xs = await start(`${FIXTURES}/frozen-object.ts`);
    await expect(xs.call(new Uint8Array([0]))).rejects.toThrow(/TypeError/);
  });

  it("without the rules the same fixtures pass silently: the rules are what catches them", async () => {
    // The same buffer write, bundled with the fixture folder not preloaded: xsnap alone accepts it.
    const xs = await XsWorker.start(`${FIXTURES}/write-table.ts`);
    workers.push(xs);
    expect([...(await xs.call(new Uint8Array([7]))).reply]).toEqual([7, 0, 0, 0]);
  });
});

/**
 * The buffers that firmware/ and protocol/ make at module level, by module and binding: constant tables
 * (CRC tables, hex digits, console command names, AT-command patterns, examples), filled when the module loads
 * and read-only after, as they are in flash on the board.
 */
const FLASH_TABLES = [
  "firmware/drivers/sht3x: CRC_TABLE",
  "firmware/node/console/commands: MAX_ARGS",
  "firmware/node/console/commands: MIN_ARGS",
  "firmware/node/console/commands: NAME_BYTES",
  "firmware/node/console/commands: NEEDS_AUTH",
  "protocol/console-wire: HEX_DIGITS",
  "protocol/console-wire: HEX_VALUE",
  "protocol/checksums: TABLE",
  "firmware/node/console/provisioning: KCV_TEXT",
  "firmware/node/transports/lorawan/at-protocol: HEX",
  "firmware/node/transports/lorawan/at-protocol: NAMES",
  "firmware/node/transports/lorawan/at-protocol: PHRASES",
  "firmware/node/transports/lorawan/at-protocol: RX_MARK",
  "firmware/node/transports/lorawan/lora-e5: P_ADR",
  "firmware/node/transports/lorawan/lora-e5: P_AT",
  "firmware/node/transports/lorawan/lora-e5: P_CMSG",
  "firmware/node/transports/lorawan/lora-e5: P_DR",
  "firmware/node/transports/lorawan/lora-e5: P_DR_N",
  "firmware/node/transports/lorawan/lora-e5: P_ID_APPEUI",
  "firmware/node/transports/lorawan/lora-e5: P_ID_DEVEUI",
  "firmware/node/transports/lorawan/lora-e5: P_JOIN",
  "firmware/node/transports/lorawan/lora-e5: P_KEY_APPKEY",
  "firmware/node/transports/lorawan/lora-e5: P_MODE",
  "firmware/node/transports/lorawan/lora-e5: P_MSG",
  "firmware/node/transports/lorawan/lora-e5: P_PORT",
  "firmware/node/transports/lorawan/lora-e5: P_RETRY",
  "firmware/node/transports/lorawan/lora-e5: T_APPEUI",
  "firmware/node/transports/lorawan/lora-e5: T_APPKEY",
  "firmware/node/transports/lorawan/lora-e5: T_DEVEUI",
  "protocol/decode: NO_MAC",
  "protocol/examples: EXAMPLE_BIRTH",
  "protocol/examples: EXAMPLE_KEY",
].sort();

/** Every .ts module under firmware/ and protocol/. */
function nodeModules(): string[] {
  const root = path.resolve(import.meta.dirname, "../..");
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
    }
  };
  walk(path.join(root, "firmware"));
  walk(path.join(root, "protocol"));
  return out.sort();
}

describe("every firmware and protocol module under the target's rules", () => {
  it("loads on XS with frozen primordials, each module frozen after its body ran; only read-only tables stay buffers", async () => {
    const modules = nodeModules();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-all-modules-"));
    const entry = path.join(dir, "all-modules.ts");
    fs.writeFileSync(
      entry,
      `${modules.map((m, i) => `import * as m${i} from ${JSON.stringify(m)};`).join("\n")}
export const all = [${modules.map((_, i) => `m${i}`).join(", ")}];
export function handle(_r: Uint8Array): Uint8Array {
  const report = JSON.parse((globalThis as unknown as { __minewatchPreloadReport(): string }).__minewatchPreloadReport());
  // Every exported Error subclass, constructed on the frozen realm: its name, or what it threw instead.
  const errors: string[] = [];
  for (const m of all) {
    for (const [key, value] of Object.entries(m)) {
      if (typeof value !== "function" || !(value.prototype instanceof Error)) continue;
      try {
        const e = new (value as new (...a: unknown[]) => Error)("bad-option", "message", 0);
        errors.push(key + "=" + e.name);
      } catch (e) {
        errors.push(key + " threw " + String(e));
      }
    }
  }
  report.errors = errors;
  return new TextEncoder().encode(JSON.stringify(report));
}
`,
    );
    const stubs = path.resolve(import.meta.dirname, "entries/moddable-stubs.ts");
    const xs = await XsWorker.start(entry, {
      aliases: {
        "embedded:provider/builtin": stubs,
        "embedded:storage/key-value": stubs,
        flash: stubs,
        "mc/config": stubs,
        crypt: stubs,
      },
    });
    workers.push(xs);
    const report = JSON.parse(text((await xs.call(new Uint8Array(1))).reply)) as {
      modules: string[];
      tables: string[];
      errors: string[];
      notFrozen: string[];
    };
    // Every module-level table is frozen at load (protocol/freeze.ts), as xsl wants it for flash: none is
    // left for the device to alias into RAM (function prototypes and regular expressions aside).
    expect(report.notFrozen).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
    // Every module ran and was handed over (esbuild keeps type-only modules out: they have no body).
    expect(report.modules.length).toBeGreaterThan(0.8 * modules.length);
    expect(report.modules).toContain("firmware/main");
    // Buffers made at module level: each is a table filled while the module loads and only read after
    // (a run-time write fails every XS test that reaches it). A new one belongs here only if it is such a table.
    // Every Error subclass constructs on the frozen realm and carries its own name (house rule 8).
    expect(report.errors.length).toBeGreaterThanOrEqual(12);
    for (const e of report.errors) expect(e).toMatch(/^(\w+)=\1$/);
    const roots = [...new Set(report.tables.map((t) => t.replace(/\..*$/, "")))].sort();
    expect(roots).toEqual(FLASH_TABLES);
  });
});
