// Relinked builds of xsnap-worker: the very objects @agoric/xsnap compiled
// at install (XS 13.3, release), linked again with a patched xsnap-worker.c
// and extra C sources. Used by the benchmark's metering build
// (meter-worker.mjs) and by the native fast lane's host build
// (lane-worker.mjs). Needs cc, which installing @agoric/xsnap needed anyway.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { xsnapWorkerPath } from "./xsnap-worker.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Builds `build/<dir>/<name>` (once; again when the stock worker or a source
 * is newer) from the stock worker's objects, xsnap-worker.c rewritten by
 * `patch(text)` (which returns null when the text is not what it expects),
 * and `sources` (C files). Returns { path } or { error } saying why not.
 */
export function relinkWorker({ dir, name, patch, sources = [], includes = [] }) {
  const stock = xsnapWorkerPath();
  const outDir = join(root, "build", dir);
  const out = join(outDir, name);
  const newest = Math.max(statSync(stock).mtimeMs, ...sources.map((s) => statSync(s).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return { path: out };
  // stock: <pkg>/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker
  const xsnapDir = resolve(dirname(stock), "..", "..", "..", "..");
  const objDir = join(xsnapDir, "build", "tmp", "lin", "release", "xsnap-worker");
  const src = join(xsnapDir, "sources", "xsnap-worker.c");
  const moddable = resolve(xsnapDir, "..", "..", "moddable");
  if (!existsSync(objDir) || !existsSync(src) || !existsSync(moddable)) {
    return { error: `the xsnap build tree is not there (${objDir})` };
  }
  const patched = patch(readFileSync(src, "utf8"));
  if (patched === null) return { error: "xsnap-worker.c is not the version this patch expects" };
  mkdirSync(outDir, { recursive: true });
  const patchedSrc = join(outDir, `${name}.c`);
  writeFileSync(patchedSrc, patched);
  const xs = join(moddable, "xs");
  // the C options of makefiles/lin/xsnap-worker.mk (release)
  const cflags = [
    "-fno-common", "-DINCLUDE_XSPLATFORM", '-DXSPLATFORM="xsnapPlatform.h"', `-DXSNAP_VERSION="${name}"`,
    "-DXSNAP_TEST_RECORD=0", "-DmxLockdown=1", "-DmxMetering=1", "-DmxDebug=1", "-UmxInstrument", "-DmxNoConsole=1",
    "-DmxBoundsCheck=1", "-DmxParse=1", "-DmxRun=1", "-DmxSloppy=1", "-DmxSnapshot=1",
    "-DmxRegExpUnicodePropertyEscapes=1", "-DmxStringNormalize=1", "-DmxMinusZero=1",
    `-I${join(xs, "includes")}`, `-I${join(xs, "platforms")}`, `-I${join(xs, "sources")}`, `-I${join(xsnapDir, "sources")}`,
    ...includes.map((d) => `-I${d}`),
    "-Wno-misleading-indentation", "-Wno-implicit-fallthrough", "-O3",
  ];
  const cc = process.env.CC || "cc";
  try {
    const objs = [];
    for (const s of [patchedSrc, ...sources]) {
      const obj = join(outDir, basename(s).replace(/\.c$/, ".o"));
      execFileSync(cc, [s, ...cflags, "-c", "-o", obj], { stdio: "pipe" });
      objs.push(obj);
    }
    const stockObjs = readdirObjects(objDir).filter((f) => !f.endsWith("/xsnap-worker.o"));
    execFileSync(cc, ["-rdynamic", ...stockObjs, ...objs, "-ldl", "-lm", "-lpthread", "-o", out], { stdio: "pipe" });
  } catch (err) {
    return { error: `could not build ${name} (${String(err.stderr ?? err.message).trim().split("\n").slice(0, 3).join(" ")})` };
  }
  return { path: out };
}

function readdirObjects(dir) {
  return execFileSync("ls", [dir], { encoding: "utf8" })
    .split("\n")
    .filter((f) => f.endsWith(".o"))
    .map((f) => join(dir, f));
}
