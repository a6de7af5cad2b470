/** §3 io_wait_cb: the wait without a Promise. */
import { EBADF, EBUSY, EFAULT, EINPROGRESS, EINVAL, OP_TIMEOUT } from "../../core/index.js";
import { deepEqual, equal, rejects } from "./assert.js";
import { brief, cqBuf, microtasks, nop, readCqes, submit, timeout, uds } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const cases: ConformanceCase[] = [
  {
    name: "satisfied at once: returns n, the callback is not called",
    section: "§3 io_wait_cb",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [nop(1n), nop(2n)]), 2);
      const out = cqBuf(task, 4);
      const calls: number[] = [];
      const n = sys.io_wait_cb(port, out, 4, 1, 0, (v) => calls.push(v));
      equal(n, 2);
      deepEqual(uds(readCqes(task, out, n)), [1n, 2n]);
      await sim.advance(1000);
      deepEqual(calls, []);
      return n;
    },
  },
  {
    name: "min == 0 polls: returns 0 on an empty port, no callback",
    section: "§3 io_wait_cb",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const calls: number[] = [];
      const n = sys.io_wait_cb(port, cqBuf(task, 1), 1, 0, 0, (v) => calls.push(v));
      await sim.advance(100);
      deepEqual([n, calls], [0, []]);
      return n;
    },
  },
  {
    name: "otherwise -EINPROGRESS, then callback(n) exactly once",
    section: "§3 io_wait_cb",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 100), timeout(2n, 100), timeout(3n, 300)]), 3);
      const out = cqBuf(task, 4);
      const calls: [number, number][] = [];
      equal(sys.io_wait_cb(port, out, 4, 1, 0, (v) => calls.push([v, sim.now])), -EINPROGRESS);
      await sim.advance(99);
      deepEqual(calls, [], "not before the event");
      await sim.advance(1000);
      deepEqual(calls, [[1, 100]], "once, at the first event, with what it posted");
      deepEqual(readCqes(task, out, 1).map(brief), [[1n, OP_TIMEOUT, 0]]);
      return calls;
    },
  },
  {
    name: "errors found at once are returned, not called back",
    section: "§3 io_wait_cb",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const out = cqBuf(task, 1);
      const calls: number[] = [];
      const cb = (v: number) => calls.push(v);
      const call = sys.io_wait_cb as (...a: unknown[]) => number;
      const got = [
        call(port, out, 0, 1, 0, cb),
        call(port, 0, 1, 1, 0, cb),
        call(99, out, 1, 1, 0, cb),
        call(port, out, 1, 1, -5, cb),
        call(port, out, -1, 1, 0, cb),
        call(port, out, 1, 1, 0, "not a function"),
        call(port, out, 1, 1, 0),
      ];
      deepEqual(got, [0, -EFAULT, -EBADF, -EINVAL, -EINVAL, -EINVAL, -EINVAL]);
      await sim.advance(10);
      deepEqual(calls, []);
      return got;
    },
  },
  {
    name: "the callback sees everything one syscall posted, and may wait again at once",
    section: "§3 io_wait_cb §9",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const out = cqBuf(task, 8);
      const calls: [number, bigint[], number][] = [];
      const cb = (n: number): void => {
        const again = sys.io_wait_cb(port, out, 8, 1, 0, cb);
        calls.push([n, uds(readCqes(task, out, n)), again]);
      };
      equal(sys.io_wait_cb(port, out, 8, 1, 0, cb), -EINPROGRESS);
      equal(submit(task, port, [nop(1n), nop(2n), nop(3n)]), 3);
      deepEqual(calls, [[3, [1n, 2n, 3n], -EINPROGRESS]], "called once with all three; re-armed from inside");
      equal(submit(task, port, [nop(4n)]), 1);
      deepEqual(calls[1], [1, [4n], -EINPROGRESS], "the re-armed wait works");
      return calls;
    },
  },
  {
    name: "the callback runs in the event's turn, with no promise job in between",
    section: "§3 io_wait_cb",
    async run({ sim, task, sys }) {
      const [p1, p2] = [sys.io_create(0), sys.io_create(0)];
      const order: string[] = [];
      void sys.io_wait(p1, cqBuf(task, 1), 1, 1, 0).then((n) => order.push(`promise ${n}`));
      equal(sys.io_wait_cb(p2, cqBuf(task, 1), 1, 1, 0, (n) => order.push(`callback ${n}`)), -EINPROGRESS);
      sim.at(50, () => {
        submit(task, p1, [nop(1n)]);
        submit(task, p2, [nop(2n)]);
        order.push("event end");
      });
      await sim.advance(100);
      deepEqual(order, ["callback 1", "event end", "promise 1"]);
      return order;
    },
  },
  {
    name: "a persistent callback drives a loop over timer completions",
    section: "§3 io_wait_cb §4.2",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 100), timeout(2n, 200), timeout(3n, 300)]), 3);
      const out = cqBuf(task, 1);
      const seen: [bigint, number][] = [];
      const cb = (n: number): void => {
        if (n > 0) seen.push([readCqes(task, out, 1)[0]!.userData, sim.now]);
        if (seen.length < 3) sys.io_wait_cb(port, out, 1, 1, 0, cb);
      };
      equal(sys.io_wait_cb(port, out, 1, 1, 0, cb), -EINPROGRESS);
      await sim.advance(1000);
      deepEqual(seen, [[1n, 100], [2n, 200], [3n, 300]]);
      return seen;
    },
  },
  {
    name: "timeout expiry calls back with 0",
    section: "§3 io_wait_cb",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const calls: [number, number][] = [];
      equal(sys.io_wait_cb(port, cqBuf(task, 1), 1, 1, 500n, (n) => calls.push([n, sim.now])), -EINPROGRESS);
      await sim.advance(2000);
      deepEqual(calls, [[0, 500]]);
      return calls;
    },
  },
  {
    name: "close while waiting calls back with -EBADF, once",
    section: "§3 io_wait_cb §7",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 10)]), 1);
      const calls: number[] = [];
      equal(sys.io_wait_cb(port, cqBuf(task, 1), 1, 1, 100, (n) => calls.push(n)), -EINPROGRESS);
      equal(sys.close(port), 0);
      await sim.advance(1000);
      deepEqual(calls, [-EBADF]);
      return calls;
    },
  },
  {
    name: "while a callback wait is pending, other waits get -EBUSY",
    section: "§3 io_wait one waiter",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const out = cqBuf(task, 1);
      const calls: number[] = [];
      equal(sys.io_wait_cb(port, out, 1, 1, 0, (n) => calls.push(n)), -EINPROGRESS);
      const got = [sys.io_wait_cb(port, out, 1, 0, 0, () => undefined), await sys.io_wait(port, out, 1, 0, 0)];
      deepEqual(got, [-EBUSY, -EBUSY]);
      submit(task, port, [nop(1n)]);
      await microtasks();
      deepEqual(calls, [1]);
      return got;
    },
  },
  {
    name: "a callback that throws is contained; the simulator reports it",
    section: "§3 io_wait_cb (decisions.md)",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 10), timeout(2n, 20)]), 2);
      equal(sys.io_wait_cb(port, cqBuf(task, 1), 1, 1, 0, () => {
        throw new Error("user bug");
      }), -EINPROGRESS);
      await rejects(sim.advance(15), Error, /user bug/);
      const out = cqBuf(task, 1);
      const calls: number[] = [];
      equal(sys.io_wait_cb(port, out, 1, 1, 0, (n) => calls.push(n)), -EINPROGRESS, "the kernel carries on");
      await sim.advance(10);
      deepEqual([calls, readCqes(task, out, 1).map(brief)], [[1], [[2n, OP_TIMEOUT, 0]]]);
      return calls;
    },
  },
];

export default cases;
