/** §8 the host simulator, §6 time, §9 simulator time and determinism. */
import { ECANCELED, OP_TIMEOUT } from "../../core/index.js";
import { Prng, Simulator, boardNames } from "../../host-sim/index.js";
import { deepEqual, equal, notEqual, ok, rejects, throws } from "./assert.js";
import { cqBuf, readCqes, submit, timeout, type Sqe } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

/** A randomized workload driven by the simulator's seeded PRNG; returns what was observed. */
async function workload(sim: Simulator): Promise<[string, number, number][]> {
  const t = sim.spawn({ memoryBytes: 16 * 1024 });
  const port = t.sys.io_create(0);
  const entries: Sqe[] = [];
  for (let i = 0; i < 24; i++) entries.push(timeout(BigInt(sim.rng.nextU32()), sim.rng.int(0, 10_000)));
  equal(submit(t, port, entries), 24);
  const log: [string, number, number][] = [];
  const out = cqBuf(t, 4);
  const cb = (n: number): void => {
    for (const c of readCqes(t, out, n)) log.push([c.userData.toString(16), c.result, sim.now]);
    if (log.length < 24) t.sys.io_wait_cb(port, out, 4, 1, 0, cb);
  };
  t.sys.io_wait_cb(port, out, 4, 1, 0, cb);
  for (let k = 0; k < 5; k++) {
    const victim = entries[sim.rng.int(0, entries.length - 1)]!.userData as bigint;
    sim.after(sim.rng.int(1, 9000), () => t.sys.io_cancel(port, victim));
  }
  await sim.advance(20_000);
  return log;
}

const cases: ConformanceCase[] = [
  {
    name: "virtual time starts at 0 and moves only when the simulator moves it",
    section: "§6 §8",
    async run({ sim }) {
      const t0 = sim.now;
      await Promise.resolve();
      await new Promise<void>((r) => r());
      const t1 = sim.now;
      await sim.advance(1000);
      const t2 = sim.now;
      await sim.advance(1000n);
      deepEqual([t0, t1, t2, sim.now], [0, 0, 1000, 2000]);
      return sim.now;
    },
  },
  {
    name: "advance runs events in (time, scheduling order), now set to each event's time",
    section: "§9 simulator time",
    async run({ sim }) {
      const log: [string, number][] = [];
      sim.at(300, () => log.push(["c", sim.now]));
      sim.at(100, () => log.push(["a", sim.now]));
      sim.at(100, () => log.push(["b", sim.now]));
      sim.at(501, () => log.push(["late", sim.now]));
      await sim.advance(500);
      deepEqual([log, sim.now], [[["a", 100], ["b", 100], ["c", 300]], 500]);
      await sim.advance(1);
      deepEqual(log[3], ["late", 501]);
      return log;
    },
  },
  {
    name: "advance settles promise continuations between events",
    section: "§9 simulator time",
    async run({ sim }) {
      const log: string[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      void gate.then(() => log.push(`continuation at ${sim.now}`)).then(() => log.push("second hop"));
      sim.at(100, () => release());
      sim.at(200, () => log.push(`event at ${sim.now}`));
      await sim.advance(300);
      deepEqual(log, ["continuation at 100", "second hop", "event at 200"]);
      return log;
    },
  },
  {
    name: "run(fn) jumps time to the next event while blocked and returns fn's value",
    section: "§8 run",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [timeout(1n, 5000), timeout(2n, 9000)]), 2);
      const out = cqBuf(task, 2);
      const value = await sim.run(async () => {
        const a = await sys.io_wait(port, out, 1, 1, 0);
        const at = sim.now;
        const b = await sys.io_wait(port, out + 24, 1, 1, 0);
        return { a, b, at };
      });
      deepEqual([value, sim.now], [{ a: 1, b: 1, at: 5000 }, 9000]);
      return value;
    },
  },
  {
    name: "run(fn) rejects on deadlock instead of waiting",
    section: "§9 run",
    async run({ sim }) {
      const err = await rejects(sim.run(() => new Promise(() => undefined)), Error, /deadlock/);
      equal(sim.now, 0);
      const value = await sim.run(() => 42);
      equal(value, 42, "the simulator is usable afterwards");
      return err instanceof Error;
    },
  },
  {
    name: "run(fn) runs every event due at the instant fn settled",
    section: "§9 more fine print",
    async run({ sim, task, sys }) {
      const [a, b] = [sys.io_create(0), sys.io_create(0)];
      equal(submit(task, a, [timeout(1n, 100)]), 1);
      equal(submit(task, b, [timeout(2n, 100)]), 1);
      const late: string[] = [];
      sim.at(100, () => late.push("stimulus at 100"));
      sim.at(101, () => late.push("stimulus at 101"));
      equal(await sim.run(() => sys.io_wait(a, cqBuf(task, 1), 1, 1, 0)), 1);
      const pb = await sys.io_wait(b, cqBuf(task, 1), 1, 0, 0);
      deepEqual([pb, late, sim.now], [1, ["stimulus at 100"], 100]);
      return late;
    },
  },
  {
    name: "run rejects what fn rejects with",
    section: "§8 run",
    async run({ sim }) {
      const err = await rejects(
        sim.run(async () => {
          await Promise.resolve();
          throw new TypeError("from fn");
        }),
        TypeError,
        /from fn/,
      );
      return err.message;
    },
  },
  {
    name: "advance and run refuse to overlap",
    section: "§8",
    async run({ sim }) {
      const first = sim.advance(100);
      const err = await rejects(sim.advance(1), Error, /in progress/);
      await first;
      equal(sim.now, 100);
      return err.message.includes("in progress");
    },
  },
  {
    name: "bad advance/at arguments throw a RangeError",
    section: "§8 (decisions)",
    async run({ sim }) {
      await rejects(sim.advance(-1), RangeError);
      await rejects(sim.advance(NaN), RangeError);
      await rejects(sim.advance(-1n), RangeError);
      throws(() => sim.at(-5, () => undefined), RangeError);
      equal(sim.now, 0);
      return true;
    },
  },
  {
    name: "determinism: the same seed gives the same completions at the same times",
    section: "§8 §9 determinism",
    async run({ simulator }) {
      const a = await workload(simulator({ seed: 42 }));
      const b = await workload(simulator({ seed: 42 }));
      const c = await workload(simulator({ seed: 43 }));
      equal(a.length, 24);
      deepEqual(a, b, "same seed, same run");
      notEqual(JSON.stringify(a), JSON.stringify(c), "another seed, another run");
      ok(a.every(([, res], i) => (res === 0 || res === -ECANCELED) && (i === 0 || a[i - 1]![2] <= a[i]![2])), "in time order, result 0 or -ECANCELED");
      return a.slice(0, 6);
    },
  },
  {
    name: "the PRNG: same seed same sequence, values in range",
    section: "§8 determinism",
    run() {
      const x = new Prng(7);
      const y = new Prng(7);
      const z = new Prng(8);
      const xs = Array.from({ length: 16 }, () => x.nextU32());
      deepEqual(xs, Array.from({ length: 16 }, () => y.nextU32()));
      notEqual(xs.join(), Array.from({ length: 16 }, () => z.nextU32()).join());
      for (let i = 0; i < 200; i++) {
        const v = x.int(3, 9);
        ok(Number.isInteger(v) && v >= 3 && v <= 9, `int(3, 9) gave ${v}`);
        const f = x.next();
        ok(f >= 0 && f < 1);
      }
      return xs.slice(0, 4);
    },
  },
  {
    name: "board sim-devkit by default; an unknown board names the known ones",
    section: "§8 boards",
    run({ sim }) {
      equal(sim.board.name, "sim-devkit");
      deepEqual(
        [sim.board.gpio.pins, sim.board.uart.map((u) => [u.path, u.baud]), sim.board.spi.map((s) => s.path), sim.board.timers],
        [32, [["/dev/uart0", 115200], ["/dev/uart1", 115200]], ["/dev/spi0"], 4],
      );
      ok(boardNames().includes("sim-devkit"));
      throws(() => new Simulator({ board: "no-such-board" }), Error, /sim-devkit/);
      return sim.board.name;
    },
  },
  {
    name: "spawn: memory of the requested size, the default 64 KiB, fresh fd tables",
    section: "§1 §8",
    run({ sim, task }) {
      const t = sim.spawn({ memoryBytes: 1000 });
      const d = sim.kernel.spawn();
      deepEqual([t.memory.byteLength, d.memory.byteLength, task.memory.byteLength], [1000, 65536, 65536]);
      ok(t.memory instanceof Uint8Array && t.memory.buffer instanceof ArrayBuffer);
      equal(t.memory.buffer, t.view.buffer, "view and memory share one ArrayBuffer");
      deepEqual([t.sys.io_create(0), d.sys.io_create(0)], [0, 0]);
      notEqual(t.id, d.id);
      equal(sim.kernel.tasks.size, 3);
      return [t.memory.byteLength, d.memory.byteLength];
    },
  },
  {
    name: "OP_TIMEOUT completions carry the virtual time order across tasks",
    section: "§6 §8",
    async run({ sim }) {
      const t1 = sim.spawn({ memoryBytes: 4096 });
      const t2 = sim.spawn({ memoryBytes: 4096 });
      const p1 = t1.sys.io_create(0);
      const p2 = t2.sys.io_create(0);
      const log: string[] = [];
      submit(t1, p1, [timeout(1n, 30), timeout(3n, 10)]);
      submit(t2, p2, [timeout(2n, 20)]);
      const loop = (t: typeof t1, p: number, name: string) => {
        const out = cqBuf(t, 1);
        const cb = (n: number): void => {
          if (n > 0) log.push(`${name}:${readCqes(t, out, 1)[0]!.userData}@${sim.now}:${readCqes(t, out, 1)[0]!.opcode === OP_TIMEOUT}`);
          t.sys.io_wait_cb(p, out, 1, 1, 0, cb);
        };
        t.sys.io_wait_cb(p, out, 1, 1, 0, cb);
      };
      loop(t1, p1, "t1");
      loop(t2, p2, "t2");
      await sim.advance(100);
      deepEqual(log, ["t1:3@10:true", "t2:2@20:true", "t1:1@30:true"]);
      return log;
    },
  },
];

export default cases;
