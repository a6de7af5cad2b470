#!/usr/bin/env node
// `npm start` and `npm run firmware` run the CLI from dist/: this rebuilds
// dist/ (tsc -p tsconfig.build.json) only when a source is newer than the last
// build, so a fresh dist costs a directory walk, not a type check.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const rootDir = fileURLToPath(new URL("..", import.meta.url));
// what tsconfig.build.json compiles, and the configs themselves
const SOURCES = ["core", "host-sim", "tools", "drivers", "firmware", "boards"];
const CONFIGS = ["tsconfig.build.json", "tsconfig.base.json", "package.json"];
const stamp = join(rootDir, "dist", "tools", "cli.js");

function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) return 0;
  if (!st.isDirectory()) return /\.(ts|json)$/.test(path) ? st.mtimeMs : 0;
  let m = 0;
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)));
  return m;
}

const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const src = Math.max(...SOURCES.map((d) => newest(join(rootDir, d))), ...CONFIGS.map((f) => newest(join(rootDir, f))));
if (built < src) {
  const tsc = join(rootDir, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: rootDir, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
