/** §1 fd tables, task memory and exit; §3 io_create, close, dup. */
import { EBADF, EFAULT, EINVAL, EMFILE, EPERM, MAX_FDS, OP_NOP } from "../../core/index.js";
import { deepEqual, equal, notEqual, ok, throws } from "./assert.js";
import { brief, cqBuf, nop, poll, ports, submit, timeout, waitRun } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const cases: ConformanceCase[] = [
  {
    name: "io_create returns the lowest free fd, from 0",
    section: "§1 fd table §3 io_create",
    run({ sys }) {
      const got = [sys.io_create(0), sys.io_create(0), sys.io_create(0)];
      deepEqual(got, [0, 1, 2]);
      return got;
    },
  },
  {
    name: "io_create with flags other than 0 -> -EINVAL",
    section: "§3 io_create",
    run({ sys, sim }) {
      const call = sys.io_create as (f: unknown) => number;
      const got = [1, -1, 0x80000000, 0.5, "0", null, undefined].map((f) => call(f));
      deepEqual(got, [-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL]);
      equal(sim.kernel.liveObjects, 0, "no port was created");
      equal(sys.io_create(0), 0, "and fd 0 is still free");
      return got;
    },
  },
  {
    name: "the table holds 64 fds; a full table gives -EMFILE",
    section: "§1 fd table",
    run({ sys, sim }) {
      const fds: number[] = [];
      for (let i = 0; i < MAX_FDS; i++) fds.push(sys.io_create(0));
      deepEqual(fds, Array.from({ length: 64 }, (_, i) => i));
      equal(sys.io_create(0), -EMFILE, "65th fd");
      equal(sys.dup(0), -EMFILE, "dup into a full table");
      equal(sim.kernel.liveObjects, 64, "no object created by the failing calls");
      equal(sys.close(37), 0);
      equal(sys.io_create(0), 37, "a freed slot is reused");
      return { max: MAX_FDS, last: fds[63] };
    },
  },
  {
    name: "a new fd takes the lowest free number",
    section: "§1 fd table",
    run({ sys }) {
      const log: number[] = [];
      for (let i = 0; i < 5; i++) log.push(sys.io_create(0));
      log.push(sys.close(3), sys.close(1));
      log.push(sys.io_create(0), sys.io_create(0), sys.io_create(0));
      deepEqual(log, [0, 1, 2, 3, 4, 0, 0, 1, 3, 5]);
      return log;
    },
  },
  {
    name: "close of an fd that is not open -> -EBADF",
    section: "§3 close",
    run({ sys }) {
      const call = sys.close as (fd: unknown) => number;
      const port = sys.io_create(0);
      const got = [call(5), call(-1), call(64), call(1.5), call("0"), call(port), call(port)];
      deepEqual(got, [-EBADF, -EBADF, -EBADF, -EBADF, -EBADF, 0, -EBADF]);
      return got;
    },
  },
  {
    name: "dup returns the lowest free fd, sharing the object",
    section: "§3 dup",
    async run({ task, sys }) {
      const a = sys.io_create(0);
      const spare = sys.io_create(0);
      equal(sys.close(spare), 0);
      const b = sys.dup(a);
      equal(b, spare, "lowest free fd");
      equal(submit(task, b, [nop(9n)]), 1, "submit through the dup");
      const r = await poll(task, a);
      deepEqual(r.cqes.map(brief), [[9n, OP_NOP, 0]], "reaped through the original");
      return { a, b };
    },
  },
  {
    name: "dup of a bad fd -> -EBADF",
    section: "§3 dup",
    run({ sys }) {
      const call = sys.dup as (fd: unknown) => number;
      const got = [call(0), call(-1), call(64), call(undefined)];
      deepEqual(got, [-EBADF, -EBADF, -EBADF, -EBADF]);
      return got;
    },
  },
  {
    name: "closing one of several references changes nothing",
    section: "§9 objects and close",
    async run({ sim, task, sys }) {
      const a = sys.io_create(0);
      const b = sys.dup(a);
      equal(submit(task, a, [timeout(1n, 1000)]), 1);
      equal(sys.close(a), 0);
      equal(sim.kernel.liveObjects, 1, "the port lives on through the dup");
      const r = await waitRun(sim, task, b, 4, 1);
      deepEqual(r.cqes.map(brief), [[1n, 1, 0]]);
      equal(sim.now, 1000);
      equal(sys.close(b), 0);
      equal(sim.kernel.liveObjects, 0, "last close destroys it");
      return r.cqes.map(brief);
    },
  },
  {
    name: "fd tables are per task",
    section: "§1 task",
    async run({ sim, task, sys }) {
      const other = sim.spawn({ memoryBytes: 4096 });
      const a = sys.io_create(0);
      const b = other.sys.io_create(0);
      deepEqual([a, b], [0, 0], "each task starts at fd 0");
      equal(other.sys.close(0), 0);
      equal(submit(task, a, [nop(1n)]), 1, "the first task's fd 0 is unaffected");
      equal((await poll(task, a)).n, 1);
      equal(other.sys.close(0), -EBADF);
      return [a, b];
    },
  },
  {
    name: "task.alloc never returns 0 and honours alignment",
    section: "§1 task.alloc",
    run({ sim }) {
      const t = sim.spawn({ memoryBytes: 256 });
      const got = [t.alloc(0), t.alloc(1, 1), t.alloc(3, 16), t.alloc(8), t.alloc(1, 4), t.alloc(0, 32)];
      for (const a of got) notEqual(a, 0, "never NULL");
      equal(got[2]! % 16, 0, "align 16");
      equal(got[3]! % 8, 0, "default align 8");
      equal(got[5]! % 32, 0, "align 32");
      ok(got[2]! >= got[1]! + 1 && got[3]! >= got[2]! + 3, "no overlap");
      const fresh = sim.spawn({ memoryBytes: 64 });
      notEqual(fresh.alloc(0, 1), 0, "even align 1 on a fresh task");
      return got;
    },
  },
  {
    name: "task.alloc past the end of memory throws a RangeError",
    section: "§1 task.alloc",
    run({ sim }) {
      const t = sim.spawn({ memoryBytes: 64 });
      const a = t.alloc(40);
      throws(() => t.alloc(64), RangeError, /memory/);
      const b = t.alloc(8);
      ok(b >= a + 40 && b + 8 <= 64, "a failed alloc leaves the allocator usable");
      return [a, b];
    },
  },
  {
    name: "task memory: byteLength as spawned; ranges past the end -> -EFAULT",
    section: "§1 address space",
    async run({ sim }) {
      const t = sim.spawn({ memoryBytes: 1024 });
      equal(t.memory.byteLength, 1024);
      const port = t.sys.io_create(0);
      const fits = 1024 - 48;
      const res = [t.sys.io_submit(port, 1024 - 47, 1), t.sys.io_submit(port, 0, 1), t.sys.io_submit(port, fits, 1)];
      deepEqual(res, [-EFAULT, -EFAULT, 1], "the last 48 bytes are a valid entry");
      const waits = [await t.sys.io_wait(port, 1024 - 23, 1, 0, 0), await t.sys.io_wait(port, 1024 - 24, 1, 0, 0)];
      deepEqual(waits, [-EFAULT, 1]);
      return { res, waits };
    },
  },
  {
    name: "after exit every syscall returns -EPERM",
    section: "§1 task.exit",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const sq = task.alloc(48);
      const out = cqBuf(task, 1);
      task.exit();
      const got = [
        sys.io_create(0),
        sys.io_submit(port, sq, 1),
        await sys.io_wait(port, out, 1, 0, 0),
        sys.io_wait_cb(port, out, 1, 1, 0, () => undefined),
        sys.io_cancel(port, 1n),
        sys.close(port),
        sys.dup(port),
      ];
      deepEqual(got, [-EPERM, -EPERM, -EPERM, -EPERM, -EPERM, -EPERM, -EPERM]);
      equal(sim.kernel.liveObjects, 0, "exit closed the port");
      return got;
    },
  },
  {
    name: "exit is a close of every fd: pending wait -EBADF, timers cancelled, no object left",
    section: "§1 task.exit §7",
    async run({ sim, task, sys }) {
      const [p0, p1] = ports(task, 2) as [number, number];
      sys.dup(p0);
      equal(submit(task, p1, [timeout(1n, 500)]), 1);
      const out = cqBuf(task, 4);
      const pending = sys.io_wait(p0, out, 4, 1, 0);
      let cb: number | null = null;
      equal(sys.io_wait_cb(p1, out, 4, 1, 0, (n) => (cb = n)), -115);
      task.exit();
      const r = await pending;
      await sim.advance(1000);
      deepEqual([r, cb], [-EBADF, -EBADF]);
      equal(sim.kernel.liveObjects, 0);
      equal(sim.kernel.tasks.size, 0, "the task is gone from the kernel");
      return [r, cb];
    },
  },
  {
    name: "exit closes fds in ascending order: waiters learn -EBADF in fd order",
    section: "§9 objects and close",
    async run({ sim, task, sys }) {
      const [a, b, c] = ports(task, 3) as [number, number, number];
      const order: string[] = [];
      const out = cqBuf(task, 1);
      // armed in the reverse order of their fds
      sys.io_wait_cb(c, out, 1, 1, 0, (n) => order.push(`fd${c} ${n}`));
      void sys.io_wait(b, out, 1, 1, 0).then((n) => order.push(`fd${b} ${n} (promise)`));
      sys.io_wait_cb(a, out, 1, 1, 0, (n) => order.push(`fd${a} ${n}`));
      task.exit();
      order.push("exit returned");
      await sim.advance(0);
      deepEqual(order, [`fd${a} -9`, `fd${c} -9`, "exit returned", `fd${b} -9 (promise)`]);
      return order;
    },
  },
];

export default cases;
