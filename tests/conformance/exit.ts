/** §1 task.exit, §7 close and exit, §9 exit order, orphan collection and no leaks. */
import { EBADF, EPERM, EPIPE, OP_IPC_RECV, OP_WRITE, type Task } from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, channel, exitAll, microtasks, msg, poll, put, submit } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

function live(task: Task): number {
  return task.kernel.liveObjects;
}

const cases: ConformanceCase[] = [
  {
    name: "exit closes fds in ascending order: peers see -EPIPE in fd order, not arm order",
    section: "§1 task.exit §9 ordering",
    async run({ sim, task, sys }) {
      const b = sim.spawn();
      const [s1, r1] = channel(b, 0); // b: 0, 1
      const [s2, r2] = channel(b, 0); // b: 2, 3
      equal(b.sys.svc_register("r1", r1), 0);
      equal(b.sys.svc_register("r2", r2), 0);
      const port = sys.io_create(0);
      const [a1, a2] = [sys.svc_lookup("r1"), sys.svc_lookup("r2")];
      equal(b.sys.svc_unregister("r1") + b.sys.svc_unregister("r2") + b.sys.close(r1) + b.sys.close(r2), 0);
      const out = task.alloc(96);
      equal(submit(task, port, [{ userData: 2, opcode: OP_IPC_RECV, fd: a2, bufAddr: out }, { userData: 1, opcode: OP_IPC_RECV, fd: a1, bufAddr: out + 48 }]), 2);
      b.exit();
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([s1 < s2, r], [true, [[1n, 6, -EPIPE], [2n, 6, -EPIPE]]]);
      return r;
    },
  },
  {
    name: "after exit every syscall returns -EPERM; exit twice is harmless",
    section: "§1 (decisions.md exited tasks)",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      task.exit();
      task.exit();
      const got = [
        sys.io_create(0),
        sys.close(port),
        sys.notify_create(0),
        sys.open("/dev/uart0", 0),
        sys.irq_create(3, 1),
        sys.svc_lookup("x"),
        await sys.io_wait(port, 8, 1, 0, 0),
        await sys.ipc_recv(0, 0),
      ];
      deepEqual([got, task.exited, live(task)], [new Array<number>(8).fill(-EPERM), true, 0]);
      return got;
    },
  },
  {
    name: "exit withdraws the task's blocked ipc_send / ipc_recv: they resolve -EPERM",
    section: "§7 (decisions.md exit and blocked callers)",
    async run({ sim, task, sys }) {
      const other = sim.spawn();
      const [s, r] = channel(task, 0);
      const [, r2] = channel(task, 0);
      equal(sys.svc_register("r", r), 0);
      const or = other.sys.svc_lookup("r");
      let a: number | string = "pending";
      let b: number | string = "pending";
      void sys.ipc_send(s, msg(task, { tag: 1 })).then((x) => (a = x));
      void sys.ipc_recv(r2, task.alloc(48)).then((x) => (b = x));
      await microtasks();
      const before = [a, b];
      task.exit();
      await microtasks();
      // the withdrawn send left nothing behind: the other task finds the channel empty and closed
      const nb = await other.sys.ipc_recv(or, other.alloc(48), 1);
      deepEqual([before, a, b, nb], [["pending", "pending"], -EPERM, -EPERM, -EPIPE]);
      return [a, b, nb];
    },
  },
  {
    name: "exit closes the task's ports: a pending io_wait resolves -EBADF, in-flight writes stop",
    section: "§7 §3 io_wait",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const u = sys.open("/dev/uart0", 0);
      equal(submit(task, port, [{ userData: 1, opcode: OP_WRITE, fd: u, bufAddr: put(task, "abcdefgh"), bufLen: 8 }]), 1);
      let w: number | string = "pending";
      void sys.io_wait(port, task.alloc(24), 1, 1, 0).then((x) => (w = x));
      await sim.advance(200_000); // two bytes on the wire
      task.exit();
      await sim.advance(10_000_000);
      deepEqual([w, sim.uart(0).receivedText(), live(task)], [-EBADF, "ab", 0]);
      return [w, sim.uart(0).receivedText()];
    },
  },
  {
    name: "exit releases irq lines for other tasks",
    section: "§7",
    run({ sim, task, sys }) {
      const other = sim.spawn();
      equal(sys.irq_create(11, 3), 0);
      equal(sys.irq_create(0x100, 4, 1000), 1);
      const before = [other.sys.irq_create(11, 1), other.sys.irq_create(0x100, 8, 5)];
      task.exit();
      const after = [other.sys.irq_create(11, 1), other.sys.irq_create(0x100, 8, 5)];
      deepEqual([before, after], [[-16, -16], [0, 1]]);
      return [before, after];
    },
  },
  {
    name: "no leaks: after every task exits the kernel holds nothing",
    section: "§7 no object leaks",
    async run({ sim, task, sys }) {
      const other = sim.spawn();
      const port = sys.io_create(0);
      const [s, r] = channel(task, 2);
      const n = sys.notify_create(0);
      sys.open("/dev/uart1", 0);
      sys.irq_create(5, 1);
      equal(await sys.ipc_send(s, msg(task, { fds: [n, port, r] })), 0);
      equal(submit(task, port, [{ userData: 1, opcode: 1, timeoutNs: 1000 }, { userData: 2, opcode: 7, fd: n }]), 2);
      const op = other.sys.io_create(0);
      const [os, or] = channel(other, 0);
      equal(submit(other, op, [{ userData: 3, opcode: 5, fd: os, bufAddr: msg(other, { fds: [or, op] }) }]), 1);
      const mid = live(task);
      const got = exitAll(sim);
      deepEqual([mid, got], [9, [0, 0]]);
      return [mid, got];
    },
  },
  {
    name: "registered objects survive: liveObjects equals what the registry holds",
    section: "§7 §9 (decisions.md what the registry holds)",
    async run({ sim, task, sys }) {
      const [s, r] = channel(task, 2);
      const [s2, r2] = channel(task, 2);
      const n = sys.notify_create(0);
      equal(await sys.ipc_send(s, msg(task, { fds: [s2, r2, n] })), 0);
      equal(sys.svc_register("inbox", r), 0);
      sys.io_create(0);
      const got = exitAll(sim);
      deepEqual(got, [4, 4]);
      return got;
    },
  },
  {
    name: "a recv end sent into its own queue is collected when the last task exits",
    section: "§9 more fine print (fd-passing cycles)",
    async run({ sim, task, sys }) {
      const other = sim.spawn();
      other.sys.notify_create(0);
      const [s, r] = channel(task, 1);
      equal(await sys.ipc_send(s, msg(task, { fds: [r] })), 0);
      equal(sys.close(s) + sys.close(r), 0);
      const counts = [live(task)];
      task.exit();
      counts.push(live(task));
      other.exit();
      counts.push(live(task));
      deepEqual(counts, [2, 2, 0]);
      return counts;
    },
  },
  {
    name: "a cycle carried by a registered object counts as registered",
    section: "§9 more fine print",
    async run({ sim, task, sys }) {
      const [s1, r1] = channel(task, 1);
      const [s2, r2] = channel(task, 1);
      equal(await sys.ipc_send(s1, msg(task, { fds: [r2] })), 0); // r1's queue holds r2
      equal(await sys.ipc_send(s2, msg(task, { fds: [r2] })), 0); // r2 holds itself
      equal(sys.svc_register("root", r1), 0);
      const got = exitAll(sim);
      deepEqual(got, [2, 2]);
      equal(sim.kernel.services.size, 1);
      void s1;
      return got;
    },
  },
];

export default cases;
