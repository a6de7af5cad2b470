/**
 * Shared test helpers. `leakChecked()` registers an afterEach that exits
 * every task of every simulator the test made and asserts the kernel holds
 * exactly what the service registry reaches (spec §7: no object leaks), no
 * blocked caller, and — Kernel.checkInvariants — no stray message record
 * (every record in use is queued, parked or awaiting reap) and reference
 * counts that match their holders.
 */
import { afterEach, expect } from "vitest";
import { decodeCompletion, encodeIpcMessage, encodeSubmission, registryHeld, type IoCompletion, type Task } from "../core/index.js";
import { Simulator, type SimulatorOptions } from "../host-sim/index.js";

export function assertNoLeaks(sim: Simulator): void {
  const k = sim.kernel;
  for (const t of [...k.tasks]) t.exit();
  expect(k.tasks.size).toBe(0);
  const held = registryHeld(k);
  expect(k.liveObjects).toBe(held.size);
  for (const o of k.objects) expect(held.has(o)).toBe(true);
  expect(k.ipc?.blocked.size ?? 0).toBe(0);
  k.checkInvariants();
}

/** Returns a simulator factory whose simulators are leak-checked after each test. */
export function leakChecked(): (opts?: SimulatorOptions) => Simulator {
  let sims: Simulator[] = [];
  afterEach(() => {
    const list = sims;
    sims = [];
    for (const s of list) assertNoLeaks(s);
  });
  return (opts?: SimulatorOptions) => {
    const s = new Simulator({ seed: 1, ...opts });
    sims.push(s);
    return s;
  };
}

/** Creates a channel in `t`; returns [sendFd, recvFd]. */
export function channel(t: Task, capacity: number): [number, number] {
  const out = t.alloc(8);
  const r = t.sys.ipc_create(out, capacity, 0);
  if (r !== 0) throw new Error(`ipc_create failed: ${r}`);
  return [t.view.getInt32(out, true), t.view.getInt32(out + 4, true)];
}

type Sqe = Parameters<typeof encodeSubmission>[2];

/** Encodes `entries` in fresh memory of `t` and submits them on `port`. */
export function submit(t: Task, port: number, ...entries: Sqe[]): number {
  const at = t.alloc(48 * entries.length);
  entries.forEach((e, i) => encodeSubmission(t.view, at + 48 * i, e));
  return t.sys.io_submit(port, at, entries.length);
}

/** Polls (min 0) up to `max` completions from `port` into fresh memory of `t`. */
export async function poll(t: Task, port: number, max = 16): Promise<IoCompletion[]> {
  const out = t.alloc(24 * max);
  const n = await t.sys.io_wait(port, out, max, 0, 0);
  if (n < 0) throw new Error(`io_wait failed: ${n}`);
  const r: IoCompletion[] = [];
  for (let i = 0; i < n; i++) r.push(decodeCompletion(t.view, out + 24 * i));
  return r;
}

/** Short form of completions for toEqual: [user_data, result]. */
export function ur(cs: IoCompletion[]): [number, number][] {
  return cs.map((c) => [Number(c.userData), c.result]);
}

/** Encodes an IpcMessage with `tag` and `fds` in fresh memory of `t`; returns its address. */
export function msg(t: Task, tag: number, fds: number[] = []): number {
  const a = t.alloc(48);
  encodeIpcMessage(t.view, a, { tag, fds });
  return a;
}

/** Shares `fd` of `from` with `to` through the registry; returns the new fd in `to`. */
export function share(from: Task, fd: number, to: Task): number {
  from.sys.svc_register("share", fd);
  const nfd = to.sys.svc_lookup("share");
  from.sys.svc_unregister("share");
  return nfd;
}
