/**
 * Channel: a one-way message pipe, send end → recv end (spec §3 ipc_create,
 * ipc_send, ipc_recv; §4.6-4.7 OP_IPC_SEND, OP_IPC_RECV; §7; §9 Channels).
 * `capacity == 0` is a rendezvous channel, `capacity > 0` a FIFO of at most
 * that many messages. The two ends are separate reference-counted objects
 * (an fd, a dup, a passed fd or the registry each hold one reference); the
 * channel state they share is not itself an fd object.
 *
 * Guarantees:
 * - Every waiting party is served in FIFO order: armed receives and blocked
 *   ipc_recv callers share one queue, parked sends and blocked ipc_send
 *   callers another. Nothing is overwritten or dropped.
 * - When one event pairs a receive with a send, the receive finishes first,
 *   then the send (§9). A sender parked on a full buffered channel finishes
 *   0 when its message enters the queue; on a rendezvous channel, when a
 *   receiver takes it.
 * - Last send end closed: parked sends stay parked and are still received;
 *   armed receivers get -EPIPE once the queue and parked sends are drained.
 * - Last recv end closed: its armed receives complete -ECANCELED, parked
 *   sends -EPIPE (FIFO), then undelivered messages release their objects.
 * - Ops hold no reference to the ends: a parked op points at the channel.
 */
import { ECANCELED, EPIPE } from "../errno.js";
import type { Kernel } from "../kernel.js";
import { OpQueue, type Op } from "../op.js";
import type { IpcState } from "./ipc-state.js";
import type { Msg } from "./message.js";
import { visitMsg } from "./message.js";
import { KernelObject, KIND_RECV, KIND_SEND } from "./object.js";

/** Largest buffered capacity accepted by ipc_create (a decision, docs/decisions.md). */
export const IPC_MAX_CAPACITY = 65536;

export class Channel {
  readonly ipc: IpcState;
  readonly capacity: number;
  private head: Msg | null = null;
  private tail: Msg | null = null;
  /** Messages in the buffered queue. */
  count = 0;
  /** Parked sends (port ops and blocked callers), FIFO. */
  readonly senders = new OpQueue();
  /** Armed receives (port ops and blocked callers), FIFO. */
  readonly receivers = new OpQueue();
  sendClosed = false;
  recvClosed = false;

  constructor(ipc: IpcState, capacity: number) {
    this.ipc = ipc;
    this.capacity = capacity;
  }

  /** Whether a send would finish now (a waiting receiver, or room). */
  canSend(): boolean {
    return this.receivers.length > 0 || this.count < this.capacity;
  }

  /** Whether a receive would finish now (a message, or -EPIPE). */
  canRecv(): boolean {
    return this.count > 0 || this.senders.length > 0 || this.sendClosed;
  }

  /** A send whose checks passed: pair, enqueue, or park. */
  send(op: Op, m: Msg): void {
    const r = this.receivers.shift();
    if (r !== null) {
      this.deliver(r, m);
      this.ipc.finish(op, 0);
      return;
    }
    if (this.count < this.capacity) {
      this.pushMsg(m);
      this.ipc.finish(op, 0);
      return;
    }
    op.msg = m;
    this.senders.push(op);
  }

  /** A receive whose checks passed: take a message, fail -EPIPE, or arm. */
  recv(op: Op): void {
    let m: Msg | null = null;
    const s = this.senders.shift();
    if (this.count > 0) {
      m = this.shiftMsg();
      // the oldest parked sender's message enters the freed slot
      if (s !== null) {
        this.pushMsg(s.msg as Msg);
        s.msg = null;
      }
    } else if (s !== null) {
      m = s.msg;
      s.msg = null;
    }
    if (m !== null) {
      this.deliver(op, m);
      if (s !== null) this.ipc.finish(s, 0);
      return;
    }
    if (this.sendClosed) {
      this.ipc.finish(op, -EPIPE);
      return;
    }
    this.receivers.push(op);
  }

  /**
   * Hands `m` to a receiver: a port op keeps it for copy-out at reap time; a
   * blocked caller gets it copied into its memory and fd table now.
   */
  private deliver(r: Op, m: Msg): void {
    if (r.waiter === null) {
      r.msg = m;
      this.ipc.kernel.complete(r, 0);
      return;
    }
    this.ipc.finish(r, this.ipc.copyOut(r.task as NonNullable<Op["task"]>, r.bufAddr, m));
  }

  private pushMsg(m: Msg): void {
    m.next = null;
    if (this.tail !== null) this.tail.next = m;
    else this.head = m;
    this.tail = m;
    this.count++;
  }

  private shiftMsg(): Msg {
    const m = this.head as Msg;
    this.head = m.next;
    if (this.head === null) this.tail = null;
    m.next = null;
    this.count--;
    return m;
  }

  /** Last send end closed. */
  closeSend(): void {
    this.sendClosed = true;
    if (this.count !== 0 || this.senders.length !== 0) return;
    let op: Op | null;
    while ((op = this.receivers.shift()) !== null) this.ipc.finish(op, -EPIPE);
  }

  /** Last recv end closed. */
  closeRecv(): void {
    this.recvClosed = true;
    const ipc = this.ipc;
    let op: Op | null;
    while ((op = this.receivers.shift()) !== null) ipc.finish(op, -ECANCELED);
    // post every -EPIPE first (FIFO), then release what the messages carry,
    // so no completion caused by a release lands between them
    let dropped: Msg | null = null;
    while ((op = this.senders.shift()) !== null) {
      const m = op.msg as Msg;
      op.msg = null;
      ipc.finish(op, -EPIPE);
      m.next = dropped;
      dropped = m;
    }
    // the queue is older than the parked sends: release it first
    let q = this.head;
    this.head = this.tail = null;
    this.count = 0;
    while (q !== null) {
      const n: Msg | null = q.next;
      ipc.freeMsg(q);
      q = n;
    }
    // `dropped` is newest first; reverse to release oldest first
    let rev: Msg | null = null;
    while (dropped !== null) {
      const n: Msg | null = dropped.next;
      dropped.next = rev;
      rev = dropped;
      dropped = n;
    }
    while (rev !== null) {
      const n: Msg | null = rev.next;
      ipc.freeMsg(rev);
      rev = n;
    }
  }

  /** Objects carried by queued messages and parked sends. */
  visitCarried(visit: (obj: KernelObject) => void): void {
    this.visitQueued(visit);
    for (let op = this.senders.head; op !== null; op = op.qNext) if (op.msg !== null) visitMsg(op.msg, visit);
  }

  /** Objects carried by the buffered queue's messages only (not parked sends). */
  visitQueued(visit: (obj: KernelObject) => void): void {
    for (let m = this.head; m !== null; m = m.next) visitMsg(m, visit);
  }

  /** The buffered queue's messages, oldest first. */
  forEachQueued(f: (m: Msg) => void): void {
    for (let m = this.head; m !== null; m = m.next) f(m);
  }
}

/** The send end of a channel: OP_IPC_SEND and ipc_send target it. */
export class SendEnd extends KernelObject {
  constructor(
    kernel: Kernel,
    readonly channel: Channel,
  ) {
    super(kernel, KIND_SEND);
  }
  protected onLastClose(): void {
    this.channel.closeSend();
  }
}

/** The recv end of a channel: OP_IPC_RECV and ipc_recv target it. */
export class RecvEnd extends KernelObject {
  constructor(
    kernel: Kernel,
    readonly channel: Channel,
  ) {
    super(kernel, KIND_RECV);
  }
  override visitCarried(visit: (obj: KernelObject) => void): void {
    this.channel.visitCarried(visit);
  }
  protected onLastClose(): void {
    this.channel.closeRecv();
  }
}

// ---- op hooks (plain functions: no closure per op) ----

/** cancelHook of a parked OP_IPC_SEND: leave the queue, release the message. */
export function cancelSend(op: Op): void {
  const ch = op.obj as Channel;
  ch.senders.remove(op);
  const m = op.msg;
  op.msg = null;
  if (m !== null) ch.ipc.freeMsg(m);
}

/** cancelHook of an armed OP_IPC_RECV. */
export function cancelRecv(op: Op): void {
  (op.obj as Channel).receivers.remove(op);
}

/** reapHook of OP_IPC_RECV: copy-out into the submitter (§9), whoever reaps. */
export function reapRecv(op: Op): void {
  const m = op.msg;
  if (m === null) return;
  op.msg = null;
  op.result = (op.obj as Channel).ipc.copyOut(op.task as NonNullable<Op["task"]>, op.bufAddr, m);
}

/** discardHook of OP_IPC_RECV: the port closed before the reap. */
export function discardRecv(op: Op): void {
  const m = op.msg;
  if (m === null) return;
  op.msg = null;
  (op.obj as Channel).ipc.freeMsg(m);
}
