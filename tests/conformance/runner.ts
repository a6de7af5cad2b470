/**
 * Runs conformance cases and builds the run's digest. Engine-neutral: the
 * same code runs under vitest in Node, from the bundle in Node, and inside
 * XS. A digest line is `<suite>/<name>` TAB `pass <outcome>`, or TAB `fail`
 * (error messages are engine-specific and stay out of the digest; they are
 * reported next to it). Case names hold no tab or line break (corpus.ts).
 */
import { Simulator, type SimulatorOptions } from "../../host-sim/index.js";
import { fnv1a, stableStringify } from "./stable.js";
import type { CaseContext, SuiteCase } from "./types.js";

export interface CaseResult {
  id: string;
  section: string;
  status: "pass" | "fail";
  /** The outcome, stably serialised (shortened with a hash when long); "" on failure. */
  outcome: string;
  /** On failure: the error, as text. */
  error?: string;
}

export interface Digest {
  count: number;
  passed: number;
  failed: number;
  /** FNV-1a of the lines joined by newlines. */
  hash: string;
  lines: string[];
}

export function makeContext(options: SimulatorOptions = {}): CaseContext {
  const sim = new Simulator({ board: "sim-devkit", seed: 1, ...options });
  const task = sim.spawn({ memoryBytes: 64 * 1024 });
  return {
    sim,
    task,
    sys: task.sys,
    simulator: (o: SimulatorOptions = {}) => new Simulator({ board: "sim-devkit", seed: 1, ...o }),
  };
}

const OUTCOME_MAX = 160;

/** The outcome as digest text: the stable serialisation, or a prefix and a hash of it when long. */
export function outcomeText(value: unknown): string {
  const s = stableStringify(value);
  return s.length <= OUTCOME_MAX ? s : `${s.slice(0, 96)}...#${fnv1a(s)}/${s.length}`;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const stack = typeof err.stack === "string" ? err.stack : "";
    const head = `${err.name}: ${err.message}`;
    return stack.includes(err.message) ? stack : stack ? `${head}\n${stack}` : head;
  }
  return String(err);
}

/** Runs one case with a fresh context; never throws. */
export async function runCase(c: SuiteCase): Promise<CaseResult & { thrown?: unknown }> {
  try {
    const value = await c.run(makeContext());
    return { id: c.id, section: c.section, status: "pass", outcome: outcomeText(value) };
  } catch (err) {
    return { id: c.id, section: c.section, status: "fail", outcome: "", error: errorText(err), thrown: err };
  }
}

export interface RunHooks {
  onStart?(c: SuiteCase): void;
  onResult?(r: CaseResult): void;
}

/** Runs `cases` one after another; returns every result, in order. */
export async function runCases(cases: readonly SuiteCase[], hooks: RunHooks = {}): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    if (hooks.onStart) hooks.onStart(c);
    const { thrown: _thrown, ...r } = await runCase(c);
    out.push(r);
    if (hooks.onResult) hooks.onResult(r);
  }
  return out;
}

export function digestLine(r: CaseResult): string {
  return r.status === "pass" ? `${r.id}\tpass ${r.outcome}` : `${r.id}\tfail`;
}

export function makeDigest(results: readonly CaseResult[]): Digest {
  const lines = results.map(digestLine);
  const passed = results.filter((r) => r.status === "pass").length;
  return { count: results.length, passed, failed: results.length - passed, hash: fnv1a(lines.join("\n")), lines };
}

function idOf(line: string): string {
  const i = line.indexOf("\t");
  return i < 0 ? line : line.slice(0, i);
}

/**
 * Differences between two digests (empty when they agree): cases present in
 * one only, and cases whose status or outcome differ. `a` and `b` name the
 * two sides in the messages.
 */
export function compareDigests(x: Digest, y: Digest, a = "a", b = "b"): string[] {
  const diffs: string[] = [];
  const mx = new Map<string, string>();
  const my = new Map<string, string>();
  for (const l of x.lines) {
    if (mx.has(idOf(l))) diffs.push(`${idOf(l)}: reported twice by ${a}`);
    mx.set(idOf(l), l);
  }
  for (const l of y.lines) {
    if (my.has(idOf(l))) diffs.push(`${idOf(l)}: reported twice by ${b}`);
    my.set(idOf(l), l);
  }
  for (const [id, l] of mx) {
    const other = my.get(id);
    if (other === undefined) diffs.push(`${id}: only in ${a}`);
    else if (other !== l) diffs.push(`${id}: differs\n    ${a}: ${l}\n    ${b}: ${other}`);
  }
  for (const id of my.keys()) if (!mx.has(id)) diffs.push(`${id}: only in ${b}`);
  if (x.count !== x.lines.length) diffs.push(`${a}: count ${x.count} but ${x.lines.length} lines`);
  if (y.count !== y.lines.length) diffs.push(`${b}: count ${y.count} but ${y.lines.length} lines`);
  if (x.hash !== fnv1a(x.lines.join("\n"))) diffs.push(`${a}: hash ${x.hash} does not match its lines`);
  if (y.hash !== fnv1a(y.lines.join("\n"))) diffs.push(`${b}: hash ${y.hash} does not match its lines`);
  if (diffs.length === 0 && x.hash !== y.hash) diffs.push(`same lines in a different order: ${a} ${x.hash}, ${b} ${y.hash}`);
  return diffs;
}
