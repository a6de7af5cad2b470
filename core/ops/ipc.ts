/**
 * OP_IPC_SEND / OP_IPC_RECV / OP_RING_WAIT (spec §4.6-4.8). Per-entry check
 * order (§9): fd kind (-EBADF), buffer (-EFAULT), message fds (-EBADF), then
 * object state (-EPIPE). `buf_len` is ignored by both IPC opcodes.
 */
import { IPC_MESSAGE_SIZE } from "../constants.js";
import { EBADF, EFAULT, EPIPE } from "../errno.js";
import type { Kernel } from "../kernel.js";
import { cancelRecv, cancelSend, discardRecv, reapRecv, type RecvEnd, type SendEnd } from "../objects/channel.js";
import { IpcState } from "../objects/ipc-state.js";
import type { NotifyObject } from "../objects/notify.js";
import { KIND_NOTIFY, KIND_RECV, KIND_SEND } from "../objects/object.js";
import type { Op } from "../op.js";
import type { Task } from "../task.js";

export function opIpcSend(kernel: Kernel, op: Op, task: Task): void {
  const end = task.get(op.fd);
  if (end === null || end.kind !== KIND_SEND) return kernel.complete(op, -EBADF);
  if (!task.validRange(op.bufAddr, IPC_MESSAGE_SIZE)) return kernel.complete(op, -EFAULT);
  if (!IpcState.checkFds(task, op.bufAddr)) return kernel.complete(op, -EBADF);
  const ch = (end as SendEnd).channel;
  if (ch.recvClosed) return kernel.complete(op, -EPIPE);
  op.obj = ch;
  op.cancelHook = cancelSend;
  ch.send(op, ch.ipc.copyIn(task, op.bufAddr));
}

export function opIpcRecv(kernel: Kernel, op: Op, task: Task): void {
  const end = task.get(op.fd);
  if (end === null || end.kind !== KIND_RECV) return kernel.complete(op, -EBADF);
  if (op.bufAddr !== 0 && !task.validRange(op.bufAddr, IPC_MESSAGE_SIZE)) return kernel.complete(op, -EFAULT);
  const ch = (end as RecvEnd).channel;
  op.obj = ch;
  op.cancelHook = cancelRecv;
  op.reapHook = reapRecv;
  op.discardHook = discardRecv;
  ch.recv(op);
}

export function opRingWait(kernel: Kernel, op: Op, task: Task): void {
  const obj = task.get(op.fd);
  if (obj === null || obj.kind !== KIND_NOTIFY) return kernel.complete(op, -EBADF);
  (obj as NotifyObject).arm(op);
}
