/**
 * The lin board (Moddable's desktop build) can run a whole node: its config names every port and pin the
 * firmware opens, a console tty and an MQTT site; every module the lin build reaches from firmware/main.ts
 * (base.json's map plus manifests/lin/manifest.json's) resolves under the name XS looks it up by, including
 * protocol/index; the simulated board's recording is the fixture's excerpt. Without the SDK.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { INTERLOCK_PIN_NAMES } from "../../firmware/node/interlock/outputs.js";
import {
  CH4_CENTI_PCT,
  CO_DECI_PPM,
  H2S_DECI_PPM,
  O2_CENTI_PCT,
  RECORDING_PERIOD_MS,
  RECORDING_SOURCE,
  RECORDING_START_S,
} from "../../manifests/lin/recording.js";
import { checkSite } from "../../protocol/topics.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const manifestsDir = path.join(root, "manifests");

interface Manifest {
  modules?: Record<string, string | string[]>;
  config?: Record<string, unknown>;
  preload?: string[];
}
const read = (file: string): Manifest => JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
const base = read(path.join(manifestsDir, "base.json"));
const linManifest = read(path.join(manifestsDir, "lin", "manifest.json"));
const linBoard = read(path.join(manifestsDir, "boards", "lin.json")).config as {
  ports: Record<string, number>;
  pins: Record<string, number>;
  [key: string]: unknown;
};
const asArray = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

describe("lin board config", () => {
  it("names every sensor pin firmware/main.ts needs and every interlock pin", () => {
    for (const name of [
      "i2cData",
      "i2cClock",
      "spiClock",
      "spiIn",
      "spiOut",
      "accelSelect",
      "serialReceive",
      "serialTransmit",
      ...INTERLOCK_PIN_NAMES,
    ])
      expect(linBoard.pins[name], name).toBeTypeOf("number");
    const gpios = Object.values(linBoard.pins);
    expect(new Set(gpios).size, "one GPIO, one function").toBe(gpios.length);
  });

  it("has ports for the buses and the console, a console tty, and an MQTT broker by IPv4 address and site", () => {
    for (const p of ["i2c", "spi", "serial", "console"]) expect(linBoard.ports[p], p).toBeTypeOf("number");
    expect(linBoard.consoleDevice).toMatch(/^\//);
    expect(linBoard.transport).toBe("mqtt");
    expect(linBoard.mqttHost).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(linBoard.mqttPort).toBeTypeOf("number");
    expect(checkSite(linBoard.site as string)).toBe(linBoard.site);
  });
});

// ---- module resolution the way XS does it (relative to the importing module's name) ----

const IMPORT = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/g;

/** Module name -> file, for base.json's map (wildcards expanded) plus the lin manifest's. */
function moduleMap(): Map<string, string> {
  const map = new Map<string, string>();
  const resolve = (source: string, dir: string): string =>
    source.startsWith("$(MINEWATCH)/")
      ? path.join(root, source.slice("$(MINEWATCH)/".length))
      : path.join(dir, source);
  const excluded = new Set(asArray(base.modules?.["~"]).map((s) => resolve(s, manifestsDir)));
  for (const [target, sources] of Object.entries(base.modules ?? {})) {
    if (target === "~") continue;
    for (const source of asArray(sources)) {
      const p = resolve(source, manifestsDir);
      if (!p.endsWith("*")) continue;
      const dir = path.dirname(p);
      for (const f of fs.readdirSync(dir)) {
        if (!f.endsWith(".ts") || f.endsWith(".d.ts")) continue;
        const file = path.join(dir, f);
        if (excluded.has(file.slice(0, -3))) continue;
        map.set(target.replace("*", f.slice(0, -3)), file);
      }
    }
  }
  for (const [target, source] of Object.entries(linManifest.modules ?? {}))
    for (const s of asArray(source)) map.set(target, `${resolve(s, path.join(manifestsDir, "lin"))}.ts`);
  return map;
}

/** Bare names Moddable's own manifests (included by ours, or by Moddable's lin platform) provide. */
const MODDABLE_NAMES = new Set([
  "timer",
  "time",
  "crypt",
  "file",
  "mc/config",
  "embedded:network/mqtt/client",
  "embedded:io/serial",
]);

/** XS's resolution of a relative specifier against the importing module's name (xsHosts.c fxFindModule). */
function resolveName(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const seg of specifier.replace(/\.js$/, "").split("/")) {
    if (seg === ".") continue;
    if (seg === "..") {
      expect(parts.length, `${specifier} from ${from} climbs above the root`).toBeGreaterThan(0);
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join("/");
}

describe("lin module map", () => {
  const map = moduleMap();

  it("every module reachable from firmware/main resolves to a mapped file or a Moddable module", () => {
    const seen = new Set<string>();
    const queue = ["firmware/main", "protocol/index"];
    const problems: string[] = [];
    while (queue.length > 0) {
      const name = queue.pop() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      const file = map.get(name);
      if (!file || !fs.existsSync(file)) {
        problems.push(`${name}: not in the lin build's module map`);
        continue;
      }
      const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
      for (const m of text.matchAll(IMPORT)) {
        if (/^\s*[;\s]?(import|export)\s+type\s/.test(m[0])) continue; // erased by tsc
        const spec = m[1] as string;
        if (spec.startsWith(".")) queue.push(resolveName(name, spec));
        else if (map.has(spec)) queue.push(spec);
        else if (!MODDABLE_NAMES.has(spec)) problems.push(`${name} imports ${spec}: unknown bare name`);
      }
    }
    expect(problems).toEqual([]);
    for (const needed of [
      "protocol/index",
      "protocol/examples",
      "embedded:provider/builtin",
      "manifests/lin/sim-board",
      "host-sim/chips/mipex02",
    ])
      expect(seen, needed).toContain(needed);
  });

  it("the lin modules run on XS: no Node imports", () => {
    for (const [name, file] of map) {
      if (!name.startsWith("host-sim/") && !name.startsWith("manifests/") && !name.startsWith("embedded:"))
        continue;
      const text = fs.readFileSync(file, "utf8");
      expect(text, name).not.toMatch(/from\s+["']node:/);
    }
  });
});

describe("lin recording", () => {
  it("is the fixture's excerpt, one sample a second", () => {
    expect(RECORDING_PERIOD_MS).toBe(1000);
    const rows = fs
      .readFileSync(path.join(root, RECORDING_SOURCE), "utf8")
      .split("\n")
      .filter((l) => /^\d/.test(l))
      .map((l) => l.split(",").map(Number))
      .filter((r) => (r[0] as number) >= RECORDING_START_S)
      .slice(0, CH4_CENTI_PCT.length);
    expect(rows.length).toBe(CH4_CENTI_PCT.length);
    rows.forEach((r, i) => {
      expect(r[0]).toBe(RECORDING_START_S + i);
      expect(CH4_CENTI_PCT[i]).toBe(Math.round((r[1] as number) * 100));
      expect(CO_DECI_PPM[i]).toBe(Math.round((r[2] as number) * 10));
      expect(O2_CENTI_PCT[i]).toBe(Math.round((r[3] as number) * 100));
      expect(H2S_DECI_PPM[i]).toBe(Math.round((r[4] as number) * 10));
    });
    // The CH4 A2 set-point of kz-ru-coal at the face (1.0 %vol) is crossed inside the excerpt.
    expect(Math.max(...CH4_CENTI_PCT)).toBeGreaterThan(100);
  });
});
