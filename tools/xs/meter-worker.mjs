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
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { relinkWorker } from "./relink.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function meterWorkerPath() {
  return join(root, "build", "xs-meter", "xsnap-worker-meter");
}

/** Builds (if needed) and returns the path of the metering worker, or { error }. */
export function buildMeterWorker() {
  const from = '"\\"allocate\\":%u,"';
  const argsFrom = "meterIndex, the->allocatedSpace, tsbuf);";
  // the machine's internals are only visible with xsAll.h: a one-line accessor
  const dir = dirname(meterWorkerPath());
  mkdirSync(dir, { recursive: true });
  const accessorSrc = join(dir, "meter-chunks.c");
  const accessor = '#include "xsAll.h"\nint fxMeterChunksSize(txMachine* the) { return (int)the->currentChunksSize; }\n';
  if (!existsSync(accessorSrc) || readFileSync(accessorSrc, "utf8") !== accessor) writeFileSync(accessorSrc, accessor);
  const r = relinkWorker({
    dir: "xs-meter",
    name: "xsnap-worker-meter",
    sources: [accessorSrc],
    patch: (text) =>
      !text.includes(from) || !text.includes(argsFrom)
        ? null
        : text
            .replace(from, '"\\"allocate\\":%u,\\"currentChunksSize\\":%u,"')
            .replace(argsFrom, "meterIndex, the->allocatedSpace, (unsigned)fxMeterChunksSize(the), tsbuf);")
            .replace("static int fxWriteOkay(", "extern int fxMeterChunksSize(xsMachine* the);\nstatic int fxWriteOkay("),
  });
  return r.error !== undefined ? { error: `${r.error}; only slots can be counted` } : r;
}
