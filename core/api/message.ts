/**
 * Message: an `IpcMessage` (48 bytes) living in a task's memory, with
 * accessors that encode in place. Reusing one Message for a stream of sends
 * or receives allocates nothing; `tag` and `data` are read and written as
 * numbers (exact up to 2^53) or, with the `*Lo`/`*Hi` forms, as u32 halves.
 */
import { MSG_DATA, MSG_FDS, MSG_TAG, decodeIpcMessage, hi32, lo32, type IpcMessage } from "../abi.js";
import { IPC_MAX_FDS, IPC_MESSAGE_SIZE } from "../constants.js";
import type { Task } from "../task.js";

const TWO32 = 4294967296;

export class Message {
  readonly task: Task;
  /** Address of the 48 bytes in the task's memory. */
  readonly addr: number;

  constructor(task: Task, addr?: number) {
    this.task = task;
    this.addr = addr ?? task.alloc(IPC_MESSAGE_SIZE);
    if (addr === undefined) this.clear();
  }

  /** Zero tag and data, every fd slot -1. */
  clear(): this {
    const v = this.task.view;
    for (let i = 0; i < 32; i += 4) v.setUint32(this.addr + i, 0, true);
    for (let i = 0; i < IPC_MAX_FDS; i++) v.setInt32(this.addr + MSG_FDS + 4 * i, -1, true);
    return this;
  }

  get tag(): number {
    return this.u64(MSG_TAG);
  }
  set tag(v: number) {
    this.setU64(MSG_TAG, v);
  }
  get tagLo(): number {
    return this.task.view.getUint32(this.addr + MSG_TAG, true);
  }
  get tagHi(): number {
    return this.task.view.getUint32(this.addr + MSG_TAG + 4, true);
  }

  /** data[i] (i = 0..2) as a number. */
  data(i: number): number {
    return this.u64(MSG_DATA + 8 * i);
  }
  setData(i: number, v: number): this {
    this.setU64(MSG_DATA + 8 * i, v);
    return this;
  }

  /** fds[i] (i = 0..3); -1 is an unused slot. After a receive, the new fd numbers. */
  fd(i: number): number {
    return this.task.view.getInt32(this.addr + MSG_FDS + 4 * i, true);
  }
  setFd(i: number, fd: number): this {
    this.task.view.setInt32(this.addr + MSG_FDS + 4 * i, fd, true);
    return this;
  }
  /** Sets fds[] to the given fds, the remaining slots to -1. */
  setFds(...fds: number[]): this {
    const v = this.task.view;
    for (let i = 0; i < IPC_MAX_FDS; i++) v.setInt32(this.addr + MSG_FDS + 4 * i, i < fds.length ? (fds[i] as number) : -1, true);
    return this;
  }

  /** A plain-object copy (bigints), for logs and tests. */
  decode(): IpcMessage {
    return decodeIpcMessage(this.task.view, this.addr);
  }

  private u64(off: number): number {
    const v = this.task.view;
    return v.getUint32(this.addr + off + 4, true) * TWO32 + v.getUint32(this.addr + off, true);
  }
  private setU64(off: number, n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`ioport: message fields take a non-negative safe integer, got ${String(n)}`);
    const v = this.task.view;
    v.setUint32(this.addr + off, lo32(n), true);
    v.setUint32(this.addr + off + 4, hi32(n), true);
  }
}
