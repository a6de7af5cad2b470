/**
 * `ioport sim <scenario>`: runs a scenario file (JSON, or a JS/TS module)
 * on the simulated board, with a progress line on stderr, the tasks' log
 * lines, and a summary of syscalls, completions and errors per task.
 * Writes a Perfetto trace (--trace) and a VCD waveform file (--vcd).
 * Exit code 1 when a task threw (or an io_wait_cb callback did), 2 for a bad
 * command line or scenario (tools/lib/command.ts). Output paths are checked
 * before the run starts.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { KernelTracer } from "../../core/trace.js";
import { runScenario, type ScenarioResult } from "../../host-sim/scenario/run.js";
import { MAX_DURATION_NS, ScenarioError, validateScenario, type Scenario, type TaskFn } from "../../host-sim/scenario/schema.js";
import type { Simulator } from "../../host-sim/simulator.js";
import { FanoutTracer } from "../../host-sim/trace/fanout.js";
import { PerfettoTrace } from "../../host-sim/trace/perfetto.js";
import { SummaryTracer, type TaskSummary } from "../../host-sim/trace/summary.js";
import { VcdRecorder } from "../../host-sim/trace/vcd.js";
import { intOption, parseArgs } from "../lib/args.js";
import { bare, UsageError } from "../lib/command.js";
import { checkOutput, writeOutput } from "../lib/output.js";
import { fmtNs, Progress } from "../lib/progress.js";

export const usage = `usage: ioport sim <scenario.json|.js|.ts> [--seed N] [--trace out.json] [--vcd out.vcd] [--quiet] [--json]

Runs a scenario on the simulated board and prints the tasks' log lines and a
summary per task. A scenario runs at most ${MAX_DURATION_NS / 1e9} s of virtual time.

  --seed N      PRNG seed (default: the scenario's "seed", else 1)
  --trace F     write a Perfetto trace (open it at https://ui.perfetto.dev)
  --vcd F       write a VCD waveform file of the GPIO pins and UART lines (GTKWave)
  --quiet       no progress line and no task log lines
  --json        print the summary as JSON on stdout

exit: 0 every task ran cleanly, 1 a task or an io_wait_cb callback threw or an
      output could not be written, 2 a bad option or scenario
`;

async function importModule(file: string): Promise<Record<string, unknown>> {
  const ext = extname(file);
  const url = pathToFileURL(file).href;
  if (ext === ".ts" || ext === ".mts" || ext === ".cts" || ext === ".tsx") {
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

/** Loads and validates a scenario file; throws ScenarioError naming the file and field. */
export async function loadScenario(file: string): Promise<{ scenario: Scenario; tasks: Map<string, TaskFn> }> {
  const path = resolve(file);
  let raw: unknown;
  let isModule = false;
  if (extname(path) === ".json") {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new ScenarioError(`${file}: cannot read: ${(e as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ScenarioError(`${file}: invalid JSON: ${(e as Error).message}`);
    }
  } else if ([".js", ".mjs", ".ts", ".mts"].includes(extname(path))) {
    isModule = true;
    const mod = await importModule(path);
    raw = typeof mod.default === "function" ? await (mod.default as () => unknown)() : mod.default;
    if (raw === undefined) throw new ScenarioError(`${file}: a scenario module must export default the scenario object (or a function returning it)`);
  } else {
    throw new ScenarioError(`${file}: a scenario is a .json file or a .js/.mjs/.ts/.mts module`);
  }
  let scenario: Scenario;
  try {
    scenario = validateScenario(raw, isModule);
    // an unnamed scenario is called after its file (not "scenario scenario")
    if ((raw as { name?: unknown }).name === undefined) scenario.name = basename(file, extname(file));
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(`${file}: ${e.message}`);
    throw e;
  }
  const tasks = new Map<string, TaskFn>();
  const dir = dirname(path);
  for (const [i, spec] of scenario.tasks.entries()) {
    if (spec.run) {
      tasks.set(spec.name, spec.run);
      continue;
    }
    const modPath = resolve(dir, spec.module as string);
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(modPath);
    } catch (e) {
      throw new ScenarioError(`${file}: tasks[${i}].module: cannot load ${spec.module}: ${(e as Error).message}`);
    }
    const name = spec.export ?? "default";
    const fn = mod[name];
    if (typeof fn !== "function") {
      throw new ScenarioError(`${file}: tasks[${i}].export: ${spec.module} has no function export "${name}" (its exports: ${Object.keys(mod).join(", ") || "none"})`);
    }
    tasks.set(spec.name, fn as TaskFn);
  }
  return { scenario, tasks };
}

function counts(r: Record<string, number>): string {
  const e = Object.entries(r);
  return e.length === 0 ? "-" : e.map(([k, v]) => `${k} ${v}`).join(", ");
}

function deviceStats(sim: Simulator) {
  return {
    uart: sim.uarts.map((u) => ({ path: u.path, rxBytes: u.rxBytes, txBytes: u.received().length, overruns: u.overruns, framingErrors: u.framingErrors })),
    gpioEdges: Object.fromEntries([...sim.gpioBank.edgeCounts].map((n, pin) => [pin, n]).filter(([, n]) => (n as number) > 0)),
    spi: sim.spis.map((s) => ({ path: s.path, transfers: s.transfers })),
  };
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, ["seed", "trace", "vcd"], ["quiet", "json"]);
  if (p.positionals.length !== 1) throw new UsageError(p.positionals.length === 0 ? "which scenario? give a scenario file" : `one scenario at a time (got ${p.positionals.join(", ")})`);
  const file = p.positionals[0] as string;
  const seed = p.values.has("seed") ? intOption(p, "seed", 1, 0, 0xffffffff) : undefined;
  const tracePath = p.values.get("trace");
  const vcdPath = p.values.get("vcd");
  const quiet = p.flags.has("quiet");
  const json = p.flags.has("json");
  let loaded: Awaited<ReturnType<typeof loadScenario>>;
  try {
    loaded = await loadScenario(file);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
  if (tracePath !== undefined) checkOutput("--trace", tracePath);
  if (vcdPath !== undefined) checkOutput("--vcd", vcdPath);
  const { scenario, tasks } = loaded;
  const summary = new SummaryTracer();
  let perfetto: PerfettoTrace | null = null;
  let vcd: VcdRecorder | null = null;
  const logs: string[] = [];
  const progress = new Progress(quiet || json);
  const t0 = performance.now();
  const line = (s: Simulator): string =>
    `sim ${scenario.name}: ${fmtNs(s.now)} / ${fmtNs(scenario.duration)} virtual, ${((performance.now() - t0) / 1000).toFixed(2)} s wall, ${s.platform.events.executed} events`;
  let result: ScenarioResult;
  try {
    result = await runScenario(scenario, {
      ...(seed !== undefined ? { seed } : {}),
      tasks,
      onSimulator: (s) => {
        const tracers: KernelTracer[] = [summary];
        if (vcdPath !== undefined) vcd = new VcdRecorder(s, { comment: `ioport sim ${scenario.name} seed ${seed ?? scenario.seed ?? 1}` });
        if (tracePath !== undefined) {
          const p = new PerfettoTrace(() => s.now);
          p.attachUarts(s.uarts);
          tracers.push((perfetto = p));
        }
        return tracers.length === 1 ? summary : new FanoutTracer(tracers);
      },
      onChunk: (s) => progress.update(() => line(s)),
      log: (l) => {
        logs.push(l);
        if (!quiet && !json) {
          progress.done();
          process.stdout.write(`${l}\n`);
        }
      },
    });
  } catch (e) {
    progress.done();
    // before the first event: the scenario asks for a board, bus or UART the simulator does not have
    throw new UsageError(`${file}: ${bare(e)}`);
  }
  progress.update(() => line(result.sim), true);
  progress.done();
  const wall = (performance.now() - t0) / 1000;
  const s = result.sim;
  if (tracePath !== undefined && perfetto !== null) writeOutput(tracePath, (perfetto as PerfettoTrace).toJSON());
  if (vcdPath !== undefined && vcd !== null) writeOutput(vcdPath, (vcd as VcdRecorder).toString());
  const perTask = new Map<string, TaskSummary>(summary.summaries().map((x) => [x.task, x]));
  const failed = result.tasks.some((t) => t.state === "threw") || result.callbackErrors.length > 0;
  const report = {
    scenario: scenario.name,
    board: scenario.board,
    seed: result.seed,
    virtualNs: s.now,
    wallSeconds: wall,
    events: s.platform.events.executed,
    interrupts: summary.interrupts,
    tasks: result.tasks.map((t) => ({ ...t, ...(perTask.get(t.name) ?? { syscalls: {}, syscallErrors: {}, completions: {}, completionErrors: {} }) })),
    callbackErrors: result.callbackErrors,
    devices: deviceStats(s),
    liveObjects: s.kernel.liveObjects,
    logs,
    ...(tracePath !== undefined ? { trace: tracePath } : {}),
    ...(vcdPath !== undefined ? { vcd: vcdPath } : {}),
  };
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  } else {
    const out: string[] = [];
    out.push(
      `scenario ${scenario.name} (board ${scenario.board}, seed ${result.seed}): ${fmtNs(s.now)} virtual in ${wall.toFixed(2)} s wall, ` +
        `${report.events} events, ${summary.interrupts} interrupts`,
    );
    for (const t of report.tasks) {
      out.push(`  task ${t.name}: ${t.state}`);
      out.push(`    syscalls:    ${counts(t.syscalls)}`);
      out.push(`    completions: ${counts(t.completions)}`);
      const errs = { ...t.syscallErrors, ...t.completionErrors };
      if (Object.keys(errs).length > 0) out.push(`    errors:      ${counts(errs)}`);
      if (t.error) out.push(`    exception:   ${t.error.split("\n").join("\n                 ")}`);
    }
    for (const e of result.callbackErrors) out.push(`  io_wait_cb callback threw: ${e}`);
    for (const u of report.devices.uart) {
      if (u.rxBytes + u.txBytes > 0) out.push(`  ${u.path}: rx ${u.rxBytes} bytes, tx ${u.txBytes} bytes, ${u.overruns} overruns, ${u.framingErrors} framing errors`);
    }
    const edges = Object.entries(report.devices.gpioEdges);
    if (edges.length > 0) out.push(`  gpio edges: ${edges.map(([p, n]) => `pin ${p}: ${n}`).join(", ")}`);
    for (const sp of report.devices.spi) if (sp.transfers > 0) out.push(`  ${sp.path}: ${sp.transfers} transfers`);
    if (tracePath !== undefined) out.push(`  Perfetto trace: ${tracePath} (open at https://ui.perfetto.dev)`);
    if (vcdPath !== undefined) out.push(`  VCD waveforms: ${vcdPath} (gtkwave ${vcdPath})`);
    if (failed) out.push(`FAILED: ${result.tasks.filter((t) => t.state === "threw").map((t) => `task ${t.name} threw`).concat(result.callbackErrors.length > 0 ? ["a callback threw"] : []).join(", ")}`);
    process.stdout.write(out.join("\n") + "\n");
  }
  return failed ? 1 : 0;
}
