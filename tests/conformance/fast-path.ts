/** ioport extensions of the interrupt fast path: IOSQE_MULTISHOT on OP_IRQ_WAIT (§4.11) and io_watch/io_unwatch (§3). */
import {
  EBADF,
  EBUSY,
  ECANCELED,
  EINVAL,
  ENOENT,
  IOCQE_F_MORE,
  IOSQE_MULTISHOT,
  IRQ_RISING,
  IRQ_TIMER_BASE,
  IRQ_PERIODIC,
  OP_IRQ_WAIT,
  OP_NOP,
  decodeIrqEvent,
  type IoCompletion,
  type Task,
} from "../../core/index.js";
import type { Simulator } from "../../host-sim/index.js";
import { deepEqual, equal } from "./assert.js";
import { cqBuf, readCqes, submit } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

function multi(userData: number, fd: number, bufAddr = 0): { userData: number; opcode: number; flags: number; fd: number; bufAddr: number; bufLen: number } {
  return { userData, opcode: OP_IRQ_WAIT, flags: IOSQE_MULTISHOT, fd, bufAddr, bufLen: bufAddr === 0 ? 0 : 16 };
}

/** [user_data, result, flags] of each completion. */
function urf(cqes: readonly IoCompletion[]): [bigint, number, number][] {
  return cqes.map((c) => [c.userData, c.result, c.flags]);
}

function reapNow(task: Task, port: number, max = 16): IoCompletion[] {
  const out = cqBuf(task, max);
  const n = task.sys.io_wait_cb(port, out, max, 0, 0, () => {});
  return n > 0 ? readCqes(task, out, n) : [];
}

async function pulses(sim: Simulator, pin: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await sim.advance(100);
    sim.gpio(pin).drive(1);
    await sim.advance(100);
    sim.gpio(pin).drive(0);
  }
}

const cases: ConformanceCase[] = [
  {
    name: "a multishot arm posts a completion per interrupt with F_MORE, each with its own IrqEvent",
    section: "§4.11 multishot",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(4, IRQ_RISING);
      const ev = task.alloc(16);
      equal(submit(task, port, [multi(1, irq, ev)]), 1);
      const seen: [bigint, number, number, bigint][] = [];
      for (let i = 0; i < 3; i++) {
        await pulses(sim, 4, 1);
        for (const c of reapNow(task, port)) seen.push([c.userData, c.result, c.flags, decodeIrqEvent(task.view, ev).timestampNs]);
      }
      deepEqual(seen, [
        [1n, 1, IOCQE_F_MORE, 100n],
        [1n, 1, IOCQE_F_MORE, 300n],
        [1n, 1, IOCQE_F_MORE, 500n],
      ]);
      return seen;
    },
  },
  {
    name: "cancelling a multishot arm completes it once more, -ECANCELED without F_MORE",
    section: "§4.11 multishot §3 io_cancel",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(4, IRQ_RISING);
      submit(task, port, [multi(7, irq)]);
      await pulses(sim, 4, 2);
      equal(sys.io_cancel(port, 7n), 1);
      await pulses(sim, 4, 1);
      const got = urf(reapNow(task, port));
      deepEqual(got, [
        [7n, 1, IOCQE_F_MORE],
        [7n, 1, IOCQE_F_MORE],
        [7n, -ECANCELED, 0],
      ]);
      return got;
    },
  },
  {
    name: "with no free slot interrupts stay latched and are posted after a reap, exactly counted",
    section: "§4.11 multishot (slots)",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0); // 64 slots
      const irq = sys.irq_create(4, IRQ_RISING);
      const fill: { opcode: number; userData: number }[] = [];
      for (let i = 0; i < 62; i++) fill.push({ opcode: OP_NOP, userData: 100 + i });
      equal(submit(task, port, fill), 62);
      submit(task, port, [multi(1, irq)]); // 63 reserved
      await pulses(sim, 4, 1); // the 64th slot
      await pulses(sim, 4, 5); // no slot: latched
      const first = reapNow(task, port, 63);
      const second = reapNow(task, port, 4);
      const got = [first.length, urf(first.slice(62)), urf(second)];
      deepEqual(got, [63, [[1n, 1, IOCQE_F_MORE]], [[1n, 5, IOCQE_F_MORE]]]);
      return got;
    },
  },
  {
    name: "a multishot arm on a timer line counts periods; flags other than multishot-on-IRQ_WAIT are -EINVAL",
    section: "§4.11 multishot §4.9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const t = sys.irq_create(IRQ_TIMER_BASE + 1, IRQ_PERIODIC, 1000);
      submit(task, port, [multi(1, t), { userData: 2, opcode: OP_NOP, flags: IOSQE_MULTISHOT } as never]);
      await sim.advance(3500);
      const got = urf(reapNow(task, port));
      deepEqual(got, [
        [2n, -EINVAL, 0],
        [1n, 1, IOCQE_F_MORE],
        [1n, 1, IOCQE_F_MORE],
        [1n, 1, IOCQE_F_MORE],
      ]);
      return got;
    },
  },
  {
    name: "io_watch calls back after each event with what was reaped, until io_unwatch",
    section: "§3 io_watch",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(4, IRQ_RISING);
      const out = cqBuf(task, 4);
      const calls: [number, number, number][] = [];
      equal(sys.io_watch(port, out, 4, (n) => calls.push([sim.now, n, n > 0 ? readCqes(task, out, 1)[0]!.result : n])), 0);
      submit(task, port, [multi(1, irq)]);
      await pulses(sim, 4, 2);
      equal(sys.io_unwatch(port), 0);
      await pulses(sim, 4, 1);
      deepEqual(calls, [
        [100, 1, 1],
        [300, 1, 1],
      ]);
      return calls;
    },
  },
  {
    name: "io_watch checks, one waiter, -EBADF once on close, -ENOENT for io_unwatch without a watch",
    section: "§3 io_watch",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const out = cqBuf(task, 1);
      const calls: number[] = [];
      const r = [
        sys.io_watch(port, out, 0, () => {}),
        sys.io_unwatch(port),
        sys.io_watch(port, out, 1, (n) => calls.push(n)),
        sys.io_watch(port, out, 1, () => {}),
        sys.io_wait_cb(port, out, 1, 1, 0, () => {}),
        sys.close(port),
      ];
      deepEqual(r, [-EINVAL, -ENOENT, 0, -EBUSY, -EBUSY, 0]);
      deepEqual(calls, [-EBADF]);
      return [r, calls];
    },
  },
];

export default cases;
