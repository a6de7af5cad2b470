/** §3 io_cancel, §9: cancelling in-flight operations. */
import { EBADF, EBUSY, ECANCELED, EINVAL, ENOENT, OP_NOP, OP_TIMEOUT } from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, nop, poll, submit, timeout } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const cases: ConformanceCase[] = [
  {
    name: "cancels an in-flight op: -ECANCELED at once, opcode echoed, never completes again",
    section: "§3 io_cancel",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(7n, 1000)]), 1);
      equal(sys.io_cancel(port, 7n), 1);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[7n, OP_TIMEOUT, -ECANCELED]]);
      await sim.advance(5000);
      equal((await poll(task, port)).n, 0, "the timer was dropped");
      return r.cqes.map(brief);
    },
  },
  {
    name: "every match is cancelled, in submission order; others stay",
    section: "§3 io_cancel §9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(5n, 300), timeout(6n, 50), timeout(5n, 100), timeout(5n, 200)]), 4);
      equal(sys.io_cancel(port, 5n), 3);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[5n, 1, -ECANCELED], [5n, 1, -ECANCELED], [5n, 1, -ECANCELED]]);
      await sim.advance(1000);
      const rest = await poll(task, port);
      deepEqual(rest.cqes.map(brief), [[6n, 1, 0]]);
      return [r.n, rest.n];
    },
  },
  {
    name: "no match -> -ENOENT; a queued completion is not cancelled",
    section: "§3 io_cancel §9",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [nop(1n)]), 1);
      const got = [sys.io_cancel(port, 99n), sys.io_cancel(port, 1n)];
      deepEqual(got, [-ENOENT, -ENOENT]);
      deepEqual((await poll(task, port)).cqes.map(brief), [[1n, OP_NOP, 0]]);
      return got;
    },
  },
  {
    name: "user_data as bigint, [lo, hi] pair or number",
    section: "§3 io_cancel",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const u = [0x100000002n, 0xffffffffffffffffn, 12345n, 0x8000000000000000n];
      equal(submit(task, port, u.map((x) => timeout(x, 100))), 4);
      const got = [
        sys.io_cancel(port, [2, 1]),
        sys.io_cancel(port, 0xffffffffffffffffn),
        sys.io_cancel(port, 12345),
        sys.io_cancel(port, [0, 0x80000000]),
      ];
      deepEqual(got, [1, 1, 1, 1]);
      deepEqual((await poll(task, port)).cqes.map((c) => c.userData), u);
      return got;
    },
  },
  {
    name: "a bad user_data -> -EINVAL, checked before the port",
    section: "§3 io_cancel (decisions.md)",
    run({ sys }) {
      const call = sys.io_cancel as (p: unknown, u: unknown) => number;
      const port = sys.io_create(0);
      const got = [call(42, "x"), call(42, 1n), call(port, [1]), call(port, [1, -1]), call(port, -1), call(port, 1.5), call(port, undefined), call(42, [1, 2])];
      deepEqual(got, [-EINVAL, -EBADF, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EBADF]);
      return got;
    },
  },
  {
    name: "a cancelled op's completion holds its slot until reaped",
    section: "§3 admission",
    async run({ simulator }) {
      const sim = simulator({ kernel: { cqEntries: 2 } });
      const t = sim.spawn();
      const port = t.sys.io_create(0);
      equal(submit(t, port, [timeout(1n, 100), timeout(2n, 100)]), 2);
      equal(t.sys.io_cancel(port, 1n), 1);
      const full = submit(t, port, [nop(3n)]);
      const out = t.alloc(24);
      equal(await t.sys.io_wait(port, out, 1, 1, 0), 1);
      const after = submit(t, port, [nop(3n)]);
      deepEqual([full, after], [-EBUSY, 1]);
      return [full, after];
    },
  },
  {
    name: "io_cancel affects only its own port",
    section: "§3 io_cancel",
    async run({ sim, task, sys }) {
      const [a, b] = [sys.io_create(0), sys.io_create(0)];
      equal(submit(task, a, [timeout(1n, 100)]), 1);
      equal(submit(task, b, [timeout(1n, 100)]), 1);
      equal(sys.io_cancel(a, 1n), 1);
      equal(sys.io_cancel(a, 1n), -ENOENT, "already cancelled");
      await sim.advance(100);
      const ra = await poll(task, a);
      const rb = await poll(task, b);
      deepEqual([ra.cqes.map(brief), rb.cqes.map(brief)], [[[1n, 1, -ECANCELED]], [[1n, 1, 0]]]);
      return [ra.n, rb.n];
    },
  },
  {
    name: "a cancel wakes a waiter like any completion",
    section: "§3 io_cancel io_wait",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 1000)]), 1);
      const out = task.alloc(24);
      const calls: [number, number][] = [];
      equal(sys.io_wait_cb(port, out, 1, 1, 0, (n) => calls.push([n, sim.now])), -115);
      sim.at(10, () => sys.io_cancel(port, 1n));
      await sim.advance(2000);
      deepEqual(calls, [[1, 10]]);
      equal(task.view.getBigInt64(out + 8, true), BigInt(-ECANCELED));
      return calls;
    },
  },
];

export default cases;
