#!/usr/bin/env node
// Guard: core/ imports nothing outside core/, uses no host global, and no
// ES2023+ built-in that XS 13.3 (the XS of CI's xsnap) lacks. ESLint and the
// ES2022-only type check (tsconfig.core.json) catch most of this; this scan is
// the belt to their braces, and it also covers drivers/moddable/ and the
// engine-neutral parts of host-sim/.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const HOST_GLOBALS = ["process", "Buffer", "console", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "require", "__dirname", "__filename", "window", "document", "queueMicrotask", "structuredClone", "performance"];
const ES2023_PLUS = [
  /\.toSorted\s*\(/, /\.toReversed\s*\(/, /\.toSpliced\s*\(/, /\.findLast(Index)?\s*\(/, /\.with\s*\(\s*-?\d/,
  /Object\.groupBy\b/, /Map\.groupBy\b/, /Promise\.withResolvers\b/, /Array\.fromAsync\b/,
  /\.(union|intersection|difference|symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\s*\(/,
  /Iterator\.from\b/, /\.values\(\)\s*\.\s*(map|filter|take|drop|flatMap|reduce|toArray)\s*\(/,
  /\bString\.prototype\.(isWellFormed|toWellFormed)\b/, /\.isWellFormed\s*\(/, /\.toWellFormed\s*\(/,
  /ArrayBuffer\.prototype\.transfer\b/, /\.transferToFixedLength\s*\(/, /\bRegExp\.escape\b/, /\bMath\.sumPrecise\b/,
  /\busing\s+\w+\s*=/,
];

/** Directories checked, and which rules apply. */
const TARGETS = [
  { dir: "core", globals: true, imports: "core" },
  { dir: "drivers/moddable", globals: true, imports: null },
  { dir: "firmware/irq-latency", globals: true, imports: null, only: /(probe|kernel-modes)\.ts$/ },
];

function* walk(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|js|mjs)$/.test(n) && !n.endsWith(".d.ts")) yield p;
  }
}

function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " ")).replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

const problems = [];
for (const t of TARGETS) {
  for (const file of walk(join(root, t.dir))) {
    if (t.only && !t.only.test(file)) continue;
    const rel = relative(root, file);
    const src = stripComments(readFileSync(file, "utf8"));
    const lines = src.split("\n");
    lines.forEach((line, i) => {
      const where = `${rel}:${i + 1}`;
      if (t.imports) {
        const m = line.match(/(?:import|export)\s[^"']*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/);
        const spec = m && (m[1] ?? m[2]);
        if (spec) {
          const target = spec.startsWith(".") ? resolve(dirname(file), spec) : null;
          if (!target || !relative(join(root, t.imports), target).match(/^[^.]/)) {
            problems.push(`${where}: imports "${spec}", outside ${t.imports}/ (core/ imports nothing outside core/)`);
          }
        }
      }
      if (t.globals) {
        for (const g of HOST_GLOBALS) {
          const re = new RegExp(`(^|[^.\\w$"'])${g.replace(/\$/g, "\\$")}\\s*[.(\\[]`);
          if (re.test(line)) problems.push(`${where}: uses host global "${g}"; take it through the Platform`);
        }
      }
      for (const re of ES2023_PLUS) {
        if (re.test(line)) problems.push(`${where}: uses ${re.source.replace(/\\/g, "")}, which XS 13.3 lacks (ES2023+); write it in ES2022`);
      }
    });
  }
}

if (problems.length > 0) {
  console.error(`check-core: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("check-core: core/ and drivers/moddable/ are ES2022 with no host globals or outside imports");
