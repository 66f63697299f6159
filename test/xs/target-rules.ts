/**
 * The target's rules for XS tests: what Moddable's XS linker (xsl) and a board do to node code that xsnap
 * alone does not (issue 12). Every XsWorker runs under them:
 *
 * 1. Frozen primordials. xsl freezes the built-ins when anything is preloaded, as on the device. Before the
 *    bundle runs, the prelude freezes every intrinsic reachable from the global object (constructors,
 *    prototypes, their functions), so `this.name = "..."` in an Error subclass throws here as it does there.
 *    The global object itself stays extensible, as on the device.
 * 2. Preloaded modules. xsl runs each preloaded module's body at build time and puts what it made in flash.
 *    The bundler appends, to every module of `firmware/` and `protocol/`, a call that hands the module's
 *    top-level bindings to the prelude right after the body ran: objects and functions reachable from them
 *    are frozen (a later write throws), Map/Set/WeakMap/WeakSet/WeakRef are refused (mutable state in flash),
 *    typed arrays and ArrayBuffers are kept as flash tables (a copy is taken; `checkFlashTables()` fails if a
 *    byte changed: on the board the write fails with "read-only buffer"). Top-level `let` and `var` are
 *    refused at bundle time. The error names the module, the binding and the path to the object.
 * 3. The board's fixed heap. What exists after the bundle ran is in flash; what the node allocates after
 *    that is RAM, measured from an XS snapshot against the board's `creation` (`targetCreation`).
 */
import fs from "node:fs";
import path from "node:path";
import type { Plugin } from "esbuild";
import ts from "typescript";

/** Globals that xsnap adds for its host; everything else on the global object is an intrinsic. */
const XSNAP_HOST_GLOBALS = [
  "global",
  "globalThis",
  "print",
  "gc",
  "issueCommand",
  "handleCommand",
  "performance",
  "currentMeterLimit",
  "resetMeter",
  "setImmediate",
  "Compartment",
  "ModuleSource",
  "trace",
];

/** Script evaluated in the worker before the bundle (plain JS: it runs as is on XS). */
export const TARGET_PRELUDE = `(function () {
  "use strict";
  const seen = new WeakSet();
  const tables = [];
  const preloadedModules = [];
  // Data objects a module left unfrozen: xsl warns "not frozen" and aliases each into RAM on the device.
  const notFrozen = [];
  const functionPrototypes = new WeakSet();
  const hostGlobals = new Set(${JSON.stringify(XSNAP_HOST_GLOBALS)});
  const refused = [Map, Set, WeakMap, WeakSet, WeakRef];
  function kindOf(o) {
    if (o instanceof ArrayBuffer || o instanceof SharedArrayBuffer) return "ArrayBuffer";
    if (ArrayBuffer.isView(o)) return "view";
    for (const C of refused) if (o instanceof C) return C.name;
    return "";
  }
  function walk(o, where, module, problems) {
    if ((typeof o !== "object" && typeof o !== "function") || o === null || seen.has(o)) return;
    seen.add(o);
    const kind = module ? kindOf(o) : "";
    if (kind === "ArrayBuffer" || kind === "view") {
      const bytes = kind === "view" ? new Uint8Array(o.buffer, o.byteOffset, o.byteLength) : new Uint8Array(o);
      tables.push({ module, where, bytes, copy: bytes.slice() });
      return;
    }
    if (kind) {
      problems.push(where + ": a " + kind + " made at module level is mutable state in flash; create it at run time in its owner");
      return;
    }
    if (typeof o === "function" && typeof o.prototype === "object" && o.prototype) functionPrototypes.add(o.prototype);
    if (module && typeof o === "object" && !Object.isFrozen(o) && !functionPrototypes.has(o) && !(o instanceof RegExp))
      notFrozen.push(module + ": " + where);
    Object.freeze(o);
    for (const key of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      const name = where + "." + String(key);
      if ("value" in d) walk(d.value, name, module, problems);
      else {
        walk(d.get, name + "(get)", module, problems);
        walk(d.set, name + "(set)", module, problems);
      }
    }
    walk(Object.getPrototypeOf(o), where + ".__proto__", module, problems);
  }
  const intrinsics = [];
  for (const name of Reflect.ownKeys(globalThis)) {
    if (hostGlobals.has(name)) continue;
    intrinsics.push([String(name), globalThis[name]]);
  }
  const hidden = [
    ["%IteratorPrototype%", Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))],
    ["%ArrayIteratorPrototype%", Object.getPrototypeOf([][Symbol.iterator]())],
    ["%MapIteratorPrototype%", Object.getPrototypeOf(new Map()[Symbol.iterator]())],
    ["%SetIteratorPrototype%", Object.getPrototypeOf(new Set()[Symbol.iterator]())],
    ["%StringIteratorPrototype%", Object.getPrototypeOf(""[Symbol.iterator]())],
    ["%RegExpStringIteratorPrototype%", Object.getPrototypeOf(/a/[Symbol.matchAll]("a"))],
    ["%GeneratorFunction%", Object.getPrototypeOf(function* () {})],
    ["%AsyncFunction%", Object.getPrototypeOf(async function () {})],
    ["%AsyncGeneratorFunction%", Object.getPrototypeOf(async function* () {})],
    ["%ThrowTypeError%", Object.getOwnPropertyDescriptor(function () { "use strict"; return arguments; }(), "callee").get],
  ];
  for (const [name, value] of intrinsics.concat(hidden)) walk(value, name, "", []);
  Object.defineProperty(globalThis, "__minewatchPreloaded", {
    value: function preloaded(module, bindings) {
      const problems = [];
      preloadedModules.push(module);
      for (const name of Object.keys(bindings)) walk(bindings[name], name, module, problems);
      if (problems.length) {
        throw new TypeError("preload of \\"" + module + "\\": " + problems.join("; "));
      }
    },
  });
  Object.defineProperty(globalThis, "__minewatchPreloadReport", {
    value: function preloadReport() {
      return JSON.stringify({
        modules: preloadedModules,
        tables: tables.map((t) => t.module + ": " + t.where),
        notFrozen: notFrozen,
      });
    },
  });
  Object.defineProperty(globalThis, "__minewatchCheckFlashTables", {
    value: function checkFlashTables() {
      for (let k = 0; k < tables.length; k++) {
        const t = tables[k];
        for (let i = 0; i < t.bytes.length; i++) {
          if (t.bytes[i] !== t.copy[i]) {
            throw new TypeError("\\"" + t.module + "\\": " + t.where + " (a buffer made at module level, in flash on the board) was written at run time at byte " + i + ": on the device this throws \\"read-only buffer\\"; create the buffer at run time in its owner");
          }
        }
      }
      return tables.length;
    },
  });
})();
`;

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "../..");
/** The folders whose modules the manifests preload (manifests/base.json "preload"). */
export const PRELOADED_DIRS = ["firmware", "protocol"].map((d) => path.join(root, d) + path.sep);

export interface ModuleScan {
  /** Top-level value bindings (const, function, class, enum), in source order. */
  bindings: string[];
  /** Top-level `let` / `var`: refused under preload (a closure variable in flash). */
  mutable: { name: string; line: number }[];
}

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

const isDeclare = (s: ts.Statement) =>
  ts.canHaveModifiers(s) && (ts.getModifiers(s) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);

/** The top-level bindings of one TypeScript module (types and `declare`s left out). */
export function scanModule(fileName: string, source: string): ModuleScan {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const bindings: string[] = [];
  const mutable: ModuleScan["mutable"] = [];
  for (const s of sf.statements) {
    if (isDeclare(s)) continue;
    if (ts.isVariableStatement(s)) {
      const names: string[] = [];
      for (const d of s.declarationList.declarations) bindingNames(d.name, names);
      const isConst = (s.declarationList.flags & ts.NodeFlags.Const) !== 0;
      if (isConst) bindings.push(...names);
      else {
        const line = sf.getLineAndCharacterOfPosition(s.getStart(sf)).line + 1;
        for (const name of names) mutable.push({ name, line });
      }
    } else if (ts.isFunctionDeclaration(s) && s.name && s.body) {
      bindings.push(s.name.text);
    } else if (ts.isClassDeclaration(s) && s.name) {
      bindings.push(s.name.text);
    } else if (ts.isEnumDeclaration(s)) {
      bindings.push(s.name.text);
    }
  }
  return { bindings: [...new Set(bindings)], mutable };
}

/**
 * esbuild plugin: appends the preload hand-over to every firmware/ and protocol/ module, and refuses
 * top-level `let` / `var` there.
 */
export function preloadPlugin(extraDirs: string[] = []): Plugin {
  const dirs = [...PRELOADED_DIRS, ...extraDirs.map((d) => path.resolve(root, d) + path.sep)];
  return {
    name: "minewatch-preload",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!dirs.some((d) => args.path.startsWith(d))) return undefined;
        const source = await fs.promises.readFile(args.path, "utf8");
        const rel = path.relative(root, args.path).replace(/\\/g, "/").replace(/\.ts$/, "");
        const scan = scanModule(args.path, source);
        if (scan.mutable.length) {
          return {
            errors: scan.mutable.map((m) => ({
              text: `preload of "${rel}": top-level ${m.name} (line ${m.line}) is a mutable binding in flash; use const and keep state in an object made at run time`,
            })),
          };
        }
        const hand = `\n;globalThis.__minewatchPreloaded(${JSON.stringify(rel)}, { ${scan.bindings.join(", ")} });\n`;
        return { contents: source + hand, loader: "ts" };
      });
    },
  };
}

/** XS creation of a board target (Moddable manifest "creation"): fixed heap, no growth on ESP32. */
export interface TargetCreation {
  target: string;
  /** chunk.initial, bytes (strings, bytecode, buffer storage). */
  chunkBytes: number;
  /** heap.initial, slots. */
  slots: number;
  /** sizeof(txSlot) on the target, bytes (16 on 32-bit ESP32). */
  slotBytes: number;
  stack: number;
}

/** The creation each board manifest sets (manifests/boards/*.json "creation"), read from the manifests. */
export function targetCreation(board: string): TargetCreation {
  const file = path.join(root, "manifests/boards", `${board}.json`);
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as {
    creation?: { chunk?: { initial?: number }; heap?: { initial?: number }; stack?: number };
  };
  const c = manifest.creation;
  if (!c?.chunk?.initial || !c.heap?.initial || !c.stack) {
    throw new Error(
      `${path.relative(root, file)}: no explicit creation (chunk.initial, heap.initial, stack)`,
    );
  }
  return { target: board, chunkBytes: c.chunk.initial, slots: c.heap.initial, slotBytes: 16, stack: c.stack };
}
