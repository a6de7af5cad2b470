/** §5 ordering and delivery guarantees. */
import { EINVAL, OP_NOP, OP_TIMEOUT } from "../../core/index.js";
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
];

export default cases;
