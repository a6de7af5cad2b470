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
 *
 * Cost follows the events that matter. Promise continuations can only be
 * queued by code that ran: a stimulus (`at`/`after`), or user code the
 * kernel called or a promise it resolved (`Kernel.userCalls`). Device
 * models and platform timers are interrupt-context code that calls no user
 * code (core/platform.ts), so after an event that ran neither, the settle
 * (a macrotask turn) is skipped: nothing could run in it. And the UART
 * models compute byte times instead of queueing an event per byte
 * (devices/uart.ts). The ticks of a periodic timer line nobody is armed on,
 * with no kernel tracer watching, until the next other event are one event
 * (batchTicks). Where the host can run every queued continuation
 * synchronously (Node: settle.ts syncDrain), `advance` runs its events in
 * one macrotask and drains in place after an event that ran user code —
 * the settle's point, without a hop; `run` likewise. Option
 * `eager: true` keeps the reference behaviour — a queued event per byte
 * and a settle after every event — which must give the same results
 * (tests/sim-lazy-eager.test.ts).
 */
import type { PlatformDevices } from "../core/devices.js";
import { IRQ_ONESHOT } from "../core/constants.js";
import { Kernel, type KernelOptions } from "../core/kernel.js";
import { type IrqLine, timerFire } from "../core/objects/irq.js";
import type { Platform, TimerCallback } from "../core/platform.js";
import type { SpawnOptions, Task } from "../core/task.js";
import { loadBoard, type BoardSpec } from "./boards.js";
import { SimGpio } from "./devices/gpio.js";
import { SimSpi } from "./devices/spi.js";
import { SimUart } from "./devices/uart.js";
import { EventQueue } from "./event-queue.js";
import { Prng } from "./prng.js";
import { drain, drainHop, fromMacrotask, settle, syncDrain, syncDrainProbe } from "./settle.js";

export interface SimulatorOptions {
  /** Board name (default "sim-devkit"). */
  board?: string;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Kernel options (cqEntries, ...). */
  kernel?: Omit<KernelOptions, "onUserError">;
  /**
   * The reference models: one queued event per UART byte and a promise
   * settle after every event (default false). Slower; the results are the
   * same, which is what it is for (differential tests).
   */
  eager?: boolean;
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
  /** The simulated board's device backends (set by the Simulator before the kernel is built). */
  devices: PlatformDevices | undefined = undefined;

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
  /** The simulated devices of the board. */
  readonly gpioBank: SimGpio;
  readonly uarts: readonly SimUart[];
  readonly spis: readonly SimSpi[];
  private readonly pinHandles: SimPin[] = [];
  private busy = false;
  private userErrors: unknown[] = [];
  /** The reference models and stepping (SimulatorOptions.eager). */
  readonly eager: boolean;
  /** The host supports drainHop (settle.ts): advance's lazy loop runs as microtasks. */
  private readonly hopsWork = drainHop(() => {}) !== undefined;
  /** The host's synchronous drain and a macrotask to use it from (settle.ts), if it has both. */
  private readonly drainNow = syncDrain();
  private readonly macrotask = fromMacrotask();
  /** Stimulus thunks run so far (each may queue promise continuations). */
  private stimuli = 0;
  /** `stimuli + kernel.userCalls` when the last settle began. */
  private settledAt = -1;
  private readonly setNow = (t: number): void => {
    this.platform.clock = t;
  };
  private readonly callStimulus = (arg: unknown): void => {
    this.stimuli++;
    (arg as () => void)();
  };

  constructor(options: SimulatorOptions = {}) {
    this.board = loadBoard(options.board ?? "sim-devkit");
    this.seed = options.seed ?? 1;
    this.rng = new Prng(this.seed);
    this.platform = new SimPlatform();
    this.eager = options.eager === true;
    const b = this.board;
    const lat = b.irqLatencyNs;
    this.gpioBank = new SimGpio(
      this.platform,
      b.gpio.pins,
      b.loopback ?? null,
      lat ? { minNs: lat.min, maxNs: lat.max } : null,
      this.rng,
    );
    this.uarts = b.uart.map((u) => new SimUart(this.platform, u, this.eager ? null : this.platform.events));
    this.spis = b.spi.map((sp) => new SimSpi(this.platform, sp));
    this.platform.devices = { gpio: this.gpioBank, timers: b.timers, serial: this.uarts, spi: this.spis };
    this.kernel = new Kernel(this.platform, {
      ...options.kernel,
      onUserError: (err) => this.userErrors.push(err),
    });
  }

  /** Virtual time in ns. */
  get now(): number {
    return this.platform.clock;
  }

  /** GPIO pin `pin` of the board: `drive(level)` from outside, `level` as it reads. */
  gpio(pin: number): SimPin {
    this.gpioBank.check(pin);
    let h = this.pinHandles[pin];
    if (h === undefined) {
      h = new SimPin(this.gpioBank, pin);
      this.pinHandles[pin] = h;
    }
    return h;
  }

  /** UART `n` (`/dev/uartN`): `inject(bytes)`, `received()`, `overruns`. */
  uart(n: number): SimUart {
    const u = this.uarts.find((x) => x.path === `/dev/uart${n}`);
    if (u === undefined) {
      throw new RangeError(`ioport: board ${this.board.name} has no /dev/uart${String(n)} (it has ${this.uarts.map((x) => x.path).join(", ") || "none"})`);
    }
    return u;
  }

  /** SPI bus `n` (`/dev/spiN`): `attach(device)`. */
  spi(n: number): SimSpi {
    const sp = this.spis.find((x) => x.path === `/dev/spi${n}`);
    if (sp === undefined) {
      throw new RangeError(`ioport: board ${this.board.name} has no /dev/spi${String(n)} (it has ${this.spis.map((x) => x.path).join(", ") || "none"})`);
    }
    return sp;
  }

  spawn(options?: SpawnOptions): Task {
    return this.kernel.spawn(options);
  }

  /** Schedules `fn` at virtual time `atNs` (a stimulus); returns a handle. */
  at(atNs: number | bigint, fn: () => void): number {
    return this.platform.schedule(toNs(atNs, "at(time)"), this.callStimulus, fn);
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
      const q = this.platform.events;
      // where the host drains synchronously, the whole loop runs in one macrotask (inMacrotask)
      const ran = await this.inMacrotask((settleNow) => {
        this.throwUserErrors();
        while (this.batchTicks(end) && q.runNext(end, this.setNow)) {
          if (this.mayHaveContinuations()) {
            settleNow();
            this.throwUserErrors();
          }
        }
      });
      if (!ran) {
        await settle();
        this.throwUserErrors();
        if (!this.eager && this.hopsWork) await this.runTo(end);
        else {
          while ((this.eager || this.batchTicks(end)) && this.platform.events.runNext(end, this.setNow)) {
            if (this.mayHaveContinuations()) {
              await this.between();
              this.throwUserErrors();
            }
          }
        }
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
      const q = this.platform.events;
      /** Runs the next event, time jumping to it; throws on deadlock or timeout. */
      const nextEvent = (): void => {
        this.throwUserErrors();
        if (!this.eager) this.batchTicks(limit);
        const next = q.peekTime();
        if (next === Infinity) {
          throw new Error(
            `ioport: Simulator.run deadlock at ${this.platform.clock} ns: the function is blocked and no event is scheduled`,
          );
        }
        if (next > limit) {
          this.platform.clock = limit;
          throw new Error(`ioport: Simulator.run timed out: the function had not settled after ${String(options.timeoutNs)} ns of virtual time`);
        }
        q.runNext(next, this.setNow);
      };
      const ran = await this.inMacrotask((settleNow) => {
        while (!done) {
          nextEvent();
          if (this.mayHaveContinuations()) settleNow();
        }
        // every event due at the instant fn settled
        while (q.runNext(this.platform.clock, this.setNow)) if (this.mayHaveContinuations()) settleNow();
      });
      if (!ran) {
        await settle();
        while (!done) {
          nextEvent();
          if (this.mayHaveContinuations()) await this.between();
        }
        while (q.runNext(this.platform.clock, this.setNow)) if (this.mayHaveContinuations()) await this.between();
      }
      this.throwUserErrors();
      if (failed) throw error;
      return value as T;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Whether a settle could run anything: code that may queue promise
   * continuations (a stimulus, user code the kernel called) ran since the
   * last one began. Always true in eager mode. Marks the settle begun.
   */
  private mayHaveContinuations(): boolean {
    const mark = this.stimuli + this.kernel.userCalls;
    if (!this.eager && mark === this.settledAt) return false;
    this.settledAt = mark;
    return true;
  }

  /**
   * When the next event is the tick of a periodic timer line with no arm
   * queued and no kernel tracer, moves it to the line's last tick before the
   * next other event (and not after `limit`): the kernel's timer then counts
   * every period elapsed (core/objects/irq.ts timerFire), which for a line
   * nobody waits on leaves exactly what the separate ticks would have —
   * pending, first timestamp, total — and nothing can look in between, as
   * nothing else runs. The skipped ticks still count in `events.executed`.
   * Returns true (a loop condition).
   */
  private batchTicks(limit: number): boolean {
    const q = this.platform.events;
    const ev = q.peekEvent();
    // a timer line's tick is the only event with the kernel's timerFire (and the line as its argument)
    if (ev === null || ev.cb !== timerFire || this.kernel.tracer !== null) return true;
    const line = ev.arg as IrqLine;
    if (!line.isTimer || line.closed || line.arms.head !== null) return true;
    if ((line.flags & IRQ_ONESHOT) !== 0 || line.timer !== q.handleOf(ev)) return true;
    const period = line.periodNs;
    // only an on-time tick (not one a fault injection delayed)
    if (ev.time !== line.createdNs + (line.fired + 1) * period) return true;
    let until = q.timeAfterTop() - 1;
    if (until > limit) until = limit;
    if (until === Infinity || until < ev.time + period) return true;
    const last = line.createdNs + Math.floor((until - line.createdNs) / period) * period;
    const skipped = Math.round((last - ev.time) / period);
    if (skipped <= 0) return true;
    q.delay(q.handleOf(ev), last - ev.time);
    q.executed += skipped;
    return true;
  }

  /**
   * The lazy event loop of `advance`, where the host has process.nextTick:
   * the same steps as the loop it replaces (run due events; after one that
   * may have queued continuations, let them all run, then check for user
   * errors), without a promise per wait. Each step runs as a microtask; a
   * nextTick queued from a microtask runs once the microtask queue is empty
   * (drain() in settle.ts), and it queues the next step.
   */
  private runTo(end: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const q = this.platform.events;
      const step = (): void => {
        try {
          this.throwUserErrors();
          while (this.batchTicks(end) && q.runNext(end, this.setNow)) {
            if (this.mayHaveContinuations()) {
              hop();
              return;
            }
          }
          resolve();
        } catch (e) {
          reject(e);
        }
      };
      const hop = drainHop(step) as () => void;
      step();
    });
  }

  /**
   * The lazy event loops (`advance`, `run`) where the host drains
   * synchronously (settle.ts syncDrain): `loop` runs in one macrotask,
   * which starts where `await settle()` would have resumed (a macrotask
   * runs once every continuation queued before it has run). After an event
   * that may have queued continuations, `loop` calls `settleNow`, which
   * runs them all, chains included, before the next event — the point
   * drain() reaches, without leaving the loop. Resolves true once `loop`
   * has returned; false, having run nothing, in eager mode, where the host
   * lacks the drain, or where the probe finds it does not work here (the
   * callers then step with awaits).
   */
  private inMacrotask(loop: (settleNow: () => void) => void): Promise<boolean> {
    const drainNow = this.drainNow;
    const macrotask = this.macrotask;
    if (this.eager || drainNow === undefined || macrotask === undefined) return Promise.resolve(false);
    const settleNow = (): void => {
      drainNow();
      // everything queued until now has run, what the drain itself queued included
      this.settledAt = this.stimuli + this.kernel.userCalls;
    };
    return new Promise<boolean>((resolve, reject) => {
      macrotask(() => {
        try {
          if (!syncDrainProbe(drainNow)) {
            resolve(false);
            return;
          }
          loop(settleNow);
          resolve(true);
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  /** The settle between two events: a full macrotask turn in eager mode, else drain() (settle.ts). */
  private between(): Promise<void> {
    return this.eager ? settle() : drain();
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

/** One GPIO pin of the simulated board, as tests see it. */
export class SimPin {
  constructor(
    private readonly bank: SimGpio,
    readonly pin: number,
  ) {}

  /** Drives the pin from outside; an edge raises its IRQ line; the current level is not an edge. */
  drive(level: number | boolean): void {
    this.bank.drive(this.pin, level ? 1 : 0);
  }

  /** The level the pin reads (input or output). */
  get level(): number {
    return this.bank.read(this.pin);
  }

  /** Whether the firmware drives this pin as an output. */
  get isOutput(): boolean {
    return this.bank.outputs[this.pin] === 1;
  }

  /** Level changes seen on this pin so far. */
  get edges(): number {
    return this.bank.edgeCounts[this.pin] as number;
  }
}

