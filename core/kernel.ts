/**
 * Kernel: one per JavaScript VM (one per board, one per simulator). It owns
 * the tasks, the live-object set, the op pool, the service registry, the
 * device side (IRQ lines, device streams) and the platform (clock, timers,
 * backends).
 *
 * Every entry into the kernel — a syscall, a timer, an interrupt — is
 * bracketed by `enter()`/`leave()`. Waiters satisfied during an entry are
 * resolved by `flush()` when the outermost entry leaves: so a waiter sees
 * everything one syscall or event posted, and user callbacks never run inside
 * a syscall or an interrupt path (spec §3 io_wait_cb, §9).
 */
import { DEFAULT_CQ_ENTRIES } from "./constants.js";
import { checkInvariants } from "./invariants.js";
import { DeviceTable } from "./objects/device.js";
import type { IrqLine } from "./objects/irq.js";
import { grantLane, LANE_EXIT, LANE_RUNNING, revokeLane } from "./objects/lane.js";
import type { IpcState } from "./objects/ipc-state.js";
import type { KernelObject } from "./objects/object.js";
import type { Port } from "./objects/port.js";
import { Op, OP_INFLIGHT } from "./op.js";
import type { Platform } from "./platform.js";
import { Task, type SpawnOptions } from "./task.js";
import type { KernelTracer } from "./trace.js";

/**
 * A device whose releases wait for the end of a cancel cascade: bytes given
 * back and a bus or line freed by a cancel are put in place at once, but the
 * device serves its next read or starts its next transfer only from
 * `resume`, once every op of the closing objects has been cancelled.
 */
export interface Resumable {
  /** Queued in the kernel's deferred list. */
  deferred: boolean;
  /** Serves waiting reads and starts the next transfer (inside the kernel). */
  resume(now: number): void;
}

export interface KernelOptions {
  /** Completion-queue slots of each new port (default 64). */
  cqEntries?: number;
  /**
   * Called with an exception thrown by user code that the kernel called
   * (an io_wait_cb callback). Default: log it through the platform. The
   * kernel itself carries on either way.
   */
  onUserError?: (err: unknown) => void;
}

export class Kernel {
  // Declaration order is the order XS searches the fields in: the fields
  // every syscall and interrupt touches come first.
  /** Nesting of kernel entries; waiters are resolved when it returns to 0. */
  depth = 0;
  /** A flush is running (waiters' callbacks may be on the stack). */
  flushing = false;
  /** Ports queued to wake (read by the interrupt fast path: it runs only when none are). */
  wakeCount = 0;
  /** Native fast lanes granted (core/objects/lane.ts): whatever touches a lane's port or line takes them back first. */
  lanes = 0;
  /** A lane may be grantable: checked when the kernel is left (core/objects/lane.ts). */
  laneDirty = false;
  /** Lines a backend offered a lane for (laneCapable's length, as a field: a wait registration reads it). */
  laneOffers = 0;
  /** Lanes granted for a one-shot arm: the op they may have spent is freed at revoke, so allocOp revokes first. */
  oneshotLanes = 0;
  /**
   * Shared with the lanes' native side (IrqLane.grant): [LANE_RUNNING] the
   * lane callbacks running now (the backend counts them), [LANE_EXIT] set
   * by the kernel when a callback must be followed by `laneExit`.
   */
  readonly laneState = new Int32Array(2);
  tracer: KernelTracer | null = null;
  private freeOps: Op | null = null;
  private opSeq = 0;
  /**
   * Ports to wake at the next flush: entries [0, wakeCount). Cleared by
   * overwriting, never by `length = 0`, which in V8 drops the backing store
   * and made every flush allocate a new one.
   */
  private readonly wakeList: (Port | null)[] = [];
  readonly platform: Platform;
  readonly options: Required<Pick<KernelOptions, "cqEntries">> & KernelOptions;
  readonly tasks = new Set<Task>();
  /** Every live kernel object, in creation order. */
  readonly objects = new Set<KernelObject>();
  /** Service registry: name -> object (holds one reference each). */
  readonly services = new Map<string, KernelObject>();
  /** Aligned scratch for reading a submission from a misaligned array. */
  readonly sqeScratch = new Uint32Array(12);
  readonly sqeScratchBytes = new Uint8Array(this.sqeScratch.buffer);
  readonly sqeScratchI32 = new Int32Array(this.sqeScratch.buffer);
  /** The board's devices (UARTs, SPI buses, GPIO, timer lines) and claimed IRQ lines. */
  readonly dev: DeviceTable;

  private nextObjectId = 1;
  private nextTaskId = 1;
  /** Op records ever allocated (the pool's size). */
  opsAllocated = 0;
  /**
   * Calls out to user code so far: io_wait_cb / io_watch callbacks and
   * io_wait promises resolved. Only code that runs can queue a promise
   * continuation, so a host that saw this unchanged across an event knows
   * the kernel queued none (the simulator then need not settle).
   */
  userCalls = 0;
  /**
   * Nesting of cancel cascades (a close, an exit, an io_cancel): while it is
   * above 0, devices defer what a cancel frees (see `hold`).
   */
  holding = 0;
  /** Devices to resume when the outermost cascade ends, in deferral order. */
  private readonly deferred: Resumable[] = [];

  constructor(platform: Platform, options: KernelOptions = {}) {
    this.platform = platform;
    const cq = options.cqEntries ?? DEFAULT_CQ_ENTRIES;
    if (!Number.isInteger(cq) || cq < 1 || cq > 65536) {
      throw new RangeError(`ioport: options.cqEntries must be an integer from 1 to 65536, got ${String(cq)}`);
    }
    this.options = { ...options, cqEntries: cq };
    // The hot paths read and write the ABI's little-endian layouts through
    // Uint32Array views of task memory. Every board ioport targets (RP2040,
    // ESP32) and every desktop host is little-endian; say so if one is not.
    if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
      throw new Error("ioport: this host is big-endian; the kernel supports little-endian hosts only");
    }
    this.dev = new DeviceTable(this);
  }

  /** Number of live kernel objects (ports, lines, devices, channel ends, notify objects). */
  get liveObjects(): number {
    return this.objects.size;
  }

  spawn(options: SpawnOptions = {}): Task {
    const task = new Task(this, this.nextTaskId++, options);
    this.tasks.add(task);
    return task;
  }

  // ---- objects ----
  objectCreated(obj: KernelObject): number {
    this.objects.add(obj);
    return this.nextObjectId++;
  }
  objectDestroyed(obj: KernelObject): void {
    this.objects.delete(obj);
  }

  /** Called by Task.exit after its fds are closed. */
  taskExited(task: Task): void {
    this.tasks.delete(task);
    if (this.tasks.size === 0) this.collectOrphans();
  }

  /**
   * When the last task exits, objects kept alive only by fd-passing cycles
   * are closed (spec §9). Subsystems that carry objects register a collector.
   */
  readonly orphanCollectors: ((kernel: Kernel) => void)[] = [];
  /**
   * Called by Task.exit before its fds are closed (the IPC layer withdraws the
   * task's blocked syscalls here).
   */
  readonly exitHooks: ((task: Task) => void)[] = [];
  /** Channel/message state, created by the first ipc_create. */
  ipc: IpcState | null = null;

  private collectOrphans(): void {
    for (const c of this.orphanCollectors) c(this);
  }

  // ---- ops ----
  allocOp(): Op {
    // an op a one-shot lane spent goes back to the pool first, as it would have on the general path
    if (this.oneshotLanes !== 0) this.revokeLanes();
    let op = this.freeOps;
    if (op !== null) {
      this.freeOps = op.free;
      op.free = null;
    } else {
      op = new Op();
      this.opsAllocated++;
    }
    op.seq = ++this.opSeq;
    return op;
  }

  freeOp(op: Op): void {
    op.reset();
    op.free = this.freeOps;
    this.freeOps = op;
  }

  /**
   * Posts the completion of an in-flight op. Its slot was reserved at
   * admission, so this never fails and never allocates. Completing an op that
   * is not in flight is a no-op (a late timer, say).
   */
  complete(op: Op, result: number, cflags = 0): void {
    if (op.state !== OP_INFLIGHT) return;
    const port = op.port as Port;
    if (op.linked) port.removeInflight(op);
    const hook = op.cancelHook;
    op.cancelHook = null;
    op.result = result;
    op.cflags = cflags;
    if (port.closed) {
      // The port is closing, and releasing what one of its ops held
      // completed this one: a parked send's message carried the last
      // reference to a stream or line, whose close cancels its ops on this
      // port. Nobody can reap it: it releases what it holds as a cancel
      // would, then goes (found by DST).
      if (hook !== null) hook(op);
      if (op.discardHook !== null) op.discardHook(op);
      this.freeOp(op);
      return;
    }
    port.enqueue(op);
    if (this.tracer !== null) this.tracer.complete(op);
    if (port.waitMode !== 0 && !port.wakeQueued && port.waiterReady()) this.queueWake(port);
  }

  /**
   * Cancels an in-flight op: posts -ECANCELED first, then lets the op's
   * target release what it held (which may complete other ops after it;
   * inside a cascade, `hold`, only once the cascade ends).
   */
  cancelOp(op: Op, result: number): boolean {
    if (op.state !== OP_INFLIGHT) return false;
    const hook = op.cancelHook;
    const port = op.port as Port;
    this.complete(op, result);
    // on a closing port complete() has run the hook and freed the op already
    if (hook !== null && !port.closed) hook(op);
    return true;
  }

  // ---- cancel cascades ----

  /**
   * Opens a cancel cascade. Until the matching `release`, a cancel posts its
   * -ECANCELED and detaches its op at once, but what the op held is only put
   * back (a read's bytes to the front of the device's input, a bus or a
   * transmitter freed): no other op is served from it. So every op of a
   * closing object — of every object a close or an exit cascades to — is
   * cancelled, in submission order, before any completion that releasing
   * their resources causes, and bytes given back serve only readers of other
   * opens (spec §9, objects and close; docs/design.md, close and cancel).
   */
  hold(): void {
    this.holding++;
  }

  /** Closes a cascade; the outermost one resumes the devices that deferred a release. */
  release(): void {
    if (--this.holding !== 0) return;
    const list = this.deferred;
    // one at a time off the front: a resume that completes ops can run user
    // code (a flush outside any syscall), whose closes open and end
    // cascades of their own, draining this same list
    while (list.length !== 0 && this.holding === 0) {
      const d = list.shift() as Resumable;
      d.deferred = false;
      d.resume(this.now());
    }
  }

  /** Called by a device that freed something inside a cascade: resumed at its end. */
  defer(d: Resumable): void {
    if (d.deferred) return;
    d.deferred = true;
    this.deferred.push(d);
  }

  // ---- entry, flush ----
  enter(): void {
    if (this.lanes !== 0) this.laneEntered();
    this.depth++;
  }

  /**
   * An entry while lanes are granted (callers check `lanes` first: one field
   * on every entry when none are): from a lane's callback, see
   * laneCallbackEntered.
   */
  laneEntered(): void {
    if (this.depth === 0 && !this.flushing && this.laneState[LANE_RUNNING] !== 0) this.laneCallbackEntered();
  }

  /**
   * User code a native lane called entered the kernel: it runs, as direct
   * delivery's callback does, inside a flush, so its wakes wait until it
   * returns; the backend then calls `laneExit`, which flushes them.
   */
  laneCallbackEntered(): void {
    this.flushing = true;
    this.laneState[LANE_EXIT] = 1;
  }

  /** Lines whose lane is granted: entries [0, lanes). */
  readonly laneLines: (IrqLine | null)[] = [];
  /** Lines a backend offered a lane for (IrqLine.attachLane). */
  readonly laneCapable: IrqLine[] = [];

  /** Grants every lane whose conditions hold now (the kernel is idle). */
  grantLanes(): void {
    this.laneDirty = false;
    const list = this.laneCapable;
    for (let i = 0; i < list.length; i++) {
      const line = list[i] as IrqLine;
      if (!line.laneGranted) grantLane(line);
    }
  }

  /**
   * Takes every granted lane back (core/objects/lane.ts), bringing the lines
   * and the kernel up to date with what the lanes delivered. Called first by
   * whatever touches a lane's port or line (lane.ts lists them).
   */
  revokeLanes(): void {
    const list = this.laneLines;
    const n = this.lanes;
    this.lanes = 0;
    for (let i = 0; i < n; i++) {
      const line = list[i] as IrqLine;
      list[i] = null;
      revokeLane(line, this);
    }
  }

  /**
   * A lane's callback threw, or its lane was taken back while it ran
   * (IrqLane.exit): finishes what direct delivery finishes after the
   * callback — the error reported inside the flush, then the wakes the
   * callback's syscalls queued. Persistent, so a grant allocates nothing.
   */
  readonly laneExit = (threw: boolean, err: unknown): void => {
    this.laneState[LANE_EXIT] = 0;
    if (threw) {
      if (this.lanes !== 0) this.revokeLanes();
      this.flushing = true;
      this.userError(err);
    }
    this.flushing = false;
    if (this.wakeCount !== 0) this.flush();
    if (this.laneDirty && this.depth === 0) this.grantLanes();
  };

  leave(): void {
    if (--this.depth === 0 && !this.flushing) {
      if (this.wakeCount !== 0) this.flush();
      if (this.laneDirty) this.grantLanes();
    }
  }

  queueWake(port: Port): void {
    if (port.wakeQueued) return;
    port.wakeQueued = true;
    this.wakeList[this.wakeCount++] = port;
    if (this.depth === 0 && !this.flushing) this.flush();
  }

  /** Resolves the waiters queued to wake (public for the interrupt fast path, core/objects/direct.ts). */
  flush(): void {
    if (this.wakeCount === 0) return;
    const list = this.wakeList;
    this.flushing = true;
    try {
      for (let i = 0; i < this.wakeCount; i++) {
        const port = list[i] as Port;
        port.wakeQueued = false;
        // Port.waiterReady(), inlined: this runs once per event
        if (port.waitMode !== 0 && (port.count >= port.waitMin || port.closed || port.waitTimedOut)) port.deliver();
      }
    } finally {
      for (let i = 0; i < this.wakeCount; i++) list[i] = null;
      this.wakeCount = 0;
      this.flushing = false;
    }
  }

  /** Calls user code from the kernel (io_wait_cb callbacks), containing its exceptions. */
  callUser(cb: (n: number) => void, n: number): void {
    this.userCalls++;
    try {
      cb(n);
    } catch (err) {
      this.userError(err);
    }
  }

  /**
   * Reports an exception thrown by user code the kernel called
   * (options.onUserError, else the platform's log). Never throws: it runs in
   * the middle of a flush, which must finish (a handler that threw too, or
   * an error value whose conversion to a string throws, would otherwise
   * leave ports marked queued that are never woken again).
   */
  userError(err: unknown): void {
    const h = this.options.onUserError;
    try {
      if (h) h(err);
      else this.log(`ioport: io_wait_cb callback threw: ${describe(err)}`);
    } catch (err2) {
      this.log(`ioport: options.onUserError threw: ${describe(err2)} (for: ${describe(err)})`);
    }
  }

  private log(message: string): void {
    try {
      if (this.platform.log) this.platform.log(message);
    } catch {
      // a platform whose log throws has nowhere else to say it
    }
  }

  now(): number {
    return this.platform.now();
  }

  /**
   * Checks the kernel's bookkeeping (core/invariants.ts lists what) and
   * throws an Error naming every violation. Call it between kernel entries:
   * from a test, a DST step or a simulator callback, not from inside a
   * syscall or an io_wait_cb callback.
   */
  checkInvariants(): void {
    // what a granted lane delivered is the line's too (core/objects/lane.ts)
    if (this.lanes !== 0) this.revokeLanes();
    const bad = checkInvariants(this);
    if (bad.length !== 0) throw new Error(`ioport: kernel invariants violated:\n- ${bad.join("\n- ")}`);
  }
}

/** String(v), or a placeholder when converting it throws (an object without toString, say). */
function describe(v: unknown): string {
  try {
    return String(v);
  } catch {
    return "(a value that cannot be converted to a string)";
  }
}
