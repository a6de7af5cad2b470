/** §5 ordering and delivery guarantees. */
import { EINVAL, OP_NOP, OP_TIMEOUT, encodeSubmission } from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, nop, poll, submit, timeout, uds, type Sqe } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const cases: ConformanceCase[] = [
  {
    name: "the completion queue is FIFO in posting order",
    section: "§5",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [nop(1n), timeout(2n, 100), nop(3n)]), 3);
      equal(submit(task, port, [timeout(4n, 50), nop(5n)]), 2);
      await sim.advance(200);
      const r = await poll(task, port);
      deepEqual(uds(r.cqes), [1n, 3n, 5n, 4n, 2n]);
      return uds(r.cqes);
    },
  },
  {
    name: "every accepted submission produces exactly one completion",
    section: "§5",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const entries: Sqe[] = [];
      for (let i = 0; i < 40; i++) {
        const kind = sim.rng.int(0, 3);
        const ud = BigInt(1000 + i);
        if (kind === 0) entries.push(nop(ud));
        else if (kind === 1) entries.push(timeout(ud, sim.rng.int(0, 5000)));
        else if (kind === 2) entries.push({ userData: ud, opcode: 40 + i });
        else entries.push({ userData: ud, opcode: OP_TIMEOUT, timeoutNs: 10, flags: 8 });
      }
      equal(submit(task, port, entries), 40);
      const cancelled = sys.io_cancel(port, 1000n + BigInt(entries.findIndex((e) => e.opcode === OP_TIMEOUT && e.flags === undefined)));
      await sim.advance(10_000);
      const r = await poll(task, port);
      equal(r.n, 40);
      const sorted = uds(r.cqes).map((u) => Number(u)).sort((a, b) => a - b);
      deepEqual(sorted, entries.map((_e, i) => 1000 + i), "each user_data exactly once");
      await sim.advance(10_000);
      equal((await poll(task, port)).n, 0, "nothing more, ever");
      return { cancelled, results: r.cqes.map((c) => c.result) };
    },
  },
  {
    name: "completions of one io_submit appear in submission order",
    section: "§5",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const entries: Sqe[] = [];
      for (let i = 0; i < 10; i++) entries.push(i % 3 === 2 ? { userData: BigInt(i), opcode: 200 } : nop(BigInt(i)));
      equal(submit(task, port, entries), 10);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), entries.map((e, i) => [BigInt(i), e.opcode as number, e.opcode === OP_NOP ? 0 : -EINVAL]));
      return r.n;
    },
  },
  {
    name: "completions from several ports interleave independently",
    section: "§5",
    async run({ sim, task, sys }) {
      const [a, b] = [sys.io_create(0), sys.io_create(0)];
      equal(submit(task, a, [timeout(1n, 300), timeout(2n, 100)]), 2);
      equal(submit(task, b, [timeout(3n, 200), nop(4n)]), 2);
      await sim.advance(300);
      const ra = await poll(task, a);
      const rb = await poll(task, b);
      deepEqual([uds(ra.cqes), uds(rb.cqes)], [[2n, 1n], [4n, 3n]]);
      return [uds(ra.cqes), uds(rb.cqes)];
    },
  },
  {
    name: "the completion ring wraps around without loss or reordering",
    section: "§5 (design: fixed ring)",
    async run({ simulator }) {
      const sim = simulator({ kernel: { cqEntries: 3 } });
      const t = sim.spawn();
      const port = t.sys.io_create(0);
      const out = t.alloc(24 * 3);
      let next = 0;
      const seen: number[] = [];
      for (let round = 0; round < 40; round++) {
        const batch: Sqe[] = [];
        const want = sim.rng.int(1, 3);
        for (let i = 0; i < want; i++) batch.push(nop(BigInt(next + i)));
        const accepted = submit(t, port, batch);
        if (accepted > 0) next += accepted;
        const n = await t.sys.io_wait(port, out, sim.rng.int(1, 3), 0, 0);
        for (let i = 0; i < n; i++) seen.push(Number(t.view.getBigUint64(out + 24 * i, true)));
      }
      seen.push(...uds((await poll(t, port, 3)).cqes).map(Number));
      deepEqual(seen, Array.from({ length: next }, (_v, i) => i), "every completion once, in order");
      return { submitted: next, reaped: seen.length };
    },
  },
  {
    name: "a steady submit/reap loop allocates no new op records",
    section: "§5 (design: pooled ops)",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const sq = task.alloc(48 * 2);
      const out = task.alloc(24 * 2);
      const loop = async (): Promise<void> => {
        encodeSubmission(task.view, sq, nop(1n));
        encodeSubmission(task.view, sq + 48, timeout(2n, 10));
        equal(sys.io_submit(port, sq, 2), 2);
        equal(await sim.run(() => sys.io_wait(port, out, 2, 2, 0)), 2);
      };
      await loop();
      const warm = sim.kernel.opsAllocated;
      for (let i = 0; i < 50; i++) await loop();
      equal(sim.kernel.opsAllocated, warm);
      return warm;
    },
  },
  {
    name: "a waiter woken by more completions than max takes max; the rest stay queued",
    section: "§3 io_wait §9",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const out = task.alloc(24 * 2);
      const pending = sys.io_wait(port, out, 2, 1, 0);
      equal(submit(task, port, [nop(1n), nop(2n), nop(3n)]), 3);
      const n = await pending;
      const rest = await poll(task, port);
      deepEqual([n, uds(rest.cqes)], [2, [3n]]);
      return [n, rest.n];
    },
  },
];

export default cases;
