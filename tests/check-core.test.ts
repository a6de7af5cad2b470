/**
 * The guard itself (tools/check-core.mjs): it passes on this repository and
 * on a clean tree, and fails, naming file and line, on each kind of violation
 * in each tree it covers. Plus the type-level guard of the XS bundle: code
 * compiled with tsconfig.xs.json (lib ES2022, no host types) cannot use a host
 * global or an ES2023+ built-in.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const guard = join(root, "tools/check-core.mjs");
const tmp = mkdtempSync(join(tmpdir(), "ioport-guard-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd = root): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, out: stdout + stderr });
    });
  });
}

let n = 0;
/** A fresh tree holding `files` (path -> text); returns its root. */
function tree(files: Record<string, string>): string {
  const dir = join(tmp, `t${n++}`);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

const CLEAN: Record<string, string> = {
  "core/index.ts": 'export * from "./kernel.js";\nexport { x } from "./kernel.js";\n',
  "core/kernel.ts": 'import {\n  a,\n  b,\n} from "./util/ab.js";\n// process.exit() and console.log() in a comment are fine\nexport const x = [a, b].slice().sort();\nexport const msg = "no console( here";\nexport const keys = { process: 1, setTimeout: 2 };\n',
  "core/util/ab.ts": "export const a = 1;\nexport const b = [1, 2].at(-1);\n",
  "host-sim/index.ts": 'import { x } from "../core/index.js";\nimport board from "../boards/b.json" with { type: "json" };\nexport { x, board };\n',
  "host-sim/settle.ts": "const si = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;\nexport const has = typeof si === \"function\";\n",
  "boards/b.json": "{}\n",
  "tests/conformance/case.ts": 'import { x } from "../../core/index.js";\nimport { y } from "../../host-sim/index.js";\nimport { ok } from "./assert.js";\nexport default [x, y, ok];\n',
  "tests/conformance/assert.ts": "export const ok = true;\n",
  "drivers/moddable/gpio.ts": 'import Digital from "embedded:io/digital";\nimport Timer from "timer";\nimport { x } from "../../core/index.js";\ntrace("edge\\n");\nexport { Digital, Timer, x };\n',
};

async function guardOn(files: Record<string, string>): Promise<{ code: number; out: string }> {
  return run(process.execPath, [guard, "--root", tree(files)]);
}

describe("tools/check-core.mjs", () => {
  it("passes on this repository", async () => {
    const r = await run(process.execPath, [guard]);
    expect(r.out).toMatch(/check-core: core\/, host-sim\/, tests\/conformance\/, drivers\/moddable\/, firmware\/ are ES2022/);
    expect(r.code).toBe(0);
  });

  it("passes on a clean tree (multi-line imports, comments, strings, object keys, JSON boards, Moddable modules)", async () => {
    const r = await guardOn(CLEAN);
    expect(r.out).not.toMatch(/problem/);
    expect(r.code).toBe(0);
  });

  const violations: [string, string, string, RegExp][] = [
    ["core: a host global", "core/bad.ts", "export const t = Date.now() + performance.now();\n", /core\/bad\.ts:1: uses host global "performance"/],
    ["core: console", "core/bad.ts", "export function f() {\n  console.log(1);\n}\n", /core\/bad\.ts:2: uses host global "console"/],
    ["core: a host global through globalThis", "core/bad.ts", 'export const p = (globalThis as any)["process"];\n', /core\/bad\.ts:1: uses host global "process"/],
    ["core: a bare host global value", "core/bad.ts", "export const t = setTimeout;\n", /core\/bad\.ts:1: uses host global "setTimeout"/],
    ["core: toSorted", "core/bad.ts", "export const s = [2, 1].toSorted();\n", /core\/bad\.ts:1: uses Array\/TypedArray\.prototype\.toSorted/],
    ["core: Object.groupBy", "core/bad.ts", "export const g = Object.groupBy([1], (v) => v);\n", /uses Object\.groupBy/],
    ["core: Promise.withResolvers", "core/bad.ts", "export const k = Promise.withResolvers();\n", /uses Promise\.withResolvers/],
    ["core: Set methods", "core/bad.ts", "export const u = new Set([1]).union(new Set([2]));\n", /uses Set methods/],
    ["core: iterator helpers", "core/bad.ts", "export const m = new Map().values().map((v) => v);\n", /uses iterator helpers/],
    ["core: Array.fromAsync", "core/bad.ts", "export const a = Array.fromAsync([]);\n", /uses Array\.fromAsync/],
    ["core: a multi-line import from outside", "core/bad.ts", 'import {\n  Simulator,\n} from "../host-sim/index.js";\nexport { Simulator };\n', /core\/bad\.ts:1: imports "\.\.\/host-sim\/index\.js"/],
    ["core: a side-effect import of a Node module", "core/bad.ts", 'import "node:fs";\n', /core\/bad\.ts:1: imports "node:fs"/],
    ["core: a computed dynamic import", "core/bad.ts", "export const m = (n: string) => import(n);\n", /dynamic import\(\) of a computed specifier/],
    ["host-sim: a Node module", "host-sim/files.ts", 'import { readFileSync } from "fs";\nexport { readFileSync };\n', /host-sim\/files\.ts:1: imports "fs"/],
    ["host-sim: setImmediate outside settle.ts", "host-sim/other.ts", "export const si = (globalThis as { setImmediate?: () => void }).setImmediate;\n", /host-sim\/other\.ts:1: uses host global "setImmediate"/],
    ["conformance: a test runner import", "tests/conformance/bad.ts", 'import { it } from "vitest";\nexport { it };\n', /tests\/conformance\/bad\.ts:1: imports "vitest"/],
    ["conformance: a deep import", "tests/conformance/bad.ts", 'import { Kernel } from "../../core/kernel.js";\nexport { Kernel };\n', /imports "\.\.\/\.\.\/core\/kernel\.js" \(core\/kernel\.js\), outside/],
    ["conformance: print", "tests/conformance/bad.ts", 'print("hello");\n', /tests\/conformance\/bad\.ts:1: uses host global "print"/],
    ["drivers/moddable: a Node global", "drivers/moddable/bad.ts", "export const e = process.env;\n", /drivers\/moddable\/bad\.ts:1: uses host global "process"/],
    ["drivers/moddable: a Node module", "drivers/moddable/bad.ts", 'import { EventEmitter } from "node:events";\nexport { EventEmitter };\n', /drivers\/moddable\/bad\.ts:1: imports the Node module "node:events"/],
    ["drivers/moddable: an ES2023+ built-in", "drivers/moddable/bad.ts", "export const l = [1].toReversed();\n", /uses Array\/TypedArray\.prototype\.toReversed/],
  ];
  for (const [what, file, text, pattern] of violations) {
    it(`fails on ${what}`, async () => {
      const r = await guardOn({ ...CLEAN, [file]: text });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(pattern);
      expect(r.out).toMatch(/check-core: 1 problem\(s\)/);
    });
  }
});

describe("the XS bundle's type-level guard (tsconfig.xs.json)", () => {
  it("rejects a host global and an ES2023+ built-in in engine-neutral code, accepts ES2022", async () => {
    const dir = tree({
      "tsconfig.json": JSON.stringify({
        extends: join(root, "tsconfig.xs.json"),
        compilerOptions: { noEmit: true, rootDir: "." },
        include: ["*.ts"],
      }),
      "good.ts": "export const x = [1, 2].at(-1);\nexport const h = Object.hasOwn({}, 'a');\n",
      "bad.ts": "console.log(1);\nexport const s = [2, 1].toSorted();\nexport const b = Buffer.from('x');\n",
    });
    const r = await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/bad\.ts\(1,1\): error TS\d+: Cannot find name 'console'/);
    expect(r.out).toMatch(/bad\.ts\(2,25\): error TS2550: Property 'toSorted' does not exist/);
    expect(r.out).toMatch(/bad\.ts\(3,18\): error TS\d+: Cannot find name 'Buffer'/);
    expect(r.out).not.toMatch(/good\.ts/);
  });
});
