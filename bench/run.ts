/**
 * `npm run bench` (quick) / `npm run bench:full`: runs every case in Node,
 * then the same cases inside XS (tools/xs/run-bench.mjs: timings, plus the
 * allocation and memory counts only XS's meter gives), prints the tables
 * with ratios against each case's baseline, and writes the JSON and the
 * ratio chart to build/bench/ — or, with --update, over the committed
 * figures in bench/results/.
 *
 * Exit codes as the CLI's (tools/lib/command.ts): 1 if the XS run fails in
 * any way, 2 for an unknown flag or an --only that matches no case.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../tools/lib/args.js";
import { EXIT_FAILED, EXIT_USAGE, UsageError, wantsHelp } from "../tools/lib/command.js";
import { allocCases, memCases } from "./cases/alloc.js";
import { dstJobsCases } from "./node/dst-jobs.js";
import { allCases } from "./cases/index.js";
import { measureCase } from "./lib/measure.js";
import { renderRatioSvg } from "./lib/plot.js";
import { allocTable, caseResult, memTable, table, type AllocResult, type CaseResult, type MemResult } from "./lib/report.js";

const USAGE = `usage: npm run bench [-- [--full] [--only=ID] [--node-only | --xs-only] [--update]]

  --full        longer samples, more rounds (npm run bench:full)
  --only=ID     only the cases whose id contains ID
  --node-only   only the Node half; --xs-only: only the XS half
  --update      write over the committed figures in bench/results/ (default: build/bench/)
`;

function options(argv: string[]) {
  const p = parseArgs(argv, ["only"], ["full", "node-only", "xs-only", "update"]);
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument "${p.positionals[0]}"`);
  const o = { full: p.flags.has("full"), only: p.values.get("only"), nodeOnly: p.flags.has("node-only"), xsOnly: p.flags.has("xs-only"), update: p.flags.has("update") };
  if (o.nodeOnly && o.xsOnly) throw new UsageError("--node-only and --xs-only exclude each other: give one, or neither for both halves");
  if (o.only !== undefined) {
    // the XS half also runs the allocation and memory cases
    const ids = [...[...allCases(), ...dstJobsCases()].map((c) => c.id), ...(o.nodeOnly ? [] : [...allocCases(), ...memCases()].map((c) => c.id))];
    if (o.only === "" || !ids.some((id) => id.includes(o.only as string))) throw new UsageError(`--only=${o.only} matches no case (ids: ${ids.join(", ")})`);
  }
  return o;
}

const argv = process.argv.slice(2);
if (wantsHelp(argv)) {
  process.stdout.write(USAGE);
  process.exit(0);
}
let opt: ReturnType<typeof options>;
try {
  opt = options(argv);
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`bench: ${e.message} (npm run bench -- --help shows the flags)\n`);
  process.exit(EXIT_USAGE);
}
const { full, only, nodeOnly, xsOnly } = opt;
const opts = full ? { sampleMs: 200, samples: 15 } : { sampleMs: 40, samples: 7 };
const clock = { now: () => performance.now() };
const repo = join(import.meta.dirname, "..");
const dir = opt.update ? join(repo, "bench", "results") : join(repo, "build", "bench");
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
    process.exit(EXIT_FAILED);
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
console.log(`wrote ${dir}: ${[...(xsOnly ? [] : [`node${suffix}.json`]), ...(nodeOnly ? [] : [`xs${suffix}.json`]), `ratios${suffix}.svg`].join(", ")} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
if (!opt.update) console.log("the committed figures in bench/results/ are unchanged (--update writes there)");
