/**
 * `npm run bench` (quick) / `npm run bench:full`: runs every case in Node,
 * then the same cases inside XS (tools/xs/run-bench.mjs: timings, plus the
 * allocation and memory counts only XS's meter gives), prints the tables
 * with ratios against each case's baseline, and writes JSON to
 * bench/results/ (node.json and xs.json; -full for bench:full).
 *
 * Flags: --full, --only=ID (a case id substring), --node-only, --xs-only.
 * Exits non-zero if the XS run fails in any way.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dstJobsCases } from "./node/dst-jobs.js";
import { allCases } from "./cases/index.js";
import { measureCase } from "./lib/measure.js";
import { renderRatioSvg } from "./lib/plot.js";
import { allocTable, caseResult, memTable, table, type AllocResult, type CaseResult, type MemResult } from "./lib/report.js";

const full = process.argv.includes("--full");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
const nodeOnly = process.argv.includes("--node-only");
const xsOnly = process.argv.includes("--xs-only");
const opts = full ? { sampleMs: 200, samples: 15 } : { sampleMs: 40, samples: 7 };
const clock = { now: () => performance.now() };
const dir = join(import.meta.dirname, "results");
const suffix = full ? "-full" : "";
mkdirSync(dir, { recursive: true });
const t0 = performance.now();

const node: CaseResult[] = [];
if (!xsOnly) {
  // dst-jobs: worker threads, Node only (not in the XS run)
  for (const c of [...allCases(), ...dstJobsCases()]) {
    if (only && !c.id.includes(only)) continue;
    process.stderr.write(`node: ${c.title} ...\n`);
    const t = await measureCase(c.baseline, c.variants, clock, opts);
    node.push(caseResult(c, "node", t.baseline, t.variants));
  }
  const file = join(dir, `node${suffix}.json`);
  writeFileSync(file, JSON.stringify({ engine: "node", version: process.version, mode: full ? "full" : "quick", date: new Date().toISOString(), results: node }, null, 2) + "\n");
}

let xs: { results: CaseResult[]; alloc: AllocResult[]; memory: MemResult[]; meter: string } | null = null;
if (!nodeOnly) {
  process.stderr.write("xs: bundling and running in xsnap-worker ...\n");
  const xsFile = join(dir, `xs${suffix}.json`);
  const args = ["tools/xs/run-bench.mjs", "--out", xsFile];
  if (full) args.push("--full");
  if (only) args.push("--only", only);
  try {
    execFileSync(process.execPath, args, { cwd: join(import.meta.dirname, ".."), stdio: ["ignore", "ignore", "inherit"] });
  } catch {
    console.error("\nbench: the XS run failed (see above)");
    process.exit(1);
  }
  xs = JSON.parse(readFileSync(xsFile, "utf8"));
}

console.log(table([...node, ...(xs?.results ?? [])]));
if (xs) {
  if (xs.alloc.length > 0) console.log(`\n${allocTable(xs.alloc)}`);
  if (xs.memory.length > 0) console.log(`\n${memTable(xs.memory)}`);
  console.log(`\nXS meter: ${xs.meter}`);
}
const chart = join(dir, `ratios${suffix}.svg`);
writeFileSync(chart, renderRatioSvg([...node, ...(xs?.results ?? [])], `ioport benchmarks${full ? " (full)" : ""}: × baseline, Node and XS`));
console.log(`results in ${dir} (${((performance.now() - t0) / 1000).toFixed(1)} s; chart ${chart})`);
