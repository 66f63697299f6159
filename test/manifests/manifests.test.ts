/**
 * The Moddable manifests, checked without the SDK: every manifest parses, every path of ours exists, the
 * module map covers every module reachable from firmware/main.ts under the name XS resolves relative imports
 * against (xs/platforms/mc/xsHosts.c fxFindModule: "./x.js" from module "a/b" is "a/x", so the target name
 * must be the repository path), pins do not collide on a board, and the partition tables hold the outbox.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { INTERLOCK_PIN_NAMES } from "../../firmware/node/interlock/outputs.js";
import { SIM_INTERLOCK_PINS } from "../../host-sim/node/outputs.js";
import { TARGETS } from "../../scripts/build-firmware.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const manifestsDir = path.join(root, "manifests");

interface Manifest {
  build?: Record<string, string>;
  include?: string | string[];
  modules?: Record<string, string | string[]>;
  config?: Record<string, unknown>;
  platforms?: Record<string, Manifest & { error?: string }>;
  preload?: string[];
  creation?: { main?: string };
}

function listJson(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listJson(p);
    return e.name.endsWith(".json") ? [p] : [];
  });
}

const manifestFiles = listJson(manifestsDir);
const read = (file: string): Manifest => JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
const base = read(path.join(manifestsDir, "base.json"));
const lin = read(path.join(manifestsDir, "lin", "manifest.json"));
const boards = read(path.join(manifestsDir, "boards.json"));

/** Resolves our variables and relative paths the way mcconfig does (tools/mcmanifest.js resolveSource). */
function resolveOurs(source: string, manifestDir: string): string | undefined {
  if (source.startsWith("$(MINEWATCH)/")) return path.join(root, source.slice("$(MINEWATCH)/".length));
  if (source.startsWith("./") || source.startsWith("../")) return path.join(manifestDir, source);
  return undefined; // $(MODDABLE)/..., $(MODULES)/...: the SDK's own files
}

const asArray = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** Every module source of ours in a manifest (common part and every platform block). */
function moduleSources(m: Manifest): Array<{ target: string; source: string }> {
  const blocks = [m, ...Object.values(m.platforms ?? {})];
  return blocks.flatMap((b) =>
    Object.entries(b.modules ?? {}).flatMap(([target, v]) =>
      asArray(v).map((source) => ({ target, source })),
    ),
  );
}

describe("manifests parse and name existing files", () => {
  it.each(manifestFiles.map((f) => [path.relative(root, f), f]))("%s is JSON", (_name, file) => {
    expect(() => read(file as string)).not.toThrow();
  });

  it.each(manifestFiles.map((f) => [path.relative(root, f), f]))("%s: our paths exist", (_name, file) => {
    const m = read(file as string);
    const dir = path.dirname(file as string);
    const includes = [m, ...Object.values(m.platforms ?? {})].flatMap((b) => asArray(b.include));
    for (const inc of includes) {
      const p = resolveOurs(inc, dir);
      if (p) expect(fs.existsSync(p), `${inc} (from ${path.relative(root, file as string)})`).toBe(true);
    }
    for (const { source } of moduleSources(m)) {
      const p = resolveOurs(source, dir);
      if (!p) continue;
      if (p.endsWith("*")) {
        const d = path.dirname(p);
        expect(fs.existsSync(d), source).toBe(true);
        expect(
          fs.readdirSync(d).some((n) => n.endsWith(".ts")),
          `${source} matches no .ts file`,
        ).toBe(true);
      } else if (path.basename(path.dirname(source)) !== "~") {
        const found = [".ts", ".js", ""].some((ext) => fs.existsSync(p + ext));
        expect(found, `${source} (from ${path.relative(root, file as string)})`).toBe(true);
      }
    }
    for (const value of Object.values(m.build ?? {})) {
      if (/\.(csv)$/.test(value)) expect(fs.existsSync(resolveOurs(value, dir) ?? value), value).toBe(true);
    }
  });

  it("every variant manifest includes the base and the boards, and names its variant", () => {
    for (const variant of ["gas", "vibration", "combo"]) {
      const m = read(path.join(manifestsDir, `${variant}.json`));
      expect(asArray(m.include)).toEqual(["./base.json", "./boards.json"]);
      expect(m.config?.variant).toBe(variant);
    }
  });

  it("every build:firmware target is a platform block in boards.json, listed before any wildcard", () => {
    const keys = Object.keys(boards.platforms ?? {});
    for (const platform of Object.values(TARGETS)) expect(keys).toContain(platform);
    expect(keys.at(-1)).toBe("...");
    expect(boards.platforms?.["..."]?.error).toMatch(/unsupported platform/);
  });
});

// ---- reachability from firmware/main.ts ----

const IMPORT = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/g;

function importsOf(file: string): Array<{ specifier: string; typeOnly: boolean }> {
  const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const out: Array<{ specifier: string; typeOnly: boolean }> = [];
  for (const m of text.matchAll(IMPORT)) {
    out.push({ specifier: m[1] as string, typeOnly: /^\s*[;\s]?(import|export)\s+type\s/.test(m[0]) });
  }
  return out;
}

function reachable(entry: string): { files: Set<string>; bare: Map<string, string> } {
  const files = new Set<string>();
  const bare = new Map<string, string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const { specifier, typeOnly } of importsOf(file)) {
      if (specifier.startsWith(".")) {
        const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"));
        expect(fs.existsSync(target), `${path.relative(root, file)} imports ${specifier}`).toBe(true);
        queue.push(target);
      } else if (!typeOnly) bare.set(specifier, path.relative(root, file));
    }
  }
  return { files, bare };
}

/** Which module targets of base.json cover `file`, as [target name, excluded]. */
function coverage(file: string): string[] {
  const rel = path.relative(root, file).replace(/\.ts$/, "");
  const excluded = asArray(base.modules?.["~"]).some(
    (s) => resolveOurs(s, manifestsDir) === path.join(root, rel),
  );
  if (excluded) return [];
  const names: string[] = [];
  for (const [target, sources] of Object.entries(base.modules ?? {})) {
    if (target === "~") continue;
    for (const source of asArray(sources)) {
      const p = resolveOurs(source, manifestsDir);
      if (!p?.endsWith("*") || !target.endsWith("*")) continue;
      if (path.dirname(file) === path.dirname(p)) names.push(target.slice(0, -1) + path.basename(rel));
    }
  }
  return names;
}

/** Bare module names firmware may import, and which Moddable manifest (included by ours) provides each. */
const PROVIDED: Record<string, string> = {
  timer: "examples/manifest_base.json (device / simulator manifest)",
  time: "examples/manifest_base.json (device / simulator manifest)",
  crypt: "modules/crypt/digest/manifest.json",
  "embedded:network/mqtt/client": "examples/io/tcp/mqttclient/manifest_mqttclient.json",
  "embedded:provider/builtin":
    "modules/io/manifests/esp32 ($(SUBPLATFORMDIRECTORY)/host/provider); lin: ours",
  "embedded:storage/key-value": "modules/io/storage/manifest.json (esp32); lin: ours",
  flash: "modules/files/flash/manifest.json (esp32); lin: ours",
  "mc/config": "generated by mcconfig from the manifests' config",
  "embedded:io/serial": "modules/io/manifest.json",
  "embedded:io/i2c": "modules/io/manifest.json",
  "embedded:io/spi": "modules/io/manifest.json",
  "embedded:io/digital": "modules/io/manifest.json",
};

describe("the module map covers everything firmware/main.ts reaches", () => {
  const main = path.join(root, "firmware", "main.ts");
  const hasMain = fs.existsSync(main);

  it.runIf(hasMain)("every reachable module has exactly one target, named for its repository path", () => {
    const { files } = reachable(main);
    expect(files.size).toBeGreaterThan(10);
    for (const file of files) {
      const rel = path.relative(root, file).replace(/\.ts$/, "");
      expect(coverage(file), `${rel} is not in manifests/base.json modules`).toEqual([rel]);
    }
  });

  it.runIf(hasMain)("every bare module name is one a Moddable manifest we include provides", () => {
    const { bare } = reachable(main);
    for (const [specifier, from] of bare) {
      expect(Object.keys(PROVIDED), `${specifier} (imported by ${from})`).toContain(specifier);
    }
  });

  it("the XS main module is firmware/main", () => {
    expect(base.creation?.main).toBe("firmware/main");
  });

  it("the desktop simulator gets the three modules Moddable lacks on lin (and its simulated board)", () => {
    expect(Object.keys(lin.modules ?? {})).toEqual(
      expect.arrayContaining(["embedded:provider/builtin", "embedded:storage/key-value", "flash"]),
    );
    // Everything else the lin manifest adds is the simulated board (test/manifests/lin-board.test.ts).
    for (const name of Object.keys(lin.modules ?? {}))
      expect(name, name).toMatch(
        /^(embedded:provider\/builtin|embedded:storage\/key-value|flash|manifests\/lin\/|host-sim\/|setup\/minewatch-marks$)/,
      );
    expect(base.platforms?.lin?.include).toBe("$(MINEWATCH)/manifests/lin/manifest.json");
  });

  it("every module of ours that the build compiles is preloaded (mcconfig's preload wildcards skip .ts files)", () => {
    const excluded = new Set(asArray(base.modules?.["~"]).map((s) => resolveOurs(s, manifestsDir)));
    const built: string[] = [];
    for (const [target, sources] of Object.entries(base.modules ?? {})) {
      if (target === "~") continue;
      for (const source of asArray(sources)) {
        const dir = path.dirname(resolveOurs(source, manifestsDir) as string);
        for (const f of fs.readdirSync(dir)) {
          if (!f.endsWith(".ts") || f.endsWith(".d.ts")) continue;
          if (excluded.has(path.join(dir, f.slice(0, -3)))) continue;
          built.push(target.replace("*", f.slice(0, -3)));
        }
      }
    }
    const preload = asArray(base.preload);
    expect(
      built.filter((m) => !preload.includes(m)),
      "modules built but not preloaded",
    ).toEqual([]);
    expect(
      preload.filter((m) => !built.includes(m)),
      "preloaded modules that the build lacks",
    ).toEqual([]);
    expect(preload).toContain("firmware/main");
  });

  it("host-only protocol files are excluded from the firmware build", () => {
    const excluded = asArray(base.modules?.["~"]);
    for (const s of excluded) {
      const p = resolveOurs(s, manifestsDir) as string;
      expect(fs.existsSync(`${p}.ts`), s).toBe(true);
    }
  });
});

// ---- board pins ----

interface Chip {
  maxGpio: number;
  forbidden: ReadonlySet<number>;
  inputOnly: ReadonlySet<number>;
}
// ESP32 datasheet (v4.x) section 2.2: GPIO 6..11 drive the SPI flash; 34..39 are input only; 20, 24, 28..31 do
// not exist. ESP32-S3 datasheet section 2.3: GPIO 26..32 serve the SPI flash / PSRAM; 22..25 do not exist.
const ESP32: Chip = {
  maxGpio: 39,
  forbidden: new Set([6, 7, 8, 9, 10, 11, 20, 24, 28, 29, 30, 31]),
  inputOnly: new Set([34, 35, 36, 37, 38, 39]),
};
const ESP32S3: Chip = {
  maxGpio: 48,
  forbidden: new Set([22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32]),
  inputOnly: new Set(),
};
const INPUTS = new Set([
  "accelInt1",
  "batterySense",
  "spiIn",
  "serialReceive",
  "modemReceive",
  "relayFeedback",
  "resetButton",
]);

/** Everything wrong with a board's pin map, one line each (empty when the board is fine). */
function pinProblems(pins: Record<string, number>, chip: Chip): string[] {
  const problems: string[] = [];
  const byPin = new Map<number, string>();
  for (const [name, gpio] of Object.entries(pins)) {
    if (!Number.isInteger(gpio) || gpio < 0 || gpio > chip.maxGpio)
      problems.push(`${name}=${gpio}: no such GPIO`);
    else if (chip.forbidden.has(gpio)) problems.push(`${name}=${gpio}: flash/PSRAM or missing GPIO`);
    else if (chip.inputOnly.has(gpio) && !INPUTS.has(name)) problems.push(`${name}=${gpio}: input-only GPIO`);
    const other = byPin.get(gpio);
    if (other !== undefined) problems.push(`${name} and ${other} share GPIO ${gpio}`);
    byPin.set(gpio, name);
  }
  return problems;
}

const boardFiles: Array<[string, Chip]> = [
  ["esp32-devkit.json", ESP32],
  ["xiao-esp32s3-wio-e5.json", ESP32S3],
];

describe("board pins", () => {
  it.each(boardFiles)("%s: pins are distinct, usable GPIOs, inputs only where input-only", (file, chip) => {
    const m = read(path.join(manifestsDir, "boards", file));
    const pins = m.config?.pins as Record<string, number>;
    expect(pinProblems(pins, chip)).toEqual([]);
    for (const needed of ["i2cData", "i2cClock", "spiClock", "spiIn", "spiOut", "accelSelect", "accelInt1"])
      expect(pins[needed], needed).toBeTypeOf("number");
    const ports = m.config?.ports as Record<string, number>;
    expect(ports.serial, "the MIPEX-02 and the modem need different UARTs").not.toBe(ports.modem);
    expect([ports.serial, ports.modem], "UART0 is the console (xsbug / provisioning)").not.toContain(0);
  });

  it("the devkit (the face board) names every interlock pin, as the simulator wires it; others all or none", () => {
    const devkit = read(path.join(manifestsDir, "boards", "esp32-devkit.json")).config?.pins as Record<
      string,
      number
    >;
    for (const name of INTERLOCK_PIN_NAMES) expect(devkit[name], name).toBe(SIM_INTERLOCK_PINS[name]);
    for (const [file] of boardFiles) {
      const pins = read(path.join(manifestsDir, "boards", file)).config?.pins as Record<string, number>;
      const named = INTERLOCK_PIN_NAMES.filter((n) => n in pins);
      expect([0, INTERLOCK_PIN_NAMES.length], `${file}: interlock pins ${named.join(",")}`).toContain(
        named.length,
      );
    }
  });

  it("the pin check reports collisions, flash pins and outputs on input-only GPIOs", () => {
    const bad = { i2cData: 21, i2cClock: 21, spiClock: 6, alarmOutput: 34, accelInt1: 35 };
    expect(pinProblems(bad, ESP32)).toEqual([
      "i2cClock and i2cData share GPIO 21",
      "spiClock=6: flash/PSRAM or missing GPIO",
      "alarmOutput=34: input-only GPIO",
    ]);
  });
});

// ---- partition tables ----

function partitions(file: string): Array<{ name: string; type: string; offset: number; size: number }> {
  return fs
    .readFileSync(path.join(manifestsDir, "esp32", file), "utf8")
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => {
      const [name, type, , offset, size] = l.split(",").map((s) => s.trim());
      return { name: name as string, type: type as string, offset: Number(offset), size: Number(size) };
    });
}

describe("partition tables", () => {
  it.each([
    ["partitions-4mb.csv", 4 << 20],
    ["partitions-8mb.csv", 8 << 20],
  ])("%s: outbox present, aligned, no overlap, fits the flash", (file, flashBytes) => {
    const rows = partitions(file);
    const outbox = rows.find((r) => r.name === "outbox");
    expect(outbox?.type).toBe("data");
    expect((outbox?.size ?? 0) % 4096).toBe(0);
    for (const r of rows) expect(r.offset % (r.type === "app" ? 0x10000 : 0x1000), r.name).toBe(0);
    const sorted = [...rows].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1] as (typeof sorted)[number];
      expect(prev.offset + prev.size, `${prev.name} overlaps ${sorted[i]?.name}`).toBeLessThanOrEqual(
        (sorted[i] as (typeof sorted)[number]).offset,
      );
    }
    const last = sorted.at(-1) as (typeof sorted)[number];
    expect(last.offset + last.size).toBeLessThanOrEqual(flashBytes);
  });
});
