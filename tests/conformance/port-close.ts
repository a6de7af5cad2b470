/** §7 closing a port, §9 objects and close. */
import { EBADF, ECANCELED, OP_NOP } from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, cqBuf, nop, poll, submit, timeout } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const cases: ConformanceCase[] = [
  {
    name: "closing a port cancels its in-flight ops: no completion anywhere, later",
    section: "§7",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 100), timeout(2n, 200)]), 2);
      equal(sys.close(port), 0);
      equal(sim.kernel.liveObjects, 0, "the port is gone");
      const again = sys.io_create(0);
      equal(again, port, "the fd is reused");
      await sim.advance(1000);
      equal((await poll(task, again)).n, 0, "the new port gets nothing of the old one");
      return again;
    },
  },
  {
    name: "closing a port drops its queued completions",
    section: "§7 §9",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [nop(1n), nop(2n), nop(3n)]), 3);
      equal(sys.close(port), 0);
      const fresh = sys.io_create(0);
      equal((await poll(task, fresh)).n, 0);
      return fresh;
    },
  },
  {
    name: "a closed port fd is -EBADF for every port syscall",
    section: "§3 §7",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      equal(sys.close(port), 0);
      const out = cqBuf(task, 1);
      const got = [
        submit(task, port, [nop(1n)]),
        await sys.io_wait(port, out, 1, 0, 0),
        sys.io_wait_cb(port, out, 1, 1, 0, () => undefined),
        sys.io_cancel(port, 1n),
        sys.close(port),
        sys.dup(port),
      ];
      deepEqual(got, [-EBADF, -EBADF, -EBADF, -EBADF, -EBADF, -EBADF]);
      return got;
    },
  },
  {
    name: "closing the last reference with a pending wait: -EBADF; an earlier close of a dup does not",
    section: "§7 §9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const dupFd = sys.dup(port);
      const out = cqBuf(task, 1);
      let result: number | null = null;
      void sys.io_wait(port, out, 1, 1, 0).then((n) => (result = n));
      equal(sys.close(port), 0);
      await sim.advance(10);
      equal(result, null, "still waiting: the dup holds the port");
      equal(sys.close(dupFd), 0);
      await sim.advance(10);
      equal(result, -EBADF);
      return result;
    },
  },
  {
    name: "a port survives the task that made it only through other references",
    section: "§1 §7",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 100)]), 1);
      const other = sim.spawn({ memoryBytes: 4096 });
      other.exit();
      const r = await sim.run(() => sys.io_wait(port, cqBuf(task, 1), 1, 1, 0));
      equal(r, 1, "an unrelated exit changes nothing");
      task.exit();
      equal(sim.kernel.liveObjects, 0);
      return r;
    },
  },
  {
    name: "cancelled-by-close ops free their pooled records for reuse",
    section: "§7 (design: pooled ops)",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 100), timeout(2n, 100), nop(3n)]), 3);
      sys.close(port);
      const before = sim.kernel.opsAllocated;
      const p2 = sys.io_create(0);
      equal(submit(task, p2, [nop(1n), nop(2n), timeout(3n, 5)]), 3);
      equal(sim.kernel.opsAllocated, before, "no new op record: the pool was refilled");
      await sim.advance(5);
      const r = await poll(task, p2);
      deepEqual(r.cqes.map(brief), [[1n, OP_NOP, 0], [2n, OP_NOP, 0], [3n, 1, 0]]);
      return before;
    },
  },
  {
    name: "io_cancel after close of the port is -EBADF, and nothing is posted",
    section: "§7",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const keep = sys.dup(port);
      equal(submit(task, port, [timeout(1n, 100)]), 1);
      equal(sys.close(port), 0);
      const got = [sys.io_cancel(port, 1n), sys.io_cancel(keep, 1n)];
      deepEqual(got, [-EBADF, 1]);
      deepEqual((await poll(task, keep)).cqes.map(brief), [[1n, 1, -ECANCELED]]);
      return got;
    },
  },
];

export default cases;
