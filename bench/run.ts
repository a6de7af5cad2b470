/**
 * `npm run bench` (quick) / `npm run bench:full`: runs every case in Node,
 * prints a table of times per unit with ratios against each case's
 * baseline, and writes JSON to bench/results/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allCases } from "./cases/index.js";
import { measure } from "./lib/measure.js";
import { caseResult, table, type CaseResult } from "./lib/report.js";

const full = process.argv.includes("--full");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
const opts = full ? { sampleMs: 200, samples: 15 } : { sampleMs: 40, samples: 7 };
const clock = { now: () => performance.now() };

const results: CaseResult[] = [];
for (const c of allCases()) {
  if (only && !c.id.includes(only)) continue;
  process.stderr.write(`node: ${c.title} ...\n`);
  const base = await measure(c.baseline, clock, opts);
  const vs = [];
  for (const v of c.variants) vs.push(await measure(v, clock, opts));
  results.push(caseResult(c, "node", base, vs));
}
console.log(table(results));
const dir = join(import.meta.dirname, "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `node${full ? "-full" : ""}.json`);
writeFileSync(file, JSON.stringify({ engine: "node", version: process.version, mode: full ? "full" : "quick", date: new Date().toISOString(), results }, null, 2) + "\n");
console.log(`\nwrote ${file}`);
