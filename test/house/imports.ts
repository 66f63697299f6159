/**
 * The project's import graph, read from the sources (static `import`/`export ... from` and `import()` of
 * relative specifiers): for the layering test and the cycle check.
 */
import fs from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");

const SPEC =
  /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;

/** Every .ts/.js source under `dirs` (relative to the root), node_modules and fixtures left out. */
export function sources(dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name === "fixtures" || e.name.startsWith(".")) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
    }
  };
  for (const d of dirs) walk(path.join(root, d));
  return out.sort();
}

/** The files of ours that `file` imports (relative specifiers resolved; `.js` written for `.ts`). */
export function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8").replace(/^\s*(\/\/.*|\*.*)$/gm, "");
  const out: string[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec?.startsWith(".")) continue;
    const base = path.resolve(path.dirname(file), spec);
    const found = [
      base,
      base.replace(/\.js$/, ".ts"),
      `${base}.ts`,
      `${base}.js`,
      path.join(base, "index.ts"),
    ].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (found) out.push(found);
  }
  return out;
}

/** The top folder of a file, as the layering rules name them. */
export function topOf(file: string): string {
  return path.relative(root, file).split(path.sep)[0]!;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(files: string[]): string[][] {
  const inSet = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((g) => inSet.has(g))]));
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)!) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)!.includes(v))
        out.push(scc.map((f) => path.relative(root, f)).sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return out;
}
