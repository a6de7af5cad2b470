/**
 * The shape of a conformance case. A case is plain data plus an async
 * function: no test-runner import, nothing but ES2022, so it runs in Node and
 * in XS alike. `run` gets a fresh context and returns an outcome: plain data
 * (numbers, bigints, strings, arrays, objects) that summarises what it
 * observed. The outcome goes into the run's digest, which must be identical in
 * every engine.
 */
import type { Syscalls, Task } from "../../core/index.js";
import type { Simulator, SimulatorOptions } from "../../host-sim/index.js";

export interface CaseContext {
  /** A fresh simulator: board sim-devkit, seed 1. */
  sim: Simulator;
  /** A task spawned on `sim` with 64 KiB of memory. */
  task: Task;
  /** `task.sys`. */
  sys: Syscalls;
  /** Another fresh simulator, for cases that need options (cqEntries, seed, board). */
  simulator(options?: SimulatorOptions): Simulator;
}

export interface ConformanceCase {
  /** Unique within its file; the digest names a case `<suite>/<name>`. */
  name: string;
  /** The spec section(s) it checks, e.g. "§3 io_submit", "§9". */
  section: string;
  run(ctx: CaseContext): Promise<unknown> | unknown;
}

/** A case with the name of the file (suite) that holds it. */
export interface SuiteCase extends ConformanceCase {
  suite: string;
  /** `<suite>/<name>`. */
  id: string;
}
