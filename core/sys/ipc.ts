/**
 * Channels, notify objects and the service registry (spec §3, §9). Check
 * orders (docs/decisions.md where the spec is silent):
 * - ipc_create: flags, capacity (-EINVAL), out range (-EFAULT), two free fds (-EMFILE);
 * - ipc_send: flags (-EINVAL), fd (-EBADF), msg range (-EFAULT), fds[] (-EBADF),
 *   recv end closed (-EPIPE), would block with IPC_NONBLOCK (-EAGAIN);
 * - ipc_recv: flags (-EINVAL), fd (-EBADF), msg range (-EFAULT; 0 discards),
 *   then a message, or -EPIPE when the send side is closed and drained, or -EAGAIN;
 * - svc_register: -EINVAL, -EBADF, -EBUSY; svc_lookup: -EINVAL, -ENOENT, -EMFILE;
 *   svc_unregister: -EINVAL, -ENOENT.
 */
import { IPC_MESSAGE_SIZE, IPC_NONBLOCK, OP_IPC_RECV, OP_IPC_SEND, SVC_NAME_MAX } from "../constants.js";
import { EAGAIN, EBADF, EBUSY, EFAULT, EINVAL, EMFILE, ENOENT, EPIPE } from "../errno.js";
import { Channel, IPC_MAX_CAPACITY, RecvEnd, SendEnd } from "../objects/channel.js";
import { IpcState, ipcOf } from "../objects/ipc-state.js";
import { NotifyObject } from "../objects/notify.js";
import { KIND_NOTIFY, KIND_RECV, KIND_SEND } from "../objects/object.js";
import type { Op } from "../op.js";
import { OP_INFLIGHT } from "../op.js";
import type { Task } from "../task.js";
import { isU32 } from "./args.js";

/** ipc flags: 0 or IPC_NONBLOCK; undefined means 0. -1 when invalid. */
function ipcFlags(flags: unknown): number {
  if (flags === undefined || flags === 0) return 0;
  return flags === IPC_NONBLOCK ? IPC_NONBLOCK : -1;
}

export function ipc_create(task: Task, fdsOut: unknown, capacity: unknown, flags?: unknown): number {
  if (flags !== undefined && flags !== 0) return -EINVAL;
  if (!isU32(capacity) || capacity > IPC_MAX_CAPACITY) return -EINVAL;
  if (!task.validRange(fdsOut as number, 8)) return -EFAULT;
  if (task.freeFds() < 2) return -EMFILE;
  const kernel = task.kernel;
  const ch = new Channel(ipcOf(kernel), capacity);
  const sfd = task.install(new SendEnd(kernel, ch));
  const rfd = task.install(new RecvEnd(kernel, ch));
  task.view.setInt32(fdsOut as number, sfd, true);
  task.view.setInt32((fdsOut as number) + 4, rfd, true);
  return 0;
}

/** A port-less op standing for a blocking caller until it finishes. */
function blockedOp(task: Task, opcode: number, addr: number, ch: Channel): Op {
  const op = task.kernel.allocOp();
  op.state = OP_INFLIGHT;
  op.task = task;
  op.opcode = opcode;
  op.bufAddr = addr;
  op.obj = ch;
  ch.ipc.blocked.add(op);
  return op;
}

export function ipc_send(task: Task, fd: unknown, msg: unknown, flags?: unknown): Promise<number> {
  const f = ipcFlags(flags);
  if (f < 0) return Promise.resolve(-EINVAL);
  const end = task.get(fd as number);
  if (end === null || end.kind !== KIND_SEND) return Promise.resolve(-EBADF);
  const addr = msg as number;
  if (!task.validRange(addr, IPC_MESSAGE_SIZE)) return Promise.resolve(-EFAULT);
  if (!IpcState.checkFds(task, addr)) return Promise.resolve(-EBADF);
  const ch = (end as SendEnd).channel;
  if (ch.recvClosed) return Promise.resolve(-EPIPE);
  if (!ch.canSend() && f === IPC_NONBLOCK) return Promise.resolve(-EAGAIN);
  const op = blockedOp(task, OP_IPC_SEND, addr, ch);
  const m = ch.ipc.copyIn(task, addr);
  return new Promise<number>((resolve) => {
    op.waiter = resolve;
    ch.send(op, m);
  });
}

export function ipc_recv(task: Task, fd: unknown, msg: unknown, flags?: unknown): Promise<number> {
  const f = ipcFlags(flags);
  if (f < 0) return Promise.resolve(-EINVAL);
  const end = task.get(fd as number);
  if (end === null || end.kind !== KIND_RECV) return Promise.resolve(-EBADF);
  const addr = msg as number;
  if (addr !== 0 && !task.validRange(addr, IPC_MESSAGE_SIZE)) return Promise.resolve(-EFAULT);
  const ch = (end as RecvEnd).channel;
  if (!ch.canRecv() && f === IPC_NONBLOCK) return Promise.resolve(-EAGAIN);
  const op = blockedOp(task, OP_IPC_RECV, addr, ch);
  return new Promise<number>((resolve) => {
    op.waiter = resolve;
    ch.recv(op);
  });
}

export function notify_create(task: Task, flags?: unknown): number {
  if (flags !== undefined && flags !== 0) return -EINVAL;
  if (task.freeFds() === 0) return -EMFILE;
  return task.install(new NotifyObject(task.kernel));
}

export function notify(task: Task, fd: unknown): number {
  const obj = task.get(fd as number);
  if (obj === null || obj.kind !== KIND_NOTIFY) return -EBADF;
  (obj as NotifyObject).ring();
  return 0;
}

/**
 * UTF-8 byte length of a string, counted from its UTF-16 code units (core
 * has no TextEncoder in XS). A lone surrogate counts 3, as its U+FFFD would.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function validName(name: unknown): name is string {
  return typeof name === "string" && name.length > 0 && utf8Length(name) <= SVC_NAME_MAX;
}

export function svc_register(task: Task, name: unknown, fd: unknown): number {
  if (!validName(name)) return -EINVAL;
  const obj = task.get(fd as number);
  if (obj === null) return -EBADF;
  const services = task.kernel.services;
  if (services.has(name)) return -EBUSY;
  services.set(name, obj.ref());
  return 0;
}

export function svc_lookup(task: Task, name: unknown): number {
  if (!validName(name)) return -EINVAL;
  const obj = task.kernel.services.get(name);
  if (obj === undefined) return -ENOENT;
  const fd = task.install(obj);
  return fd < 0 ? -EMFILE : fd;
}

export function svc_unregister(task: Task, name: unknown): number {
  if (!validName(name)) return -EINVAL;
  const services = task.kernel.services;
  const obj = services.get(name);
  if (obj === undefined) return -ENOENT;
  services.delete(name);
  obj.unref();
  return 0;
}
