/** The ergonomic API (`ioport/api`, decisions.md): Port builders, submit, wait, poll, drive, cancel, IoError, Message. */
import { EBADF, EINVAL, OP_NOP, OP_READ, OP_TIMEOUT, api } from "../../core/index.js";
import { deepEqual, equal, ok, rejects, throws } from "./assert.js";
import type { ConformanceCase } from "./types.js";

type C = api.Completion;

/** A completion as [user_data, opcode, result, error name or null]. */
function plain(c: C): [bigint, number, number, string | null] {
  return [c.userData, c.opcode, c.result, c.error === null ? null : c.error.name];
}

const cases: ConformanceCase[] = [
  {
    name: "builders stage, wait() submits and returns plain completions",
    section: "§4 (decisions.md ergonomic API)",
    async run({ sim, task }) {
      const port = new api.Port(task);
      port.nop(1).timeout(500, 2).nop(3n);
      equal(port.staged, 3);
      const first = await port.wait(2);
      equal(port.staged, 0);
      const second = await sim.run(() => port.wait(1));
      const got = [first.map(plain), second.map(plain), sim.now];
      deepEqual(got, [[[1n, OP_NOP, 0, null], [3n, OP_NOP, 0, null]], [[2n, OP_TIMEOUT, 0, null]], 500]);
      return got;
    },
  },
  {
    name: "user_data: numbers up to 2^53, bigints with all 64 bits; bad numbers throw RangeError",
    section: "§2 user_data (decisions.md builders)",
    async run({ task }) {
      const port = new api.Port(task);
      port.nop(Number.MAX_SAFE_INTEGER).nop(0xffffffffffffffffn).nop(0);
      const got = (await port.wait(3)).map((c) => c.userData);
      const errs = [throws(() => port.nop(-1), RangeError), throws(() => port.nop(1.5), RangeError), throws(() => port.timeout(-1, 1), RangeError), throws(() => port.nop(2 ** 53), RangeError)];
      deepEqual([got, errs.length, port.staged], [[9007199254740991n, 0xffffffffffffffffn, 0n], 4, 0]);
      return got;
    },
  },
  {
    name: "a failed completion is data: error is an IoError named after the errno",
    section: "§3 (decisions.md ergonomic API)",
    async run({ task }) {
      const port = new api.Port(task);
      port.read(40, 0, 4, 7).timeout(-0, 8).prep(99, -1, 0, 0, 0, 9, 0);
      const cs = await port.wait(2);
      const e = cs[0]!.error;
      ok(e instanceof api.IoError);
      ok(e instanceof Error);
      const got = [cs.map(plain), e.errno, e.syscall];
      deepEqual(got, [[[7n, OP_READ, -EBADF, "EBADF"], [9n, 99, -EINVAL, "EINVAL"]], 9, ""]);
      return got;
    },
  },
  {
    name: "check() and checked() turn -errno into IoError; non-negative passes through",
    section: "§3 (decisions.md ergonomic API)",
    async run({ task }) {
      const e = throws(() => api.check(-22, "open"), api.IoError) as api.IoError;
      const e2 = (await rejects(api.checked(Promise.resolve(-9), "ipc_send"), api.IoError)) as api.IoError;
      const got = [api.check(5), await api.checked(Promise.resolve(0)), e.name, e.errno, e.syscall, e2.name, e2.syscall, new api.IoError(-125).name];
      deepEqual(got, [5, 0, "EINVAL", 22, "open", "EBADF", "ipc_send", "ECANCELED"]);
      ok(task.sys.io_create(0) >= 0);
      return got;
    },
  },
  {
    name: "poll() returns what is queued now without waiting",
    section: "§3 io_wait min 0",
    async run({ sim, task }) {
      const port = new api.Port(task);
      const empty = port.poll();
      port.nop(1).timeout(100, 2);
      const now = port.poll().map(plain);
      await sim.advance(100);
      const later = port.poll().map(plain);
      deepEqual([empty, now, later], [[], [[1n, 0, 0, null]], [[2n, 1, 0, null]]]);
      return [now, later];
    },
  },
  {
    name: "submit() returns how many were accepted and keeps the rest staged",
    section: "§3 admission (decisions.md submit)",
    async run({ simulator }) {
      const sim = simulator({ kernel: { cqEntries: 2 } });
      const task = sim.spawn();
      const port = new api.Port(task);
      port.nop(1).nop(2).nop(3);
      const a = port.submit();
      const st = port.staged;
      const b = port.submit();
      const first = (await port.wait(2)).map((c) => c.userData);
      const c = port.submit();
      const second = (await port.wait(1)).map((x) => x.userData);
      deepEqual([a, st, b, first, c, second], [2, 1, 0, [1n, 2n], 1, [3n]]);
      return [a, b, c, first, second];
    },
  },
  {
    name: "cancel() returns the count, 0 when nothing matched",
    section: "§3 io_cancel (decisions.md)",
    async run({ task }) {
      const port = new api.Port(task);
      port.timeout(1000, 5).timeout(1000, 5).timeout(1000, 6);
      port.submit();
      const got = [port.cancel(5), port.cancel(5), port.cancel(99n)];
      const cs = (await port.wait(2)).map(plain);
      deepEqual([got, cs], [[2, 0, 0], [[5n, 1, -125, "ECANCELED"], [5n, 1, -125, "ECANCELED"]]]);
      return got;
    },
  },
  {
    name: "drive(): at-once completions handled inside drive(), later ones at their event's time",
    section: "§3 io_wait_cb (decisions.md drive)",
    async run({ sim, task }) {
      const port = new api.Port(task);
      const log: [number, number, number, boolean][] = [];
      let inside = true;
      port.nop(1).timeout(300, 2).timeout(100, 3);
      port.drive((c) => {
        log.push([c.userData, c.result, sim.now, inside]);
        if (c.userData === 3) port.timeout(50, 4);
      });
      inside = false;
      await sim.advance(1000);
      deepEqual([log, port.isDriving], [[[1, 0, 0, true], [3, 0, 100, false], [4, 0, 150, false], [2, 0, 300, false]], true]);
      port.close();
      equal(port.isDriving, false);
      return log;
    },
  },
  {
    name: "the driver's view: ok, errno, errorName; stop() ends the loop",
    section: "§3 (decisions.md drive)",
    async run({ sim, task }) {
      const port = new api.Port(task);
      const seen: [number, boolean, number, string][] = [];
      port.read(33, task.alloc(4), 4, 1).nop(2).timeout(10, 3);
      port.drive((c) => {
        seen.push([c.userData, c.ok, c.errno, c.errorName]);
        if (c.userData === 2) port.stop();
      });
      await sim.advance(100);
      deepEqual(seen, [[1, false, 9, "EBADF"], [2, true, 0, ""]]);
      const rest = port.poll().map(plain);
      deepEqual(rest, [[3n, 1, 0, null]]);
      return seen;
    },
  },
  {
    name: "for await yields completions and ends quietly on close()",
    section: "§3 (decisions.md drive)",
    async run({ sim, task }) {
      const port = new api.Port(task);
      port.timeout(10, 1).timeout(20, 2);
      const got: bigint[] = [];
      await sim.run(async () => {
        for await (const c of port) {
          got.push(c.userData);
          if (got.length === 2) sim.after(5, () => port.close());
        }
      });
      deepEqual([got, port.closed], [[1n, 2n], true]);
      return got;
    },
  },
  {
    name: "a port closed behind the API's back reports EBADF",
    section: "§3 io_wait (decisions.md drive)",
    async run({ task }) {
      const port = new api.Port(task);
      equal(task.sys.close(port.fd), 0);
      const e = (await rejects(port.wait(1), api.IoError)) as api.IoError;
      const e2 = throws(() => port.poll(), api.IoError) as api.IoError;
      deepEqual([e.name, e.syscall, e2.name], ["EBADF", "io_wait", "EBADF"]);
      return [e.name, e2.name];
    },
  },
  {
    name: "Message and createChannel: send and receive through the API",
    section: "§2 IpcMessage §3 ipc_create",
    async run({ task }) {
      const ch = api.createChannel(task, 1);
      const n = api.createNotify(task);
      const m = new api.Message(task);
      m.tag = 2 ** 40 + 3;
      m.setData(0, 7).setData(2, 2 ** 53 - 1).setFds(n);
      equal(await api.checked(task.sys.ipc_send(ch.send, m.addr)), 0);
      const r = new api.Message(task);
      const port = new api.Port(task);
      port.ipcRecv(ch.recv, r.addr, 1);
      const cs = (await port.wait(1)).map(plain);
      const got = [cs, r.tag, r.data(0), r.data(1), r.data(2), r.fd(0), r.fd(1), [ch.send, ch.recv, n]];
      deepEqual(got, [[[1n, 6, 0, null]], 2 ** 40 + 3, 7, 0, 2 ** 53 - 1, 4, -1, [0, 1, 2]]);
      return got;
    },
  },
];

export default cases;
