/**
 * Entry point of the XS benchmark bundle (rollup.bench.config.mjs): the same
 * cases and timing loop the Node runner uses, as one ES2022 module with no
 * imports. tools/xs/run-bench.mjs loads it into xsnap-worker and drives it
 * crank by crank:
 *
 * - `runTimings(opts, report)`: every timing case, results through `report`;
 * - `allocBegin(id)` then `allocRun(n)`: one allocation case's loop, brought
 *   to steady state, then n more operations per crank (the harness reads the
 *   engine's meter at the end of each crank);
 * - `memBegin(id)` then `memMake(k)`: one memory case, k objects kept alive.
 *
 * The state between cranks lives in one object made at run time.
 */
import { allCases } from "./cases/index.js";
import { allocCases, allocSink, memCases, type AllocCase, type MemCase } from "./cases/alloc.js";
import { measureCase, type MeasureOptions } from "./lib/measure.js";
import { caseResult, type CaseResult } from "./lib/report.js";
import type { Clock } from "./lib/types.js";

export { allocCases, memCases };

interface State {
  run: ((n: number) => void) | null;
  make: ((k: number) => unknown) | null;
  /** What the last memMake built, kept alive between cranks. */
  kept: unknown;
}

function state(): State {
  const g = globalThis as { __ioportBench?: State };
  if (g.__ioportBench === undefined) g.__ioportBench = { run: null, make: null, kept: null };
  return g.__ioportBench;
}

export async function runTimings(
  opts: MeasureOptions & { only?: string },
  clock: Clock,
  report: (r: CaseResult) => void,
  onStart: (id: string) => void = () => {},
): Promise<number> {
  let n = 0;
  for (const c of allCases()) {
    if (opts.only !== undefined && !c.id.includes(opts.only)) continue;
    onStart(c.id);
    const t = await measureCase(c.baseline, c.variants, clock, opts);
    report(caseResult(c, "xs", t.baseline, t.variants));
    n++;
  }
  return n;
}

export function allocBegin(id: string): AllocCase {
  const c = allocCases().find((x) => x.id === id);
  if (c === undefined) throw new Error(`no allocation case "${id}"`);
  state().run = c.setup();
  return c;
}

export function allocRun(n: number): void {
  const run = state().run;
  if (run === null) throw new Error("allocRun before allocBegin");
  run(n);
  allocSink();
}

export function memBegin(id: string): MemCase {
  const c = memCases().find((x) => x.id === id);
  if (c === undefined) throw new Error(`no memory case "${id}"`);
  state().make = c.setup();
  return c;
}

export function memMake(k: number): void {
  const s = state();
  if (s.make === null) throw new Error("memMake before memBegin");
  s.kept = null;
  s.kept = s.make(k);
}

export function clear(): void {
  const s = state();
  s.run = null;
  s.make = null;
  s.kept = null;
}
