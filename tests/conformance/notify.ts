/** §3 notify_create/notify, §4.8 OP_RING_WAIT: edge-triggered, one-shot, latched, coalescing, FIFO. */
import { EBADF, ECANCELED, EINVAL, EMFILE, OP_RING_WAIT } from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, channel, cqBuf, fillFds, poll, record, submit, type Sqe } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

function ring(userData: number, fd: number): Sqe {
  return { userData, opcode: OP_RING_WAIT, fd };
}

const cases: ConformanceCase[] = [
  {
    name: "notify_create: flags must be 0; full table -> -EMFILE",
    section: "§3 notify_create §9",
    run({ task, sys }) {
      const call = sys.notify_create as (f?: unknown) => number;
      const got = [call(1), call(-1), call("0"), call(), call(0)];
      fillFds(task, 0);
      got.push(call(0), call(1));
      deepEqual(got, [-EINVAL, -EINVAL, -EINVAL, 0, 1, -EMFILE, -EINVAL]);
      return got;
    },
  },
  {
    name: "an armed OP_RING_WAIT completes with 0 on the next notify, and only once",
    section: "§4.8",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const n = sys.notify_create(0);
      equal(submit(task, port, [ring(1, n)]), 1);
      const pending = (await poll(task, port)).n;
      const log = record(sim, task, port);
      sim.at(500, () => sys.notify(n));
      sim.at(900, () => sys.notify(n));
      await sim.advance(1000);
      deepEqual([pending, log], [0, [[1n, 0, 500]]]);
      equal(submit(task, port, [ring(2, n)]), 1);
      await sim.advance(1);
      deepEqual(log, [[1n, 0, 500], [2n, 0, 1000]], "the notify at 900 was latched");
      return log;
    },
  },
  {
    name: "a notify with nothing armed is latched: the next arm completes inside io_submit",
    section: "§4.8",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const n = sys.notify_create(0);
      equal(sys.notify(n), 0);
      equal(submit(task, port, [ring(5, n)]), 1);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual(r, [[5n, OP_RING_WAIT, 0]]);
      return r;
    },
  },
  {
    name: "several notifies with nothing armed coalesce into one",
    section: "§4.8",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const n = sys.notify_create(0);
      const got = [sys.notify(n), sys.notify(n), sys.notify(n)];
      equal(submit(task, port, [ring(1, n), ring(2, n)]), 2);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([got, r], [[0, 0, 0], [[1n, 7, 0]]]);
      return r;
    },
  },
  {
    name: "several arms are served FIFO; one notify satisfies the oldest arm only",
    section: "§4.8 §9",
    async run({ task, sys }) {
      const [a, b] = [sys.io_create(0), sys.io_create(0)];
      const n = sys.notify_create(0);
      equal(submit(task, b, [ring(1, n)]), 1);
      equal(submit(task, a, [ring(2, n), ring(3, n)]), 2);
      const steps: [number, number][] = [];
      for (let i = 0; i < 3; i++) {
        equal(sys.notify(n), 0);
        steps.push([(await poll(task, a)).n, (await poll(task, b)).n]);
      }
      deepEqual(steps, [[0, 1], [1, 0], [1, 0]]);
      return steps;
    },
  },
  {
    name: "notify and OP_RING_WAIT on anything but a notify fd -> -EBADF",
    section: "§3 notify §4.8",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 1);
      const dev = sys.open("/dev/spi0", 0);
      const got = [sys.notify(port), sys.notify(s), sys.notify(r), sys.notify(dev), sys.notify(50), sys.notify(-1)];
      equal(submit(task, port, [ring(1, port), ring(2, r), ring(3, dev), ring(4, 50)]), 4);
      const c = (await poll(task, port)).cqes.map(brief);
      deepEqual([got, c], [new Array<number>(6).fill(-EBADF), [[1n, 7, -EBADF], [2n, 7, -EBADF], [3n, 7, -EBADF], [4n, 7, -EBADF]]]);
      return [got, c];
    },
  },
  {
    name: "closing the last reference cancels arms -ECANCELED in FIFO order; a dup keeps them",
    section: "§9 objects and close",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const n = sys.notify_create(0);
      equal(submit(task, port, [ring(1, n), ring(2, n), ring(3, n)]), 3);
      const d = sys.dup(n);
      equal(sys.close(n), 0);
      const mid = (await poll(task, port)).n;
      equal(sys.notify(d), 0);
      const one = (await poll(task, port)).cqes.map(brief);
      equal(sys.close(d), 0);
      const rest = (await poll(task, port)).cqes.map(brief);
      deepEqual([mid, one, rest], [0, [[1n, 7, 0]], [[2n, 7, -ECANCELED], [3n, 7, -ECANCELED]]]);
      return [one, rest];
    },
  },
  {
    name: "a notify from another task wakes a callback waiter in the same turn",
    section: "§4.8 §3 io_wait_cb",
    async run({ sim, task, sys }) {
      const other = sim.spawn();
      const port = sys.io_create(0);
      const n = sys.notify_create(0);
      equal(sys.svc_register("bell", n), 0);
      const theirs = other.sys.svc_lookup("bell");
      equal(submit(task, port, [ring(9, n)]), 1);
      const out = cqBuf(task, 1);
      const calls: [number, number, string][] = [];
      equal(sys.io_wait_cb(port, out, 1, 1, 0, (k) => calls.push([k, sim.now, "cb"])), -115);
      sim.at(250, () => {
        other.sys.notify(theirs);
        calls.push([0, sim.now, "after notify"]);
      });
      await sim.advance(300);
      deepEqual(calls, [[1, 250, "cb"], [0, 250, "after notify"]]);
      return calls;
    },
  },
  {
    name: "a cancelled arm leaves the next notify for the next arm",
    section: "§4.8 §3 io_cancel",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const n = sys.notify_create(0);
      equal(submit(task, port, [ring(1, n), ring(2, n)]), 2);
      equal(sys.io_cancel(port, 1), 1);
      equal(sys.notify(n), 0);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual(r, [[1n, 7, -ECANCELED], [2n, 7, 0]]);
      return r;
    },
  },
];

export default cases;
