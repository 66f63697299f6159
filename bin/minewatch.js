#!/usr/bin/env node
// minewatch CLI launcher: runs the TypeScript CLI in tools/cli through tsx, with the project's tsconfig
// (its `paths` map Moddable module names such as `timer` to the host shims).
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
register({ tsconfig: path.join(root, "tsconfig.json") });
const { main } = await import(pathToFileURL(path.join(root, "tools/cli/main.ts")).href);
process.exitCode = await main(process.argv.slice(2));
