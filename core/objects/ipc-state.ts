/**
 * IpcState: the kernel's IPC bookkeeping, created by the first ipc_create
 * (a kernel that never makes a channel pays nothing). It owns the pool of
 * message records, the blocked ipc_send/ipc_recv callers, and the two hooks
 * that make close and exit complete (spec §7, §9):
 *
 * - on `task.exit()`, before its fds are closed, the task's blocked callers
 *   are withdrawn (they resolve -EPERM; a parked message releases its
 *   objects);
 * - when the last task exits, objects kept alive only by fd-passing cycles
 *   are closed, oldest first; whatever the service registry reaches —
 *   directly or through messages carried by registered objects — stays.
 *
 * It also does the two copies of a message: in from the sender's memory at
 * submit time, out into the submitter's memory and fd table at reap time.
 */
import { IPC_MAX_FDS, MAX_FDS, OP_IPC_SEND } from "../constants.js";
import { EMFILE, EPERM } from "../errno.js";
import type { Kernel } from "../kernel.js";
import type { Op } from "../op.js";
import type { Task } from "../task.js";
import type { Channel } from "./channel.js";
import { Msg, releaseObjects, visitMsg } from "./message.js";
import type { KernelObject } from "./object.js";

const MSG_FDS = 32;

export class IpcState {
  readonly kernel: Kernel;
  private freeMsgs: Msg | null = null;
  /** Message records ever allocated (the pool's size). */
  msgsAllocated = 0;
  /** Message records in use (queued, parked or awaiting reap). */
  msgsLive = 0;
  /** Blocked ipc_send/ipc_recv callers, parked as port-less ops. */
  readonly blocked = new Set<Op>();

  constructor(kernel: Kernel) {
    this.kernel = kernel;
    kernel.exitHooks.push(withdrawBlocked);
    kernel.orphanCollectors.push(collectOrphans);
  }

  allocMsg(): Msg {
    let m = this.freeMsgs;
    if (m !== null) {
      this.freeMsgs = m.next;
      m.next = null;
    } else {
      m = new Msg();
      this.msgsAllocated++;
    }
    this.msgsLive++;
    return m;
  }

  /** Returns a record to the pool, dropping any references it still holds. */
  freeMsg(m: Msg): void {
    if (m.nobjs !== 0) releaseObjects(m);
    m.next = this.freeMsgs;
    this.freeMsgs = m;
    this.msgsLive--;
  }

  /**
   * Copies the message at `addr` out of `task`'s memory and takes a reference
   * to each object its fds[] names. The caller has checked the range and the
   * fds (`checkFds`).
   */
  copyIn(task: Task, addr: number): Msg {
    const m = this.allocMsg();
    const view = task.view;
    const w = m.words;
    for (let i = 0; i < 8; i++) w[i] = view.getUint32(addr + 4 * i, true);
    let n = 0;
    for (let i = 0; i < IPC_MAX_FDS; i++) {
      const fd = view.getInt32(addr + MSG_FDS + 4 * i, true);
      if (fd === -1) continue;
      m.objs[i] = (task.get(fd) as KernelObject).ref();
      n++;
    }
    m.nobjs = n;
    return m;
  }

  /**
   * Delivers `m` to `task` (the submitter of the receive): data into its
   * memory at `addr`, objects into its fd table at the lowest free fds, all
   * or nothing, and fds[] rewritten. Returns the result: 0, or -EMFILE when
   * the table cannot hold every object or the task has exited (the objects
   * are then closed and fds[] reads -1). `addr = 0` discards the message.
   * Frees `m`.
   */
  copyOut(task: Task, addr: number, m: Msg): number {
    if (addr === 0) {
      this.freeMsg(m);
      return 0;
    }
    const view = task.view;
    const w = m.words;
    for (let i = 0; i < 8; i++) view.setUint32(addr + 4 * i, w[i] as number, true);
    const n = m.nobjs;
    let result = 0;
    if (n !== 0 && (task.exited || task.freeFds() < n)) {
      releaseObjects(m);
      result = -EMFILE;
    }
    const objs = m.objs;
    for (let i = 0; i < IPC_MAX_FDS; i++) {
      const o = objs[i] as KernelObject | null;
      let fd = -1;
      if (o !== null) {
        objs[i] = null;
        fd = task.install(o);
        o.unref(); // the message's reference became the fd's
      }
      view.setInt32(addr + MSG_FDS + 4 * i, fd, true);
    }
    m.nobjs = 0;
    this.freeMsg(m);
    return result;
  }

  /**
   * Finishes a party of a channel: a port op posts its completion, a blocked
   * caller resolves. The op must hold no message any more.
   */
  finish(op: Op, result: number): void {
    const w = op.waiter;
    if (w === null) {
      this.kernel.complete(op, result);
      return;
    }
    this.blocked.delete(op);
    this.kernel.freeOp(op);
    this.kernel.userCalls++;
    w(result);
  }

  /** Whether every fd named in the message at `addr` is open (-1 = unused). */
  static checkFds(task: Task, addr: number): boolean {
    const view = task.view;
    for (let i = 0; i < IPC_MAX_FDS; i++) {
      const fd = view.getInt32(addr + MSG_FDS + 4 * i, true);
      if (fd !== -1 && (fd < 0 || fd >= MAX_FDS || task.get(fd) === null)) return false;
    }
    return true;
  }
}

/** The IPC state of `kernel`, created on first use. */
export function ipcOf(kernel: Kernel): IpcState {
  let s = kernel.ipc;
  if (s === null) {
    s = new IpcState(kernel);
    kernel.ipc = s;
  }
  return s;
}

/** Exit hook: a task's blocked ipc_send/ipc_recv calls resolve -EPERM. */
function withdrawBlocked(task: Task): void {
  const ipc = task.kernel.ipc;
  if (ipc === null || ipc.blocked.size === 0) return;
  const mine: Op[] = [];
  for (const op of ipc.blocked) if (op.task === task) mine.push(op);
  for (const op of mine) {
    const ch = op.obj as Channel;
    if (op.opcode === OP_IPC_SEND) ch.senders.remove(op);
    else ch.receivers.remove(op);
    const m = op.msg;
    op.msg = null;
    ipc.finish(op, -EPERM);
    if (m !== null) ipc.freeMsg(m);
  }
}

/**
 * Every object the service registry keeps alive: the registered objects and,
 * transitively, the objects carried by messages they hold (spec §9).
 */
export function registryHeld(kernel: Kernel): Set<KernelObject> {
  const seen = new Set<KernelObject>();
  const stack: KernelObject[] = [];
  const visit = (o: KernelObject): void => {
    if (!o.closed && !seen.has(o)) {
      seen.add(o);
      stack.push(o);
    }
  };
  for (const o of kernel.services.values()) visit(o);
  while (stack.length > 0) (stack.pop() as KernelObject).visitCarried(visit);
  return seen;
}

/**
 * Orphan collector (runs when the last task exits): with no task left, an
 * object the registry does not reach can only be alive through a cycle of
 * carried messages. Close those, oldest first; each close releases what it
 * carries, which may close others on the way.
 */
function collectOrphans(kernel: Kernel): void {
  const keep = registryHeld(kernel);
  const doomed: KernelObject[] = [];
  for (const o of kernel.objects) if (!keep.has(o)) doomed.push(o);
  for (const o of doomed) o.forceClose();
}

export { visitMsg };
