/**
 * Allocation and memory cases, measured inside XS by the engine's own
 * allocation counters (tools/xs/run-bench.mjs; bench/README.md says how).
 *
 * An `AllocCase` builds a driver loop, brings it to its steady state, and
 * returns `run(n)`, which performs n more operations synchronously (one XS
 * crank). A `MemCase`'s `make(k)` creates k objects and keeps them alive
 * until the next `make(0)`.
 *
 * `control` cases exist to prove the meter sees allocation: each allocates
 * one small object per operation on top of the NOP loop, and must show it.
 */
import { Kernel, OP_NOP, OP_TIMEOUT, COMPLETION_SIZE, writeSubmission } from "../../core/index.js";
import { Message, Port as ApiPort, createChannel, type CompletionView } from "../../core/api/index.js";
import { Simulator } from "../../host-sim/index.js";
import { irqDriverLoop, irqWatchLoop } from "./irq.js";
import { uartDriverLoop, uartBaselineLoop } from "./uart.js";
import { ttyLineLoop } from "./tty.js";

export interface AllocCase {
  id: string;
  title: string;
  /** What one operation is. */
  unit: string;
  /** Must show allocation (a meter self-test), rather than none. */
  control?: boolean;
  /** Allocation of this case is the simulator's stimulus, reported for subtraction, not a target. */
  stimulus?: boolean;
  /**
   * The id of the stimulus row to subtract: the case feeds its loop through
   * the simulator the same way, and the target is that the difference — the
   * kernel's share — is zero.
   */
  stimulusId?: string;
  /**
   * Operations per measured crank (default: the runner's). Smaller for loops
   * that allocate a lot, so that 2N operations stay well inside the heap the
   * last gc() left free: a collection mid-crank would reset the counters
   * (the runner detects that and fails).
   */
  opsPerCrank?: number;
  setup(): (n: number) => void;
}

export interface MemCase {
  id: string;
  title: string;
  /** How many objects one measurement creates. */
  count: number;
  /** What one object is. */
  unit: string;
  /**
   * Returns `make(k)`: builds the whole fixture afresh (simulator, kernel,
   * tasks) with k objects and returns it; the runner keeps it alive until the
   * next call. make(count) − make(0) is the cost of `count` objects, pools
   * included (a kernel's op pool keeps records once allocated).
   */
  setup(): (k: number) => unknown;
}

const WARM = 200;

function warmed(run: (n: number) => void): (n: number) => void {
  run(WARM);
  run(WARM);
  return run;
}

/** Where the control keeps its objects: a ring read back after each run, so no bundler or engine can drop them. */
const kept: unknown[] = new Array<unknown>(64).fill(null);

/** Raw syscalls: submit one NOP, reap it through io_wait_cb (it completes at once). */
function nopLoop(allocate: boolean): () => (n: number) => void {
  return () => {
    const sim = new Simulator();
    const task = sim.spawn({ memoryBytes: 4096 });
    const sys = task.sys;
    const port = sys.io_create(0);
    const sqe = task.alloc(48);
    const cqe = task.alloc(COMPLETION_SIZE);
    writeSubmission(task.view, sqe, 1, 0, OP_NOP, 0, -1, 0, 0, 0);
    const onDone = (): void => {};
    return warmed((n: number) => {
      for (let i = 0; i < n; i++) {
        if (sys.io_submit(port, sqe, 1) !== 1) throw new Error("submit failed");
        if (sys.io_wait_cb(port, cqe, 1, 1, 0, onDone) !== 1) throw new Error("wait failed");
        if (allocate) kept[i & 63] = { i };
      }
      if (allocate && kept[0] === undefined) throw new Error("unreachable");
    });
  };
}

/** The ergonomic API: Port.drive with a handler that stages the next NOP. */
function apiDriveLoop(): (n: number) => void {
  const sim = new Simulator();
  const task = sim.spawn({ memoryBytes: 8192 });
  const port = new ApiPort(task);
  let left = 0;
  const handler = (c: CompletionView): void => {
    if (--left === 0) return port.stop();
    port.nop(c.udLo + 1);
  };
  return warmed((n: number) => {
    left = n;
    port.nop(0);
    port.drive(handler);
  });
}

/** Message round trips between two tasks over two rendezvous channels, both driven by Port.drive. */
function ipcPingPong(): (n: number) => void {
  const kernel = new Simulator().kernel;
  return warmed(pingPongLoop(kernel));
}

/** Message round trips between two tasks over two rendezvous channels (also tests/alloc/driver-loop.ts's IPC loop). */
export function pingPongLoop(kernel: Kernel, memoryBytes = 8192): (n: number) => void {
  const a = kernel.spawn({ memoryBytes });
  const b = kernel.spawn({ memoryBytes });
  const ab = createChannel(a, 0);
  const ba = createChannel(a, 0);
  a.sys.svc_register("ab", ab.recv);
  a.sys.svc_register("ba", ba.send);
  const bIn = b.sys.svc_lookup("ab");
  const bOut = b.sys.svc_lookup("ba");
  const pa = new ApiPort(a);
  const pb = new ApiPort(b);
  const ma = new Message(a);
  const ra = new Message(a);
  const mb = new Message(b);
  let left = 0;
  pb.ipcRecv(bIn, mb.addr, 1);
  pb.drive((c) => {
    if (c.udLo === 1) pb.ipcSend(bOut, mb.addr, 2).ipcRecv(bIn, mb.addr, 1);
  });
  const handler = (c: CompletionView): void => {
    if (c.udLo !== 1) return;
    if (--left === 0) return pa.stop();
    pa.ipcRecv(ba.recv, ra.addr, 1).ipcSend(ab.send, ma.addr, 2);
  };
  return (n: number) => {
    left = n;
    pa.ipcRecv(ba.recv, ra.addr, 1).ipcSend(ab.send, ma.addr, 2);
    pa.drive(handler);
  };
}

export function allocCases(): AllocCase[] {
  return [
    { id: "nop", title: "NOP loop (io_submit + io_wait_cb)", unit: "op", setup: nopLoop(false) },
    { id: "irq", title: "IRQ loop (edge → OP_IRQ_WAIT → callback → re-arm)", unit: "interrupt", setup: () => warmed(irqDriverLoop()) },
    { id: "irq-watch", title: "IRQ loop (edge → multishot OP_IRQ_WAIT → io_watch callback)", unit: "interrupt", setup: () => warmed(irqWatchLoop()) },
    {
      id: "uart",
      title: "UART read loop (64-byte OP_READ, incl. the simulated UART)",
      unit: "64-byte read",
      stimulusId: "uart-stimulus",
      opsPerCrank: 100,
      setup: () => {
        const run = uartDriverLoop();
        return warmed((n) => run(n * 64));
      },
    },
    {
      id: "uart-stimulus",
      title: "  the same bytes into a plain sink (simulator's share)",
      unit: "64 bytes",
      stimulus: true,
      opsPerCrank: 100,
      setup: () => {
        const run = uartBaselineLoop();
        return warmed((n) => run(n * 64));
      },
    },
    { id: "tty", title: "terminal line loop (64 keys in a batch → edited, echoed, read)", unit: "line", setup: () => warmed(ttyLineLoop()) },
    { id: "ipc", title: "IPC ping-pong (two tasks, Port.drive)", unit: "round trip", setup: ipcPingPong },
    { id: "api-drive", title: "api Port.drive NOP loop", unit: "op", setup: apiDriveLoop },
    { id: "control", title: "control: NOP loop + one {i} object per op", unit: "op", control: true, setup: nopLoop(true) },
  ];
}

export function memCases(): MemCase[] {
  return [
    {
      id: "port",
      title: "port (io_create, 64-slot completion ring)",
      count: 100,
      unit: "port",
      setup() {
        return (k: number) => {
          const sim = new Simulator();
          // 100 ports need 100 fds: two tasks of 64 fds each, in both measurements
          const tasks = [sim.spawn({ memoryBytes: 64 }), sim.spawn({ memoryBytes: 64 })];
          for (let i = 0; i < k; i++) {
            const fd = (tasks[i & 1] as (typeof tasks)[0]).sys.io_create(0);
            if (fd < 0) throw new Error(`io_create: ${fd}`);
          }
          return sim;
        };
      },
    },
    {
      id: "inflight",
      title: "in-flight op (OP_TIMEOUT 1 s, incl. its simulator timer)",
      count: 1000,
      unit: "op",
      setup() {
        return (k: number) => {
          const sim = new Simulator({ kernel: { cqEntries: 1024 } });
          const task = sim.spawn({ memoryBytes: 2048 });
          const sys = task.sys;
          const sqe = task.alloc(48);
          writeSubmission(task.view, sqe, 1, 0, OP_TIMEOUT, 0, -1, 0, 0, 1e9);
          const port = sys.io_create(0);
          for (let i = 0; i < k; i++) if (sys.io_submit(port, sqe, 1) !== 1) throw new Error("submit failed");
          return sim;
        };
      },
    },
  ];
}

/** The control's objects, reachable. */
export function allocSink(): unknown {
  return kept[0];
}
