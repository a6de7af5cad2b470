/** §3 io_submit: check order, per-entry errors, admission and partial acceptance. */
import { EBADF, EBUSY, EFAULT, EINVAL, OP_NOP, OP_TIMEOUT, SUBMISSION_SIZE } from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, nop, poll, submit, timeout, writeSqes } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const cases: ConformanceCase[] = [
  {
    name: "count == 0 -> 0, nothing else checked",
    section: "§3 io_submit",
    run({ sys }) {
      const got = [sys.io_submit(42, 0, 0), sys.io_submit(-1, 1 << 30, 0)];
      deepEqual(got, [0, 0]);
      return got;
    },
  },
  {
    name: "check order: -EFAULT before -EBADF",
    section: "§3 io_submit",
    run({ task, sys }) {
      const sq = writeSqes(task, [nop(1n)]);
      const got = [sys.io_submit(42, 0, 1), sys.io_submit(42, sq, 1), sys.io_submit(-1, sq, 1)];
      deepEqual(got, [-EFAULT, -EBADF, -EBADF]);
      return got;
    },
  },
  {
    name: "the entries range is 48*count bytes",
    section: "§1 address space §3 io_submit",
    async run({ sim }) {
      const t = sim.spawn({ memoryBytes: 4096 });
      const port = t.sys.io_create(0);
      const at = 4096 - 3 * SUBMISSION_SIZE;
      const got = [t.sys.io_submit(port, at, 4), t.sys.io_submit(port, at + 1, 3), t.sys.io_submit(port, at, 3)];
      deepEqual(got, [-EFAULT, -EFAULT, 3], "three entries fit exactly, four do not");
      equal((await poll(t, port)).n, 3);
      return got;
    },
  },
  {
    name: "addresses are byte offsets: negative, fractional, NaN, bigint or 2^32+ -> -EFAULT",
    section: "§1 address space",
    run({ sys }) {
      const port = sys.io_create(0);
      const call = sys.io_submit as (p: number, a: unknown, c: number) => number;
      const got = [-48, 8.5, NaN, Infinity, 64n, "64", 2 ** 32, null].map((a) => call(port, a, 1));
      deepEqual(got, got.map(() => -EFAULT));
      return got.length;
    },
  },
  {
    name: "OP_NOP ignores fd, buf_addr and buf_len",
    section: "§4.1",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [{ userData: 1n, opcode: OP_NOP, fd: 63, bufAddr: 2 ** 32 + 64, bufLen: 0xffffffff }]), 1);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[1n, OP_NOP, 0]]);
      return r.n;
    },
  },
  {
    name: "count not a u32 -> -EINVAL",
    section: "§9 u32 arguments",
    run({ task, sys }) {
      const port = sys.io_create(0);
      const sq = writeSqes(task, [nop(1n)]);
      const call = sys.io_submit as (p: number, a: number, c: unknown) => number;
      const got = [call(port, sq, -1), call(port, sq, 1.5), call(port, sq, "1"), call(port, sq, 2 ** 32), call(port, sq, 1n)];
      deepEqual(got, [-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL]);
      return got;
    },
  },
  {
    name: "per-entry errors are completions, posted in entry order",
    section: "§3 io_submit §4.9",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const n = submit(task, port, [nop(1n), { userData: 2n, opcode: 99 }, { userData: 3n, opcode: OP_NOP, flags: 1 }, nop(4n)]);
      equal(n, 4, "every entry accepted");
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[1n, 0, 0], [2n, 99, -EINVAL], [3n, 0, -EINVAL], [4n, 0, 0]]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "unknown opcode -> -EINVAL with the opcode echoed",
    section: "§4.9",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const ops = [9, 100, 255, 0x7fffffff, 0xffffffff];
      equal(submit(task, port, ops.map((opcode, i) => ({ userData: BigInt(i), opcode }))), ops.length);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), ops.map((op, i) => [BigInt(i), op, -EINVAL]));
      return r.cqes.map((c) => c.opcode);
    },
  },
  {
    name: "unknown flag bits -> -EINVAL at once, opcode echoed, nothing started",
    section: "§4.9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const flags = [1, 2, 0x100, 0x80000000];
      equal(submit(task, port, flags.map((f, i) => ({ userData: BigInt(i), opcode: OP_TIMEOUT, flags: f, timeoutNs: 10 }))), 4);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), flags.map((_f, i) => [BigInt(i), OP_TIMEOUT, -EINVAL]));
      await sim.advance(100);
      equal((await poll(task, port)).n, 0, "no timer was started");
      return r.cqes.map(brief);
    },
  },
  {
    name: "user_data comes back verbatim; _pad and offset are ignored",
    section: "§2 IoSubmission §4.1",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const sq = writeSqes(task, [{ userData: 0xfeedfacecafef00dn, opcode: OP_NOP, offset: 0xffffffff }]);
      task.view.setInt32(sq + 20, -123456, true);
      equal(sys.io_submit(port, sq, 1), 1);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[0xfeedfacecafef00dn, OP_NOP, 0]]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "at once means before io_submit returns",
    section: "§4.1 §9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [nop(1n), { userData: 2n, opcode: 50 }]), 2);
      const r = await poll(task, port);
      equal(sim.now, 0);
      deepEqual(r.cqes.map(brief), [[1n, OP_NOP, 0], [2n, 50, -EINVAL]]);
      return r.n;
    },
  },
  {
    name: "admission: a full port accepts part of a batch, then -EBUSY",
    section: "§3 io_submit admission",
    async run({ simulator }) {
      const sim = simulator({ kernel: { cqEntries: 4 } });
      const t = sim.spawn();
      const port = t.sys.io_create(0);
      const first = submit(t, port, [1, 2, 3, 4, 5, 6].map((i) => nop(BigInt(i))));
      const second = submit(t, port, [nop(7n)]);
      deepEqual([first, second], [4, -EBUSY]);
      const out = t.alloc(24 * 2);
      equal(await t.sys.io_wait(port, out, 2, 0, 0), 2, "reap two");
      const third = submit(t, port, [5, 6, 7].map((i) => nop(BigInt(i))));
      equal(third, 2, "two slots were freed");
      const r = await poll(t, port);
      deepEqual(r.cqes.map((c) => c.userData), [3n, 4n, 5n, 6n], "accepted entries are the first ones, in order");
      return [first, second, third];
    },
  },
  {
    name: "admission counts unreaped completions, not only in-flight ops",
    section: "§3 io_submit admission",
    async run({ simulator }) {
      const sim = simulator({ kernel: { cqEntries: 2 } });
      const t = sim.spawn();
      const port = t.sys.io_create(0);
      const got = [submit(t, port, [nop(1n)]), submit(t, port, [timeout(2n, 100)]), submit(t, port, [nop(3n)])];
      await sim.advance(100);
      got.push(submit(t, port, [nop(4n)]));
      deepEqual(got, [1, 1, -EBUSY, -EBUSY], "a queued completion holds its slot");
      const out = t.alloc(24);
      equal(await t.sys.io_wait(port, out, 1, 1, 0), 1);
      got.push(submit(t, port, [nop(5n)]), submit(t, port, [nop(6n)]));
      deepEqual(got.slice(4), [1, -EBUSY]);
      return got;
    },
  },
  {
    name: "admission: an entry that fails still takes a slot",
    section: "§9 submission",
    async run({ simulator }) {
      const sim = simulator({ kernel: { cqEntries: 2 } });
      const t = sim.spawn();
      const port = t.sys.io_create(0);
      const n = submit(t, port, [{ userData: 1n, opcode: 99 }, { userData: 2n, opcode: OP_NOP, flags: 4 }, nop(3n)]);
      equal(n, 2);
      equal(submit(t, port, [nop(4n)]), -EBUSY);
      const r = await poll(t, port);
      deepEqual(r.cqes.map(brief), [[1n, 99, -EINVAL], [2n, OP_NOP, -EINVAL]]);
      return n;
    },
  },
  {
    name: "the default completion queue has 64 slots",
    section: "§3 io_create",
    async run({ sim, task, sys }) {
      equal(sim.kernel.options.cqEntries, 64);
      const port = sys.io_create(0);
      const entries = [];
      for (let i = 0; i < 65; i++) entries.push(nop(BigInt(i)));
      const got = [submit(task, port, entries), submit(task, port, [nop(99n)])];
      deepEqual(got, [64, -EBUSY]);
      equal((await poll(task, port, 64)).n, 64);
      return got;
    },
  },
  {
    name: "port_fd must be an open port",
    section: "§3 io_submit",
    run({ task, sys }) {
      const sq = writeSqes(task, [nop(1n)]);
      const port = sys.io_create(0);
      sys.close(port);
      const call = sys.io_submit as (p: unknown, a: number, c: number) => number;
      const got = [call(port, sq, 1), call(64, sq, 1), call(null, sq, 1), call("0", sq, 1)];
      deepEqual(got, [-EBADF, -EBADF, -EBADF, -EBADF]);
      return got;
    },
  },
];

export default cases;
