// Shared test helpers: a fresh simulator + task + port, and SQE/CQE shortcuts.
import { decodeCompletion, encodeSubmission, type IoCompletion, type Task } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";

export interface Sqe {
  userData?: bigint | number;
  opcode?: number;
  flags?: number;
  fd?: number;
  bufAddr?: number;
  bufLen?: number;
  timeoutNs?: bigint | number;
}

export function setup(opts: { cqEntries?: number; memoryBytes?: number; seed?: number } = {}) {
  const kernel = opts.cqEntries === undefined ? {} : { cqEntries: opts.cqEntries };
  const sim = new Simulator({ seed: opts.seed ?? 1, kernel });
  const task = sim.spawn({ memoryBytes: opts.memoryBytes ?? 64 * 1024 });
  const port = task.sys.io_create(0);
  return { sim, task, sys: task.sys, port, kernel: sim.kernel };
}

/** Writes `sqes` into fresh memory of `task`; returns the address. */
export function writeSqes(task: Task, sqes: Sqe[]): number {
  const addr = task.alloc(48 * Math.max(1, sqes.length));
  sqes.forEach((s, i) => encodeSubmission(task.view, addr + 48 * i, s));
  return addr;
}

export function submit(task: Task, port: number, sqes: Sqe[]): number {
  return task.sys.io_submit(port, writeSqes(task, sqes), sqes.length);
}

export function readCqes(task: Task, addr: number, n: number): IoCompletion[] {
  const out: IoCompletion[] = [];
  for (let i = 0; i < n; i++) out.push(decodeCompletion(task.view, addr + 24 * i));
  return out;
}

/** Polls every queued completion (min = 0) and decodes them. */
export async function drain(task: Task, port: number, max = 64): Promise<IoCompletion[]> {
  const out = task.alloc(24 * max);
  const n = await task.sys.io_wait(port, out, max, 0, 0);
  if (n < 0) throw new Error(`io_wait failed: ${n}`);
  return readCqes(task, out, n);
}

/** Waits (in simulated time) for at least `min` completions. */
export async function waitFor(sim: Simulator, task: Task, port: number, min: number, max = 64): Promise<IoCompletion[]> {
  const out = task.alloc(24 * max);
  const n = await sim.run(() => task.sys.io_wait(port, out, max, min, 0));
  if (n < 0) throw new Error(`io_wait failed: ${n}`);
  return readCqes(task, out, n);
}
