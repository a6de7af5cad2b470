/**
 * Deterministic simulation testing (docs/design.md, Testing): one seed
 * builds a simulated board, a random workload of tasks doing driver loops
 * over ports, and a random stimulus with fault injection; runs it to the
 * end in virtual time; and checks invariants. The same seed gives the same
 * run, so a failing seed is a reproducible bug report.
 *
 * Workload (per task, `steps` random actions): io_submit batches of
 * NOP / TIMEOUT / READ / WRITE / IRQ_WAIT / TRANSFER (and per-entry errors:
 * unknown opcodes, bad flags, wrong fd kinds, bad buffers), io_wait and
 * io_wait_cb with random min/max/timeouts, io_cancel of random in-flight
 * ops, OP_IPC_SEND (sometimes passing a device fd) / OP_IPC_RECV /
 * OP_RING_WAIT on channels and notify objects published in the service
 * registry (svc_register / svc_lookup, notify, ipc_recv IPC_NONBLOCK),
 * ports closed with ops in flight, device streams opened, dup'ed and
 * closed, IRQ lines claimed and released, fd tables filled to EMFILE, and
 * tasks exiting mid-operation (from inside, or killed by a stimulus event).
 *
 * Stimulus: UART bursts (some larger than the receive buffer: overflow),
 * framing errors, garbage bytes; GPIO square waves, jittered bursts
 * (bouncing contacts) and single edges.
 *
 * Invariants checked:
 * - no syscall throws; syscall results are the ones the contract predicts
 *   (lowest free fd, EMFILE, EBUSY claims, io_submit admission, io_cancel
 *   counts);
 * - exactly one completion per accepted submission (unless its port was
 *   closed first), reaped in posting order (CQ FIFO), with the opcode
 *   echoed and a result the opcode allows;
 * - UART: reads complete in submission order per device; every byte the
 *   device took is read exactly once, in order, or still buffered; every
 *   byte dropped is counted as an overrun and reported (-EOVERFLOW);
 *   written bytes reach the wire in submission order (a cancelled write
 *   sends a prefix); copy-out puts the posted bytes into the submitter's
 *   memory; in half the seeds some opens of UART1 are terminals (OPEN_TTY):
 *   its reads then return what a reference editor written from the spec
 *   (tty-ref.ts) makes of the keys, its echo on the wire is what that
 *   reference calls for (a subsequence, if the kernel dropped echo), and
 *   its writes stay whole (they use bytes 0x80-0xff, echo 0x00-0x7f);
 * - channels: messages from one sender are received in the order sent,
 *   each at most once; a passed fd lands at the receiver's lowest free
 *   fd (or -EMFILE with fds[] = -1); a notify object wakes no more arms
 *   than it was notified;
 * - SPI: frames reach the device in submission order; received bytes are
 *   what the device answered;
 * - IRQ: every interrupt on a claimed line is delivered exactly once
 *   (sum of IRQ_WAIT results + latched at close = edges / timer periods);
 * - no leaked objects: after every task exits, `kernel.liveObjects` equals
 *   what the service registry holds, and every line is released;
 * - close: no read or transfer of a closed stream completes with data;
 * - the kernel's own bookkeeping (Kernel.checkInvariants, core/invariants.ts)
 *   after every step of every task, after every slice of virtual time the
 *   run advances, and at the end.
 *
 * Profiles (`profile`): "mixed" (the default, the workload above) and
 * "close", close- and cancel-heavy: several opens of each UART, mostly
 * reads, many in flight; streams closed and dup'ed, ports closed, ops
 * cancelled and tasks exiting far more often — and stream closes and task
 * kills scheduled in the middle of UART bursts.
 *
 * Engine-neutral: no host APIs; runs wherever the Simulator runs.
 */
import { decodeCompletion, decodeIpcMessage, decodeIrqEvent, encodeIpcMessage, writeSubmission } from "../../core/abi.js";
import {
  COMPLETION_SIZE,
  IRQ_FALLING,
  IRQ_ONESHOT,
  IRQ_PERIODIC,
  IRQ_RISING,
  IRQ_TIMER_BASE,
  IPC_MESSAGE_SIZE,
  IPC_NONBLOCK,
  MAX_FDS,
  OP_IPC_RECV,
  OP_IPC_SEND,
  OP_RING_WAIT,
  OP_IRQ_WAIT,
  OP_NOP,
  OP_READ,
  OP_TIMEOUT,
  OP_TRANSFER,
  OP_WRITE,
  OPEN_TTY,
  SUBMISSION_SIZE,
} from "../../core/constants.js";
import { EAGAIN, EBADF, EBUSY, ECANCELED, EFAULT, EINPROGRESS, EINVAL, EMFILE, ENOENT, EOVERFLOW, EPIPE, errnoName } from "../../core/errno.js";
import type { IrqLine } from "../../core/objects/irq.js";
import type { Op } from "../../core/op.js";
import type { Task } from "../../core/task.js";
import type { KernelTracer } from "../../core/trace.js";
import { Prng } from "../prng.js";
import { Simulator } from "../simulator.js";
import { FanoutTracer } from "../trace/fanout.js";
import { isSubsequence, TtyReference } from "./tty-ref.js";

export interface DstOptions {
  /** Random actions per task (default 200); the stimulus horizon scales with it. */
  steps?: number;
  /** Board (default "sim-devkit"). */
  board?: string;
  /** Makes an extra tracer for the run's simulator (a PerfettoTrace when reproducing a seed, say). */
  tracer?: (sim: Simulator) => KernelTracer;
  /** Stop collecting after this many failures (default 5). */
  maxFailures?: number;
  /** Run on the simulator's reference (eager) models and stepping (SimulatorOptions.eager). */
  eager?: boolean;
  /** Workload profile (default "mixed"; see the module comment). */
  profile?: DstProfile;
}

export type DstProfile = "mixed" | "close";
export const DST_PROFILES: readonly DstProfile[] = ["mixed", "close"];

export interface DstStats {
  tasks: number;
  submissions: number;
  completions: number;
  cancels: number;
  portCloses: number;
  exits: number;
  emfile: number;
  uartBytes: number;
  overruns: number;
  framingErrors: number;
  edges: number;
  spiFrames: number;
  messages: number;
  fdsPassed: number;
  notifies: number;
  /** Kernel.checkInvariants calls that ran. */
  invariantChecks: number;
}

export interface SeedResult {
  seed: number;
  ok: boolean;
  failures: string[];
  stats: DstStats;
  virtualNs: number;
  events: number;
}

const US = 1000;
const MS = 1_000_000;
const SLOT = 64;
const SLOTS = 160;
const SPI_XOR = 0x5a;

type Kind = "nop" | "timeout" | "uread" | "uwrite" | "irq" | "spi" | "error" | "send" | "recv" | "ring";

interface Claim {
  line: number;
  timer: boolean;
  flags: number;
  period: number;
  createdAt: number;
  active: boolean;
  closedAt: number;
  edges: number;
  consumed: number;
  latchedAtClose: number;
}

/** A channel created by task `owner`, its send end registered as `ch<owner>`. */
interface ChanRec {
  owner: number;
  /** Next sequence number per sending task, and the last one received per sending task. */
  sent: Map<number, number>;
  lastRecv: Map<number, number>;
  received: number;
  /** Messages received: (posting order, sender, seq), checked for FIFO per sender at the end. */
  got: { at: number; sender: number; seq: number; what: string }[];
}

/** A notify object registered as `nt<owner>`. */
interface NotifyRec {
  owner: number;
  notifies: number;
  wakes: number;
}

type FdRec =
  | { kind: "port"; port: PortRec }
  | { kind: "send"; chan: ChanRec }
  | { kind: "recv"; chan: ChanRec }
  | { kind: "notify"; nt: NotifyRec }
  | { kind: "uart"; n: number }
  | { kind: "spi" }
  | { kind: "irq"; claim: Claim };

interface OpRec {
  ud: number;
  kind: Kind;
  opcode: number;
  port: PortRec;
  len: number;
  slot: number;
  buf: number;
  uart: number;
  claim: Claim | null;
  /** Results the contract allows (null: any the kind allows). */
  expect: readonly number[] | null;
  posted: boolean;
  postedResult: number;
  data: Uint8Array | null;
  writeStart: number;
  spiTag: number;
  spiSent: Uint8Array | null;
  irqBuf: boolean;
  chan: ChanRec | null;
  nt: NotifyRec | null;
  /** Position in the kernel's posting order (tracer.complete). */
  postIndex: number;
}

interface PortRec {
  id: number;
  fd: number;
  open: boolean;
  reserved: number;
  outstanding: Map<number, OpRec>;
  posted: OpRec[];
}

interface TaskRec {
  idx: number;
  task: Task;
  fds: (FdRec | null)[];
  ports: PortRec[];
  killed: boolean;
  done: boolean;
  freeSlots: number[];
  slotBase: number;
  sqes: number;
  cqes: number;
}

interface UartLedger {
  /** The byte stream reads must return, in order (terminal mode: the edited lines). */
  taken: number[];
  /** On the UART that opens terminal streams: the reference editor (its echo, the line being edited). */
  tty: TtyReference | null;
  reads: OpRec[];
  readData: number[];
  lastReadUd: number;
  writes: OpRec[];
  writeCounter: number;
  eoverflow: number;
}

export async function runSeed(seed: number, options: DstOptions = {}): Promise<SeedResult> {
  const run = new DstRun(seed, options);
  return run.run();
}

class DstRun {
  readonly sim: Simulator;
  readonly rng: Prng;
  readonly steps: number;
  readonly maxFailures: number;
  /** The close- and cancel-heavy profile. */
  readonly closeHeavy: boolean;
  readonly failures: string[] = [];
  readonly stats: DstStats = {
    tasks: 0,
    submissions: 0,
    completions: 0,
    cancels: 0,
    portCloses: 0,
    exits: 0,
    emfile: 0,
    uartBytes: 0,
    overruns: 0,
    framingErrors: 0,
    edges: 0,
    spiFrames: 0,
    messages: 0,
    fdsPassed: 0,
    notifies: 0,
    invariantChecks: 0,
  };
  readonly chans: ChanRec[] = [];
  readonly notes: NotifyRec[] = [];
  readonly tasks: TaskRec[] = [];
  readonly ops = new Map<number, OpRec>();
  readonly claims = new Map<number, Claim>();
  readonly allClaims: Claim[] = [];
  readonly uarts: UartLedger[] = [];
  readonly spiSeen: number[] = [];
  spiTag = 0;
  /** Completions posted so far (kernel posting order). */
  postCounter = 0;
  nextUd = 1;
  nextPortId = 1;
  readonly horizon: number;
  /** The UART some opens make a terminal (OPEN_TTY), or -1. Its writes carry bytes 0x80-0xff, echo 0x00-0x7f. */
  readonly ttyUart: number;
  /** Stimulus density factor (more steps, longer runs, more stimulus). */
  readonly scale: number;

  constructor(
    readonly seed: number,
    options: DstOptions,
  ) {
    this.sim = new Simulator({ board: options.board ?? "sim-devkit", seed, eager: options.eager === true });
    this.rng = new Prng((seed ^ 0x5eed5eed) >>> 0);
    this.steps = options.steps ?? 200;
    this.closeHeavy = options.profile === "close";
    this.maxFailures = options.maxFailures ?? 5;
    this.scale = Math.max(1, Math.round(this.steps / 40));
    this.horizon = this.rng.int(5, 30) * MS * this.scale;
    // half the seeds open UART1 as a terminal at times (OPEN_TTY, spec §4.12)
    this.ttyUart = this.rng.chance(0.5) ? 1 : -1;
    const tracer: KernelTracer = {
      syscall() {},
      submit() {},
      complete: (op) => this.onComplete(op),
      reap() {},
      irq() {},
    };
    this.sim.kernel.tracer = options.tracer ? new FanoutTracer([tracer, options.tracer(this.sim)]) : tracer;
  }

  fail(msg: string): void {
    if (this.failures.length < this.maxFailures) this.failures.push(`t=${this.sim.now}ns: ${msg}`);
  }

  /** Kernel.checkInvariants, its violations recorded as failures (once: later ones would repeat them). */
  checkKernel(where: string): void {
    if (this.kernelBroken) return;
    this.stats.invariantChecks++;
    try {
      this.sim.kernel.checkInvariants();
    } catch (e) {
      this.kernelBroken = true;
      this.fail(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  kernelBroken = false;

  // ---- observation ----

  onComplete(op: Op): void {
    const rec = this.ops.get(op.udLo);
    if (rec === undefined || op.udHi !== 0) {
      this.fail(`completion for unknown user_data ${op.udHi}:${op.udLo}`);
      return;
    }
    if (rec.posted) {
      this.fail(`second completion for user_data ${rec.ud} (${rec.kind}): results ${rec.postedResult} and ${op.result}`);
      return;
    }
    rec.posted = true;
    rec.postedResult = op.result;
    rec.postIndex = this.postCounter++;
    rec.port.posted.push(rec);
    this.stats.completions++;
    if ((rec.kind === "uread" || rec.kind === "spi") && op.result > 0 && op.target !== null && op.target.closed) {
      this.fail(`${rec.kind === "spi" ? "SPI transfer" : `UART${rec.uart} read`} ${rec.ud} completed with ${op.result} bytes after its stream was closed`);
    }
    if (rec.kind === "uread") {
      const u = this.uarts[rec.uart] as UartLedger;
      if (op.result === -EOVERFLOW) u.eoverflow++;
      if (op.result > 0) {
        if (rec.ud < u.lastReadUd) this.fail(`UART${rec.uart} read ${rec.ud} completed with data after read ${u.lastReadUd} (not FIFO)`);
        u.lastReadUd = rec.ud;
        rec.data = (op.data as Uint8Array).slice(0, op.result);
        for (const b of rec.data) u.readData.push(b);
      }
    } else if (rec.kind === "irq" && op.result > 0 && rec.claim !== null) {
      rec.claim.consumed += op.result;
    }
  }

  // ---- set-up ----

  async run(): Promise<SeedResult> {
    const sim = this.sim;
    for (let n = 0; n < sim.uarts.length; n++) {
      const dev = sim.kernel.dev.uarts[n]!;
      const tty = n === this.ttyUart ? new TtyReference(dev.rxLimit) : null;
      const led: UartLedger = { taken: [], tty, reads: [], readData: [], lastReadUd: 0, writes: [], writeCounter: 0, eoverflow: 0 };
      this.uarts.push(led);
      sim.uarts[n]!.onReceive = (byte, ok) => {
        if (tty === null || dev.ttyStreams === 0) {
          if (ok) led.taken.push(byte);
          return;
        }
        const line = tty.key(byte);
        // a line with no room in the ring is dropped whole (its last byte reported not kept)
        if (line !== null && ok) led.taken.push(...line);
      };
      if (tty !== null) {
        // the mode's edges, seen where the kernel makes them: the first terminal open, the last close
        const openTty = dev.openTty.bind(dev);
        const closeTty = dev.closeTty.bind(dev);
        dev.openTty = () => {
          if (dev.ttyStreams === 0) tty.reset();
          openTty();
        };
        dev.closeTty = (now: number) => {
          closeTty(now);
          if (dev.ttyStreams !== 0) return;
          led.taken.push(...tty.line); // the unfinished line, as plain bytes
          tty.line = [];
        };
      }
    }
    sim.gpioBank.onLevel = (pin, level) => {
      const c = this.claims.get(pin);
      if (c !== undefined && c.active && c.flags & (level ? IRQ_RISING : IRQ_FALLING)) c.edges++;
    };
    if (sim.spis.length > 0) {
      sim.spi(0).attach({
        transfer: (mosi) => {
          this.stats.spiFrames++;
          if (mosi.length >= 3 && mosi[2] === 0xee) this.spiSeen.push((mosi[0] as number) | ((mosi[1] as number) << 8));
          return mosi.map((b) => b ^ SPI_XOR);
        },
      });
    }
    this.stimulus();
    const nTasks = this.rng.int(2, 4);
    this.stats.tasks = nTasks;
    const mains: Promise<void>[] = [];
    for (let i = 0; i < nTasks; i++) {
      const t = this.spawn(i);
      mains.push(this.guard(t, () => this.taskMain(t)));
    }
    // a task killed from outside while it waits
    if (this.rng.chance(0.35)) {
      const victim = this.tasks[this.rng.int(0, nTasks - 1)] as TaskRec;
      sim.at(this.rng.int(1, this.horizon), () => this.kill(victim));
    }
    const limit = this.horizon * 50 + 200 * MS;
    while (!this.tasks.every((t) => t.done) && sim.now < limit && this.failures.length < this.maxFailures) {
      try {
        await sim.advance(200 * US);
      } catch (e) {
        this.fail(`simulator: ${String(e)}`);
        break;
      }
      this.checkKernel("after a slice of virtual time");
    }
    if (!this.tasks.every((t) => t.done)) {
      if (this.failures.length < this.maxFailures) this.fail(`workload did not finish by ${limit} ns (a wait that never resolves?)`);
      // stop the workload: exiting resolves every pending wait (-EBADF)
      for (const t of this.tasks) this.kill(t);
    }
    await Promise.all(mains);
    // every task exits; then let the remaining stimulus arrive
    for (const t of this.tasks) this.exitTask(t);
    try {
      await sim.advance(Math.max(0, this.horizon - sim.now) + 5 * MS);
    } catch (e) {
      this.fail(`simulator: ${String(e)}`);
    }
    this.checkKernel("at the end");
    this.finalChecks();
    return {
      seed: this.seed,
      ok: this.failures.length === 0,
      failures: this.failures,
      stats: this.stats,
      virtualNs: sim.now,
      events: sim.platform.events.executed,
    };
  }

  spawn(idx: number): TaskRec {
    const task = this.sim.spawn({ name: `w${idx}`, memoryBytes: 32 * 1024 });
    const slotBase = task.alloc(SLOT * SLOTS, 8);
    const t: TaskRec = {
      idx,
      task,
      fds: new Array<FdRec | null>(MAX_FDS).fill(null),
      ports: [],
      killed: false,
      done: false,
      freeSlots: Array.from({ length: SLOTS }, (_, i) => SLOTS - 1 - i),
      slotBase,
      sqes: task.alloc(SUBMISSION_SIZE * 4),
      cqes: task.alloc(COMPLETION_SIZE * 16),
    };
    this.tasks.push(t);
    return t;
  }

  stimulus(): void {
    const { sim, rng } = this;
    const H = this.horizon;
    for (let n = 0; n < sim.uarts.length; n++) {
      const u = sim.uarts[n]!;
      const bursts = rng.int(0, 6 * this.scale);
      for (let i = 0; i < bursts; i++) {
        const at = rng.int(0, H);
        const r = rng.next();
        const size = r < 0.15 ? rng.int(200, 400) : rng.int(1, 40);
        const data = Array.from({ length: size }, () => rng.int(0, 255));
        if (r > 0.9) sim.at(at, () => u.injectFramingError(data.slice(0, rng.int(1, 3))));
        else sim.at(at, () => u.inject(data));
        if (this.closeHeavy && rng.chance(0.5)) {
          // in the middle of the burst: a stream closed, or a task killed
          const mid = at + Math.floor(rng.next() * size * u.byteTime(1));
          const who = rng.int(0, 3);
          if (rng.chance(0.8)) sim.at(mid, () => this.closeStreamOf(this.tasks[who % this.tasks.length] as TaskRec));
          else sim.at(mid, () => this.kill(this.tasks[who % this.tasks.length] as TaskRec));
        }
      }
    }
    const pins = [0, 1, 3, 4];
    for (const pin of pins) {
      const kinds = rng.int(0, 3 * this.scale);
      for (let i = 0; i < kinds; i++) {
        const start = rng.int(0, H);
        const r = rng.next();
        const p = sim.gpio(pin);
        if (r < 0.4) {
          // square wave
          const period = rng.int(20, 500) * US;
          const high = Math.max(1, Math.floor(period * (0.1 + 0.8 * rng.next())));
          const count = rng.int(1, 30);
          for (let k = 0; k < count; k++) {
            sim.at(start + k * period, () => p.drive(1));
            sim.at(start + k * period + high, () => p.drive(0));
          }
        } else if (r < 0.8) {
          // jittered burst: a bouncing contact
          let t = start;
          const edges = rng.int(2, 20);
          for (let k = 0; k < edges; k++) {
            t += rng.int(1, 300) * US;
            const lvl = k % 2 === 0 ? 1 : 0;
            sim.at(t, () => p.drive(lvl));
          }
        } else {
          const lvl = rng.int(0, 1);
          sim.at(start, () => p.drive(lvl));
        }
      }
    }
  }

  // ---- syscall wrapper ----

  call<T>(t: TaskRec, name: string, f: () => T): T | null {
    try {
      return f();
    } catch (e) {
      this.fail(`task w${t.idx}: syscall ${name} threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return null;
    }
  }

  async guard(t: TaskRec, f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.fail(`task w${t.idx}: workload threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      t.done = true;
    }
  }

  expectEq(t: TaskRec, what: string, got: number | null, want: number): void {
    if (got !== null && got !== want && !t.killed) {
      this.fail(`task w${t.idx}: ${what} returned ${fmt(got)}, expected ${fmt(want)}`);
    }
  }

  lowestFree(t: TaskRec): number {
    return t.fds.indexOf(null);
  }

  install(t: TaskRec, what: string, r: number | null, rec: FdRec): boolean {
    const want = this.lowestFree(t);
    this.expectEq(t, what, r, want < 0 ? -EMFILE : want);
    if (r !== null && r >= 0 && r < MAX_FDS) {
      t.fds[r] = rec;
      return true;
    }
    if (r === -EMFILE) this.stats.emfile++;
    return false;
  }

  // ---- resources ----

  newPort(t: TaskRec): PortRec | null {
    const r = this.call(t, "io_create", () => t.task.sys.io_create(0));
    const port: PortRec = { id: this.nextPortId++, fd: r ?? -1, open: true, reserved: 0, outstanding: new Map(), posted: [] };
    if (!this.install(t, "io_create", r, { kind: "port", port })) return null;
    t.ports.push(port);
    return port;
  }

  openDev(t: TaskRec): void {
    // the close profile opens UART0 most: several opens of one device
    const which = this.closeHeavy && this.rng.chance(0.6) ? 0 : this.rng.int(0, 2);
    const path = which === 2 ? "/dev/spi0" : `/dev/uart${which}`;
    const flags = which === this.ttyUart && this.rng.chance(0.5) ? OPEN_TTY : 0;
    const r = this.call(t, "open", () => t.task.sys.open(path, flags));
    this.install(t, `open(${path})`, r, which === 2 ? { kind: "spi" } : { kind: "uart", n: which });
  }

  claimLine(t: TaskRec): void {
    const { rng, sim } = this;
    const timer = rng.chance(0.3);
    const line = timer ? IRQ_TIMER_BASE + rng.int(0, 3) : rng.pick([0, 1, 3, 4]);
    const flags = timer ? (rng.chance(0.8) ? IRQ_PERIODIC : IRQ_ONESHOT) : rng.int(1, 3);
    const period = timer ? rng.int(50, 2000) * US : 0;
    const r = this.call(t, "irq_create", () => t.task.sys.irq_create(line, flags, period));
    const claimed = this.claims.get(line);
    if (claimed !== undefined && claimed.active) {
      this.expectEq(t, `irq_create(${line}) of a claimed line`, r, -EBUSY);
      return;
    }
    const claim: Claim = { line, timer, flags, period, createdAt: sim.now, active: true, closedAt: 0, edges: 0, consumed: 0, latchedAtClose: 0 };
    if (this.install(t, `irq_create(${line})`, r, { kind: "irq", claim })) {
      this.claims.set(line, claim);
      this.allClaims.push(claim);
    }
  }

  /** Records what a line has latched just before its last reference goes. */
  releaseClaim(t: TaskRec, fd: number, claim: Claim): void {
    const obj = t.task.get(fd) as IrqLine | null;
    claim.latchedAtClose = obj !== null ? obj.pending : 0;
    claim.active = false;
    claim.closedAt = this.sim.now;
  }

  closeFd(t: TaskRec, fd: number): void {
    const rec = t.fds[fd];
    if (rec === null || rec === undefined) {
      const r = this.call(t, "close", () => t.task.sys.close(fd));
      this.expectEq(t, `close(${fd}) of a closed fd`, r, -EBADF);
      return;
    }
    if (this.lastRef(t, fd)) {
      if (rec.kind === "irq") this.releaseClaim(t, fd, rec.claim);
      if (rec.kind === "port") this.portGone(t, rec.port);
    }
    const r = this.call(t, "close", () => t.task.sys.close(fd));
    this.expectEq(t, `close(${fd})`, r, 0);
    t.fds[fd] = null;
  }

  /** Whether `fd` holds the last reference (in this task: the workload shares objects only within a task). */
  lastRef(t: TaskRec, fd: number): boolean {
    const rec = t.fds[fd] as FdRec;
    const same = (o: FdRec | null): boolean =>
      o !== null &&
      ((rec.kind === "port" && o.kind === "port" && o.port === rec.port) || (rec.kind === "irq" && o.kind === "irq" && o.claim === rec.claim));
    return t.fds.every((o, i) => i === fd || !same(o));
  }

  /** A port closed: its in-flight ops and queued completions may vanish (spec §5). */
  portGone(t: TaskRec, port: PortRec): void {
    port.open = false;
    for (const rec of port.outstanding.values()) this.freeSlot(t, rec);
    port.outstanding.clear();
    port.posted.length = 0;
    const i = t.ports.indexOf(port);
    if (i >= 0) t.ports.splice(i, 1);
  }

  exitTask(t: TaskRec): void {
    if (t.task.exited) return;
    for (let fd = 0; fd < MAX_FDS; fd++) {
      const rec = t.fds[fd];
      if (rec !== null && rec !== undefined && this.lastRef(t, fd)) {
        if (rec.kind === "irq") this.releaseClaim(t, fd, rec.claim);
        if (rec.kind === "port") this.portGone(t, rec.port);
      }
      t.fds[fd] = null;
    }
    this.stats.exits++;
    this.call(t, "exit", () => t.task.exit());
  }

  kill(t: TaskRec): void {
    if (t.done || t.killed) return;
    t.killed = true;
    this.exitTask(t);
  }

  freeSlot(t: TaskRec, rec: OpRec): void {
    if (rec.slot >= 0) {
      t.freeSlots.push(rec.slot);
      rec.slot = -1;
    }
  }

  // ---- the workload ----

  async taskMain(t: TaskRec): Promise<void> {
    const rng = this.rng;
    if (this.newPort(t) === null) return;
    if (rng.chance(0.5)) this.newPort(t);
    for (let i = this.closeHeavy ? rng.int(3, 6) : rng.int(1, 3); i > 0; i--) this.openDev(t);
    if (rng.chance(0.7)) this.claimLine(t);
    if (rng.chance(0.7)) this.makeChannel(t);
    if (rng.chance(0.5)) this.makeNotify(t);
    for (let s = 0; s < this.steps && !t.killed && this.failures.length < this.maxFailures; s++) {
      await this.step(t);
      this.checkKernel(`after step ${s} of w${t.idx}`);
    }
    if (!t.killed) await this.finish(t);
  }

  /** A channel whose send end is registered as `ch<idx>` (the registry keeps it alive past the task). */
  makeChannel(t: TaskRec): void {
    const out = t.sqes; // scratch: 8 bytes
    const cap = this.rng.int(0, 4);
    const r = this.call(t, "ipc_create", () => t.task.sys.ipc_create(out, cap, 0));
    const want = t.fds.filter((f) => f === null).length >= 2 ? 0 : -EMFILE;
    this.expectEq(t, "ipc_create", r, want);
    if (r !== 0) return;
    const sfd = t.task.view.getInt32(out, true);
    const rfd = t.task.view.getInt32(out + 4, true);
    const chan: ChanRec = { owner: t.idx, sent: new Map(), lastRecv: new Map(), received: 0, got: [] };
    const free = this.lowestFree(t);
    if (sfd !== free) this.fail(`task w${t.idx}: ipc_create put the send end at fd ${sfd}, lowest free is ${free}`);
    t.fds[sfd] = { kind: "send", chan };
    if (rfd !== this.lowestFree(t)) this.fail(`task w${t.idx}: ipc_create put the recv end at fd ${rfd}, lowest free is ${this.lowestFree(t)}`);
    t.fds[rfd] = { kind: "recv", chan };
    this.chans.push(chan);
    this.expectEq(t, `svc_register(ch${t.idx})`, this.call(t, "svc_register", () => t.task.sys.svc_register(`ch${t.idx}`, sfd)), 0);
  }

  makeNotify(t: TaskRec): void {
    const nt: NotifyRec = { owner: t.idx, notifies: 0, wakes: 0 };
    const r = this.call(t, "notify_create", () => t.task.sys.notify_create(0));
    if (!this.install(t, "notify_create", r, { kind: "notify", nt })) return;
    this.notes.push(nt);
    this.expectEq(t, `svc_register(nt${t.idx})`, this.call(t, "svc_register", () => t.task.sys.svc_register(`nt${t.idx}`, r as number)), 0);
  }

  async step(t: TaskRec): Promise<void> {
    const rng = this.rng;
    const r = rng.int(0, 99);
    if (t.ports.length === 0) {
      this.newPort(t);
      return;
    }
    if (this.closeHeavy) return this.closeStep(t, r);
    if (r < 40) this.submitBatch(t);
    else if (r < 70) await this.waitSome(t);
    else if (r < 78) this.cancelOne(t);
    else if (r < 81) this.closePort(t);
    else if (r < 86) this.fiddleFds(t);
    else if (r < 89) this.fiddleLines(t);
    else if (r < 94) this.fiddleIpc(t);
    else if (r < 96) this.fillFds(t);
    else if (r < 97 && rng.chance(0.5)) {
      // exits mid-operation, from inside
      t.killed = true;
      this.exitTask(t);
    } else await this.waitSome(t);
  }

  /** A step of the close- and cancel-heavy profile. */
  async closeStep(t: TaskRec, r: number): Promise<void> {
    const rng = this.rng;
    if (r < 45) {
      this.submitBatch(t);
      if (rng.chance(0.5)) this.submitBatch(t);
    } else if (r < 60) await this.waitSome(t);
    else if (r < 70) this.cancelOne(t);
    else if (r < 74) this.closePort(t);
    else if (r < 88) this.fiddleFds(t);
    else if (r < 91) this.fiddleLines(t);
    else if (r < 94) this.fiddleIpc(t);
    else if (r < 95 && rng.chance(0.5)) {
      // exits mid-operation, from inside (the stimulus kills tasks mid-burst too)
      t.killed = true;
      this.exitTask(t);
    } else await this.waitSome(t);
  }

  /** From outside the task, mid-burst: close one of its device streams, if it has one. */
  closeStreamOf(t: TaskRec): void {
    if (t.done || t.killed || t.task.exited) return;
    const devs = [...this.fdsOf(t, "uart"), ...this.fdsOf(t, "spi")];
    if (devs.length > 0) this.closeFd(t, this.rng.pick(devs));
  }

  fdsOf(t: TaskRec, kind: FdRec["kind"]): number[] {
    const out: number[] = [];
    t.fds.forEach((r, i) => {
      if (r !== null && r.kind === kind) out.push(i);
    });
    return out;
  }

  makeEntry(t: TaskRec, port: PortRec, at: number): OpRec {
    const rng = this.rng;
    const ud = this.nextUd++;
    const rec: OpRec = {
      ud,
      kind: "nop",
      opcode: OP_NOP,
      port,
      len: 0,
      slot: -1,
      buf: 0,
      uart: -1,
      claim: null,
      expect: null,
      posted: false,
      postedResult: 0,
      data: null,
      writeStart: 0,
      spiTag: -1,
      spiSent: null,
      irqBuf: false,
      chan: null,
      nt: null,
      postIndex: 0,
    };
    let fd = -1;
    let flags = 0;
    let timeout = 0;
    const slot = (): boolean => {
      const s = t.freeSlots.pop();
      if (s === undefined) return false;
      rec.slot = s;
      rec.buf = t.slotBase + s * SLOT;
      return true;
    };
    const uarts = this.fdsOf(t, "uart");
    const spis = this.fdsOf(t, "spi");
    const irqs = this.fdsOf(t, "irq");
    // the close profile is mostly UART reads: many in flight when closes come
    const r = this.closeHeavy && rng.chance(0.6) ? 20 + rng.int(0, 15) : rng.int(0, 99);
    if (r < 8) {
      rec.expect = [0];
    } else if (r < 20) {
      rec.kind = "timeout";
      rec.opcode = OP_TIMEOUT;
      timeout = rng.chance(0.1) ? 0 : rng.int(1, 2000) * US;
      rec.expect = [0, -ECANCELED];
    } else if (r < 36 && uarts.length > 0 && slot()) {
      fd = rng.pick(uarts);
      rec.kind = "uread";
      rec.opcode = OP_READ;
      rec.uart = (t.fds[fd] as { n: number }).n;
      rec.len = rng.int(1, SLOT);
    } else if (r < 48 && uarts.length > 0 && slot()) {
      fd = rng.pick(uarts);
      rec.kind = "uwrite";
      rec.opcode = OP_WRITE;
      rec.uart = (t.fds[fd] as { n: number }).n;
      rec.len = rng.int(1, 32);
      const u = this.uarts[rec.uart] as UartLedger;
      rec.writeStart = u.writeCounter;
      u.writeCounter += rec.len;
      for (let i = 0; i < rec.len; i++) t.task.memory[rec.buf + i] = writeByte(u, rec.writeStart + i);
      rec.expect = [rec.len, -ECANCELED];
    } else if (r < 60 && irqs.length > 0) {
      fd = rng.pick(irqs);
      rec.kind = "irq";
      rec.opcode = OP_IRQ_WAIT;
      rec.claim = (t.fds[fd] as { claim: Claim }).claim;
      if (rng.chance(0.5) && slot()) {
        rec.irqBuf = true;
        rec.len = 16;
      }
    } else if (r < 72 && spis.length > 0 && slot()) {
      fd = rng.pick(spis);
      rec.kind = "spi";
      rec.opcode = rng.pick([OP_READ, OP_WRITE, OP_TRANSFER]);
      rec.len = rng.int(1, 32);
      if (rec.opcode !== OP_READ) {
        const mem = t.task.memory;
        for (let i = 0; i < rec.len; i++) mem[rec.buf + i] = rng.int(0, 255);
        if (rec.len >= 3) {
          // a tag the device model logs: frames must reach it in submission order
          rec.spiTag = this.spiTag++ & 0xffff;
          mem[rec.buf] = rec.spiTag & 0xff;
          mem[rec.buf + 1] = rec.spiTag >> 8;
          mem[rec.buf + 2] = 0xee;
        }
        rec.spiSent = mem.slice(rec.buf, rec.buf + rec.len);
      }
      rec.expect = [rec.len, -ECANCELED];
    } else if (r < 82 && this.fdsOf(t, "send").length > 0 && slot()) {
      fd = rng.pick(this.fdsOf(t, "send"));
      rec.kind = "send";
      rec.opcode = OP_IPC_SEND;
      rec.chan = (t.fds[fd] as { chan: ChanRec }).chan;
      this.fillMessage(t, rec.chan, rec.buf, ud);
      rec.len = IPC_MESSAGE_SIZE;
      rec.expect = [0, -EPIPE, -ECANCELED];
    } else if (r < 90 && this.fdsOf(t, "recv").length > 0 && slot()) {
      fd = rng.pick(this.fdsOf(t, "recv"));
      rec.kind = "recv";
      rec.opcode = OP_IPC_RECV;
      rec.chan = (t.fds[fd] as { chan: ChanRec }).chan;
      rec.len = IPC_MESSAGE_SIZE;
    } else if (r < 94 && this.fdsOf(t, "notify").length > 0) {
      fd = rng.pick(this.fdsOf(t, "notify"));
      rec.kind = "ring";
      rec.opcode = OP_RING_WAIT;
      rec.nt = (t.fds[fd] as { nt: NotifyRec }).nt;
      rec.expect = [0, -ECANCELED];
    } else {
      // per-entry errors
      rec.kind = "error";
      const e = rng.int(0, 5);
      if (e === 0) {
        rec.opcode = rng.int(9, 200);
        rec.expect = [-EINVAL];
      } else if (e === 1) {
        rec.opcode = OP_NOP;
        flags = 1 << rng.int(0, 31);
        rec.expect = [-EINVAL];
      } else if (e === 2) {
        rec.opcode = rng.pick([OP_READ, OP_WRITE, OP_IRQ_WAIT, OP_TRANSFER]);
        fd = port.fd; // a port is the wrong kind for all of them
        rec.len = 4;
        rec.buf = 8;
        rec.expect = [-EBADF];
      } else if (e === 3 && uarts.length > 0) {
        rec.opcode = rng.pick([OP_READ, OP_WRITE]);
        fd = rng.pick(uarts);
        rec.len = 8;
        rec.buf = rng.chance(0.5) ? 0 : t.task.memory.length - 4;
        rec.expect = [-EFAULT];
      } else if (e === 4 && uarts.length > 0) {
        rec.opcode = OP_TRANSFER;
        fd = rng.pick(uarts);
        rec.len = 4;
        rec.buf = 8;
        rec.expect = [-EBADF];
      } else {
        rec.opcode = OP_READ;
        fd = this.lowestFree(t);
        if (fd < 0) fd = 200;
        rec.len = 4;
        rec.buf = 8;
        rec.expect = [-EBADF];
      }
    }
    writeSubmission(t.task.view, at, ud, 0, rec.opcode, flags, fd, rec.buf, rec.len, timeout);
    return rec;
  }

  submitBatch(t: TaskRec): void {
    const port = this.rng.pick(t.ports);
    const count = this.rng.int(1, 4);
    const recs: OpRec[] = [];
    for (let i = 0; i < count; i++) {
      const rec = this.makeEntry(t, port, t.sqes + i * SUBMISSION_SIZE);
      recs.push(rec);
      this.ops.set(rec.ud, rec);
    }
    const cap = this.sim.kernel.options.cqEntries;
    const room = cap - port.reserved;
    const want = room <= 0 ? -EBUSY : Math.min(count, room);
    const r = this.call(t, "io_submit", () => t.task.sys.io_submit(port.fd, t.sqes, count));
    this.expectEq(t, "io_submit", r, want);
    const accepted = r !== null && r > 0 ? r : 0;
    // entries past the accepted ones were never seen by the kernel: undo them (last first)
    for (let i = count - 1; i >= accepted; i--) {
      const rec = recs[i] as OpRec;
      if (rec.posted) this.fail(`io_submit accepted ${accepted} of ${count} but entry ${i} completed`);
      this.ops.delete(rec.ud);
      this.freeSlot(t, rec);
      if (rec.kind === "uwrite") (this.uarts[rec.uart] as UartLedger).writeCounter -= rec.len;
      if (rec.spiTag >= 0) this.spiTag--;
      if (rec.kind === "send" && rec.chan !== null) rec.chan.sent.set(t.idx, (rec.chan.sent.get(t.idx) as number) - 1);
    }
    for (let i = 0; i < accepted; i++) {
      const rec = recs[i] as OpRec;
      port.outstanding.set(rec.ud, rec);
      port.reserved++;
      this.stats.submissions++;
      if (rec.kind === "uread") (this.uarts[rec.uart] as UartLedger).reads.push(rec);
      if (rec.kind === "uwrite") (this.uarts[rec.uart] as UartLedger).writes.push(rec);
    }
  }

  /** A message for `chan` from task `t`: tag = sender, data = (seq, ud, passed fd's kind); sometimes passes a device fd. */
  fillMessage(t: TaskRec, chan: ChanRec, addr: number, ud: number): void {
    const seq = chan.sent.get(t.idx) ?? 0;
    chan.sent.set(t.idx, seq + 1);
    const devs = [...this.fdsOf(t, "uart"), ...this.fdsOf(t, "spi")];
    let pass = -1;
    let kind = 0;
    if (devs.length > 0 && this.rng.chance(0.25)) {
      pass = this.rng.pick(devs);
      const d = t.fds[pass] as FdRec;
      kind = d.kind === "uart" ? 1 + d.n : 3;
    }
    encodeIpcMessage(t.task.view, addr, { tag: t.idx, data: [seq, ud, kind], fds: [pass, -1, -1, -1] });
  }

  /** Checks a received message (FIFO per sender, no duplicate) and installs the fds it carried. */
  gotMessage(t: TaskRec, chan: ChanRec, addr: number, res: number, what: string, at: number): void {
    const m = decodeIpcMessage(t.task.view, addr);
    chan.got.push({ at, sender: Number(m.tag), seq: Number(m.data[0]), what });
    chan.received++;
    this.stats.messages++;
    const fd = m.fds[0] as number;
    const kind = Number(m.data[2]);
    if (res === -EMFILE || kind === 0) {
      if (fd !== -1) this.fail(`${what}: result ${fmt(res)} but fds[0] = ${fd}`);
      return;
    }
    if (fd < 0 || fd >= MAX_FDS || t.fds[fd] !== null) {
      this.fail(`${what}: passed fd installed as ${fd}, which is not a free slot of the receiver`);
      return;
    }
    this.stats.fdsPassed++;
    t.fds[fd] = kind === 3 ? { kind: "spi" } : { kind: "uart", n: kind - 1 };
  }

  /** Channels, notify objects and the service registry, outside the port path. */
  fiddleIpc(t: TaskRec): void {
    const rng = this.rng;
    const sys = t.task.sys;
    const r = rng.int(0, 3);
    if (r === 0) {
      // find another task's channel or notify object by name
      const notify = rng.chance(0.4);
      const owner = rng.int(0, this.tasks.length - 1);
      const name = `${notify ? "nt" : "ch"}${owner}`;
      const got = this.call(t, "svc_lookup", () => sys.svc_lookup(name));
      const chan = this.chans.find((c) => c.owner === owner);
      const nt = this.notes.find((n) => n.owner === owner);
      const known = notify ? nt : chan;
      if (known === undefined) {
        this.expectEq(t, `svc_lookup(${name}) of an unregistered name`, got, -ENOENT);
        return;
      }
      this.install(t, `svc_lookup(${name})`, got, notify ? { kind: "notify", nt: nt as NotifyRec } : { kind: "send", chan: chan as ChanRec });
    } else if (r === 1) {
      const nfds = this.fdsOf(t, "notify");
      if (nfds.length === 0) return;
      const fd = rng.pick(nfds);
      const nt = (t.fds[fd] as { nt: NotifyRec }).nt;
      this.expectEq(t, "notify", this.call(t, "notify", () => sys.notify(fd)), 0);
      nt.notifies++;
      this.stats.notifies++;
    } else if (r === 2) {
      // a non-blocking receive through the syscall
      const rfds = this.fdsOf(t, "recv");
      const s = t.freeSlots.pop();
      if (rfds.length === 0 || s === undefined) {
        if (s !== undefined) t.freeSlots.push(s);
        return;
      }
      const fd = rng.pick(rfds);
      const addr = t.slotBase + s * SLOT;
      const at = this.postCounter++; // a non-blocking receive takes its message now
      const p = this.call(t, "ipc_recv", () => sys.ipc_recv(fd, addr, IPC_NONBLOCK));
      void (p === null
        ? undefined
        : p.then((res) => {
            if (!t.killed && t.fds[fd]?.kind === "recv") {
              if (res === 0 || res === -EMFILE) this.gotMessage(t, (t.fds[fd] as { chan: ChanRec }).chan, addr, res, `ipc_recv(${fd})`, at);
              else if (res !== -EAGAIN && res !== -EPIPE) this.fail(`task w${t.idx}: ipc_recv(${fd}, IPC_NONBLOCK) returned ${fmt(res)}`);
            }
            t.freeSlots.push(s);
          }));
    } else {
      // drop a looked-up send end or notify object (not the owner's own ends)
      const mine = [...this.fdsOf(t, "send"), ...this.fdsOf(t, "notify")].filter((fd) => {
        const rec = t.fds[fd] as FdRec;
        return rec.kind === "send" ? rec.chan.owner !== t.idx : rec.kind === "notify" && rec.nt.owner !== t.idx;
      });
      if (mine.length > 0) this.closeFd(t, rng.pick(mine));
    }
  }

  async waitSome(t: TaskRec): Promise<void> {
    const rng = this.rng;
    const port = rng.pick(t.ports);
    const max = rng.int(1, 16);
    const min = rng.int(0, Math.min(max, port.outstanding.size + 1));
    const timeout = rng.int(20, 3000) * US;
    const sys = t.task.sys;
    let n: number | null;
    if (rng.chance(0.5)) {
      const p = this.call(t, "io_wait", () => sys.io_wait(port.fd, t.cqes, max, min, timeout));
      n = p === null ? null : await p;
    } else {
      let resolve: (n: number) => void = () => {};
      const later = new Promise<number>((res) => (resolve = res));
      const r = this.call(t, "io_wait_cb", () => sys.io_wait_cb(port.fd, t.cqes, max, min, timeout, (k) => resolve(k)));
      n = r === null ? null : r === -EINPROGRESS ? await later : r;
    }
    if (t.killed || n === null) return;
    if (!port.open) return;
    if (n < 0) {
      this.fail(`task w${t.idx}: io_wait(max ${max}, min ${min}) on an open port returned ${fmt(n)}`);
      return;
    }
    if (n > max) this.fail(`task w${t.idx}: io_wait returned ${n} > max ${max}`);
    this.reaped(t, port, n);
  }

  /** Checks `n` completions just written at `t.cqes` for `port`. */
  reaped(t: TaskRec, port: PortRec, n: number): void {
    const view = t.task.view;
    for (let i = 0; i < n; i++) {
      const c = decodeCompletion(view, t.cqes + i * COMPLETION_SIZE);
      const ud = Number(c.userData);
      const rec = port.outstanding.get(ud);
      if (rec === undefined) {
        this.fail(`task w${t.idx}: reaped user_data ${ud} that is not outstanding on this port (duplicate or foreign completion)`);
        continue;
      }
      if (!rec.posted) this.fail(`task w${t.idx}: reaped user_data ${ud} that was never posted`);
      else {
        const at = port.posted.indexOf(rec);
        if (at > 0) {
          const skipped = port.posted.splice(0, at).map((r) => r.ud);
          this.fail(`task w${t.idx}: reaped user_data ${ud} before ${skipped.join(", ")}, posted earlier on the same port (lost or reordered completion)`);
        }
        port.posted.shift();
      }
      // a receive posted 0 may reap -EMFILE: its message's fds are installed
      // at reap time, all or none, and the receiver's table is full then
      // (spec §9, Channels); a reap installs and never frees fds, so the
      // table is still full after the batch
      const emfileAtReap = rec.kind === "recv" && rec.postedResult === 0 && c.result === -EMFILE;
      if (emfileAtReap && t.task.freeFds() !== 0) this.fail(`user_data ${ud}: reaped -EMFILE with ${t.task.freeFds()} free fds after the reap`);
      if (c.result !== rec.postedResult && !emfileAtReap) this.fail(`user_data ${ud}: reaped result ${c.result}, posted ${rec.postedResult}`);
      if (c.opcode !== rec.opcode) this.fail(`user_data ${ud}: opcode ${c.opcode} echoed, submitted ${rec.opcode}`);
      this.checkResult(t, rec, c.result);
      port.outstanding.delete(ud);
      port.reserved--;
      this.freeSlot(t, rec);
    }
  }

  checkResult(t: TaskRec, rec: OpRec, res: number): void {
    const mem = t.task.memory;
    const bad = (why: string): void => this.fail(`user_data ${rec.ud} (${rec.kind}, opcode ${rec.opcode}): result ${fmt(res)} ${why}`);
    if (rec.expect !== null && rec.kind !== "spi" && rec.kind !== "uwrite") {
      if (!rec.expect.includes(res)) bad(`not one of ${rec.expect.map(fmt).join(", ")}`);
      if (rec.kind === "ring" && res === 0 && rec.nt !== null && ++rec.nt.wakes > rec.nt.notifies) {
        bad(`: notify object nt${rec.nt.owner} woke ${rec.nt.wakes} arms but was notified ${rec.nt.notifies} times`);
      }
      return;
    }
    if (rec.kind === "recv") {
      if (res === 0 || res === -EMFILE) this.gotMessage(t, rec.chan as ChanRec, rec.buf, res, `user_data ${rec.ud}`, rec.postIndex);
      else if (res !== -EPIPE && res !== -ECANCELED) bad("not 0, -EMFILE, -EPIPE or -ECANCELED");
      return;
    }
    switch (rec.kind) {
      case "uread": {
        if (res === -EOVERFLOW || res === -ECANCELED) return;
        if (!(res >= 1 && res <= rec.len)) return bad(`outside 1..${rec.len}`);
        const d = rec.data as Uint8Array;
        for (let i = 0; i < res; i++) {
          if (mem[rec.buf + i] !== d[i]) return bad(`copied out byte ${i} as ${mem[rec.buf + i]}, posted ${d[i]}`);
        }
        return;
      }
      case "uwrite":
        if (!(rec.expect as number[]).includes(res)) bad(`not ${rec.len} or -ECANCELED`);
        return;
      case "irq": {
        if (res === -ECANCELED) return;
        if (res < 1) return bad("not >= 1");
        if (rec.irqBuf) {
          const ev = decodeIrqEvent(t.task.view, rec.buf);
          if (ev.count !== res) bad(`IrqEvent.count ${ev.count}`);
        }
        return;
      }
      case "spi": {
        if (res === -ECANCELED) return;
        if (res !== rec.len) return bad(`not ${rec.len}`);
        if (rec.opcode === OP_READ) {
          for (let i = 0; i < res; i++) if (mem[rec.buf + i] !== (0xff ^ SPI_XOR)) return bad(`read byte ${i} = ${mem[rec.buf + i]}`);
        } else if (rec.opcode === OP_TRANSFER) {
          const sent = rec.spiSent as Uint8Array;
          for (let i = 0; i < res; i++) if (mem[rec.buf + i] !== ((sent[i] as number) ^ SPI_XOR)) return bad(`transfer byte ${i} = ${mem[rec.buf + i]}`);
        }
        return;
      }
      default:
        return;
    }
  }

  cancelOne(t: TaskRec): void {
    const port = this.rng.pick(t.ports);
    const inflight = [...port.outstanding.values()].filter((r) => !r.posted);
    const pickPosted = inflight.length === 0 || this.rng.chance(0.15);
    const target = pickPosted ? this.nextUd + 1000 : (this.rng.pick(inflight) as OpRec).ud;
    const r = this.call(t, "io_cancel", () => t.task.sys.io_cancel(port.fd, target));
    this.stats.cancels++;
    this.expectEq(t, `io_cancel(${target})`, r, pickPosted ? -ENOENT : 1);
  }

  closePort(t: TaskRec): void {
    const port = this.rng.pick(t.ports);
    this.stats.portCloses++;
    this.closeFd(t, port.fd);
    if (t.ports.length === 0 || this.rng.chance(0.7)) this.newPort(t);
  }

  fiddleFds(t: TaskRec): void {
    const rng = this.rng;
    const devs = [...this.fdsOf(t, "uart"), ...this.fdsOf(t, "spi")];
    const r = rng.int(0, 2);
    if (r === 0 || devs.length === 0) this.openDev(t);
    else if (r === 1) {
      const fd = rng.pick(devs);
      const res = this.call(t, "dup", () => t.task.sys.dup(fd));
      this.install(t, `dup(${fd})`, res, t.fds[fd] as FdRec);
    } else this.closeFd(t, rng.pick(devs));
    const unused = this.lowestFree(t);
    if (unused >= 0 && rng.chance(0.1)) this.closeFd(t, unused); // -EBADF
  }

  fiddleLines(t: TaskRec): void {
    const irqs = this.fdsOf(t, "irq");
    if (irqs.length > 0 && this.rng.chance(0.5)) this.closeFd(t, this.rng.pick(irqs));
    else this.claimLine(t);
  }

  /** Fills the fd table with dups to EMFILE, checks every fd-making call fails with it, then closes the dups. */
  fillFds(t: TaskRec): void {
    const src = t.ports[0] as PortRec;
    const dups: number[] = [];
    const sys = t.task.sys;
    for (;;) {
      const want = this.lowestFree(t);
      const r = this.call(t, "dup", () => sys.dup(src.fd));
      if (want < 0) {
        this.expectEq(t, "dup on a full fd table", r, -EMFILE);
        this.stats.emfile++;
        break;
      }
      this.expectEq(t, "dup", r, want);
      if (r === null || r < 0) return;
      t.fds[r] = { kind: "port", port: src };
      dups.push(r);
    }
    this.expectEq(t, "io_create on a full fd table", this.call(t, "io_create", () => sys.io_create(0)), -EMFILE);
    this.expectEq(t, "open on a full fd table", this.call(t, "open", () => sys.open("/dev/uart0")), -EMFILE);
    const free = [0, 1, 3, 4].find((p) => !(this.claims.get(p)?.active ?? false));
    if (free !== undefined) {
      this.expectEq(t, "irq_create on a full fd table", this.call(t, "irq_create", () => sys.irq_create(free, IRQ_RISING)), -EMFILE);
    }
    for (const fd of dups) {
      this.expectEq(t, `close(${fd})`, this.call(t, "close", () => sys.close(fd)), 0);
      t.fds[fd] = null;
    }
  }

  /** End of the workload: cancel what is in flight, reap everything, and check nothing was lost. */
  async finish(t: TaskRec): Promise<void> {
    const sys = t.task.sys;
    for (const port of [...t.ports]) {
      for (const rec of [...port.outstanding.values()]) {
        if (rec.posted) continue;
        const r = this.call(t, "io_cancel", () => sys.io_cancel(port.fd, rec.ud));
        // a cancel may release bytes that complete a later read first
        if (r !== 1 && !(r === -ENOENT && rec.posted)) this.expectEq(t, `final io_cancel(${rec.ud}, ${rec.kind})`, r, 1);
      }
      for (let guard = 0; guard < 100; guard++) {
        const p = this.call(t, "io_wait", () => sys.io_wait(port.fd, t.cqes, 16, 0, 0));
        const n = p === null ? 0 : await p;
        if (t.killed) return;
        if (n < 0) {
          this.fail(`task w${t.idx}: final io_wait returned ${fmt(n)}`);
          break;
        }
        this.reaped(t, port, n);
        if (n === 0) break;
      }
      for (const rec of port.outstanding.values()) {
        this.fail(
          rec.posted
            ? `user_data ${rec.ud} (${rec.kind}): completion posted (${fmt(rec.postedResult)}) but never delivered by io_wait (lost)`
            : `user_data ${rec.ud} (${rec.kind}): accepted submission never completed, even after io_cancel`,
        );
      }
    }
  }

  // ---- end of run ----

  finalChecks(): void {
    const { sim } = this;
    const k = sim.kernel;
    if (k.tasks.size !== 0) this.fail(`${k.tasks.size} task(s) still registered after every task exited`);
    if (k.liveObjects !== k.services.size) {
      const kinds = [...k.objects].map((o) => `${o.constructor.name}#${o.id}`).join(", ");
      this.fail(`leak: ${k.liveObjects} live kernel objects after every task exited, the service registry holds ${k.services.size} (${kinds})`);
    }
    if (k.dev.lines.size !== 0) this.fail(`${k.dev.lines.size} IRQ line(s) still claimed after every task exited`);
    for (let n = 0; n < this.uarts.length; n++) this.checkUart(n);
    this.checkSpi();
    for (const c of this.allClaims) this.checkClaim(c);
    for (const ch of this.chans) this.checkChannel(ch);
    for (const u of sim.uarts) {
      this.stats.uartBytes += u.rxBytes;
      this.stats.overruns += u.overruns;
      this.stats.framingErrors += u.framingErrors;
    }
    for (let p = 0; p < sim.gpioBank.pins; p++) this.stats.edges += sim.gpioBank.edgeCounts[p] as number;
  }

  checkUart(n: number): void {
    const led = this.uarts[n] as UartLedger;
    const simU = this.sim.uarts[n]!;
    const dev = this.sim.kernel.dev.uarts[n]!;
    // every byte the device took: read once, in order, or still buffered
    const got = led.readData.slice();
    for (let i = 0; i < dev.rxCount; i++) got.push(dev.rx[(dev.rxHead + i) % dev.rx.length] as number);
    const want = led.taken;
    const upTo = Math.min(got.length, want.length);
    let i = 0;
    while (i < upTo && got[i] === want[i]) i++;
    if (i < upTo || got.length !== want.length) {
      this.fail(
        `UART${n}: ${want.length} bytes taken by the device, ${led.readData.length} read + ${dev.rxCount} buffered = ${got.length}; ` +
          `first difference at byte ${i} (taken ${want[i]}, read/buffered ${got[i]})`,
      );
    }
    if (dev.overruns !== simU.overruns) this.fail(`UART${n}: kernel counted ${dev.overruns} overruns, the line dropped ${simU.overruns}`);
    if (simU.overruns > 0 && led.eoverflow === 0 && !dev.overflow) this.fail(`UART${n}: ${simU.overruns} bytes dropped but no read got -EOVERFLOW and none is pending`);
    // the wire carries each write's bytes in submission order; a cancelled one a prefix
    const all = simU.received();
    // on a terminal UART, writes are 0x80-0xff and echo 0x00-0x7f
    const wire = led.tty === null ? all : all.filter((b) => b >= 0x80);
    if (!explainWire(wire, led.writes, led)) {
      this.fail(`UART${n}: the ${wire.length} bytes on the wire are not the ${led.writes.length} writes in submission order (prefixes for cancelled ones)`);
    }
    if (led.tty !== null) {
      const echo = all.filter((b) => b < 0x80);
      const want = led.tty.echo;
      const editor = dev.tty;
      const dropped = editor === null ? 0 : editor.echoDropped;
      const waiting = editor === null ? 0 : editor.echoCount;
      let i = 0;
      while (i < echo.length && echo[i] === want[i]) i++;
      if (dropped === 0 && (i < echo.length || want.length - echo.length > waiting)) {
        this.fail(`UART${n}: ${echo.length} echo bytes on the wire and ${waiting} waiting, against ${want.length} the keys call for; first difference at ${i}`);
      } else if (dropped > 0 && !isSubsequence(echo, want)) {
        this.fail(`UART${n}: the echo on the wire (${dropped} dropped) is not a subsequence of the echo the keys call for`);
      }
    }
  }

  /** Messages from one sender are received in the order sent, each at most once. */
  checkChannel(ch: ChanRec): void {
    const last = new Map<number, number>();
    for (const g of [...ch.got].sort((a, b) => a.at - b.at)) {
      const prev = last.get(g.sender) ?? -1;
      if (g.seq <= prev) {
        this.fail(`${g.what}: channel ch${ch.owner} delivered message ${g.seq} from w${g.sender} after ${prev} (not FIFO, or a duplicate)`);
        return;
      }
      last.set(g.sender, g.seq);
    }
  }

  checkSpi(): void {
    for (let i = 1; i < this.spiSeen.length; i++) {
      if ((this.spiSeen[i] as number) <= (this.spiSeen[i - 1] as number)) {
        this.fail(`SPI: frame ${this.spiSeen[i]} reached the device after frame ${this.spiSeen[i - 1]} (not in submission order)`);
        return;
      }
    }
  }

  checkClaim(c: Claim): void {
    const end = c.active ? this.sim.now : c.closedAt;
    let want: number[];
    if (c.timer) {
      const span = end - c.createdAt;
      const n = Math.floor(span / c.period);
      // a timer due at the very instant of the close may fire before or after it
      want = span % c.period === 0 && n > 0 ? [n, n - 1] : [n];
      if (c.flags & IRQ_ONESHOT) want = want.map((x) => Math.min(1, x));
    } else want = [c.edges];
    const got = c.consumed + c.latchedAtClose;
    if (!want.includes(got)) {
      this.fail(
        `IRQ line ${c.line}: ${got} interrupts delivered (${c.consumed} by IRQ_WAIT + ${c.latchedAtClose} latched at close), expected ${want.join(" or ")}`,
      );
    }
  }
}

/** Whether `wire` is the writes' bytes in order, each whole if it completed, a prefix if it was cancelled. */
/** The k-th byte DST writes to a UART (bytes 0x80-0xff on a terminal UART, so its echo stays apart). */
function writeByte(u: UartLedger, k: number): number {
  return u.tty === null ? k & 0xff : 0x80 | (k & 0x7f);
}

function explainWire(wire: Uint8Array, writes: readonly OpRec[], u: UartLedger): boolean {
  const failed = new Set<number>();
  const go = (w: number, pos: number): boolean => {
    if (w === writes.length) return pos === wire.length;
    const key = w * 1e7 + pos;
    if (failed.has(key)) return false;
    const rec = writes[w] as OpRec;
    const byteAt = (i: number): number => writeByte(u, rec.writeStart + i);
    let m = 0;
    while (m < rec.len && pos + m < wire.length && wire[pos + m] === byteAt(m)) m++;
    if (rec.posted && rec.postedResult === rec.len) {
      if (m === rec.len && go(w + 1, pos + rec.len)) return true;
    } else {
      for (let k = Math.min(m, rec.len - 1); k >= 0; k--) if (go(w + 1, pos + k)) return true;
    }
    failed.add(key);
    return false;
  };
  return go(0, 0);
}

function fmt(r: number): string {
  return r < 0 ? `${r} (${errnoName(r)})` : String(r);
}

/**
 * The seeds of a campaign of `count` seeds from `from`, or of its shard
 * `index` of `total` (1-based, for CI matrices): every total-th seed from
 * from + index - 1, so the shards are disjoint, cover the campaign, and
 * share its slow and fast seeds alike.
 */
export function campaignSeeds(from: number, count: number, shard: { index: number; total: number } | null = null): number[] {
  const out: number[] = [];
  const first = shard === null ? 0 : shard.index - 1;
  const step = shard === null ? 1 : shard.total;
  for (let k = first; k < count; k += step) out.push(from + k);
  return out;
}

/** Runs `count` seeds from `from`; `onSeed` sees each result as it comes. */
export async function runCampaign(
  from: number,
  count: number,
  options: DstOptions = {},
  onSeed?: (r: SeedResult) => void,
): Promise<SeedResult[]> {
  const out: SeedResult[] = [];
  for (let s = from; s < from + count; s++) {
    const r = await runSeed(s, options);
    out.push(r);
    if (onSeed) onSeed(r);
  }
  return out;
}
