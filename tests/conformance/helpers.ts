/**
 * Helpers for conformance cases: building submission arrays in a task's
 * memory, reading completions back as plain data, waiting under the
 * simulator. Engine-neutral (ES2022, no host globals).
 */
import {
  COMPLETION_SIZE,
  OP_NOP,
  OP_TIMEOUT,
  SUBMISSION_SIZE,
  decodeCompletion,
  encodeSubmission,
  type IoCompletion,
  type Task,
} from "../../core/index.js";
import type { Simulator } from "../../host-sim/index.js";

export interface Sqe {
  userData?: bigint | number;
  opcode?: number;
  flags?: number;
  fd?: number;
  bufAddr?: number;
  bufLen?: number;
  offset?: number;
  timeoutNs?: bigint | number;
}

export function nop(userData: bigint | number): Sqe {
  return { userData, opcode: OP_NOP };
}

export function timeout(userData: bigint | number, timeoutNs: bigint | number): Sqe {
  return { userData, opcode: OP_TIMEOUT, timeoutNs };
}

/** Writes `entries` into freshly allocated memory of `task`; returns the address. */
export function writeSqes(task: Task, entries: readonly Sqe[]): number {
  const addr = task.alloc(SUBMISSION_SIZE * Math.max(entries.length, 1));
  entries.forEach((e, i) => encodeSubmission(task.view, addr + i * SUBMISSION_SIZE, e));
  return addr;
}

/** Writes `entries` and submits them to `port`; returns what io_submit returned. */
export function submit(task: Task, port: number, entries: readonly Sqe[]): number {
  return task.sys.io_submit(port, writeSqes(task, entries), entries.length);
}

/** Allocates room for `max` completions. */
export function cqBuf(task: Task, max: number): number {
  return task.alloc(COMPLETION_SIZE * max);
}

/** Decodes `n` completions at `addr`. */
export function readCqes(task: Task, addr: number, n: number): IoCompletion[] {
  const out: IoCompletion[] = [];
  for (let i = 0; i < n; i++) out.push(decodeCompletion(task.view, addr + i * COMPLETION_SIZE));
  return out;
}

/** Short form of a completion for outcomes: [user_data, opcode, result] (flags must be 0). */
export function brief(c: IoCompletion): [bigint, number, number] {
  if (c.flags !== 0) throw new Error(`completion flags ${c.flags}, expected 0`);
  return [c.userData, c.opcode, c.result];
}

export interface Reaped {
  n: number;
  cqes: IoCompletion[];
}

/** A poll: io_wait with min 0 (never blocks). */
export async function poll(task: Task, port: number, max = 64): Promise<Reaped> {
  const out = cqBuf(task, max);
  const n = await task.sys.io_wait(port, out, max, 0, 0);
  return { n, cqes: n > 0 ? readCqes(task, out, n) : [] };
}

/** io_wait under `sim.run` (time jumps to the next event while blocked). */
export async function waitRun(
  sim: Simulator,
  task: Task,
  port: number,
  max: number,
  min: number,
  timeoutNs: number | bigint = 0,
): Promise<Reaped> {
  const out = cqBuf(task, max);
  const n = await sim.run(() => task.sys.io_wait(port, out, max, min, timeoutNs));
  return { n, cqes: n > 0 ? readCqes(task, out, n) : [] };
}

/** user_data of each completion, as bigints. */
export function uds(cqes: readonly IoCompletion[]): bigint[] {
  return cqes.map((c) => c.userData);
}

/** Results of each completion. */
export function results(cqes: readonly IoCompletion[]): number[] {
  return cqes.map((c) => c.result);
}

/** Opens `n` ports; returns their fds. */
export function ports(task: Task, n: number): number[] {
  const fds: number[] = [];
  for (let i = 0; i < n; i++) fds.push(task.sys.io_create(0));
  return fds;
}

/** Lets every promise continuation that is runnable now run (a few microtask turns; no timers). */
export async function microtasks(turns = 8): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
