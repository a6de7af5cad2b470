// A metering build of xsnap-worker for the benchmarks: the very objects
// @agoric/xsnap compiled at install (XS 13.3, release), relinked with one
// change to xsnap-worker.c: the meter line each crank reports also carries
// `currentChunksSize` (bytes of chunks in use: strings, array storage,
// ArrayBuffer data, BigInt digits...) next to the stock `currentHeapCount`
// (slots in use). Neither counter is visible from JS, and the stock meter
// line has slots only; a chunk-only allocation (growing an array, building
// a string or a bigint into a local) would go unseen without this.
//
// Both counters behave the same way in XS (xsMemory.c): every slot taken
// from the free list increments currentHeapCount (fxNewSlot), every chunk
// allocated or grown adds its size to currentChunksSize (fxCheckChunk,
// fxRenewChunk), and only a garbage collection sets them back, to what is
// live. So between a gc() and the end of a crank, each counter grows by
// exactly what the crank allocated.
//
// Built into build/xs-meter/ (gitignored) on first use, in a second or two;
// needs cc, which installing @agoric/xsnap needed anyway. Returns null (and
// says why) when it cannot be built, and the benchmark falls back to the
// stock worker and slots only.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { xsnapWorkerPath } from "./xsnap-worker.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function meterWorkerPath() {
  return join(root, "build", "xs-meter", "xsnap-worker-meter");
}

/** Builds (if needed) and returns the path of the metering worker, or { error }. */
export function buildMeterWorker() {
  const stock = xsnapWorkerPath();
  const out = meterWorkerPath();
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(stock).mtimeMs) return { path: out };
  // stock: <pkg>/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker
  const xsnapDir = resolve(dirname(stock), "..", "..", "..", "..");
  const objDir = join(xsnapDir, "build", "tmp", "lin", "release", "xsnap-worker");
  const src = join(xsnapDir, "sources", "xsnap-worker.c");
  const moddable = resolve(xsnapDir, "..", "..", "moddable");
  if (!existsSync(objDir) || !existsSync(src) || !existsSync(moddable)) {
    return { error: `the xsnap build tree is not there (${objDir}); only slots can be counted` };
  }
  const from = '"\\"allocate\\":%u,"';
  const text = readFileSync(src, "utf8");
  const argsFrom = "meterIndex, the->allocatedSpace, tsbuf);";
  if (!text.includes(from) || !text.includes(argsFrom)) {
    return { error: "xsnap-worker.c does not have the meter line this patch expects; only slots can be counted" };
  }
  const patched = text
    .replace(from, '"\\"allocate\\":%u,\\"currentChunksSize\\":%u,"')
    .replace(argsFrom, "meterIndex, the->allocatedSpace, (unsigned)fxMeterChunksSize(the), tsbuf);")
    .replace("static int fxWriteOkay(", "extern int fxMeterChunksSize(xsMachine* the);\nstatic int fxWriteOkay(");
  const dir = dirname(out);
  mkdirSync(dir, { recursive: true });
  const patchedSrc = join(dir, "xsnap-worker-meter.c");
  writeFileSync(patchedSrc, patched);
  // the machine's internals are only visible with xsAll.h: a one-line accessor
  const accessorSrc = join(dir, "meter-chunks.c");
  writeFileSync(accessorSrc, '#include "xsAll.h"\nint fxMeterChunksSize(txMachine* the) { return (int)the->currentChunksSize; }\n');
  const xs = join(moddable, "xs");
  // the C options of makefiles/lin/xsnap-worker.mk (release)
  const cflags = [
    "-fno-common", "-DINCLUDE_XSPLATFORM", '-DXSPLATFORM="xsnapPlatform.h"', '-DXSNAP_VERSION="meter"',
    "-DXSNAP_TEST_RECORD=0", "-DmxLockdown=1", "-DmxMetering=1", "-DmxDebug=1", "-UmxInstrument", "-DmxNoConsole=1",
    "-DmxBoundsCheck=1", "-DmxParse=1", "-DmxRun=1", "-DmxSloppy=1", "-DmxSnapshot=1",
    "-DmxRegExpUnicodePropertyEscapes=1", "-DmxStringNormalize=1", "-DmxMinusZero=1",
    `-I${join(xs, "includes")}`, `-I${join(xs, "platforms")}`, `-I${join(xs, "sources")}`, `-I${join(xsnapDir, "sources")}`,
    "-Wno-misleading-indentation", "-Wno-implicit-fallthrough", "-O3",
  ];
  const cc = process.env.CC || "cc";
  try {
    const obj = join(dir, "xsnap-worker-meter.o");
    const accessor = join(dir, "meter-chunks.o");
    execFileSync(cc, [patchedSrc, ...cflags, "-c", "-o", obj], { stdio: "pipe" });
    execFileSync(cc, [accessorSrc, ...cflags, "-c", "-o", accessor], { stdio: "pipe" });
    const objs = readdirObjects(objDir).filter((f) => !f.endsWith("/xsnap-worker.o"));
    execFileSync(cc, ["-rdynamic", ...objs, obj, accessor, "-ldl", "-lm", "-lpthread", "-o", out], { stdio: "pipe" });
  } catch (err) {
    return { error: `could not build the metering worker (${String(err.stderr ?? err.message).trim().split("\n")[0]}); only slots can be counted` };
  }
  return { path: out };
}

function readdirObjects(dir) {
  return execFileSync("ls", [dir], { encoding: "utf8" })
    .split("\n")
    .filter((f) => f.endsWith(".o"))
    .map((f) => join(dir, f));
}
