/** §4.2 OP_TIMEOUT, §6 time, §9 timers. */
import { EINVAL, OP_TIMEOUT } from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, cqBuf, microtasks, poll, readCqes, submit, timeout, uds } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const cases: ConformanceCase[] = [
  {
    name: "completes exactly timeout_ns after submission, result 0, never early",
    section: "§4.2 §9 timers",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 1500)]), 1);
      await sim.advance(1499);
      const early = (await poll(task, port)).n;
      await sim.advance(1);
      const r = await poll(task, port);
      deepEqual([early, r.cqes.map(brief), sim.now], [0, [[1n, OP_TIMEOUT, 0]], 1500]);
      return [early, r.n, sim.now];
    },
  },
  {
    name: "measured from its own submission time",
    section: "§4.2",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      await sim.advance(1000);
      equal(submit(task, port, [timeout(1n, 500)]), 1);
      const out = cqBuf(task, 1);
      const when: number[] = [];
      sys.io_wait_cb(port, out, 1, 1, 0, () => when.push(sim.now));
      await sim.advance(10_000);
      deepEqual(when, [1500]);
      return when;
    },
  },
  {
    name: "timeout 0 is never completed inside io_submit or by a microtask",
    section: "§9 timers",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 0)]), 1);
      const out = cqBuf(task, 1);
      const inSubmit = await sys.io_wait(port, out, 1, 0, 0);
      await microtasks(32);
      const later = await sys.io_wait(port, out, 1, 0, 0);
      deepEqual([inSubmit, later], [0, 0]);
      return [inSubmit, later];
    },
  },
  {
    name: "timeout 0 completes at the next advance, advance(0) included, at the same time",
    section: "§9 timers",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      await sim.advance(777);
      equal(submit(task, port, [timeout(1n, 0)]), 1);
      await sim.advance(0);
      const r = await poll(task, port);
      deepEqual([r.cqes.map(brief), sim.now], [[[1n, OP_TIMEOUT, 0]], 777]);
      return sim.now;
    },
  },
  {
    name: "timeout 0 completes after the events already due",
    section: "§9 timers",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const order: string[] = [];
      sim.at(0, () => order.push("event due before"));
      equal(submit(task, port, [timeout(1n, 0)]), 1);
      sys.io_wait_cb(port, cqBuf(task, 1), 1, 1, 0, () => order.push("timeout"));
      sim.at(0, () => order.push("event due after"));
      await sim.advance(0);
      deepEqual(order, ["event due before", "timeout", "event due after"]);
      return order;
    },
  },
  {
    name: "equal timeouts complete in submission order",
    section: "§5 §9 simulator time",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(3n, 100), timeout(1n, 100)]), 2);
      equal(submit(task, port, [timeout(2n, 100)]), 1);
      await sim.advance(100);
      const r = await poll(task, port);
      deepEqual(uds(r.cqes), [3n, 1n, 2n]);
      return uds(r.cqes);
    },
  },
  {
    name: "timeouts complete in time order, whatever the submission order",
    section: "§4.2 §5",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(3n, 300), timeout(1n, 100), timeout(2n, 200)]), 3);
      const seen: [bigint, number][] = [];
      const out = cqBuf(task, 1);
      const cb = (n: number): void => {
        if (n > 0) seen.push([readCqes(task, out, 1)[0]!.userData, sim.now]);
        sys.io_wait_cb(port, out, 1, 1, 0, cb);
      };
      sys.io_wait_cb(port, out, 1, 1, 0, cb);
      await sim.advance(1000);
      deepEqual(seen, [[1n, 100], [2n, 200], [3n, 300]]);
      return seen;
    },
  },
  {
    name: "timeout_ns with the top bit set -> -EINVAL",
    section: "§9 fine print (decisions.md)",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 0x8000000000000000n), timeout(2n, 0xffffffffffffffffn)]), 2);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[1n, OP_TIMEOUT, -EINVAL], [2n, OP_TIMEOUT, -EINVAL]]);
      await sim.advance(0);
      return r.cqes.map(brief);
    },
  },
  {
    name: "a long timeout (2^40 ns) is exact",
    section: "§4.2 §6",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const t = 2 ** 40 + 7;
      equal(submit(task, port, [timeout(1n, BigInt(t))]), 1);
      await sim.advance(t - 1);
      const before = (await poll(task, port)).n;
      await sim.advance(1);
      const r = await poll(task, port);
      deepEqual([before, r.n, sim.now], [0, 1, t]);
      equal(typeof sim.now, "number", "time is a number of ns");
      return [before, r.n, sim.now];
    },
  },
  {
    name: "a timeout wakes a blocked waiter under run() at its exact time",
    section: "§4.2 §8 run",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(9n, 123_456)]), 1);
      const out = cqBuf(task, 1);
      const n = await sim.run(() => sys.io_wait(port, out, 1, 1, 0));
      deepEqual([n, readCqes(task, out, 1).map(brief), sim.now], [1, [[9n, OP_TIMEOUT, 0]], 123_456]);
      return sim.now;
    },
  },
];

export default cases;
