/**
 * IRQ dispatch: a simulated GPIO edge → the completion in the task's memory
 * → the task's callback. ns per interrupt.
 *
 * Both sides get the same edge from the same simulated GPIO bank
 * (`SimGpio.drive`: pin check, level latch, edge count, edge filter, clock
 * read, then the sink's `raise(now, level)`), and the virtual clock moves
 * 1 µs per edge in both.
 *
 * - Baseline: a raw edge callback, the shape of an ECMA-419 `onReadable`
 *   handler that does what our IRQ line does: its `raise` records the count,
 *   first timestamp and level into a 16-byte record (the IrqEvent layout)
 *   and calls the handler, which reads the count.
 * - ioport, the dispatch itself: one multishot OP_IRQ_WAIT arm
 *   (IOSQE_MULTISHOT) reaped by one io_watch: edge → IrqLine.raise → the
 *   24-byte completion and the IrqEvent in the task's memory → the task's
 *   callback, which reads the count. No syscall per interrupt; the target
 *   row.
 * - Two loop forms that also make syscalls per interrupt, for comparison:
 *   the multishot arm with a one-time io_wait_cb callback that waits again
 *   (one syscall per interrupt), and a one-shot arm re-armed with io_submit
 *   from the callback before it waits again (two). Each syscall costs about
 *   as much as the whole raw callback, so these cannot be within 2×; the
 *   rows show what re-arming and re-waiting cost.
 */
import {
  COMPLETION_SIZE,
  EINPROGRESS,
  IRQ_EV_COUNT,
  IRQ_FALLING,
  IOSQE_MULTISHOT,
  IRQ_RISING,
  OP_IRQ_WAIT,
  writeIrqEvent,
  writeSubmission,
  type IrqSink,
} from "../../core/index.js";
import { Simulator } from "../../host-sim/index.js";
import type { BenchCase, Variant } from "../lib/types.js";

const PIN = 5;
const EDGE_NS = 1000;

const baseline: Variant = {
  label: "raw edge callback",
  setup() {
    const sim = new Simulator();
    const platform = sim.platform;
    const gpio = sim.gpioBank;
    const mem = new DataView(new ArrayBuffer(64));
    let seen = 0;
    const onEdge = (): void => {
      seen += mem.getUint32(IRQ_EV_COUNT, true);
    };
    const sink: IrqSink = {
      raise(now: number, level: number): void {
        writeIrqEvent(mem, 0, now, 1, level);
        onEdge();
      },
    };
    gpio.watch(PIN, IRQ_RISING | IRQ_FALLING, sink);
    let level = 0;
    return (n: number) => {
      const before = seen;
      for (let i = 0; i < n; i++) {
        platform.clock += EDGE_NS;
        level ^= 1;
        gpio.drive(PIN, level);
      }
      if (seen - before !== n) throw new Error(`raw callback saw ${seen - before} of ${n} edges`);
    };
  },
};

/** What every ioport IRQ loop shares: a task, a port, a line, an arm, and the edge driver. */
function irqLoop(flags: number) {
  const sim = new Simulator();
  const platform = sim.platform;
  const gpio = sim.gpioBank;
  const task = sim.spawn({ memoryBytes: 4096 });
  const sys = task.sys;
  const view = task.view;
  const port = sys.io_create(0);
  const irq = sys.irq_create(PIN, IRQ_RISING | IRQ_FALLING);
  if (port < 0 || irq < 0) throw new Error(`setup failed: port ${port}, irq ${irq}`);
  const sqe = task.alloc(48);
  const cqes = task.alloc(COMPLETION_SIZE * 4);
  const ev = task.alloc(16);
  writeSubmission(view, sqe, 7, 0, OP_IRQ_WAIT, flags, irq, ev, 16, 0);
  let seen = 0;
  /** Adds the count of the IrqEvent the kernel copied out (one per completion reaped). */
  const count = (n: number): void => {
    for (let i = 0; i < n; i++) seen += view.getUint32(ev + IRQ_EV_COUNT, true);
  };
  let level = 0;
  /** `run(n)` drives n edges, 1 µs apart, and checks the loop saw each one. */
  const run = (n: number): void => {
    const before = seen;
    for (let i = 0; i < n; i++) {
      platform.clock += EDGE_NS;
      level ^= 1;
      gpio.drive(PIN, level);
    }
    if (seen - before !== n) throw new Error(`the loop saw ${seen - before} of ${n} edges`);
  };
  return { sys, port, sqe, cqes, count, run };
}

/**
 * A driver loop on one GPIO line waiting with io_wait_cb: the callback reads
 * the count, re-submits the arm if it is one-shot, and waits again.
 */
function waitLoop(flags: number): (n: number) => void {
  const { sys, port, sqe, cqes, count, run } = irqLoop(flags);
  const rearm = flags === 0;
  const onWait = (n: number): void => {
    count(n);
    if (rearm) for (let i = 0; i < n; i++) if (sys.io_submit(port, sqe, 1) !== 1) throw new Error("re-arm failed");
    const r = sys.io_wait_cb(port, cqes, 4, 1, 0, onWait);
    if (r >= 0) onWait(r);
    else if (r !== -EINPROGRESS) throw new Error(`io_wait_cb: ${r}`);
  };
  if (sys.io_submit(port, sqe, 1) !== 1) throw new Error("arm failed");
  onWait(0);
  return run;
}

/** The ioport driver loop on one GPIO line: a one-shot arm, re-armed from the io_wait_cb callback. */
export function irqDriverLoop(): (n: number) => void {
  return waitLoop(0);
}

const viaIrqWait: Variant = {
  label: "one-shot OP_IRQ_WAIT re-armed + io_wait_cb (2 syscalls/interrupt)",
  setup: irqDriverLoop,
};

/**
 * The same loop with one multishot arm (IOSQE_MULTISHOT): the callback reads
 * the count and waits again; nothing is re-submitted per interrupt.
 */
export function irqMultishotLoop(): (n: number) => void {
  return waitLoop(IOSQE_MULTISHOT);
}

const viaMultishot: Variant = {
  label: "OP_IRQ_WAIT multishot + io_wait_cb (1 syscall/interrupt)",
  setup: irqMultishotLoop,
};

/** One multishot arm and one io_watch: no syscall at all per interrupt. */
export function irqWatchLoop(): (n: number) => void {
  const { sys, port, sqe, cqes, count, run } = irqLoop(IOSQE_MULTISHOT);
  if (sys.io_watch(port, cqes, 4, count) !== 0) throw new Error("watch failed");
  if (sys.io_submit(port, sqe, 1) !== 1) throw new Error("arm failed");
  return run;
}

const viaWatch: Variant = {
  label: "OP_IRQ_WAIT multishot + io_watch (dispatch)",
  setup: irqWatchLoop,
};

export function irqCases(): BenchCase[] {
  return [
    {
      id: "irq-dispatch",
      title: "IRQ dispatch (edge → task)",
      unit: "interrupt",
      baseline,
      variants: [viaWatch, viaMultishot, viaIrqWait],
      targets: [{ label: viaWatch.label, maxRatio: 2 }],
    },
  ];
}
