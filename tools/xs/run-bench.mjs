#!/usr/bin/env node
// The benchmarks in the real XS engine (npm run bench runs this after the
// Node run; it can run alone).
//
// 1. Bundles bench/ with core/ and host-sim/ into one ES2022 module
//    (rollup.bench.config.mjs) and scans it for ES2023+ built-ins.
// 2. Starts xsnap-worker — the metering build (tools/xs/meter-worker.mjs)
//    when it can be built, which also reports chunk bytes; else the stock one.
// 3. Drives it crank by crank (one "evaluate" = one crank; the worker reports
//    its meter after each):
//    - timings: every case of bench/cases, reported through issueCommand;
//    - allocations: per case, a crank sets the loop up and brings it to
//      steady state; then cranks "gc(); run N" and "gc(); run 2N",
//      alternated. gc() sets the engine's slot and chunk counters back to
//      what is live; each counter then grows by exactly what the crank
//      allocates, so (meter after 2N) − (meter after N) is what N operations
//      allocate: the crank's own fixed costs (parsing the script, the call)
//      are the same in both and cancel. Each pair is repeated; a pair whose
//      difference is negative (a collection ran mid-crank) is an error.
//    - memory: per case, "make(0); gc()" then "make(count); gc()" —
//      the live slots and chunks after each; the difference is the cost of
//      `count` objects.
// 4. Fails loudly: XS exits 0 and says nothing when a module fails to load
//    or a promise never settles, so every step must report, and anything
//    missing, any exception, any stderr output, a bad exit is a failure
//    (exit 1).
//
// usage: node tools/xs/run-bench.mjs [--full] [--only ID] [--out FILE]
//        [--no-meter-build] [--alloc-only]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { scanSource, ES2023_PLUS_RULES } from "../check-core.mjs";
import { buildMeterWorker } from "./meter-worker.mjs";
import { buildXsBundle } from "./bundle.mjs";
import { startWorker, xsnapWorkerPath } from "./xsnap-worker.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** sizeof(txSlot): 16 bytes on a 32-bit microcontroller (ESP32, RP2040), 32 on a 64-bit host. */
export const SLOT_BYTES_MCU = 16;
export const SLOT_BYTES_HOST = 32;

function parseArgs(argv) {
  const o = { full: false, only: null, out: null, meterBuild: true, allocOnly: false, timeoutMs: 300_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--full") o.full = true;
    else if (a === "--only") o.only = argv[++i];
    else if (a === "--out") o.out = argv[++i];
    else if (a === "--no-meter-build") o.meterBuild = false;
    else if (a === "--alloc-only") o.allocOnly = true;
    else if (a === "--timeout-ms") o.timeoutMs = Number(argv[++i]);
    else throw new Error(`run-bench: unknown argument "${a}"`);
  }
  return o;
}

export function buildBenchBundle() {
  return buildXsBundle("rollup.bench.config.mjs");
}

const SEND = `const send = (msg) => {
    const s = JSON.stringify(msg).replace(/[\\u0080-\\uffff]/g, (c) => "\\\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    issueCommand(b.buffer);
  };`;

/**
 * A session with one XS worker. `step(js)` evaluates `js` as one crank, with
 * `send` in scope; resolves with the messages it sent and the crank's meter.
 * A step must send {t:"ok"} when it is done: a step that never does (a
 * rejected promise nobody saw, a module that silently failed) is an error.
 */
export function xsSession({ bin, timeoutMs = 300_000 } = {}) {
  let inbox = [];
  let stderr = "";
  let stdout = "";
  const worker = startWorker({
    name: "ioport-bench",
    bin,
    onQuery(bytes) {
      try {
        inbox.push(JSON.parse(bytes.toString("latin1")));
      } catch {
        inbox.push({ t: "error", message: `unreadable report from XS: ${bytes.toString("latin1").slice(0, 200)}` });
      }
    },
    onStdout(s) {
      stdout += s;
    },
    onStderr(s) {
      stderr += s;
    },
  });
  async function step(what, js) {
    inbox = [];
    const script = `(() => { ${SEND}
  const fail = (e) => send({ t: "error", message: String(e), stack: e && typeof e.stack === "string" ? e.stack : "" });
  try { ${js} } catch (e) { fail(e); }
})();`;
    let timer;
    const timedOut = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`XS step "${what}" did not finish within ${timeoutMs} ms`)), timeoutMs);
    });
    let r;
    try {
      r = await Promise.race([worker.evaluate(script), timedOut]);
    } finally {
      clearTimeout(timer);
    }
    const msgs = inbox;
    const errors = msgs.filter((m) => m.t === "error");
    if (errors.length > 0) throw new Error(`XS step "${what}": ${errors.map((e) => `${e.message}${e.stack ? `\n${e.stack}` : ""}`).join("\n")}`);
    if (!msgs.some((m) => m.t === "ok")) throw new Error(`XS step "${what}" never reported that it finished (a silent failure in XS)`);
    if (stderr.trim() !== "") throw new Error(`the XS engine wrote to stderr during "${what}":\n${stderr.trim()}`);
    const meter = r.meter ? JSON.parse(r.meter) : null;
    if (meter === null) throw new Error(`XS step "${what}": the worker reported no meter`);
    return { msgs, meter };
  }
  async function close() {
    const exit = await worker.quit();
    if (exit.error) throw new Error(`could not run the XS engine: ${exit.error.message}`);
    if (exit.code !== 0) throw new Error(`the XS engine exited with code ${exit.code}${exit.signal ? ` (signal ${exit.signal})` : ""}`);
    if (stderr.trim() !== "") throw new Error(`the XS engine wrote to stderr:\n${stderr.trim()}`);
    return { stdout };
  }
  return { step, close, kill: () => worker.kill() };
}

/** Loads the bundle as globalThis.__bench; returns the allocation and memory case lists. */
export async function loadBundle(session, bundlePath) {
  const { msgs } = await session.step(
    "load",
    `import(${JSON.stringify(bundlePath)}).then((m) => {
      globalThis.__bench = m;
      send({ t: "cases", alloc: m.allocCases().map(({ id, title, unit, control, stimulus, stimulusId, opsPerCrank }) => ({ id, title, unit, control: !!control, stimulus: !!stimulus, stimulusId: stimulusId ?? null, opsPerCrank: opsPerCrank ?? null })),
        mem: m.memCases().map(({ id, title, unit, count }) => ({ id, title, unit, count })) });
      send({ t: "ok" });
    }).catch(fail);`,
  );
  const c = msgs.find((m) => m.t === "cases");
  if (!c) throw new Error("the bench bundle did not list its cases");
  return c;
}

function counters(meter) {
  return { slots: meter.currentHeapCount, chunks: meter.currentChunksSize ?? null, compute: meter.compute };
}

/** Allocation per operation of one case: the difference of the counters after 2N and after N operations. */
export async function measureAlloc(session, c, { n: defaultN = 1000, pairs = 3 } = {}) {
  const n = c.opsPerCrank ?? defaultN;
  await session.step(`alloc ${c.id}: setup`, `__bench.allocBegin(${JSON.stringify(c.id)}); send({ t: "ok" });`);
  const runs = [];
  // the same script text but for the count, so the crank's own costs match; 2n has as many digits as n
  if (String(n).length !== String(2 * n).length) throw new Error(`measureAlloc: pick n with as many digits as 2n (got ${n})`);
  const run = (k) => session.step(`alloc ${c.id}: run ${k}`, `gc(); __bench.allocRun(${k}); send({ t: "ok" });`);
  await run(n); // one untimed pair member first: the first crank after setup may still see one-off costs
  for (let i = 0; i < pairs; i++) {
    const a = counters((await run(n)).meter);
    const b = counters((await run(2 * n)).meter);
    runs.push({ slots: b.slots - a.slots, chunks: a.chunks === null ? null : b.chunks - a.chunks, compute: b.compute - a.compute });
  }
  await session.step(`alloc ${c.id}: clear`, `__bench.clear(); send({ t: "ok" });`);
  for (const r of runs) {
    if (r.slots < 0 || (r.chunks !== null && r.chunks < 0)) {
      throw new Error(`alloc ${c.id}: a counter went down between N and 2N operations (${JSON.stringify(r)}): a collection ran mid-crank`);
    }
  }
  const min = (k) => Math.min(...runs.map((r) => r[k]));
  const max = (k) => Math.max(...runs.map((r) => r[k]));
  const chunks = runs[0].chunks === null ? null : min("chunks");
  return {
    ...c,
    n,
    pairs: runs,
    slotsPerOp: min("slots") / n,
    slotsPerOpMax: max("slots") / n,
    chunkBytesPerOp: chunks === null ? null : chunks / n,
    chunkBytesPerOpMax: chunks === null ? null : max("chunks") / n,
    bytesPerOpMcu: min("slots") / n * SLOT_BYTES_MCU + (chunks ?? 0) / n,
    computePerOp: min("compute") / n,
  };
}

/** Live memory of `count` objects: counters after make(count)+gc minus after make(0)+gc. */
export async function measureMem(session, c, { pairs = 2 } = {}) {
  await session.step(`mem ${c.id}: setup`, `__bench.memBegin(${JSON.stringify(c.id)}); send({ t: "ok" });`);
  const make = (k) => session.step(`mem ${c.id}: make ${k}`, `gc(); __bench.memMake(${k}); gc(); send({ t: "ok" });`);
  const runs = [];
  for (let i = 0; i < pairs; i++) {
    const a = counters((await make(0)).meter);
    const b = counters((await make(c.count)).meter);
    runs.push({ slots: b.slots - a.slots, chunks: a.chunks === null ? null : b.chunks - a.chunks });
  }
  await session.step(`mem ${c.id}: clear`, `__bench.clear(); send({ t: "ok" });`);
  const r = runs[runs.length - 1];
  const per = (v) => (v === null ? null : v / c.count);
  return {
    ...c,
    pairs: runs,
    slotsPer: per(r.slots),
    chunkBytesPer: per(r.chunks),
    bytesPerMcu: r.slots / c.count * SLOT_BYTES_MCU + (r.chunks ?? 0) / c.count,
    bytesPerHost: r.slots / c.count * SLOT_BYTES_HOST + (r.chunks ?? 0) / c.count,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const bundle = await buildBenchBundle();
  const problems = scanSource(readFileSync(bundle, "utf8"), "bench bundle", { es2023: ES2023_PLUS_RULES });
  if (problems.length > 0) throw new Error(problems.join("\n"));
  let bin = xsnapWorkerPath();
  let meterNote = "stock xsnap-worker: slots counted, chunk bytes not (the stock meter line has no chunk counter)";
  if (opts.meterBuild) {
    const m = buildMeterWorker();
    if (m.path) {
      bin = m.path;
      meterNote = "metering build of xsnap-worker (tools/xs/meter-worker.mjs): slots and chunk bytes counted";
    } else {
      process.stderr.write(`xs: ${m.error}\n`);
    }
  }
  const session = xsSession({ bin, timeoutMs: opts.timeoutMs });
  const out = { engine: "xs", version: "XS 13.3 (@agoric/xsnap xsnap-worker)", meter: meterNote, mode: opts.full ? "full" : "quick", date: new Date().toISOString(), results: [], alloc: [], memory: [] };
  try {
    const cases = await loadBundle(session, bundle);
    if (!opts.allocOnly) {
      const m = opts.full ? { sampleMs: 200, samples: 15 } : { sampleMs: 40, samples: 7 };
      const only = opts.only ? `, only: ${JSON.stringify(opts.only)}` : "";
      const { msgs } = await session.step(
        "timings",
        `__bench.runTimings({ sampleMs: ${m.sampleMs}, samples: ${m.samples}${only} }, { now: () => performance.now() },
          (r) => send({ t: "result", r }), (id) => send({ t: "start", id }))
          .then((n) => { send({ t: "count", n }); send({ t: "ok" }); }).catch(fail);`,
      );
      out.results = msgs.filter((x) => x.t === "result").map((x) => x.r);
      const count = msgs.find((x) => x.t === "count");
      if (!count || count.n !== out.results.length) throw new Error(`XS ran ${count?.n} timing cases but reported ${out.results.length}`);
      if (out.results.length === 0) throw new Error("XS reported no timing result");
    }
    for (const c of cases.alloc) {
      if (opts.only && !c.id.includes(opts.only)) continue;
      process.stderr.write(`xs: allocations: ${c.title.trim()} ...\n`);
      out.alloc.push(await measureAlloc(session, c, { n: opts.full ? 2000 : 1000, pairs: opts.full ? 5 : 3 }));
    }
    for (const c of cases.mem) {
      if (opts.only && !c.id.includes(opts.only)) continue;
      out.memory.push(await measureMem(session, c));
    }
    await session.close();
  } catch (err) {
    session.kill();
    throw err;
  }
  const control = out.alloc.find((a) => a.control);
  if (control && !(control.slotsPerOp >= 1)) throw new Error(`the meter did not see the control's allocation (${control.slotsPerOp} slots per op)`);
  out.seconds = (performance.now() - t0) / 1000;
  const file = opts.out ?? join(root, "build", "bench", `xs${opts.full ? "-full" : ""}.json`); // bench/run.ts --update writes over the committed figures
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  process.stdout.write(`${file}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(`run-bench (XS): ${err.stack ?? err}`);
    process.exit(1);
  });
}
