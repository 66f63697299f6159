/**
 * The house's layering (../shared/DESIGN.md "Folders"), read from the imports of every source file:
 * protocol imports nothing of ours; firmware imports protocol; site imports protocol; host-sim may import
 * firmware, protocol and site; tools may import all of those; nothing imports tools or test except the test
 * side (test/, bench/) and the launcher. And no import cycle inside firmware/ or protocol/.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, importsOf, root, sources, topOf } from "./imports.js";

/** What each top folder may import besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  protocol: [],
  firmware: ["protocol"],
  site: ["protocol"],
  "host-sim": ["firmware", "protocol", "site"],
  tools: ["host-sim", "firmware", "protocol", "site"],
  // The desktop (lin) board's device provider runs the simulator's chip models on Moddable's XS.
  manifests: ["host-sim", "firmware", "protocol"],
  scripts: ["manifests", "host-sim", "firmware", "protocol", "site"],
  bin: ["tools"],
  // The test side measures and checks everything.
  bench: ["test", "tools", "scripts", "manifests", "host-sim", "firmware", "protocol", "site"],
  test: ["bench", "tools", "scripts", "manifests", "host-sim", "firmware", "protocol", "site", "bin"],
};
const TOPS = Object.keys(MAY_IMPORT);

describe("layering", () => {
  const files = sources(TOPS);

  it("finds the sources of every top folder", () => {
    for (const top of ["protocol", "firmware", "site", "host-sim", "tools", "test"]) {
      expect(
        files.some((f) => topOf(f) === top),
        top,
      ).toBe(true);
    }
  });

  it("every import goes down the order, never up", () => {
    const wrong: string[] = [];
    let crossing = 0;
    for (const f of files) {
      const from = topOf(f);
      for (const g of importsOf(f)) {
        const to = topOf(g);
        if (to === from) continue;
        crossing++;
        if (!MAY_IMPORT[from]!.includes(to))
          wrong.push(`${path.relative(root, f)} -> ${path.relative(root, g)}`);
      }
    }
    expect(crossing).toBeGreaterThan(100); // the walk does see the imports
    expect(wrong).toEqual([]);
  });

  it("has no import cycle inside firmware/ or protocol/", () => {
    expect(cycles(sources(["firmware", "protocol"]))).toEqual([]);
  });

  it("the cycle check finds a loop when there is one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "minewatch-cycle-"));
    const a = path.join(dir, "a.ts");
    const b = path.join(dir, "b.ts");
    const c = path.join(dir, "c.ts");
    fs.writeFileSync(a, 'import { b } from "./b.js";\nexport const a = () => b;\n');
    fs.writeFileSync(b, 'import type { a } from "./a.js";\nexport const b = 1 as unknown as typeof a;\n');
    fs.writeFileSync(c, 'import { a } from "./a.js";\nexport const c = a;\n');
    try {
      const found = cycles([a, b, c]);
      expect(found).toHaveLength(1);
      expect(found[0]!.map((f) => path.basename(f))).toEqual(["a.ts", "b.ts"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
