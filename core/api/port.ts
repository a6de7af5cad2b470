/**
 * Port: the ergonomic face of a completion port, for firmware authors. It
 * wraps a port fd with a staging area for submissions and a completion area,
 * both preallocated in the task's memory, and uses the raw ABI underneath
 * (io_submit, io_wait, io_wait_cb, io_cancel).
 *
 * - Builders (`nop`, `timeout`, `read`, `write`, `irqWait`, `ipcSend`,
 *   `ipcRecv`, `ringWait`) encode a submission into the staging area; the
 *   next `submit()`, `wait()`, iteration step or driver turn submits them.
 * - Completions come as plain objects (`wait()`, `poll()`, `for await`), or
 *   through `drive(handler)`: the callback driver loop built on io_watch,
 *   with one persistent callback and one reused `CompletionView` whose fields
 *   are overwritten. Its steady state (handle, re-submit, wait) allocates
 *   nothing per operation.
 * - Failed calls throw `IoError`; a completion's negative result is data
 *   (`view.ok`, `view.errorName`, `completion.error`), not an exception.
 *
 * user_data goes in as a number (exact up to 2^53; no allocation) or a
 * bigint (all 64 bits, at the cost of BigInt work). It comes back as a bigint
 * in a `Completion` (an object allocated per completion anyway, so it carries
 * all 64 bits) and as a number in the driver's `CompletionView`
 * (`userDataBigInt()` for all 64 bits): reading a bigint allocates, and the
 * view is the allocation-free path (docs/decisions.md, "user_data types").
 */
import { COMPLETION_SIZE, SUBMISSION_SIZE } from "../constants.js";
import { bigIntHi, bigIntLo, hi32, lo32, readI64, u64ToBigInt, writeSubmission } from "../abi.js";
import { OP_IPC_RECV, OP_IPC_SEND, OP_IRQ_WAIT, OP_NOP, OP_READ, OP_RING_WAIT, OP_TIMEOUT, OP_WRITE, IRQ_EVENT_SIZE } from "../constants.js";
import { EBADF, EBUSY, errnoName } from "../errno.js";
import type { Task } from "../task.js";
import { IoError } from "./errors.js";

const TWO32 = 4294967296;

export type UserData = number | bigint;

export interface PortOptions {
  /** Wrap this existing port fd instead of creating a port (io_create(0)). */
  fd?: number;
  /** Submissions staged before an automatic submit (default 16). */
  sqEntries?: number;
  /** Completions reaped per wait (default 16). */
  cqEntries?: number;
}

export interface DriveOptions {
  /**
   * Receives handler exceptions (the loop goes on) and wait errors (the loop
   * has stopped). Without it, the first handler exception stops the loop
   * after the current batch and is rethrown; a wait error is thrown.
   */
  onError?: (err: unknown) => void;
}

/** A completion as a plain object (`wait`, `poll`, `for await`). */
export interface Completion {
  userData: bigint;
  result: number;
  flags: number;
  opcode: number;
  /** The negative result as an IoError, or null on success. */
  error: IoError | null;
}

/**
 * The driver loop's view of one completion. The same object is handed to the
 * handler for every completion and overwritten afterwards: copy what you
 * need to keep.
 */
export class CompletionView {
  udLo = 0;
  udHi = 0;
  result = 0;
  flags = 0;
  opcode = 0;

  /** user_data as a number (exact while it is below 2^53). */
  get userData(): number {
    return this.udHi * TWO32 + this.udLo;
  }
  /** user_data with all 64 bits (allocates a bigint). */
  userDataBigInt(): bigint {
    return u64ToBigInt(this.udLo, this.udHi);
  }
  get ok(): boolean {
    return this.result >= 0;
  }
  /** Positive errno of a failed completion, 0 on success. */
  get errno(): number {
    return this.result < 0 ? -this.result : 0;
  }
  /** "EBADF" and the like, "" on success. */
  get errorName(): string {
    return this.result < 0 ? errnoName(this.result) : "";
  }
  /** An IoError for a failed completion, null on success (allocates). */
  error(): IoError | null {
    return this.result < 0 ? new IoError(this.result) : null;
  }
  toObject(): Completion {
    return { userData: this.userDataBigInt(), result: this.result, flags: this.flags, opcode: this.opcode, error: this.error() };
  }

  load(view: DataView, addr: number): void {
    this.udLo = view.getUint32(addr, true);
    this.udHi = view.getUint32(addr + 4, true);
    this.result = readI64(view, addr + 8);
    this.flags = view.getUint32(addr + 16, true);
    this.opcode = view.getUint32(addr + 20, true);
  }
}

// typeof against constants, not string literals: XS allocates a copy of a
// literal each time run-time-compiled code evaluates it (core/sys/args.ts)
const TYPE_NUMBER = "number";
const TYPE_BIGINT = "bigint";

function udLo(ud: UserData): number {
  if (typeof ud === TYPE_NUMBER) {
    if (!Number.isSafeInteger(ud) || (ud as number) < 0) throw new RangeError(`ioport: user_data must be a non-negative safe integer or a bigint, got ${String(ud)}`);
    return lo32(ud as number);
  }
  return bigIntLo(ud as bigint);
}
function udHi(ud: UserData): number {
  return typeof ud === TYPE_NUMBER ? hi32(ud as number) : bigIntHi(ud as bigint);
}
function nsOf(ns: number | bigint): number {
  const n = typeof ns === TYPE_BIGINT ? Number(ns) : (ns as number);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`ioport: a timeout takes a non-negative integer of ns, got ${String(ns)}`);
  return n;
}

export class Port {
  readonly task: Task;
  readonly fd: number;
  readonly sqEntries: number;
  readonly cqEntries: number;
  /** Staging area: sqEntries submissions. */
  readonly sqAddr: number;
  /** Completion area: cqEntries completions. */
  readonly cqAddr: number;
  /** Submissions staged and not yet accepted by the port. */
  staged = 0;
  closed = false;

  private driving = false;
  private handler: ((c: CompletionView) => void) | null = null;
  private onError: ((err: unknown) => void) | null = null;
  private readonly view = new CompletionView();
  /** The one persistent io_watch callback of the driver loop. */
  private readonly onWatch = (n: number): void => {
    if (!this.driving) return;
    if (n < 0) {
      this.waitFailed(n);
      return;
    }
    try {
      this.dispatch(n);
    } finally {
      // a handler that stopped the loop, or threw without onError, ends the watch
      if (!this.driving) this.unwatch();
    }
    if (this.staged > 0) this.submit();
  };

  constructor(task: Task, options: PortOptions = {}) {
    const sq = options.sqEntries ?? 16;
    const cq = options.cqEntries ?? 16;
    if (!Number.isInteger(sq) || sq < 1 || !Number.isInteger(cq) || cq < 1) throw new RangeError("ioport: sqEntries and cqEntries must be positive integers");
    this.task = task;
    this.sqEntries = sq;
    this.cqEntries = cq;
    this.fd = options.fd ?? task.sys.io_create(0);
    if (this.fd < 0) throw new IoError(this.fd, "io_create");
    this.sqAddr = task.alloc(sq * SUBMISSION_SIZE);
    this.cqAddr = task.alloc(cq * COMPLETION_SIZE);
  }

  // ---- builders ----

  /** Stages a raw submission (u64 user_data as u32 halves). */
  prep(opcode: number, fd: number, bufAddr: number, bufLen: number, timeoutNs: number, userDataLo: number, userDataHi: number): this {
    if (this.staged === this.sqEntries) {
      this.submit();
      if (this.staged === this.sqEntries) throw new IoError(EBUSY, "io_submit");
    }
    writeSubmission(this.task.view, this.sqAddr + this.staged * SUBMISSION_SIZE, userDataLo, userDataHi, opcode, 0, fd, bufAddr, bufLen, timeoutNs);
    this.staged++;
    return this;
  }
  nop(userData: UserData = 0): this {
    return this.prep(OP_NOP, -1, 0, 0, 0, udLo(userData), udHi(userData));
  }
  timeout(ns: number | bigint, userData: UserData = 0): this {
    return this.prep(OP_TIMEOUT, -1, 0, 0, nsOf(ns), udLo(userData), udHi(userData));
  }
  read(fd: number, bufAddr: number, len: number, userData: UserData = 0): this {
    return this.prep(OP_READ, fd, bufAddr, len, 0, udLo(userData), udHi(userData));
  }
  write(fd: number, bufAddr: number, len: number, userData: UserData = 0): this {
    return this.prep(OP_WRITE, fd, bufAddr, len, 0, udLo(userData), udHi(userData));
  }
  /** OP_IRQ_WAIT; `eventAddr` (0 = none) receives a 16-byte IrqEvent at reap. */
  irqWait(fd: number, eventAddr = 0, userData: UserData = 0): this {
    return this.prep(OP_IRQ_WAIT, fd, eventAddr, eventAddr === 0 ? 0 : IRQ_EVENT_SIZE, 0, udLo(userData), udHi(userData));
  }
  /** OP_IPC_SEND of the message at `msgAddr` (a Message's `addr`). */
  ipcSend(fd: number, msgAddr: number, userData: UserData = 0): this {
    return this.prep(OP_IPC_SEND, fd, msgAddr, 48, 0, udLo(userData), udHi(userData));
  }
  /** OP_IPC_RECV into `msgAddr` (0 discards the message). */
  ipcRecv(fd: number, msgAddr: number, userData: UserData = 0): this {
    return this.prep(OP_IPC_RECV, fd, msgAddr, msgAddr === 0 ? 0 : 48, 0, udLo(userData), udHi(userData));
  }
  ringWait(fd: number, userData: UserData = 0): this {
    return this.prep(OP_RING_WAIT, fd, 0, 0, 0, udLo(userData), udHi(userData));
  }

  // ---- submitting and reaping ----

  /**
   * Submits the staged entries. Returns how many the port accepted; entries
   * it could not admit yet (its completion slots are all reserved) stay
   * staged for the next call. Throws IoError on a failed call.
   */
  submit(): number {
    const n = this.staged;
    if (n === 0) return 0;
    const r = this.task.sys.io_submit(this.fd, this.sqAddr, n);
    if (r === -EBUSY) return 0;
    if (r < 0) throw new IoError(r, "io_submit");
    if (r < n) this.task.memory.copyWithin(this.sqAddr, this.sqAddr + r * SUBMISSION_SIZE, this.sqAddr + n * SUBMISSION_SIZE);
    this.staged = n - r;
    return r;
  }

  /**
   * Submits what is staged, then waits for at least `min` completions
   * (timeoutNs 0 = forever). A wait pending when this Port's `close()` runs
   * resolves to `[]` (as `for await` ends quietly); a wait started after
   * `close()` throws IoError EBADF, since the loop should have stopped.
   */
  async wait(min = 1, timeoutNs: number | bigint = 0): Promise<Completion[]> {
    if (this.closed) throw new IoError(EBADF, "wait (the Port is closed)");
    this.submit();
    const n = await this.task.sys.io_wait(this.fd, this.cqAddr, this.cqEntries, min, timeoutNs);
    if (n < 0) {
      if (this.closed) return []; // closed while waiting: the wait ends, not the program
      throw new IoError(n, "io_wait");
    }
    return this.collect(n);
  }

  /** Submits what is staged and returns the completions queued now, without waiting. */
  poll(): Completion[] {
    this.submit();
    const n = this.task.sys.io_wait_cb(this.fd, this.cqAddr, this.cqEntries, 0, 0, this.onWatch);
    if (n < 0) throw new IoError(n, "io_wait");
    return this.collect(n);
  }

  /** Completions one by one, waiting as needed; ends when this Port is closed (a pending wait included, as `wait()` resolves `[]`). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Completion, void, undefined> {
    while (!this.closed) {
      for (const c of await this.wait(1)) yield c;
    }
  }

  /** Cancels in-flight operations with this user_data; returns how many (0 if none). */
  cancel(userData: UserData): number {
    const r = this.task.sys.io_cancel(this.fd, userData);
    if (r === -2) return 0; // ENOENT: nothing in flight matched
    if (r < 0) throw new IoError(r, "io_cancel");
    return r;
  }

  /**
   * Stops the driver loop and closes the port fd. Whatever waits on this
   * Port ends quietly: a pending `wait()` resolves to `[]`, `for await` ends,
   * the driver's loop stops; operations still in flight post nothing.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.driving = false;
    const r = this.task.sys.close(this.fd);
    if (r < 0 && r !== -EBADF) throw new IoError(r, "close");
  }

  // ---- the callback driver loop ----

  /**
   * Runs `handler` for every completion until `stop()` or `close()`:
   * submit what is staged, and with one io_watch (a persistent wait, no
   * syscall per batch) hand each
   * to the handler through the one reused CompletionView, repeat. The handler
   * usually stages the next operations. Completions found at once are
   * handled synchronously (inside this call); later ones from the kernel's
   * callback, in the turn of the event that produced them.
   */
  drive(handler: (c: CompletionView) => void, options: DriveOptions = {}): void {
    if (this.driving) throw new Error("ioport: Port.drive is already running on this port");
    if (this.closed) throw new IoError(EBADF, "drive");
    this.handler = handler;
    this.onError = options.onError ?? null;
    this.driving = true;
    // What is ready now is handled here, synchronously (so a handler's
    // exception comes out of drive()); then one io_watch serves the rest.
    const sys = this.task.sys;
    for (;;) {
      if (this.staged > 0) this.submit();
      const n = sys.io_wait_cb(this.fd, this.cqAddr, this.cqEntries, 0, 0, this.onWatch);
      if (n < 0) {
        this.waitFailed(n, "io_wait_cb");
        return;
      }
      if (n === 0) break;
      this.dispatch(n);
      if (!this.driving) return;
    }
    const r = sys.io_watch(this.fd, this.cqAddr, this.cqEntries, this.onWatch);
    if (r < 0) this.waitFailed(r, "io_watch");
  }

  /** Stops the driver loop after the current completion; completions still queued stay for the next wait. */
  stop(): void {
    if (!this.driving) return;
    this.driving = false;
    this.unwatch();
  }

  get isDriving(): boolean {
    return this.driving;
  }

  private unwatch(): void {
    if (!this.closed) this.task.sys.io_unwatch(this.fd);
  }

  private dispatch(n: number): void {
    const view = this.view;
    const mem = this.task.view;
    const handler = this.handler as (c: CompletionView) => void;
    let firstError: unknown = null;
    let threw = false;
    for (let i = 0; i < n; i++) {
      view.load(mem, this.cqAddr + i * COMPLETION_SIZE);
      try {
        handler(view);
      } catch (e) {
        if (this.onError !== null) this.onError(e);
        else if (!threw) {
          threw = true;
          firstError = e;
        }
      }
    }
    if (threw) {
      this.driving = false;
      throw firstError;
    }
  }

  private waitFailed(n: number, syscall = "io_watch"): void {
    this.driving = false;
    if (this.closed && n === -EBADF) return;
    const err = new IoError(n, syscall);
    if (this.onError !== null) this.onError(err);
    else throw err;
  }

  private collect(n: number): Completion[] {
    const out: Completion[] = [];
    const view = this.view;
    for (let i = 0; i < n; i++) {
      view.load(this.task.view, this.cqAddr + i * COMPLETION_SIZE);
      out.push(view.toObject());
    }
    return out;
  }
}
