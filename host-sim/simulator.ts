/**
 * Simulator: the host-side composition root (spec §8). It builds a Kernel on
 * a Platform whose clock is virtual — time moves only when the simulator
 * moves it — and whose timers are events in a discrete-event queue. The same
 * seed and stimulus give the same completions in the same order at the same
 * virtual times.
 *
 * - `advance(ns)` runs every event due up to now + ns in (time, scheduling
 *   order), settling promise continuations between events;
 * - `run(fn)` runs `fn` with time jumping to the next event whenever
 *   everything is blocked, and rejects on deadlock.
 */
import { Kernel, type KernelOptions } from "../core/kernel.js";
import type { Platform, TimerCallback } from "../core/platform.js";
import type { SpawnOptions, Task } from "../core/task.js";
import { loadBoard, type BoardSpec } from "./boards.js";
import { EventQueue } from "./event-queue.js";
import { Prng } from "./prng.js";
import { settle } from "./settle.js";

export interface SimulatorOptions {
  /** Board name (default "sim-devkit"). */
  board?: string;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Kernel options (cqEntries, ...). */
  kernel?: Omit<KernelOptions, "onUserError">;
}

export interface RunOptions {
  /** Reject if `fn` has not settled by this much virtual time (ns). */
  timeoutNs?: number | bigint;
}

function toNs(v: unknown, what: string): number {
  if (typeof v === "bigint" && v >= 0n) return Number(v);
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  throw new RangeError(`ioport: ${what} must be a non-negative number or bigint of nanoseconds, got ${String(v)}`);
}

/** The simulator's Platform: virtual clock + event queue. */
export class SimPlatform implements Platform {
  clock = 0;
  readonly events = new EventQueue();
  readonly logs: string[] = [];

  now(): number {
    return this.clock;
  }
  schedule(atNs: number, cb: TimerCallback, arg: unknown): number {
    return this.events.push(atNs > this.clock ? atNs : this.clock, cb, arg);
  }
  cancel(handle: number): void {
    this.events.cancel(handle);
  }
  log(message: string): void {
    this.logs.push(message);
  }
}

export class Simulator {
  readonly board: BoardSpec;
  readonly seed: number;
  readonly rng: Prng;
  readonly platform: SimPlatform;
  readonly kernel: Kernel;
  private busy = false;
  private userErrors: unknown[] = [];
  private readonly setNow = (t: number): void => {
    this.platform.clock = t;
  };

  constructor(options: SimulatorOptions = {}) {
    this.board = loadBoard(options.board ?? "sim-devkit");
    this.seed = options.seed ?? 1;
    this.rng = new Prng(this.seed);
    this.platform = new SimPlatform();
    this.kernel = new Kernel(this.platform, {
      ...options.kernel,
      onUserError: (err) => this.userErrors.push(err),
    });
  }

  /** Virtual time in ns. */
  get now(): number {
    return this.platform.clock;
  }

  spawn(options?: SpawnOptions): Task {
    return this.kernel.spawn(options);
  }

  /** Schedules `fn` at virtual time `atNs` (a stimulus); returns a handle. */
  at(atNs: number | bigint, fn: () => void): number {
    return this.platform.schedule(toNs(atNs, "at(time)"), callThunk, fn);
  }

  /** Schedules `fn` `delayNs` from now. */
  after(delayNs: number | bigint, fn: () => void): number {
    return this.at(this.now + toNs(delayNs, "after(delay)"), fn);
  }

  /** Runs every event due up to now + ns, settling promises between events. */
  async advance(ns: number | bigint): Promise<void> {
    const end = this.platform.clock + toNs(ns, "advance(ns)");
    this.enter("advance");
    try {
      await settle();
      this.throwUserErrors();
      while (this.platform.events.runNext(end, this.setNow)) {
        await settle();
        this.throwUserErrors();
      }
      this.platform.clock = end;
      await settle();
      this.throwUserErrors();
    } finally {
      this.busy = false;
    }
  }

  /**
   * Runs `fn`, jumping virtual time to the next event whenever everything is
   * blocked. Returns what `fn` returns, after running every event due at the
   * instant it settled. Rejects if `fn` is blocked with nothing scheduled.
   */
  async run<T>(fn: () => Promise<T> | T, options: RunOptions = {}): Promise<T> {
    const limit = options.timeoutNs === undefined ? Infinity : this.platform.clock + toNs(options.timeoutNs, "timeoutNs");
    this.enter("run");
    try {
      let done = false;
      let failed = false;
      let value: T | undefined;
      let error: unknown;
      void Promise.resolve()
        .then(fn)
        .then(
          (v) => {
            done = true;
            value = v;
          },
          (e: unknown) => {
            done = true;
            failed = true;
            error = e;
          },
        );
      await settle();
      while (!done) {
        this.throwUserErrors();
        const next = this.platform.events.peekTime();
        if (next === Infinity) {
          throw new Error(
            `ioport: Simulator.run deadlock at ${this.platform.clock} ns: the function is blocked and no event is scheduled`,
          );
        }
        if (next > limit) {
          this.platform.clock = limit;
          throw new Error(`ioport: Simulator.run timed out: the function had not settled after ${String(options.timeoutNs)} ns of virtual time`);
        }
        this.platform.events.runNext(next, this.setNow);
        await settle();
      }
      // every event due at the instant fn settled
      while (this.platform.events.runNext(this.platform.clock, this.setNow)) await settle();
      this.throwUserErrors();
      if (failed) throw error;
      return value as T;
    } finally {
      this.busy = false;
    }
  }

  private enter(what: string): void {
    if (this.busy) throw new Error(`ioport: Simulator.${what} called while another advance/run is in progress; await it first`);
    this.busy = true;
  }

  private throwUserErrors(): void {
    if (this.userErrors.length > 0) {
      const err = this.userErrors.shift();
      this.userErrors.length = 0;
      throw err;
    }
  }
}

function callThunk(arg: unknown): void {
  (arg as () => void)();
}
