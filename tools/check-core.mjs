#!/usr/bin/env node
// Guard: the engine-neutral code runs unchanged in XS.
//
// Scanned trees and their rules:
//   core/               no host global, no ES2023+ built-in, imports only core/
//   host-sim/           the same, imports core/, host-sim/, boards/ — except
//                       the Node-only files listed in NODE_ONLY_HOST_SIM (none
//                       yet), which neutral files must not import either
//   tests/conformance/  the same; imports only each other and the two public
//                       entry points core/index and host-sim/index (spec §8)
//   drivers/moddable/,
//   firmware/           no Node or DOM global (Moddable's own, like trace, are
//                       fine), no ES2023+ built-in, no Node module; relative
//                       imports stay in core/, drivers/moddable/, boards/
//
// "ES2023+ built-in" means outside the ES2022 library the project compiles
// against; XS 13.3 (CI's xsnap) lacks most of them (toSorted, Object.groupBy,
// Promise.withResolvers, Set methods, iterator helpers, Array.fromAsync...).
// ESLint and the ES2022-only type checks (tsconfig.core.json, the XS bundle's
// tsconfig.xs.json) catch much of this by type; this scan is the belt to their
// braces, and it also sees files no type check covers (drivers/moddable/).
// tools/xs/run-conformance.mjs runs the ES2023+ rules over the XS bundle too.
//
// usage: node tools/check-core.mjs [--root DIR]
import { readFileSync, readdirSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Globals of Node, browsers and JS hosts in general; none exists on a Moddable board. */
export const NODE_DOM_GLOBALS = [
  "process", "Buffer", "require", "module", "exports", "__dirname", "__filename", "global", "window", "self",
  "document", "navigator", "location", "fetch", "performance", "queueMicrotask", "structuredClone",
  "setImmediate", "clearImmediate", "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "atob", "btoa",
  "crypto", "localStorage", "XMLHttpRequest", "WebSocket", "Deno", "Bun",
];
/** Engine or platform hooks that neutral code must take through the Platform instead. */
export const ENGINE_GLOBALS = ["console", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "print", "trace", "issueCommand", "gc"];

/** ES2023+ built-ins (outside lib ES2022). */
export const ES2023_PLUS_RULES = [
  [/\.toSorted\s*\(/, "Array/TypedArray.prototype.toSorted"],
  [/\.toReversed\s*\(/, "Array/TypedArray.prototype.toReversed"],
  [/\.toSpliced\s*\(/, "Array.prototype.toSpliced"],
  [/\.with\s*\(\s*-?[\w.]+\s*,/, "Array/TypedArray.prototype.with"],
  [/\.findLast(Index)?\s*\(/, "Array.prototype.findLast/findLastIndex (ES2023)"],
  [/\b(Object|Map)\.groupBy\b/, "Object.groupBy / Map.groupBy"],
  [/\bPromise\.(withResolvers|try)\b/, "Promise.withResolvers / Promise.try"],
  [/\bArray\.fromAsync\b/, "Array.fromAsync"],
  [/\.(union|intersection|difference|symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\s*\(/, "Set methods"],
  [/\bIterator\s*\.\s*(from|prototype)\b/, "iterator helpers (Iterator)"],
  [/\.(values|keys|entries)\(\)\s*\.\s*(map|filter|take|drop|flatMap|reduce|toArray|forEach|some|every|find)\s*\(/, "iterator helpers"],
  [/\.(isWellFormed|toWellFormed)\s*\(/, "String.prototype.isWellFormed/toWellFormed"],
  [/\.(transferToFixedLength)\s*\(|ArrayBuffer\.prototype\.transfer\b/, "ArrayBuffer transfer"],
  [/\bRegExp\.escape\b/, "RegExp.escape"],
  [/\bMath\.(sumPrecise|f16round)\b/, "Math.sumPrecise / f16round"],
  [/\bError\.isError\b/, "Error.isError"],
  [/\bFloat16Array\b/, "Float16Array"],
  [/\bSymbol\.(dispose|asyncDispose)\b/, "explicit resource management"],
  [/\bawait\s+using\s+\w+\s*=|\busing\s+\w+\s*=/, "using declarations"],
  [/\bAtomics\.waitAsync\b/, "Atomics.waitAsync"],
];

/** host-sim/ files that may use Node (terminal, files): none yet. Neutral files must not import them. */
export const NODE_ONLY_HOST_SIM = [];

/**
 * Reasoned exceptions: a neutral file that feature-detects an optional host
 * global through globalThis and works without it.
 */
export const ALLOWED_GLOBAL_USES = [
  { file: "host-sim/settle.ts", name: "setImmediate", why: "feature-detected; falls back to microtask turns" },
  { file: "host-sim/settle.ts", name: "process", why: "process.nextTick and process._tickCallback feature-detected for drain(), drainHop() and syncDrain(); they fall back to settle() or undefined" },
];

const NEUTRAL_GLOBALS = [...NODE_DOM_GLOBALS, ...ENGINE_GLOBALS];

/** Directories checked, and which rules apply. */
export const TARGETS = [
  { dir: "core", globals: NEUTRAL_GLOBALS, within: ["core"], files: [], bare: false },
  { dir: "host-sim", globals: NEUTRAL_GLOBALS, within: ["core", "host-sim", "boards"], files: [], bare: false, nodeOnly: NODE_ONLY_HOST_SIM },
  { dir: "tests/conformance", globals: NEUTRAL_GLOBALS, within: ["tests/conformance"], files: ["core/index", "host-sim/index"], bare: false },
  { dir: "drivers/moddable", globals: NODE_DOM_GLOBALS, within: ["core", "drivers/moddable", "boards"], files: [], bare: true },
  { dir: "firmware", globals: NODE_DOM_GLOBALS, within: ["core", "drivers/moddable", "firmware", "boards"], files: [], bare: true },
];

function* walk(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names.sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|mts|js|mjs)$/.test(n) && !n.endsWith(".d.ts")) yield p;
  }
}

/** Blanks out comments (keeping line breaks) so that they are not scanned. */
export function stripComments(src) {
  let out = "";
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    const d = src[i + 1];
    if (c === "/" && d === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === "/" && d === "/") {
      const end = src.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      // copy a string literal verbatim (a "//" inside it is not a comment)
      let j = i + 1;
      while (j < n && src[j] !== c) {
        if (src[j] === "\\") j++;
        else if (c !== "`" && src[j] === "\n") break;
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Blanks out the contents of '...' and "..." literals (a word in a message is not a use). */
function blankStrings(src) {
  return src.replace(/(["'])(?:\\.|(?!\1)[^\\\n])*\1/g, (m) => m[0] + " ".repeat(m.length - 2) + m[0]);
}

function lineOf(text, index) {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Every import/export-from/dynamic-import specifier of `code` (comments stripped), with its index. */
export function importsOf(code) {
  const out = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*(["'])([^"'\n]+)\1/g,
    /\bimport\s*(["'])([^"'\n]+)\1/g,
    /\bimport\s*\(\s*(["'])([^"'\n]+)\1\s*[,)]/g,
  ];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) out.push({ spec: m[2], index: m.index });
  }
  for (const m of code.matchAll(/\bimport\s*\(\s*(?!["'])/g)) out.push({ spec: null, index: m.index });
  return out.sort((a, b) => a.index - b.index);
}

/**
 * Problems in one source text. `rules.es2023`: the ES2023+ rules to apply;
 * `rules.globals`: host global names to forbid; `rules.allowGlobals`: names
 * this file may reach through globalThis.
 */
export function scanSource(text, rel, rules) {
  const problems = [];
  const code = stripComments(text);
  const bare = blankStrings(code);
  const lines = bare.split("\n");
  const codeLines = code.split("\n");
  lines.forEach((line, i) => {
    const where = `${rel}:${i + 1}`;
    for (const [re, what] of rules.es2023 ?? []) {
      if (re.test(line)) problems.push(`${where}: uses ${what}, an ES2023+ built-in outside ES2022 (XS 13.3 lacks most of them); write it in ES2022`);
    }
    for (const g of rules.globals ?? []) {
      const bareUse = new RegExp(`(^|[^.\\w$])${g}(?![\\w$])(?!\\s*\\??:)`);
      const viaGlobalThis = new RegExp(`\\bglobalThis\\b[^;]*?(\\.\\s*${g}(?![\\w$])|\\[\\s*["'\`]${g}["'\`]\\s*\\])`);
      const bareMatch = bareUse.test(line) && !isDeclarationOrKey(line, g);
      const allowed = (rules.allowGlobals ?? []).includes(g);
      if (bareMatch || (viaGlobalThis.test(codeLines[i] ?? "") && !allowed)) {
        problems.push(`${where}: uses host global "${g}", which ${rules.dir ?? "this code"}/ may not (time, timers and logging come through the Platform)`);
      }
    }
  });
  return problems;
}

/**
 * Whether every bare occurrence of `g` on the line is an object key or a type
 * member (`{ process: 1 }`, `{ setImmediate?: F }`), which is not a use of
 * the global. (Member accesses like `x.process` never match the bare pattern.)
 */
function isDeclarationOrKey(line, g) {
  const re = new RegExp(`(^|[^.\\w$])${g}(?![\\w$])`, "g");
  for (const m of line.matchAll(re)) {
    const after = line.slice(m.index + m[0].length);
    if (!/^\s*\??\s*:/.test(after)) return false;
  }
  return true;
}

function withoutExt(p) {
  return p.replace(/\.(d\.ts|ts|mts|js|mjs|json)$/, "");
}

/** Problems in the tree at `root` (empty when the guard passes). */
export function checkTree(root) {
  const problems = [];
  const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const allowedGlobalsOf = (rel) => ALLOWED_GLOBAL_USES.filter((a) => a.file === rel).map((a) => a.name);
  for (const t of TARGETS) {
    const nodeOnly = new Set((t.nodeOnly ?? []).map((f) => withoutExt(join(t.dir, f))));
    for (const file of walk(join(root, t.dir))) {
      const rel = relative(root, file).split(sep).join("/");
      if (nodeOnly.has(withoutExt(rel))) continue;
      const text = readFileSync(file, "utf8");
      problems.push(...scanSource(text, rel, { dir: t.dir, es2023: ES2023_PLUS_RULES, globals: t.globals, allowGlobals: allowedGlobalsOf(rel) }));
      const code = stripComments(text);
      for (const { spec, index } of importsOf(code)) {
        const where = `${rel}:${lineOf(code, index)}`;
        if (spec === null) {
          problems.push(`${where}: dynamic import() of a computed specifier; import a literal path`);
          continue;
        }
        if (!spec.startsWith(".")) {
          if (!t.bare) problems.push(`${where}: imports "${spec}"; ${t.dir}/ imports nothing but ${[...t.within.map((d) => `${d}/`), ...t.files].join(", ")}`);
          else if (nodeBuiltins.has(spec) || spec.startsWith("node:")) problems.push(`${where}: imports the Node module "${spec}"`);
          continue;
        }
        const target = relative(root, resolve(dirname(file), spec)).split(sep).join("/");
        const inside = t.within.some((d) => target === d || target.startsWith(`${d}/`)) || t.files.includes(withoutExt(target));
        if (!inside) {
          problems.push(`${where}: imports "${spec}" (${target}), outside ${[...t.within.map((d) => `${d}/`), ...t.files].join(", ")}`);
        } else if (NODE_ONLY_HOST_SIM.some((f) => withoutExt(`host-sim/${f}`) === withoutExt(target))) {
          problems.push(`${where}: imports the Node-only ${target} from engine-neutral code`);
        }
      }
    }
  }
  return problems;
}

function main() {
  const i = process.argv.indexOf("--root");
  const root = i > 0 ? resolve(process.argv[i + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const problems = checkTree(root);
  if (problems.length > 0) {
    console.error(`check-core: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`check-core: ${TARGETS.map((t) => `${t.dir}/`).join(", ")} are ES2022 with no host globals or outside imports`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
