/** §3 svc_register/svc_lookup/svc_unregister, §9 check orders, names of at most 128 UTF-8 bytes. */
import { EBADF, EBUSY, EINVAL, EMFILE, ENOENT, EPIPE, OP_RING_WAIT } from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, channel, fillFds, msg, openFds, poll, submit } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

function rep(s: string, n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += s;
  return out;
}

const cases: ConformanceCase[] = [
  {
    name: "register then lookup from another task: a new fd naming the same object",
    section: "§3 svc_register svc_lookup",
    async run({ sim, sys }) {
      const other = sim.spawn();
      other.sys.io_create(0);
      const port = other.sys.io_create(0);
      const n = sys.notify_create(0);
      equal(sys.svc_register("svc.bell", n), 0);
      const fd = other.sys.svc_lookup("svc.bell");
      equal(submit(other, port, [{ userData: 1, opcode: OP_RING_WAIT, fd }]), 1);
      equal(sys.notify(n), 0);
      const r = (await poll(other, port)).cqes.map(brief);
      deepEqual([fd, r], [2, [[1n, 7, 0]]]);
      return [fd, r];
    },
  },
  {
    name: "each lookup installs a new fd, at the lowest free number",
    section: "§3 svc_lookup (decisions.md)",
    run({ task, sys }) {
      const n = sys.notify_create(0);
      equal(sys.svc_register("x", n), 0);
      const a = sys.svc_lookup("x");
      const b = sys.svc_lookup("x");
      equal(sys.close(a), 0);
      const c = sys.svc_lookup("x");
      deepEqual([a, b, c, task.kernel.liveObjects], [1, 2, 1, 1]);
      return [a, b, c];
    },
  },
  {
    name: "duplicate -> -EBUSY; unknown -> -ENOENT; any object kind may be registered",
    section: "§3 svc_register",
    run({ task, sys }) {
      const [s, r] = channel(task, 0);
      const port = sys.io_create(0);
      const dev = sys.open("/dev/uart0", 0);
      const irq = sys.irq_create(4, 1);
      const got = [sys.svc_register("s", s), sys.svc_register("r", r), sys.svc_register("p", port), sys.svc_register("d", dev), sys.svc_register("i", irq)];
      got.push(sys.svc_register("s", r), sys.svc_lookup("nope"), sys.svc_lookup("S"));
      deepEqual(got, [0, 0, 0, 0, 0, -EBUSY, -ENOENT, -ENOENT]);
      return got;
    },
  },
  {
    name: "svc_register check order: -EINVAL, -EBADF, -EBUSY",
    section: "§9 more fine print",
    run({ sys }) {
      const reg = sys.svc_register as (n: unknown, fd: unknown) => number;
      const n = sys.notify_create(0);
      equal(reg("taken", n), 0);
      const got = [reg("", 40), reg(rep("a", 129), 40), reg(7, n), reg("taken", 40), reg("taken", -1), reg("taken", n), reg("free", n)];
      deepEqual(got, [-EINVAL, -EINVAL, -EINVAL, -EBADF, -EBADF, -EBUSY, 0]);
      return got;
    },
  },
  {
    name: "svc_lookup check order: -EINVAL, -ENOENT, -EMFILE",
    section: "§9 more fine print",
    run({ task, sys }) {
      const look = sys.svc_lookup as (n: unknown) => number;
      equal(sys.svc_register("k", sys.notify_create(0)), 0);
      fillFds(task, 0);
      const got = [look(""), look(null), look(rep("b", 200)), look("missing"), look("k")];
      deepEqual(got, [-EINVAL, -EINVAL, -EINVAL, -ENOENT, -EMFILE]);
      return got;
    },
  },
  {
    name: "names: at most 128 UTF-8 bytes, counted from UTF-16 without TextEncoder",
    section: "§3 svc_register (decisions.md names)",
    run({ sys }) {
      const n = sys.notify_create(0);
      const names = [
        rep("a", 128), // 128
        rep("a", 129), // 129
        rep("\u00e9", 64), // 2 bytes each: 128
        rep("\u00e9", 64) + "a", // 129
        rep("\u20ac", 42) + "aa", // 3 bytes each: 128
        rep("\u20ac", 43), // 129
        rep("\ud83d\ude00", 32), // a surrogate pair is 4 bytes: 128
        rep("\ud83d\ude00", 32) + "a", // 129
        rep("\ud800", 42) + "ab", // a lone surrogate counts 3: 128
        rep("\ud800", 43), // 129
      ];
      const got = names.map((s) => sys.svc_register(s, n));
      deepEqual(got, [0, -EINVAL, 0, -EINVAL, 0, -EINVAL, 0, -EINVAL, 0, -EINVAL]);
      return got;
    },
  },
  {
    name: "svc_unregister: 0, then -ENOENT; bad name -> -EINVAL; lookups fail, fds already given stay valid",
    section: "§3 svc_unregister §9",
    run({ task, sys }) {
      const unreg = sys.svc_unregister as (n: unknown) => number;
      const n = sys.notify_create(0);
      equal(sys.svc_register("u", n), 0);
      const fd = sys.svc_lookup("u");
      const got = [unreg("u"), unreg("u"), unreg(""), unreg(3), sys.svc_lookup("u"), sys.notify(fd), sys.svc_register("u", fd)];
      deepEqual(got, [0, -ENOENT, -EINVAL, -EINVAL, -ENOENT, 0, 0]);
      equal(unreg("u"), 0);
      return [got, openFds(task)];
    },
  },
  {
    name: "the registry's reference keeps an object alive; unregister drops it",
    section: "§3 svc_unregister §7",
    run({ task, sys }) {
      const n = sys.notify_create(0);
      equal(sys.svc_register("keep", n), 0);
      equal(sys.close(n), 0);
      const counts = [task.kernel.liveObjects];
      equal(sys.svc_unregister("keep"), 0);
      counts.push(task.kernel.liveObjects);
      deepEqual(counts, [1, 0]);
      return counts;
    },
  },
  {
    name: "registered objects outlive their task; another task finds them",
    section: "§7 §3 svc_lookup",
    async run({ sim, task, sys }) {
      const [s, r] = channel(task, 2);
      equal(sys.svc_register("inbox", r), 0);
      equal(await sys.ipc_send(s, msg(task, { tag: 3 })), 0);
      task.exit();
      const other = sim.spawn();
      const fd = other.sys.svc_lookup("inbox");
      const m = other.alloc(48);
      const got = [fd, await other.sys.ipc_recv(fd, m), await other.sys.ipc_recv(fd, m)];
      deepEqual([got, sim.kernel.liveObjects], [[0, 0, -EPIPE], 1]);
      return got;
    },
  },
];

export default cases;
