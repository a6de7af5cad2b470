/**
 * Msg: one IPC message in flight — the 32 bytes of tag and data copied out
 * of the sender's memory at submit time, and one reference to each object
 * named in its `fds[]` (taken at send time, so the sender may close its fds
 * at once). Records are pooled per kernel (IpcState), so a steady stream of
 * messages allocates nothing.
 *
 * Touched by OP_IPC_SEND/OP_IPC_RECV and ipc_send/ipc_recv (spec §4.6-4.7).
 * Guarantees: every reference a Msg holds is either moved into a task's fd
 * table at reap or dropped exactly once (`releaseObjects`).
 */
import { IPC_MAX_FDS } from "../constants.js";
import type { KernelObject } from "./object.js";

export class Msg {
  /** tag, data[0..2] as eight little-endian u32 words. */
  readonly words = new Uint32Array(8);
  /** Carried objects by fds[] slot; null marks an unused slot (fd -1). */
  readonly objs: (KernelObject | null)[] = [null, null, null, null];
  nobjs = 0;
  /** Channel queue / free-list link. */
  next: Msg | null = null;
}

/** Drops the message's references (undelivered, discarded or -EMFILE). */
export function releaseObjects(m: Msg): void {
  const objs = m.objs;
  for (let i = 0; i < IPC_MAX_FDS; i++) {
    const o = objs[i] as KernelObject | null;
    if (o !== null) {
      objs[i] = null;
      o.unref();
    }
  }
  m.nobjs = 0;
}

export function visitMsg(m: Msg, visit: (obj: KernelObject) => void): void {
  for (let i = 0; i < IPC_MAX_FDS; i++) {
    const o = m.objs[i] as KernelObject | null;
    if (o !== null) visit(o);
  }
}
