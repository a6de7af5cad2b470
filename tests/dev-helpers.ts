/** Shared test helpers (not a test file): submissions, and a completion log with virtual times. */
import { decodeCompletion, encodeSubmission, type IoSubmission, type Task } from "../core/index.js";
import { Simulator, type SimulatorOptions } from "../host-sim/index.js";

export interface Logged {
  at: number;
  userData: bigint;
  result: number;
  opcode: number;
  flags: number;
}

export type Sqe = Partial<Omit<IoSubmission, "userData" | "timeoutNs">> & { userData?: bigint | number; timeoutNs?: bigint | number };

/** Submits `entries` on `port` from a scratch area of `t`'s memory; returns io_submit's result. */
export function submit(t: Task, port: number, ...entries: Sqe[]): number {
  const addr = t.alloc(48 * Math.max(1, entries.length));
  entries.forEach((e, i) => encodeSubmission(t.view, addr + 48 * i, e));
  return t.sys.io_submit(port, addr, entries.length);
}

/**
 * Reaps every completion of `port` as it is posted (io_wait_cb, re-armed from
 * its callback) into a log with the virtual time of reaping.
 */
export function collect(sim: Simulator, t: Task, port: number): Logged[] {
  const log: Logged[] = [];
  const out = t.alloc(24 * 64);
  const cb = (n: number): void => {
    if (n < 0) return;
    for (let i = 0; i < n; i++) log.push({ at: sim.now, ...decodeCompletion(t.view, out + 24 * i) });
    arm();
  };
  const arm = (): void => {
    const r = t.sys.io_wait_cb(port, out, 64, 1, 0, cb);
    if (r >= 0) cb(r);
  };
  arm();
  return log;
}

export function setup(options: SimulatorOptions = {}, memoryBytes = 64 * 1024) {
  const sim = new Simulator({ seed: 1, ...options });
  const t = sim.spawn({ memoryBytes });
  const port = t.sys.io_create(0);
  return { sim, t, port, sys: t.sys };
}

/** ceil(k·10^10/baud), the spec's UART byte time, computed with BigInt as an independent reference. */
export function byteNs(k: number, baud = 115200): number {
  const num = BigInt(k) * 10_000_000_000n;
  const b = BigInt(baud);
  return Number((num + b - 1n) / b);
}

export function bytes(t: Task, addr: number, n: number): number[] {
  return Array.from(t.memory.subarray(addr, addr + n));
}
