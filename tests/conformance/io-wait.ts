/** §3 io_wait: check order, min/max, timeouts, one waiter, close while waiting. */
import { COMPLETION_SIZE, EBADF, EBUSY, EFAULT, EINPROGRESS, EINVAL } from "../../core/index.js";
import { deepEqual, equal, rejects } from "./assert.js";
import { brief, cqBuf, microtasks, nop, poll, readCqes, submit, timeout, uds, waitRun } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const cases: ConformanceCase[] = [
  {
    name: "max == 0 -> 0, nothing else checked",
    section: "§3 io_wait",
    async run({ sys }) {
      const call = sys.io_wait as (...a: unknown[]) => Promise<number>;
      const got = [await call(42, 0, 0, 5, -1), await call(-1, 0, 0, "x", "y")];
      deepEqual(got, [0, 0]);
      return got;
    },
  },
  {
    name: "check order: -EFAULT before -EBADF",
    section: "§3 io_wait",
    async run({ task, sys }) {
      const out = cqBuf(task, 2);
      const got = [await sys.io_wait(42, 0, 1, 1, 0), await sys.io_wait(42, out, 2, 1, 0), await sys.io_wait(-1, out, 1, 0, 0)];
      deepEqual(got, [-EFAULT, -EBADF, -EBADF]);
      return got;
    },
  },
  {
    name: "the out range is 24*max bytes",
    section: "§1 address space §3 io_wait",
    async run({ sim }) {
      const t = sim.spawn({ memoryBytes: 1024 });
      const port = t.sys.io_create(0);
      const at = 1024 - 2 * COMPLETION_SIZE;
      const got = [await t.sys.io_wait(port, at, 3, 0, 0), await t.sys.io_wait(port, at + 1, 2, 0, 0), await t.sys.io_wait(port, at, 2, 0, 0)];
      deepEqual(got, [-EFAULT, -EFAULT, 0]);
      return got;
    },
  },
  {
    name: "max, min not u32 or a negative timeout -> -EINVAL",
    section: "§9 u32 arguments",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const out = cqBuf(task, 2);
      const call = sys.io_wait as (...a: unknown[]) => Promise<number>;
      const got = [
        await call(port, out, -1, 0, 0),
        await call(port, out, 1.5, 0, 0),
        await call(port, out, 1, -1, 0),
        await call(port, out, 1, 0.5, 0),
        await call(port, out, 1, "1", 0),
        await call(port, out, 1, 0, -1),
        await call(port, out, 1, 0, -1n),
        await call(port, out, 1, 0, "5"),
        await call(port, out, 1, 0, NaN),
      ];
      deepEqual(got, got.map(() => -EINVAL));
      return got.length;
    },
  },
  {
    name: "min == 0 is a poll: never blocks, 0 on an empty port",
    section: "§3 io_wait",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 1000)]), 1);
      const out = cqBuf(task, 4);
      let settled: number | null = null;
      void sys.io_wait(port, out, 4, 0, 0).then((n) => (settled = n));
      await microtasks();
      equal(settled, 0, "resolved with no time passing");
      equal(sim.now, 0);
      return settled;
    },
  },
  {
    name: "up to max completions, oldest first",
    section: "§3 io_wait",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [1n, 2n, 3n, 4n, 5n].map((u) => nop(u))), 5);
      const out = cqBuf(task, 3);
      const n1 = await sys.io_wait(port, out, 3, 1, 0);
      const first = uds(readCqes(task, out, n1));
      const n2 = await sys.io_wait(port, out, 3, 1, 0);
      const second = uds(readCqes(task, out, n2));
      deepEqual([first, second], [[1n, 2n, 3n], [4n, 5n]]);
      return [first, second];
    },
  },
  {
    name: "min is capped at max",
    section: "§3 io_wait",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [nop(1n), nop(2n)]), 2);
      const out = cqBuf(task, 2);
      let n: number | null = null;
      void sys.io_wait(port, out, 2, 10, 0).then((v) => (n = v));
      await microtasks();
      equal(n, 2, "min(10, 2) = 2 are queued: resolves at once");
      return n;
    },
  },
  {
    name: "blocks until min completions are queued",
    section: "§3 io_wait",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 100), timeout(2n, 200), timeout(3n, 300)]), 3);
      const r = await waitRun(sim, task, port, 3, 2);
      deepEqual([r.n, uds(r.cqes), sim.now], [2, [1n, 2n], 200]);
      return [r.n, sim.now];
    },
  },
  {
    name: "one io_submit of three NOPs wakes a min=1 waiter with all three",
    section: "§9 submission and waiting",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const out = cqBuf(task, 8);
      const pending = sys.io_wait(port, out, 8, 1, 0);
      equal(submit(task, port, [nop(1n), nop(2n), nop(3n)]), 3);
      const n = await pending;
      deepEqual(uds(readCqes(task, out, n)), [1n, 2n, 3n]);
      return n;
    },
  },
  {
    name: "timeout expiry resolves with what is queued, possibly 0",
    section: "§3 io_wait timeout",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const empty = await waitRun(sim, task, port, 4, 1, 1000);
      deepEqual([empty.n, sim.now], [0, 1000], "nothing queued: 0, not an error");
      equal(submit(task, port, [timeout(1n, 500)]), 1);
      const some = await waitRun(sim, task, port, 4, 2, 1000);
      deepEqual([some.n, uds(some.cqes), sim.now], [1, [1n], 2000], "one of two: resolves at the timeout with one");
      return [empty.n, some.n, sim.now];
    },
  },
  {
    name: "timeout_ns may be a bigint",
    section: "§3 io_wait timeout",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const r = await waitRun(sim, task, port, 1, 1, 1234n);
      deepEqual([r.n, sim.now], [0, 1234]);
      equal(submit(task, port, [timeout(1n, 10)]), 1);
      const s = await waitRun(sim, task, port, 1, 1, 5000n);
      deepEqual([s.n, sim.now], [1, 1244], "completions end the wait before the timeout");
      return [r.n, s.n, sim.now];
    },
  },
  {
    name: "timeout_ns == 0 waits forever",
    section: "§3 io_wait timeout §9 run",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const out = cqBuf(task, 1);
      const err = await rejects(sim.run(() => sys.io_wait(port, out, 1, 1, 0)), Error, /deadlock/);
      equal(sim.now, 0);
      // the wait is still pending: a completion satisfies it
      equal(submit(task, port, [timeout(7n, 10)]), 1, "io_submit works while the wait is pending");
      await sim.advance(10);
      deepEqual(readCqes(task, out, 1).map(brief), [[7n, 1, 0]]);
      return err.message.includes("deadlock");
    },
  },
  {
    name: "timeout_ns 0n (a bigint) also waits forever",
    section: "§3 io_wait timeout",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const out = cqBuf(task, 1);
      let result: number | null = null;
      void sys.io_wait(port, out, 1, 1, 0n).then((n) => (result = n));
      await sim.advance(10 ** 12);
      equal(result, null, "still waiting after 1000 s of virtual time");
      submit(task, port, [nop(3n)]);
      await sim.advance(0);
      equal(result, 1);
      return result;
    },
  },
  {
    name: "a second concurrent wait on a port -> -EBUSY, a poll too",
    section: "§3 io_wait one waiter §9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const dupFd = sys.dup(port);
      const out = cqBuf(task, 2);
      const first = sys.io_wait(port, out, 2, 1, 0);
      const got = [
        await sys.io_wait(port, out, 2, 1, 0),
        await sys.io_wait(port, out, 2, 0, 0),
        await sys.io_wait(dupFd, out, 2, 0, 0),
        sys.io_wait_cb(port, out, 2, 1, 0, () => undefined),
      ];
      deepEqual(got, [-EBUSY, -EBUSY, -EBUSY, -EBUSY]);
      equal(submit(task, port, [nop(1n)]), 1);
      equal(await first, 1, "the first waiter is not forgotten");
      equal(await sys.io_wait(port, out, 2, 0, 0), 0, "after it, waits work again");
      await sim.advance(0);
      return got;
    },
  },
  {
    name: "a port closed while a wait is pending resolves it -EBADF",
    section: "§3 io_wait §7",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 100)]), 1);
      const out = cqBuf(task, 1);
      const pending = sys.io_wait(port, out, 1, 1, 0);
      equal(sys.close(port), 0);
      equal(await pending, -EBADF);
      return -EBADF;
    },
  },
  {
    name: "io_wait writes only the n entries it returns",
    section: "§9 fine print",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const out = cqBuf(task, 3);
      task.memory.fill(0xaa, out, out + 3 * COMPLETION_SIZE);
      equal(submit(task, port, [nop(1n)]), 1);
      equal(await sys.io_wait(port, out, 3, 1, 0), 1);
      const rest = Array.from(task.memory.subarray(out + COMPLETION_SIZE, out + 3 * COMPLETION_SIZE));
      deepEqual(rest, rest.map(() => 0xaa));
      return rest.length;
    },
  },
  {
    name: "io_wait never rejects, and a wait after a wait works",
    section: "§3 syscalls",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 10), timeout(2n, 20)]), 2);
      const a = await waitRun(sim, task, port, 1, 1);
      const b = await waitRun(sim, task, port, 1, 1);
      const c = await sys.io_wait(port, cqBuf(task, 1), 1, 0, 0);
      deepEqual([uds(a.cqes), uds(b.cqes), c, sim.now], [[1n], [2n], 0, 20]);
      equal(sys.io_wait_cb(port, cqBuf(task, 1), 1, 1, 0, () => undefined), -EINPROGRESS);
      return [a.n, b.n, c];
    },
  },
  {
    name: "the poll sees a completion posted by a timer at its exact time",
    section: "§3 io_wait §6",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 250)]), 1);
      await sim.advance(249);
      const before = (await poll(task, port)).n;
      await sim.advance(1);
      const at = await poll(task, port);
      deepEqual([before, at.n, sim.now], [0, 1, 250]);
      return [before, at.n];
    },
  },
];

export default cases;
