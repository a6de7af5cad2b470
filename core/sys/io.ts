/**
 * The completion-port syscalls: io_create, io_submit, io_wait, io_wait_cb,
 * io_cancel (spec §3, §9). Check orders follow the contract exactly.
 */
import {
  COMPLETION_SIZE,
  SQE_W_BUF_ADDR,
  SQE_W_BUF_LEN,
  SQE_W_FD,
  SQE_W_FLAGS,
  SQE_W_OPCODE,
  SQE_W_TIMEOUT_NS,
  SQE_W_USER_DATA,
  SQE_WORDS,
  SUBMISSION_SIZE,
} from "../abi.js";
import { IOSQE_MULTISHOT, MAX_FDS, OP_IRQ_WAIT, OP_NOP } from "../constants.js";
import { EBADF, EBUSY, ECANCELED, EFAULT, EINPROGRESS, EINVAL, EMFILE, ENOENT } from "../errno.js";
import type { Kernel } from "../kernel.js";
import { KIND_PORT, type KernelObject } from "../objects/object.js";
import { NOP_SLOT, Port, WAIT_CB, WAIT_NONE, WAIT_PROMISE, WAIT_WATCH, type WaitCallback } from "../objects/port.js";
import { OP_INFLIGHT, type Op } from "../op.js";
import { OPCODE_HANDLERS } from "../ops/index.js";
import type { Task } from "../task.js";
import { isU32, parseNs, TYPE_FUNCTION, TYPE_NUMBER } from "./args.js";

const TWO32 = 4294967296;

export function io_create(task: Task, flags: unknown): number {
  if (flags !== 0) return -EINVAL;
  if (task.freeFds() === 0) return -EMFILE;
  return task.install(new Port(task.kernel, task.kernel.options.cqEntries));
}

function portOf(task: Task, fd: unknown): Port | null {
  // Task.get, inline (one call less on every port syscall)
  if (typeof fd !== TYPE_NUMBER || (fd as number) >>> 0 !== fd || (fd as number) >= MAX_FDS) return null;
  const obj = task.fds[fd as number] as KernelObject | null;
  if (obj === null || obj.kind !== KIND_PORT) return null;
  // a syscall on a port some native lane delivers to takes the lane back first (core/objects/lane.ts)
  if ((obj as Port).lanes !== 0) task.kernel.revokeLanes();
  return obj as Port;
}

export function io_submit(task: Task, portFd: unknown, entries: unknown, count: unknown): number {
  if (!isU32(count)) return -EINVAL;
  if (count === 0) return 0;
  if (!task.validRange(entries as number, SUBMISSION_SIZE * count)) return -EFAULT;
  const port = portOf(task, portFd);
  if (port === null) return -EBADF;
  // Admission: only a reap frees a slot, and nothing reaps while a submit
  // runs (waiters are resolved after it), so the room is known up front.
  const room = port.capacity - port.reserved;
  const n = count < room ? count : room;
  if (n === 0) return -EBUSY;
  port.reserved += n;
  const kernel = task.kernel;
  const base = entries as number;
  let anyRaw = false;
  if ((base & 3) === 0 && kernel.tracer === null) {
    // The fast loop: entries read as u32 words in place (SQE_W_*: the byte
    // offsets / 4, core/abi.ts); a NOP — no arguments, always succeeds — needs no op
    // record: only its user_data goes into a NOP slot of the ring (see
    // Port.ring), and the slots are counted into port.count in one store.
    const words = task.u32;
    const sw = task.i32; // the same words, signed: for copying bits into an Int32Array
    const cap = port.capacity;
    const ring = port.ring;
    const rawUd = port.rawUd;
    let tail = port.head + port.count;
    if (tail >= cap) tail -= cap;
    let nops = 0;
    let w = base >>> 2;
    for (let i = 0; i < n; i++, w += SQE_WORDS) {
      if (words[w + SQE_W_OPCODE] === OP_NOP && words[w + SQE_W_FLAGS] === 0) {
        ring[tail] = NOP_SLOT;
        rawUd[2 * tail] = sw[w + SQE_W_USER_DATA] as number;
        rawUd[2 * tail + 1] = sw[w + SQE_W_USER_DATA + 1] as number;
        if (++tail === cap) tail = 0;
        nops++;
        continue;
      }
      if (nops !== 0) {
        // count them before the entry's handler posts after them
        port.count += nops;
        nops = 0;
        anyRaw = true;
      }
      if (submitEntry(kernel, task, port, words, sw, w)) anyRaw = true;
      tail = port.head + port.count;
      if (tail >= cap) tail -= cap;
    }
    if (nops !== 0) {
      port.count += nops;
      anyRaw = true;
    }
  } else {
    // Traced, or a misaligned array (copied entry by entry into an aligned
    // scratch): every entry through submitEntry.
    const aligned = (base & 3) === 0;
    const words = aligned ? task.u32 : kernel.sqeScratch;
    const sw = aligned ? task.i32 : kernel.sqeScratchI32;
    for (let i = 0, at = base; i < n; i++, at += SUBMISSION_SIZE) {
      if (!aligned) copySqe(task.memory, at, kernel.sqeScratchBytes);
      if (submitEntry(kernel, task, port, words, sw, aligned ? at >>> 2 : 0)) anyRaw = true;
    }
  }
  if (anyRaw && port.waitMode !== WAIT_NONE && !port.wakeQueued && port.waiterReady()) kernel.queueWake(port);
  return n;
}

/**
 * Submits the entry at word `w` of `words` (`sw`: the same words, signed) to
 * `port`, whose slot is reserved. Returns true when it posted a raw
 * completion (an untraced NOP, unknown opcode or bad flags: no op record),
 * which the caller must wake the waiter for; an op's completion wakes it
 * through kernel.complete.
 */
function submitEntry(kernel: Kernel, task: Task, port: Port, words: Uint32Array, sw: Int32Array, w: number): boolean {
  const tracer = kernel.tracer;
  const opcode = words[w + SQE_W_OPCODE] as number;
  const flags = words[w + SQE_W_FLAGS] as number;
  // valid flags: 0, or IOSQE_MULTISHOT on OP_IRQ_WAIT (the one extension flag so far)
  const badFlags = flags === 0 ? false : flags !== IOSQE_MULTISHOT || opcode !== OP_IRQ_WAIT;
  if (tracer === null && (badFlags || opcode === OP_NOP || opcode >= OPCODE_HANDLERS.length)) {
    // known at once: a raw slot (traced runs take the op path, so every
    // operation shows in the trace)
    port.postRaw(sw[w + SQE_W_USER_DATA] as number, sw[w + SQE_W_USER_DATA + 1] as number, opcode === OP_NOP && !badFlags ? 0 : -EINVAL, opcode);
    return true;
  }
  const op = kernel.allocOp();
  op.port = port;
  op.task = task;
  op.udLo = words[w + SQE_W_USER_DATA] as number;
  op.udHi = words[w + SQE_W_USER_DATA + 1] as number;
  op.opcode = opcode;
  op.state = OP_INFLIGHT;
  if (opcode === OP_NOP) {
    // NOP takes no arguments: its other fields are never read
    op.fd = -1;
    op.bufAddr = 0;
    op.bufLen = 0;
    op.timeoutNs = 0;
  } else {
    op.fd = (words[w + SQE_W_FD] as number) | 0;
    // an address past 2^32 can never be valid; keep it invalid without BigInt
    op.bufAddr = words[w + SQE_W_BUF_ADDR + 1] === 0 ? (words[w + SQE_W_BUF_ADDR] as number) : -1;
    op.bufLen = words[w + SQE_W_BUF_LEN] as number;
    const tHi = words[w + SQE_W_TIMEOUT_NS + 1] as number;
    op.timeoutNs = tHi >= 0x80000000 ? -1 : tHi * TWO32 + (words[w + SQE_W_TIMEOUT_NS] as number);
  }
  op.multishot = flags !== 0;
  if (tracer !== null) tracer.submit(op);
  if (badFlags) {
    kernel.complete(op, -EINVAL);
    return false;
  }
  const handler = opcode < OPCODE_HANDLERS.length ? OPCODE_HANDLERS[opcode] : undefined;
  if (handler === undefined) kernel.complete(op, -EINVAL);
  else handler(kernel, op, task);
  // linked only now: most entries complete at once and never need the list
  if (op.state === OP_INFLIGHT && !op.linked && op.port === port) port.addInflight(op);
  return false;
}

function copySqe(mem: Uint8Array, at: number, into: Uint8Array): void {
  for (let i = 0; i < SUBMISSION_SIZE; i++) into[i] = mem[at + i] as number;
}

/**
 * Shared front of io_wait and io_wait_cb. Returns a result (>= 0 count, or
 * -errno) when the wait ends at once, or the port to park on, with its
 * waiter fields filled but its mode not yet set. (No module-level scratch:
 * Moddable freezes module state at preload.)
 */
function waitFront(task: Task, portFd: unknown, out: unknown, max: unknown, min: unknown, timeout: unknown): number | Port {
  // isU32(max) and isU32(min), inline: a driver loop waits once per event
  if (typeof max !== TYPE_NUMBER || (max as number) >>> 0 !== max) return -EINVAL;
  if (max === 0) return 0;
  if (typeof min !== TYPE_NUMBER || (min as number) >>> 0 !== min) return -EINVAL;
  const ns = timeout === 0 ? 0 : parseNs(timeout);
  if (ns < 0) return -EINVAL;
  if (!task.validRange(out as number, COMPLETION_SIZE * max)) return -EFAULT;
  const port = portOf(task, portFd);
  if (port === null) return -EBADF;
  if (port.waitMode !== WAIT_NONE) return -EBUSY;
  const need = min < max ? min : max;
  if (need === 0 || port.count >= need) return port.reap(task, out as number, max);
  port.waitTask = task;
  port.waitOut = out as number;
  port.waitMax = max;
  port.waitMin = need;
  port.waitTimedOut = false;
  if (ns > 0) {
    const kernel = task.kernel;
    port.waitTimer = kernel.platform.schedule(kernel.now() + ns, onWaitTimeout, port);
  } else port.waitTimer = 0;
  return port;
}

function onWaitTimeout(arg: unknown): void {
  const port = arg as Port;
  const kernel = port.kernel;
  kernel.enter();
  try {
    port.waitTimer = 0;
    if (port.waitMode !== WAIT_NONE) {
      port.waitTimedOut = true;
      kernel.queueWake(port);
    }
  } finally {
    kernel.leave();
  }
}

export function io_wait(task: Task, portFd: unknown, out: unknown, max: unknown, min: unknown, timeout: unknown): Promise<number> {
  const r = waitFront(task, portFd, out, max, min, timeout);
  if (typeof r === TYPE_NUMBER) return Promise.resolve(r as number);
  const port = r as Port;
  const kernel = task.kernel;
  if (kernel.laneOffers !== 0) kernel.laneDirty = true;
  return new Promise<number>((resolve) => {
    port.waitMode = WAIT_PROMISE;
    port.waitResolve = resolve;
  });
}

export function io_wait_cb(
  task: Task,
  portFd: unknown,
  out: unknown,
  max: unknown,
  min: unknown,
  timeout: unknown,
  callback: unknown,
): number {
  if (typeof callback !== TYPE_FUNCTION) return -EINVAL;
  const r = waitFront(task, portFd, out, max, min, timeout);
  if (typeof r === TYPE_NUMBER) return r as number;
  const port = r as Port;
  port.waitMode = WAIT_CB;
  port.waitCb = callback as WaitCallback;
  const kernel = task.kernel;
  if (kernel.laneOffers !== 0) kernel.laneDirty = true;
  return -EINPROGRESS;
}

/**
 * io_watch (ioport extension, docs/spec.md §3): a persistent io_wait_cb.
 * After every syscall or event that leaves completions queued on the port,
 * the kernel reaps up to `max` of them into `out` and calls `callback(n)`,
 * in the same turn, never inside a syscall or an interrupt path; until
 * io_unwatch or the port's close (then `callback(-EBADF)` once). It is the
 * port's one waiter. Completions already queued are delivered after this
 * call returns.
 */
export function io_watch(task: Task, portFd: unknown, out: unknown, max: unknown, callback: unknown): number {
  if (typeof callback !== TYPE_FUNCTION) return -EINVAL;
  if (!isU32(max) || max === 0) return -EINVAL;
  if (!task.validRange(out as number, COMPLETION_SIZE * max)) return -EFAULT;
  const port = portOf(task, portFd);
  if (port === null) return -EBADF;
  if (port.waitMode !== WAIT_NONE) return -EBUSY;
  port.waitMode = WAIT_WATCH;
  port.waitTask = task;
  port.waitOut = out as number;
  port.waitMax = max;
  port.waitMin = 1;
  port.waitTimer = 0;
  port.waitTimedOut = false;
  port.waitCb = callback as WaitCallback;
  const kernel = task.kernel;
  if (kernel.laneOffers !== 0) kernel.laneDirty = true;
  if (port.count > 0) kernel.queueWake(port);
  return 0;
}

/** Ends a watch: 0, -ENOENT when the port has none, -EBADF when the fd is not a port. */
export function io_unwatch(task: Task, portFd: unknown): number {
  const port = portOf(task, portFd);
  if (port === null) return -EBADF;
  if (port.waitMode !== WAIT_WATCH) return -ENOENT;
  port.waitMode = WAIT_NONE;
  port.waitTask = null;
  port.waitCb = null;
  return 0;
}

/** Parses user_data given as bigint, [lo, hi] u32 pair, or a safe non-negative integer. */
function parseUserData(v: unknown, out: number[]): boolean {
  if (typeof v === "bigint") {
    const u = BigInt.asUintN(64, v);
    out[0] = Number(u & 0xffffffffn);
    out[1] = Number(u >> 32n);
    return true;
  }
  if (Array.isArray(v) && v.length === 2 && isU32(v[0]) && isU32(v[1])) {
    out[0] = v[0];
    out[1] = v[1];
    return true;
  }
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) {
    out[0] = v % TWO32;
    out[1] = Math.floor(v / TWO32);
    return true;
  }
  return false;
}

export function io_cancel(task: Task, portFd: unknown, userData: unknown): number {
  const ud = [0, 0];
  if (!parseUserData(userData, ud)) return -EINVAL;
  const port = portOf(task, portFd);
  if (port === null) return -EBADF;
  const matches: Op[] = [];
  for (let op = port.inflightHead; op !== null; op = op.pNext) {
    if (op.udLo === ud[0] && op.udHi === ud[1]) matches.push(op);
  }
  if (matches.length === 0) return -ENOENT;
  const kernel: Kernel = task.kernel;
  let n = 0;
  // one cascade: every match is cancelled, in submission order, before what
  // they release (a read's bytes) serves another op
  kernel.hold();
  try {
    for (const op of matches) if (kernel.cancelOp(op, -ECANCELED)) n++;
  } finally {
    kernel.release();
  }
  return n;
}
