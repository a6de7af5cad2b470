#!/usr/bin/env node
// The conformance corpus in the real XS engine.
//
// 1. Bundles core/ + host-sim/ + tests/conformance/ into one ES2022 module
//    (rollup.config.mjs; type-checked with lib ES2022 and no host types).
// 2. Scans the bundle for ES2023+ built-ins XS 13.3 lacks (the guard's rules).
// 3. Runs it in XS (xsnap-worker from @agoric/xsnap): a driver script imports
//    the bundle and reports every step through issueCommand. XS exits 0 and
//    says nothing when a module fails to parse, throws, imports a missing file
//    or simply never finishes, so every case must report, and the run must
//    report "done": anything missing is a failure.
// 4. Runs the same bundle in Node and compares the two digests (one line per
//    case: pass/fail and its outcome): any disagreement is a failure.
//
// Prints "N passed, N failed" (the XS run) on its own line and exits non-zero
// on any failure, missing result, load error or disagreement.
//
// usage: node tools/xs/run-conformance.mjs [--bundle FILE] [--no-node]
//        [--digest-out FILE] [--timeout-ms N] [--verbose]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { scanSource, ES2023_PLUS_RULES } from "../check-core.mjs";
import { buildXsBundle } from "./bundle.mjs";
import { startWorker } from "./xsnap-worker.mjs";


function parseArgs(argv) {
  const o = { bundle: null, node: true, digestOut: null, timeoutMs: 300_000, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--bundle") o.bundle = argv[++i];
    else if (a === "--no-node") o.node = false;
    else if (a === "--digest-out") o.digestOut = argv[++i];
    else if (a === "--timeout-ms") o.timeoutMs = Number(argv[++i]);
    else if (a === "--verbose") o.verbose = true;
    else throw new Error(`run-conformance: unknown argument "${a}"`);
  }
  return o;
}

function buildBundle() {
  return buildXsBundle("rollup.config.mjs");
}

/**
 * The script evaluated in XS. It reports through issueCommand, as JSON
 * escaped to ASCII so that the bytes are the string's char codes.
 */
function driverScript(bundlePath) {
  return `(() => {
  const send = (msg) => {
    const s = JSON.stringify(msg).replace(/[\\u0080-\\uffff]/g, (c) => "\\\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    issueCommand(b.buffer);
  };
  const fail = (where, e) => send({ t: "error", where, message: String(e), stack: e && typeof e.stack === "string" ? e.stack : "" });
  send({ t: "hello" });
  import(${JSON.stringify(bundlePath)}).then(async (m) => {
    if (typeof m.runConformance !== "function") throw new Error("the bundle exports no runConformance()");
    send({ t: "loaded", count: m.caseCount });
    const { digest } = await m.runConformance({
      onStart(c) { send({ t: "start", id: c.id }); },
      onResult(r) { send({ t: "result", r }); },
    });
    send({ t: "done", digest });
  }, (e) => fail("load", e)).catch((e) => fail("run", e));
})();
`;
}

/** Runs the bundle in XS; resolves with what the engine reported. */
export async function runInXs(bundlePath, { timeoutMs = 300_000, verbose = false } = {}) {
  const report = { hello: false, count: null, started: [], results: [], digest: null, errors: [], stdout: "", stderr: "", exit: null };
  const worker = startWorker({
    onQuery(bytes) {
      let msg;
      try {
        msg = JSON.parse(bytes.toString("latin1"));
      } catch {
        report.errors.push(`unreadable report from XS: ${bytes.toString("latin1").slice(0, 200)}`);
        return;
      }
      if (msg.t === "hello") report.hello = true;
      else if (msg.t === "loaded") report.count = msg.count;
      else if (msg.t === "start") report.started.push(msg.id);
      else if (msg.t === "result") {
        report.results.push(msg.r);
        if (verbose) process.stderr.write(`xs: ${msg.r.status} ${msg.r.id}\n`);
      } else if (msg.t === "done") report.digest = msg.digest;
      else if (msg.t === "error") report.errors.push(`${msg.where} error in XS: ${msg.message}${msg.stack ? `\n${msg.stack}` : ""}`);
      else report.errors.push(`unknown report from XS: ${JSON.stringify(msg).slice(0, 200)}`);
    },
    onStdout(s) {
      report.stdout += s;
    },
    onStderr(s) {
      report.stderr += s;
    },
  });
  let timer;
  const timedOut = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the XS run did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([worker.evaluate(driverScript(bundlePath)), timedOut]);
    report.exit = await Promise.race([worker.quit(), timedOut]);
  } catch (err) {
    report.errors.push(err.message);
    worker.kill();
    report.exit = await worker.exited;
  } finally {
    clearTimeout(timer);
  }
  return report;
}

/** Every way the XS run can have gone wrong, as messages (empty: it went right). */
export function xsProblems(report) {
  const p = [...report.errors];
  if (!report.hello) p.push("the XS driver script never ran (no hello from XS)");
  if (report.count === null && report.errors.length === 0) p.push("the bundle never reported that it loaded");
  if (report.digest === null) {
    const last = report.started[report.started.length - 1];
    const stuck = last !== undefined && !report.results.some((r) => r.id === last);
    p.push(`no result reported: the XS run never said "done"${stuck ? ` (case "${last}" started and never finished)` : ""}`);
  } else {
    if (report.digest.count !== report.results.length) p.push(`XS digest counts ${report.digest.count} cases but ${report.results.length} results were reported`);
    if (report.count !== null && report.count !== report.results.length) p.push(`the bundle has ${report.count} cases but XS reported ${report.results.length} results`);
  }
  const { code, signal, error } = report.exit ?? {};
  if (error) p.push(`could not run the XS engine: ${error.message}`);
  else if (code !== 0) p.push(`the XS engine exited with code ${code}${signal ? ` (signal ${signal})` : ""}`);
  if (report.stderr.trim() !== "") p.push(`the XS engine wrote to stderr:\n${report.stderr.trim()}`);
  return p;
}

async function runInNode(bundlePath) {
  const m = await import(pathToFileURL(bundlePath).href);
  const { results, digest } = await m.runConformance();
  return { results, digest, compareDigests: m.compareDigests };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const bundle = opts.bundle ? (isAbsolute(opts.bundle) ? opts.bundle : resolve(opts.bundle)) : await buildBundle();
  const t1 = performance.now();

  // run problems: anything wrong that is not one case failing in XS
  const runProblems = scanSource(readFileSync(bundle, "utf8"), "bundle", { es2023: ES2023_PLUS_RULES });

  const xs = await runInXs(bundle, opts);
  const t2 = performance.now();
  runProblems.push(...xsProblems(xs));
  if (xs.stdout.trim() !== "") process.stdout.write(`XS printed:\n${xs.stdout}`);
  const failed = xs.results.filter((r) => r.status !== "pass");
  const caseProblems = failed.map((r) => `XS: case ${r.id} (${r.section}) failed: ${r.error}`);

  let node = null;
  if (opts.node) {
    try {
      node = await runInNode(bundle);
    } catch (err) {
      runProblems.push(`the bundle failed in Node: ${err.stack ?? err}`);
    }
  }
  const t3 = performance.now();
  let disagreements = [];
  if (node && xs.digest) {
    disagreements = node.compareDigests(node.digest, xs.digest, "node", "xs");
    runProblems.push(...disagreements.map((d) => `digest disagreement: ${d}`));
  }

  if (opts.digestOut) {
    mkdirSync(dirname(resolve(opts.digestOut)), { recursive: true });
    writeFileSync(opts.digestOut, JSON.stringify({ xs: xs.digest, node: node?.digest ?? null }, null, 1));
  }

  const problems = [...caseProblems, ...runProblems];
  if (problems.length > 0) console.error(`\n${problems.map((p) => `FAIL ${p}`).join("\n")}\n`);
  const ms = (a, b) => `${((b - a) / 1000).toFixed(2)} s`;
  console.log(
    `XS conformance: bundle ${opts.bundle ? "given" : "built"} in ${ms(t0, t1)}, XS run ${ms(t1, t2)}` +
      (opts.node ? `, Node run ${ms(t2, t3)}` : "") +
      (xs.digest ? `; digest xs ${xs.digest.hash}` : "") +
      (node ? `, node ${node.digest.hash} (${node.digest.passed}/${node.digest.count} passed in Node)` : ""),
  );
  // failed = cases that failed in XS + cases that never reported + every other problem (a load
  // error, a digest disagreement, a bad exit...), so a failing run never prints "0 failed"
  const missing = xs.count !== null ? Math.max(0, xs.count - xs.results.length) : 0;
  const passed = xs.results.length - failed.length;
  console.log(`${passed} passed, ${failed.length + missing + runProblems.length} failed`);
  process.exit(problems.length > 0 ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(`run-conformance: ${err.stack ?? err}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  });
}
