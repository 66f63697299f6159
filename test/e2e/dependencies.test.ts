/**
 * package.json says what `npx minewatch ...` needs at run time: every npm package that the launcher, the
 * tools, the simulator, the site or the node code imports is in dependencies (or optionalDependencies), none
 * only in devDependencies (so `npm ci --omit=dev` runs every command), and the project does not depend on
 * itself (`npx minewatch` runs the project's own bin).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
type Section = "dependencies" | "devDependencies" | "optionalDependencies";
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  name: string;
} & Partial<Record<Section, Record<string, string>>>;
const RUN_TIME_FOLDERS = ["bin", "tools", "host-sim", "site", "protocol", "firmware"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|js|mjs)$/.test(name) && !name.endsWith(".d.ts") ? [p] : [];
  });
}

/** npm packages imported (statically or by a literal dynamic import) from the run-time folders. */
function importedPackages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const folder of RUN_TIME_FOLDERS)
    for (const file of sources(path.join(root, folder))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)"([^"./][^"]*)"/gm)) {
        const spec = m[1]!;
        if (spec.startsWith("node:") || builtinModules.includes(spec)) continue;
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        // Moddable module names (timer, embedded:io/i2c, mc/config...) are no npm packages.
        if (!existsSync(path.join(root, "node_modules", name, "package.json"))) continue;
        if (!found.has(name)) found.set(name, path.relative(root, file));
      }
    }
  return found;
}

describe("package.json", () => {
  it("every package the commands import at run time is a dependency, not a devDependency", () => {
    const runTime = { ...pkg.dependencies, ...pkg.optionalDependencies };
    const imported = importedPackages();
    expect(imported.size).toBeGreaterThan(5);
    const missing = [...imported].filter(([name]) => !(name in runTime)).map(([n, f]) => `${n} (${f})`);
    expect(missing).toEqual([]);
  });

  it("does not depend on itself; dependency sections do not overlap", () => {
    const sections = (["dependencies", "devDependencies", "optionalDependencies"] as const).map((s) =>
      Object.keys(pkg[s] ?? {}),
    );
    for (const names of sections) expect(names).not.toContain(pkg.name);
    const all = sections.flat();
    expect(new Set(all).size).toBe(all.length);
  });
});
