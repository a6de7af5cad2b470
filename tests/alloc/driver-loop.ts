/**
 * Allocation meter for the callback driver loop, run by tests/api-alloc.test.ts
 * in a child Node with `--expose-gc --min-semi-space-size=64 --max-semi-space-size=64`: after a
 * warm-up, a forced GC, then N round trips, `heapUsed` grows by what the loop
 * allocated (the young generation is large enough that no scavenge runs
 * during the measurement; the number of GCs seen is reported alongside).
 * A control loop that allocates one small object per operation shows the
 * meter sees allocation. Prints one JSON line.
 */
import { pingPongLoop } from "../../bench/cases/alloc.js";
import { PerformanceObserver } from "node:perf_hooks";
import { Kernel, type Platform, type TimerCallback } from "../../core/index.js";
import { CompletionView, Port } from "../../core/api/index.js";

declare const gc: () => void;

/** A platform whose timers live in preallocated arrays: the loop's only timers. */
class ManualPlatform implements Platform {
  clock = 0;
  private readonly at: number[] = new Array<number>(64).fill(0);
  private readonly cbs: (TimerCallback | null)[] = new Array<TimerCallback | null>(64).fill(null);
  private readonly args: unknown[] = new Array<unknown>(64).fill(null);
  private readonly handles: number[] = new Array<number>(64).fill(0);
  private next = 1;
  now(): number {
    return this.clock;
  }
  schedule(atNs: number, cb: TimerCallback, arg: unknown): number {
    for (let i = 0; i < 64; i++) {
      if (this.cbs[i] === null) {
        this.at[i] = atNs;
        this.cbs[i] = cb;
        this.args[i] = arg;
        this.handles[i] = this.next;
        return this.next++;
      }
    }
    throw new Error("ManualPlatform: out of timer slots");
  }
  cancel(handle: number): void {
    for (let i = 0; i < 64; i++) if (this.handles[i] === handle) this.cbs[i] = null;
  }
  /** Runs the earliest timer; false when none. */
  step(): boolean {
    let best = -1;
    for (let i = 0; i < 64; i++) if (this.cbs[i] !== null && (best < 0 || (this.at[i] as number) < (this.at[best] as number) || ((this.at[i] as number) === (this.at[best] as number) && (this.handles[i] as number) < (this.handles[best] as number)))) best = i;
    if (best < 0) return false;
    const cb = this.cbs[best] as TimerCallback;
    const arg = this.args[best];
    this.cbs[best] = null;
    this.args[best] = null;
    if ((this.at[best] as number) > this.clock) this.clock = this.at[best] as number;
    cb(arg, this.clock);
    return true;
  }
}

let sink: unknown = null;

interface Result {
  name: string;
  ops: number;
  heapDelta: number;
  bytesPerOp: number;
  opsAllocatedDuring: number;
  msgsAllocatedDuring: number;
  gcs: number;
}

let gcCount = 0;
new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
}).observe({ entryTypes: ["gc"] });

const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/**
 * Measures `ops` round trips up to `tries` times and keeps the smallest heap
 * growth among the runs in which no GC ran (a GC would hide garbage).
 * Sporadic one-off growth (JIT code, feedback vectors) does not repeat; an
 * allocation per operation does.
 */
async function measure(name: string, ops: number, setup: (kernel: Kernel, platform: ManualPlatform) => (n: number) => void, tries = 3): Promise<Result> {
  const platform = new ManualPlatform();
  const kernel = new Kernel(platform, { onUserError: (e) => { throw e; } });
  const run = setup(kernel, platform);
  run(20_000); // warm-up: pools filled, code optimised
  run(20_000);
  let best: Result | null = null;
  for (let i = 0; i < tries; i++) {
    const opsBefore = kernel.opsAllocated;
    const msgsBefore = kernel.ipc?.msgsAllocated ?? 0;
    gc();
    gc();
    await pause();
    const gcsBefore = gcCount;
    const h0 = process.memoryUsage().heapUsed;
    run(ops);
    const h1 = process.memoryUsage().heapUsed;
    await pause();
    const r: Result = {
      name,
      ops,
      heapDelta: h1 - h0,
      bytesPerOp: (h1 - h0) / ops,
      opsAllocatedDuring: kernel.opsAllocated - opsBefore,
      msgsAllocatedDuring: (kernel.ipc?.msgsAllocated ?? 0) - msgsBefore,
      gcs: gcCount - gcsBefore,
    };
    if (best === null || (r.gcs === 0 && (best.gcs !== 0 || r.heapDelta < best.heapDelta))) best = r;
  }
  return best as Result;
}

/** NOP round trips: each handled completion stages the next NOP. */
function nopLoop(allocate: boolean) {
  return (kernel: Kernel) => {
    const task = kernel.spawn({ memoryBytes: 1 << 20 });
    const port = new Port(task);
    let left = 0;
    const handler = (c: CompletionView): void => {
      if (allocate) sink = { ud: c.udLo };
      if (--left === 0) return port.stop();
      port.nop(c.udLo + 1);
    };
    return (n: number) => {
      left = n;
      port.nop(0);
      port.drive(handler);
    };
  };
}

/** OP_TIMEOUT(0) round trips: every wait parks (-EINPROGRESS) and the kernel calls back from the timer. */
function timeoutLoop(kernel: Kernel, platform: ManualPlatform) {
  const task = kernel.spawn({ memoryBytes: 1 << 20 });
  const port = new Port(task);
  let left = 0;
  const handler = (c: CompletionView): void => {
    if (--left === 0) return port.stop();
    port.timeout(0, c.udLo + 1);
  };
  return (n: number) => {
    left = n;
    port.timeout(0, 0);
    port.drive(handler);
    while (port.isDriving && platform.step());
    // drain the stopped loop's pending wait
    while (platform.step());
  };
}

/** Message round trips between two tasks over two rendezvous channels (the benchmark's loop). */
function ipcPingPong(kernel: Kernel) {
  return pingPongLoop(kernel, 1 << 20);
}

/** Notify round trips: the handler re-arms OP_RING_WAIT and rings the bell itself. */
function notifyLoop(kernel: Kernel) {
  const task = kernel.spawn({ memoryBytes: 1 << 20 });
  const port = new Port(task);
  const bell = task.sys.notify_create(0);
  let left = 0;
  const handler = (): void => {
    if (--left === 0) return port.stop();
    port.ringWait(bell, 1);
    task.sys.notify(bell);
  };
  return (n: number) => {
    left = n;
    port.ringWait(bell, 1);
    task.sys.notify(bell);
    port.drive(handler);
  };
}

const N = Number(process.argv[2] ?? 100_000);
const results: Result[] = [];
results.push(await measure("nop", N, nopLoop(false)));
results.push(await measure("timeout0-callback", N, timeoutLoop));
results.push(await measure("ipc-pingpong", N, ipcPingPong));
results.push(await measure("notify", N, notifyLoop));
results.push(await measure("control-allocating-nop", N, nopLoop(true), 1));
void sink;
process.stdout.write(JSON.stringify(results) + "\n");
