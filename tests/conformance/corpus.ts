/**
 * Every case of the corpus (index.ts), tagged with its suite, checked for
 * well-formedness: ids are unique and every case names a spec section.
 */
import * as suites from "./index.js";
import type { ConformanceCase, SuiteCase } from "./types.js";

export function collect(modules: Readonly<Record<string, readonly ConformanceCase[]>>): SuiteCase[] {
  const out: SuiteCase[] = [];
  const seen = new Set<string>();
  for (const suite of Object.keys(modules)) {
    for (const c of modules[suite] as readonly ConformanceCase[]) {
      const id = `${suite}/${c.name}`;
      if (/[\t\n\r]/.test(id)) throw new Error(`conformance: case id ${JSON.stringify(id)} holds a tab or line break`);
      if (seen.has(id)) throw new Error(`conformance: duplicate case id "${id}"`);
      if (typeof c.section !== "string" || !/^§\d/.test(c.section)) {
        throw new Error(`conformance: case "${id}" must name a spec section ("§3 ..."), got ${String(c.section)}`);
      }
      if (typeof c.run !== "function") throw new Error(`conformance: case "${id}" has no run()`);
      seen.add(id);
      out.push({ ...c, suite, id });
    }
  }
  return out;
}

export const CASES: readonly SuiteCase[] = collect(suites);
