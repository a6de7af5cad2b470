#!/usr/bin/env node
// Inline copies of the ABI's word-level stores, generated from one source.
//
// core/abi.ts defines the hot paths' stores (storeCompletion, ...) once. XS
// pays for every function call, so the interrupt fast path and the port's
// reap carry inline copies of them. Each copy sits between two marker lines
//
//   // inline storeCompletion(words, w, o.udLo, o.udHi, r, o.cflags, o.opcode)
//   ...generated...
//   // end inline
//
// and is the source function's body with its parameters replaced by the
// marker's arguments (an argument that is not a plain name or property
// chain is parenthesized; a parameter used twice needs a plain name) and the
// layout's constants (core/constants.ts, core/abi.ts) folded into numbers:
// `words[w + CQE_W_USER_DATA + 1]` becomes `words[w + 1]`.
//
// usage: node tools/gen-inline.mjs           rewrite the copies in core/
//        node tools/gen-inline.mjs --check   exit 1 naming each stale copy
// `npm run build` runs the first, `npm run lint` the second.
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = "core/abi.ts";
const CONSTANT_FILES = ["core/constants.ts", "core/abi.ts"];
const IDENT = /(?<![.\w$])[A-Za-z_$][\w$]*/g;

/** Numeric `export const NAME = expr;` of the constant files, evaluated in order. */
export function constants() {
  const values = new Map();
  for (const f of CONSTANT_FILES) {
    for (const m of readFileSync(join(root, f), "utf8").matchAll(/^export const ([A-Z0-9_]+) = ([^;]+);/gm)) {
      const [, name, expr] = m;
      if (!/^[\w\s+\-*/>()]+$/.test(expr)) continue;
      let ok = true;
      const num = expr.replace(IDENT, (id) => {
        if (values.has(id)) return String(values.get(id));
        ok = false;
        return id;
      });
      if (!ok) continue;
      const v = Function(`"use strict"; return (${num});`)();
      if (typeof v === "number" && Number.isInteger(v)) values.set(name, v);
    }
  }
  return values;
}

/** name -> { params, body (lines, no indentation) } for each exported function of the source with a `void` result. */
export function sources() {
  const text = readFileSync(join(root, SOURCE), "utf8");
  const out = new Map();
  for (const m of text.matchAll(/^export function (\w+)\(([^)]*)\): void \{\n([\s\S]*?)^\}/gm)) {
    const params = m[2].split(",").map((p) => p.split(":")[0].trim());
    const body = m[3]
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("//"));
    out.set(m[1], { params, body });
  }
  return out;
}

/** Splits a marker's argument list at its top-level commas. */
function splitArgs(s) {
  const args = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(" || ch === "[") depth++;
    if (ch === ")" || ch === "]") depth--;
    if (ch === "," && depth === 0) {
      args.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") args.push(cur.trim());
  return args;
}

function fold(line) {
  let prev;
  do {
    prev = line;
    line = line.replace(/(?<![\w$.*/])(\d+) \+ (\d+)(?![\w$.*/(])/g, (_, a, b) => String(Number(a) + Number(b)));
    line = line.replace(/([\w$\]]) \+ 0(?=[\])])/g, "$1");
  } while (line !== prev);
  return line;
}

export function expand(name, args, fns, consts, where) {
  const fn = fns.get(name);
  if (fn === undefined) throw new Error(`${where}: no function ${name} in ${SOURCE}`);
  if (args.length !== fn.params.length) throw new Error(`${where}: ${name} takes ${fn.params.length} arguments, the marker gives ${args.length}`);
  const simple = (a) => /^[\w$]+(\.[\w$]+)*$/.test(a);
  const bodyText = fn.body.join("\n");
  fn.params.forEach((p, i) => {
    const uses = (bodyText.match(new RegExp(`(?<![.\\w$])${p.replace(/\$/g, "\\$")}(?![\\w$])`, "g")) ?? []).length;
    if (uses > 1 && !simple(args[i])) throw new Error(`${where}: ${name}'s ${p} is used ${uses} times: pass a plain name, not "${args[i]}"`);
  });
  return fn.body.map((line) =>
    fold(
      line.replace(IDENT, (id) => {
        const k = fn.params.indexOf(id);
        if (k >= 0) return simple(args[k]) ? args[k] : `(${args[k]})`;
        return consts.has(id) ? String(consts.get(id)) : id;
      }),
    ),
  );
}

const BEGIN = /^(\s*)\/\/ inline (\w+)\((.*)\)\s*$/;
const END = /^\s*\/\/ end inline\s*$/;

/** The file's text with every inline region regenerated. */
export function regenerate(text, file, fns, consts) {
  const lines = text.split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = BEGIN.exec(lines[i]);
    out.push(lines[i]);
    if (m === null) continue;
    let j = i + 1;
    while (j < lines.length && !END.test(lines[j])) j++;
    if (j === lines.length) throw new Error(`${file}:${i + 1}: "// inline ${m[2]}" has no "// end inline"`);
    for (const l of expand(m[2], splitArgs(m[3]), fns, consts, `${file}:${i + 1}`)) out.push(m[1] + l);
    out.push(lines[j]);
    i = j;
  }
  return out.join("\n");
}

function tsFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** The C header the native fast lane stores with (drivers/moddable/irqcapture): the layout's constants, folded. */
export const C_HEADER = "drivers/moddable/irqcapture/irqcapture_abi.h";
const C_CONSTANTS = ["COMPLETION_SIZE", "CQE_W_USER_DATA", "CQE_W_RESULT", "CQE_W_FLAGS", "CQE_W_OPCODE", "IRQ_EVENT_SIZE", "IRQ_EV_W_TIMESTAMP", "IRQ_EV_W_COUNT", "IRQ_EV_W_LEVEL", "IOCQE_F_MORE", "LANE_ONESHOT", "LANE_ONCE"];

export function cHeader(consts) {
  const lines = [
    "/* Generated from core/abi.ts and core/constants.ts by tools/gen-inline.mjs: edit those, then run it (npm run build does). */",
    "#ifndef IOPORT_IRQCAPTURE_ABI_H",
    "#define IOPORT_IRQCAPTURE_ABI_H",
  ];
  for (const name of C_CONSTANTS) {
    if (!consts.has(name)) throw new Error(`gen-inline: ${name} is not a numeric constant of ${CONSTANT_FILES.join(" or ")}`);
    lines.push(`#define IOPORT_${name} ${consts.get(name)}`);
  }
  lines.push("#endif", "");
  return lines.join("\n");
}

function main() {
  const check = process.argv.includes("--check");
  const fns = sources();
  const consts = constants();
  const stale = [];
  const header = cHeader(consts);
  let old = "";
  try {
    old = readFileSync(join(root, C_HEADER), "utf8");
  } catch {
    // not written yet
  }
  if (old !== header) {
    stale.push(C_HEADER);
    if (!check) writeFileSync(join(root, C_HEADER), header);
  }
  let regions = 0;
  for (const p of tsFiles(join(root, "core"))) {
    const text = readFileSync(p, "utf8");
    if (!text.includes("// inline ")) continue;
    const file = relative(root, p);
    regions += (text.match(/^\s*\/\/ inline \w+\(/gm) ?? []).length;
    const next = regenerate(text, file, fns, consts);
    if (next === text) continue;
    stale.push(file);
    if (!check) writeFileSync(p, next);
  }
  if (check && stale.length > 0) {
    process.stderr.write(`gen-inline: inline copies differ from their source in ${SOURCE}: ${stale.join(", ")}\n  fix: edit the source function, then run node tools/gen-inline.mjs (npm run build does)\n`);
    process.exit(1);
  }
  if (!check && stale.length > 0) process.stdout.write(`gen-inline: regenerated ${stale.join(", ")}\n`);
  if (regions === 0) {
    process.stderr.write("gen-inline: no inline region found under core/ (a marker renamed?)\n");
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
