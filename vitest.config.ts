import { defineConfig } from "vitest/config";
import { moddableAliasesForVitest } from "./host-sim/moddable/aliases.js";

export default defineConfig({
  resolve: { alias: moddableAliasesForVitest },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
