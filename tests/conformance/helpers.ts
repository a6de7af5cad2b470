/**
 * Helpers for conformance cases: building submission arrays in a task's
 * memory, reading completions back as plain data, waiting under the
 * simulator. Engine-neutral (ES2022, no host globals).
 */
import {
  COMPLETION_SIZE,
  IPC_MESSAGE_SIZE,
  MAX_FDS,
  decodeIpcMessage,
  encodeIpcMessage,
  registryHeld,
  OP_NOP,
  OP_READ,
  OP_TIMEOUT,
  OP_WRITE,
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

/** An OP_READ entry. */
export function rd(userData: bigint | number, fd: number, bufAddr: number, bufLen: number, flags = 0): Sqe {
  return { userData, opcode: OP_READ, fd, bufAddr, bufLen, flags };
}

/** An OP_WRITE entry. */
export function wr(userData: bigint | number, fd: number, bufAddr: number, bufLen: number): Sqe {
  return { userData, opcode: OP_WRITE, fd, bufAddr, bufLen };
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

// ---- devices, IPC and objects ----

/** The numbers of the fds open in `task`, ascending. */
export function openFds(task: Task): number[] {
  const out: number[] = [];
  task.fds.forEach((o, i) => {
    if (o !== null) out.push(i);
  });
  return out;
}

/** Opens fds (notify objects) until `task` has exactly `free` free fds; returns the fds opened. */
export function fillFds(task: Task, free = 0): number[] {
  const opened: number[] = [];
  while (MAX_FDS - openFds(task).length > free) opened.push(task.sys.notify_create(0));
  return opened;
}

/** ipc_create in `task`; returns [send, recv] (throws on failure). */
export function channel(task: Task, capacity: number): [number, number] {
  const out = task.alloc(8);
  const r = task.sys.ipc_create(out, capacity, 0);
  if (r !== 0) throw new Error(`ipc_create failed: ${r}`);
  return [task.view.getInt32(out, true), task.view.getInt32(out + 4, true)];
}

/** Writes an IpcMessage in fresh memory of `task`; returns its address. */
export function msg(task: Task, m: { tag?: bigint | number; data?: readonly (bigint | number)[]; fds?: readonly number[] } = {}): number {
  const addr = task.alloc(IPC_MESSAGE_SIZE);
  encodeIpcMessage(task.view, addr, m);
  return addr;
}

/** Reads the IpcMessage at `addr` as plain data: [tag, data, fds]. */
export function readMsg(task: Task, addr: number): [bigint, bigint[], number[]] {
  const m = decodeIpcMessage(task.view, addr);
  return [m.tag, [...m.data], [...m.fds]];
}

/** The bytes of `task`'s memory at [addr, addr + len) as an array. */
export function bytesAt(task: Task, addr: number, len: number): number[] {
  return Array.from(task.memory.subarray(addr, addr + len));
}

/** Writes `bytes` in fresh memory of `task`; returns the address. */
export function put(task: Task, bytes: readonly number[] | string): number {
  const data = typeof bytes === "string" ? Array.from(bytes, (c) => c.charCodeAt(0)) : bytes;
  const addr = task.alloc(Math.max(data.length, 1));
  data.forEach((b, i) => (task.memory[addr + i] = b));
  return addr;
}

/** ASCII text of the bytes (test data is ASCII). */
export function ascii(bytes: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/**
 * Exits every task of `sim` and reports what the kernel still holds:
 * `[liveObjects, registryHeld size]` (spec §7: they must be equal).
 */
export function exitAll(sim: Simulator): [number, number] {
  for (const t of [...sim.kernel.tasks]) t.exit();
  return [sim.kernel.liveObjects, registryHeld(sim.kernel).size];
}

/** io_wait_cb loop that records [user_data, result, time] for every completion until `count` are seen. */
export function record(sim: Simulator, task: Task, port: number, log: [bigint, number, number][] = []): [bigint, number, number][] {
  const out = cqBuf(task, 8);
  const cb = (n: number): void => {
    if (n < 0) return;
    for (const c of readCqes(task, out, n)) log.push([c.userData, c.result, sim.now]);
    task.sys.io_wait_cb(port, out, 8, 1, 0, cb);
  };
  const n = task.sys.io_wait_cb(port, out, 8, 1, 0, cb);
  if (n >= 0) cb(n);
  return log;
}
