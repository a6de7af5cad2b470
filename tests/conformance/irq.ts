/** §3 irq_create, §4.5 OP_IRQ_WAIT, §7 irq close, §9 interrupts (GPIO edges and timer lines). */
import {
  EBADF,
  EBUSY,
  ECANCELED,
  EFAULT,
  EINVAL,
  EMFILE,
  ENODEV,
  IRQ_FALLING,
  IRQ_ONESHOT,
  IRQ_PERIODIC,
  IRQ_RISING,
  IRQ_TIMER_BASE,
  OP_IRQ_WAIT,
  decodeIrqEvent,
  type Task,
} from "../../core/index.js";
import type { Simulator } from "../../host-sim/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, bytesAt, fillFds, poll, record, submit, type Sqe } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const TIMER0 = IRQ_TIMER_BASE;

function arm(userData: number | bigint, fd: number, bufAddr = 0, bufLen = 0): Sqe {
  return { userData, opcode: OP_IRQ_WAIT, fd, bufAddr, bufLen };
}

/** Drives `pin` through `levels`, one step every `stepNs`, starting `stepNs` from now. */
async function wiggle(sim: Simulator, pin: number, levels: number[], stepNs = 100): Promise<void> {
  for (const l of levels) {
    await sim.advance(stepNs);
    sim.gpio(pin).drive(l);
  }
}

/** The IrqEvent at `addr` as [timestamp, count, level]. */
function ev(task: Task, addr: number): [bigint, number, number] {
  const e = decodeIrqEvent(task.view, addr);
  return [e.timestampNs, e.count, e.level];
}

/** Arms once with an event buffer and reaps it; returns [result, event]. */
async function armReap(task: Task, port: number, irq: number, ud = 1): Promise<[number, [bigint, number, number]] | null> {
  const buf = task.alloc(16);
  equal(submit(task, port, [arm(ud, irq, buf, 16)]), 1);
  const r = await poll(task, port);
  if (r.n === 0) return null;
  return [r.cqes[0]!.result, ev(task, buf)];
}

const cases: ConformanceCase[] = [
  {
    name: "IRQ_RISING counts rising edges only",
    section: "§3 irq_create",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(5, IRQ_RISING);
      await wiggle(sim, 5, [1, 0, 1, 0, 1]);
      const got = await armReap(task, port, irq);
      deepEqual(got, [3, [100n, 3, 1]]);
      return got;
    },
  },
  {
    name: "IRQ_FALLING counts falling edges only; level is the pin's at the last one",
    section: "§3 irq_create §2 IrqEvent",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(6, IRQ_FALLING);
      await wiggle(sim, 6, [1, 0, 1, 0, 1]);
      const got = await armReap(task, port, irq);
      deepEqual(got, [2, [200n, 2, 0]]);
      return got;
    },
  },
  {
    name: "IRQ_RISING|IRQ_FALLING counts both edges",
    section: "§3 irq_create",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(7, IRQ_RISING | IRQ_FALLING);
      await wiggle(sim, 7, [1, 0, 1, 0, 1]);
      const got = await armReap(task, port, irq);
      deepEqual(got, [5, [100n, 5, 1]]);
      return got;
    },
  },
  {
    name: "driving a pin to its current level is not an edge",
    section: "§9 simulated devices",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(8, 3);
      await wiggle(sim, 8, [0, 0, 1, 1, 1, 0, 0]);
      const got = await armReap(task, port, irq);
      deepEqual(got, [2, [300n, 2, 0]]);
      return got;
    },
  },
  {
    name: "GPIO flags: no edge bit, timer bits, unknown bits or a period -> -EINVAL",
    section: "§3 irq_create §9 (decisions.md)",
    run({ sys }) {
      const got = [0, IRQ_PERIODIC, IRQ_ONESHOT, 1 | IRQ_PERIODIC, 16, 7, -1].map((f) => sys.irq_create(9, f));
      got.push(sys.irq_create(9, IRQ_RISING, 1000));
      deepEqual(got, [-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL]);
      equal(sys.irq_create(9, IRQ_RISING, 0), 0, "period 0 is allowed on a GPIO line; the line was never claimed");
      return got;
    },
  },
  {
    name: "timer flags must be exactly PERIODIC or ONESHOT with a positive period",
    section: "§3 irq_create (decisions.md)",
    run({ sys }) {
      const t = TIMER0 + 1;
      const got = [
        sys.irq_create(t, IRQ_PERIODIC, 0),
        sys.irq_create(t, IRQ_PERIODIC),
        sys.irq_create(t, IRQ_PERIODIC | IRQ_ONESHOT, 1000),
        sys.irq_create(t, IRQ_RISING, 1000),
        sys.irq_create(t, 0, 1000),
        sys.irq_create(t, IRQ_PERIODIC, -5),
        sys.irq_create(t, IRQ_PERIODIC, 1.5),
        sys.irq_create(t, IRQ_ONESHOT, 2n ** 53n),
        sys.irq_create(t, IRQ_ONESHOT, 1000n),
      ];
      deepEqual(got, [-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0]);
      return got;
    },
  },
  {
    name: "unknown lines -> -ENODEV, checked before the flags",
    section: "§3 irq_create §9",
    run({ sys }) {
      const got = [
        sys.irq_create(32, IRQ_RISING),
        sys.irq_create(-1, IRQ_RISING),
        sys.irq_create(2.5, IRQ_RISING),
        sys.irq_create(TIMER0 + 4, IRQ_PERIODIC, 1000),
        sys.irq_create(TIMER0 - 1, IRQ_PERIODIC, 1000),
        sys.irq_create(99, 0),
        sys.irq_create(TIMER0 + 4, 0, 0),
      ];
      deepEqual(got, [-ENODEV, -ENODEV, -ENODEV, -ENODEV, -ENODEV, -ENODEV, -ENODEV]);
      return got;
    },
  },
  {
    name: "check order: -ENODEV, -EINVAL, -EBUSY, -EMFILE",
    section: "§9 irq_create",
    run({ task, sys }) {
      equal(sys.irq_create(10, IRQ_RISING), 0);
      equal(sys.irq_create(TIMER0, IRQ_PERIODIC, 1000), 1);
      fillFds(task, 0);
      const got = [
        sys.irq_create(40, 0), // unknown line, bad flags, full table
        sys.irq_create(10, 0), // claimed line, bad flags
        sys.irq_create(10, IRQ_FALLING), // claimed line, full table
        sys.irq_create(TIMER0, IRQ_ONESHOT, 5), // claimed timer, full table
        sys.irq_create(11, IRQ_RISING), // free line, full table
      ];
      deepEqual(got, [-ENODEV, -EINVAL, -EBUSY, -EBUSY, -EMFILE]);
      return got;
    },
  },
  {
    name: "a claimed line is busy for every task; another line is not",
    section: "§3 irq_create",
    run({ sim, sys }) {
      const other = sim.spawn();
      const got = [sys.irq_create(12, IRQ_RISING), other.sys.irq_create(12, IRQ_FALLING), other.sys.irq_create(13, IRQ_FALLING)];
      got.push(other.sys.irq_create(TIMER0 + 2, IRQ_ONESHOT, 10), sys.irq_create(TIMER0 + 2, IRQ_PERIODIC, 10));
      deepEqual(got, [0, -EBUSY, 0, 1, -EBUSY]);
      return got;
    },
  },
  {
    name: "closing the last reference frees the line at once; a dup keeps it claimed",
    section: "§7 §3 irq_create",
    run({ sys }) {
      const irq = sys.irq_create(14, IRQ_RISING);
      const d = sys.dup(irq);
      const got = [sys.close(irq), sys.irq_create(14, IRQ_RISING), sys.close(d), sys.irq_create(14, IRQ_FALLING)];
      deepEqual(got, [0, -EBUSY, 0, 0]);
      return got;
    },
  },
  {
    name: "edges are counted from creation on, armed or not; earlier edges are not",
    section: "§3 irq_create §4.5",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      await wiggle(sim, 15, [1, 0, 1]); // before the claim
      const irq = sys.irq_create(15, 3);
      await wiggle(sim, 15, [0, 1]); // at 400 and 500, nothing armed
      const got = await armReap(task, port, irq);
      deepEqual(got, [2, [400n, 2, 1]]);
      return got;
    },
  },
  {
    name: "edges before a re-claim are not counted",
    section: "§7 (decisions.md claims)",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      let irq = sys.irq_create(18, IRQ_RISING);
      await wiggle(sim, 18, [1, 0]);
      equal(sys.close(irq), 0);
      await wiggle(sim, 18, [1, 0]);
      irq = sys.irq_create(18, IRQ_RISING);
      const none = await armReap(task, port, irq);
      equal(none, null, "nothing latched on the new claim");
      await wiggle(sim, 18, [1]);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[1n, OP_IRQ_WAIT, 1]]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "result = interrupts since the previous completion on the line",
    section: "§4.5",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(19, IRQ_RISING);
      const log = record(sim, task, port);
      equal(submit(task, port, [arm(1, irq)]), 1);
      await wiggle(sim, 19, [1, 0]); // one edge at 100: completes the arm
      await wiggle(sim, 19, [1, 0, 1, 0, 1]); // three more, unarmed
      equal(submit(task, port, [arm(2, irq)]), 1);
      await sim.advance(10);
      equal(submit(task, port, [arm(3, irq)]), 1);
      await wiggle(sim, 19, [0, 1]);
      deepEqual(log, [[1n, 1, 100], [2n, 3, 700], [3n, 1, 910]]);
      return log;
    },
  },
  {
    name: "a latched interrupt completes the next arm inside io_submit",
    section: "§4.5 §9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(20, IRQ_FALLING);
      await wiggle(sim, 20, [1, 0]);
      equal(submit(task, port, [arm(9n, irq)]), 1);
      const r = await poll(task, port); // no advance between submit and poll
      deepEqual(r.cqes.map(brief), [[9n, OP_IRQ_WAIT, 1]]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "the IrqEvent is written at reap time, not when the edge completes the arm",
    section: "§4.5 §3 io_wait copy-out",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(21, IRQ_RISING);
      const buf = task.alloc(16);
      task.memory.fill(0xaa, buf, buf + 16);
      equal(submit(task, port, [arm(1, irq, buf, 16)]), 1);
      await wiggle(sim, 21, [1, 0, 1]);
      const before = bytesAt(task, buf, 16);
      const r = await poll(task, port);
      deepEqual(before, new Array<number>(16).fill(0xaa));
      deepEqual([r.cqes.map(brief), ev(task, buf)], [[[1n, OP_IRQ_WAIT, 1]], [100n, 1, 1]]);
      return ev(task, buf);
    },
  },
  {
    name: "buf_addr != 0 with buf_len < 16 -> -EINVAL, before -EFAULT",
    section: "§9 interrupts",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(22, IRQ_RISING);
      const buf = task.alloc(16);
      equal(submit(task, port, [arm(1, irq, buf, 15), arm(2, irq, buf, 1), arm(3, irq, 1 << 20, 8), arm(4, irq, 1 << 20, 16), arm(5, irq, 65536 - 8, 16)]), 5);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[1n, 4, -EINVAL], [2n, 4, -EINVAL], [3n, 4, -EINVAL], [4n, 4, -EFAULT], [5n, 4, -EFAULT]]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "buf_addr = 0 needs no buffer; buf_len > 16 writes exactly 16 bytes",
    section: "§4.5 §9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(23, 3);
      const buf = task.alloc(32);
      task.memory.fill(0x55, buf, buf + 32);
      equal(submit(task, port, [arm(1, irq, 0, 100), arm(2, irq, buf, 32)]), 2);
      await wiggle(sim, 23, [1, 0]);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[1n, 4, 1], [2n, 4, 1]]);
      deepEqual(bytesAt(task, buf + 16, 16), new Array<number>(16).fill(0x55));
      deepEqual(ev(task, buf), [200n, 1, 0]);
      return ev(task, buf);
    },
  },
  {
    name: "OP_IRQ_WAIT on anything but an irq fd -> -EBADF",
    section: "§4.5",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const n = sys.notify_create(0);
      const dev = sys.open("/dev/uart0", 0);
      equal(submit(task, port, [arm(1, port), arm(2, n), arm(3, dev), arm(4, 63), arm(5, -1)]), 5);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[1n, 4, -EBADF], [2n, 4, -EBADF], [3n, 4, -EBADF], [4n, 4, -EBADF], [5n, 4, -EBADF]]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "several arms are served FIFO, one interrupt each",
    section: "§4.5 §9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(24, IRQ_RISING);
      equal(submit(task, port, [arm(1, irq), arm(2, irq), arm(3, irq)]), 3);
      const log = record(sim, task, port);
      await wiggle(sim, 24, [1, 0]);
      deepEqual(log, [[1n, 1, 100]]);
      await wiggle(sim, 24, [1, 0, 1]);
      deepEqual(log, [[1n, 1, 100], [2n, 1, 300], [3n, 1, 500]]);
      return log;
    },
  },
  {
    name: "arms of two ports on one line are served FIFO across ports",
    section: "§4.5",
    async run({ sim, task, sys }) {
      const [a, b] = [sys.io_create(0), sys.io_create(0)];
      const irq = sys.irq_create(25, IRQ_RISING);
      equal(submit(task, b, [arm(1, irq)]), 1);
      equal(submit(task, a, [arm(2, irq)]), 1);
      await wiggle(sim, 25, [1]);
      const got = [(await poll(task, a)).n, (await poll(task, b)).n];
      await wiggle(sim, 25, [0, 1]);
      got.push((await poll(task, a)).n);
      deepEqual(got, [0, 1, 1]);
      return got;
    },
  },
  {
    name: "closing the last reference cancels arms -ECANCELED in FIFO order and writes no event",
    section: "§7 §9",
    async run({ task, sys }) {
      const [a, b] = [sys.io_create(0), sys.io_create(0)];
      const irq = sys.irq_create(26, IRQ_RISING);
      const buf = task.alloc(16);
      task.memory.fill(0x77, buf, buf + 16);
      equal(submit(task, a, [arm(1, irq, buf, 16)]), 1);
      equal(submit(task, b, [arm(2, irq)]), 1);
      equal(submit(task, a, [arm(3, irq)]), 1);
      const d = sys.dup(irq);
      equal(sys.close(irq), 0);
      equal((await poll(task, a)).n, 0, "closing one of two references changes nothing");
      equal(sys.close(d), 0);
      const ra = await poll(task, a);
      const rb = await poll(task, b);
      deepEqual([ra.cqes.map(brief), rb.cqes.map(brief)], [[[1n, 4, -ECANCELED], [3n, 4, -ECANCELED]], [[2n, 4, -ECANCELED]]]);
      deepEqual(bytesAt(task, buf, 16), new Array<number>(16).fill(0x77));
      return [ra.cqes.map(brief), rb.cqes.map(brief)];
    },
  },
  {
    name: "periodic timer: k-th interrupt at creation + k*period, no drift",
    section: "§9 interrupts",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      await sim.advance(50);
      const irq = sys.irq_create(TIMER0, IRQ_PERIODIC, 1000);
      const log = record(sim, task, port);
      for (let k = 1; k <= 4; k++) {
        equal(submit(task, port, [arm(k, irq)]), 1);
        await sim.advance(k === 2 ? 1300 : 700); // arms at irregular times
      }
      await sim.advance(5000);
      deepEqual(log, [[1n, 1, 1050], [2n, 1, 2050], [3n, 1, 3050], [4n, 1, 4050]]);
      return log;
    },
  },
  {
    name: "periodic timer latches while unarmed: count and first timestamp",
    section: "§4.5 §9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      await sim.advance(7);
      const irq = sys.irq_create(TIMER0 + 3, IRQ_PERIODIC, 250n);
      await sim.advance(1000); // 257, 507, 757, 1007 elapsed... 1007 > 1007? now = 1007
      const first = await armReap(task, port, irq, 1);
      await sim.advance(600); // 1257, 1507
      const second = await armReap(task, port, irq, 2);
      deepEqual([first, second], [[4, [257n, 4, 0]], [2, [1257n, 2, 0]]]);
      return [first, second];
    },
  },
  {
    name: "oneshot timer fires once at creation + period",
    section: "§3 irq_create",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      await sim.advance(3);
      const irq = sys.irq_create(TIMER0 + 2, IRQ_ONESHOT, 500);
      const log = record(sim, task, port);
      equal(submit(task, port, [arm(1, irq), arm(2, irq)]), 2);
      await sim.advance(10_000);
      deepEqual(log, [[1n, 1, 503]]);
      return log;
    },
  },
  {
    name: "closing a timer line stops it and frees it",
    section: "§7",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(TIMER0, IRQ_PERIODIC, 100);
      equal(submit(task, port, [arm(1, irq)]), 1);
      await sim.advance(150);
      equal(sys.close(irq), 0);
      const again = sys.irq_create(TIMER0, IRQ_PERIODIC, 1000);
      await sim.advance(500);
      const r = await poll(task, port);
      deepEqual([r.cqes.map(brief), again], [[[1n, 4, 1]], irq]);
      const late = await armReap(task, port, again, 2);
      equal(late, null, "the new claim counts from its own creation");
      return r.cqes.map(brief);
    },
  },
  {
    name: "a GPIO line reads its own output: gpio_write edges raise it",
    section: "§3 gpio_write (decisions.md)",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const irq = sys.irq_create(27, 3);
      const got = [sys.gpio_write(27, 1), sys.gpio_read(27), sys.gpio_write(27, 0), sys.gpio_write(27, 2), sys.gpio_read(40), sys.gpio_write(40, 1)];
      deepEqual(got, [0, 1, 0, -EINVAL, -ENODEV, -ENODEV]);
      const r = await armReap(task, port, irq);
      deepEqual(r, [2, [0n, 2, 0]]);
      equal(sim.gpio(27).level, 0);
      return [got, r];
    },
  },
];

export default cases;
