/** §3 ipc_create/ipc_send/ipc_recv, §4.6/§4.7 OP_IPC_SEND/OP_IPC_RECV, §7 channel close, §9 channels and check orders. */
import {
  EAGAIN,
  EBADF,
  ECANCELED,
  EFAULT,
  EINVAL,
  EMFILE,
  EPIPE,
  IPC_NONBLOCK,
  OP_IPC_RECV,
  OP_IPC_SEND,
  OP_RING_WAIT,
  type Task,
} from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, channel, fillFds, microtasks, msg, openFds, poll, readMsg, submit, type Sqe } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

function send(userData: number, fd: number, bufAddr: number): Sqe {
  return { userData, opcode: OP_IPC_SEND, fd, bufAddr };
}
function recv(userData: number, fd: number, bufAddr: number, bufLen = 48): Sqe {
  return { userData, opcode: OP_IPC_RECV, fd, bufAddr, bufLen };
}

/** Tracks a promise: `state()` is the resolved value or "pending". */
function track(p: Promise<number>): { state(): number | "pending" } {
  let v: number | "pending" = "pending";
  void p.then((x) => (v = x));
  return { state: () => v };
}

function live(task: Task): number {
  return task.kernel.liveObjects;
}

const BIG = 0xfedcba9876543210n;

const cases: ConformanceCase[] = [
  {
    name: "ipc_create writes [send_fd, recv_fd] at the lowest free fds",
    section: "§3 ipc_create",
    run({ task, sys }) {
      sys.io_create(0);
      sys.notify_create(0);
      sys.notify_create(0);
      sys.close(1);
      const out = task.alloc(8);
      const r = sys.ipc_create(out, 0, 0);
      const fds = [task.view.getInt32(out, true), task.view.getInt32(out + 4, true)];
      deepEqual([r, fds, live(task)], [0, [1, 3], 4]);
      return fds;
    },
  },
  {
    name: "ipc_create checks: flags, capacity, -EFAULT, -EMFILE (nothing created)",
    section: "§3 ipc_create (decisions.md)",
    run({ task, sys }) {
      const call = sys.ipc_create as (a: unknown, c: unknown, f?: unknown) => number;
      const out = task.alloc(8);
      const mem = task.memory.byteLength;
      const got = [call(0, -1, 1), call(0, -1, 0), call(out, 1.5), call(out, 65537), call(0, 1), call(mem - 4, 1), call(out, 65536)];
      fillFds(task, 1);
      const before = live(task);
      got.push(call(0, 1, 0), call(out, 1, 0));
      deepEqual([got, live(task) - before], [[-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EFAULT, -EFAULT, 0, -EFAULT, -EMFILE], 0]);
      return got;
    },
  },
  {
    name: "buffered channel: send with room resolves 0 at once; the message round-trips all 64-bit fields",
    section: "§3 ipc_send §2 IpcMessage",
    async run({ task, sys }) {
      const [s, r] = channel(task, 2);
      const st = track(sys.ipc_send(s, msg(task, { tag: BIG, data: [1n, 0xffffffffffffffffn, 2n ** 63n] })));
      await microtasks();
      equal(st.state(), 0);
      const m = task.alloc(48);
      equal(await sys.ipc_recv(r, m), 0);
      const got = readMsg(task, m);
      deepEqual(got, [BIG, [1n, 0xffffffffffffffffn, 2n ** 63n], [-1, -1, -1, -1]]);
      return got;
    },
  },
  {
    name: "buffered channel is FIFO; full -> IPC_NONBLOCK send gets -EAGAIN",
    section: "§3 ipc_send",
    async run({ task, sys }) {
      const [s, r] = channel(task, 3);
      const sent = [];
      for (let i = 1; i <= 4; i++) sent.push(await sys.ipc_send(s, msg(task, { tag: i }), IPC_NONBLOCK));
      const m = task.alloc(48);
      const tags: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        equal(await sys.ipc_recv(r, m, IPC_NONBLOCK), 0);
        tags.push(readMsg(task, m)[0]);
      }
      const empty = await sys.ipc_recv(r, m, IPC_NONBLOCK);
      deepEqual([sent, tags, empty], [[0, 0, 0, -EAGAIN], [1n, 2n, 3n], -EAGAIN]);
      return [sent, tags, empty];
    },
  },
  {
    name: "rendezvous: a send waits for a receiver; IPC_NONBLOCK with none -> -EAGAIN",
    section: "§3 ipc_send",
    async run({ task, sys }) {
      const [s, r] = channel(task, 0);
      const nb = await sys.ipc_send(s, msg(task, { tag: 1 }), IPC_NONBLOCK);
      const st = track(sys.ipc_send(s, msg(task, { tag: 2 })));
      await microtasks();
      const before = st.state();
      const m = task.alloc(48);
      const rr = await sys.ipc_recv(r, m);
      await microtasks();
      deepEqual([nb, before, rr, st.state(), readMsg(task, m)[0]], [-EAGAIN, "pending", 0, 0, 2n]);
      return [nb, before, rr, st.state()];
    },
  },
  {
    name: "rendezvous: IPC_NONBLOCK send succeeds when a receiver is waiting",
    section: "§3 ipc_send",
    async run({ task, sys }) {
      const [s, r] = channel(task, 0);
      const m = task.alloc(48);
      const rt = track(sys.ipc_recv(r, m));
      await microtasks();
      const before = rt.state();
      const sr = await sys.ipc_send(s, msg(task, { tag: 77 }), IPC_NONBLOCK);
      await microtasks();
      deepEqual([before, sr, rt.state(), readMsg(task, m)[0]], ["pending", 0, 0, 77n]);
      return [before, sr, rt.state()];
    },
  },
  {
    name: "ipc flags other than 0 and IPC_NONBLOCK -> -EINVAL, checked first",
    section: "§9 more fine print (decisions.md)",
    async run({ sys }) {
      const snd = sys.ipc_send as (fd: unknown, m: unknown, f?: unknown) => Promise<number>;
      const rcv = sys.ipc_recv as (fd: unknown, m: unknown, f?: unknown) => Promise<number>;
      const got = [await snd(99, 0, 2), await snd(99, 0, -1), await snd(99, 0, "1"), await rcv(99, 0, 3), await rcv(99, 0, true)];
      deepEqual(got, [-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL]);
      return got;
    },
  },
  {
    name: "ipc_send check order: -EBADF (fd), -EFAULT, -EBADF (fds[]), -EPIPE, -EAGAIN",
    section: "§9 more fine print",
    async run({ task, sys }) {
      const [s, r] = channel(task, 0);
      const good = msg(task, {});
      const badFds = msg(task, { fds: [-1, 33] });
      const got = [await sys.ipc_send(r, 0), await sys.ipc_send(s, 0), await sys.ipc_send(s, task.memory.byteLength - 40)];
      equal(sys.close(r), 0);
      got.push(await sys.ipc_send(s, badFds, IPC_NONBLOCK), await sys.ipc_send(s, good, IPC_NONBLOCK));
      const [s2] = channel(task, 0);
      got.push(await sys.ipc_send(s2, good, IPC_NONBLOCK));
      deepEqual(got, [-EBADF, -EFAULT, -EFAULT, -EBADF, -EPIPE, -EAGAIN]);
      return got;
    },
  },
  {
    name: "ipc_recv: -EBADF (not a recv end), -EFAULT, -EAGAIN when empty",
    section: "§3 ipc_recv",
    async run({ task, sys }) {
      const [s, r] = channel(task, 1);
      const got = [await sys.ipc_recv(s, task.alloc(48)), await sys.ipc_recv(40, 0), await sys.ipc_recv(r, task.memory.byteLength - 47), await sys.ipc_recv(r, 0, IPC_NONBLOCK)];
      deepEqual(got, [-EBADF, -EBADF, -EFAULT, -EAGAIN]);
      return got;
    },
  },
  {
    name: "-EPIPE for recv only after the queue is drained; nonblocking too",
    section: "§3 ipc_recv §7",
    async run({ task, sys }) {
      const [s, r] = channel(task, 4);
      equal(await sys.ipc_send(s, msg(task, { tag: 1 })), 0);
      equal(await sys.ipc_send(s, msg(task, { tag: 2 })), 0);
      equal(sys.close(s), 0);
      const m = task.alloc(48);
      const got = [await sys.ipc_recv(r, m, IPC_NONBLOCK), Number(readMsg(task, m)[0]), await sys.ipc_recv(r, m), Number(readMsg(task, m)[0])];
      got.push(await sys.ipc_recv(r, m, IPC_NONBLOCK), await sys.ipc_recv(r, m));
      deepEqual(got, [0, 1, 0, 2, -EPIPE, -EPIPE]);
      return got;
    },
  },
  {
    name: "OP_IPC_SEND / OP_IPC_RECV fd kinds and buffer checks; buf_len ignored",
    section: "§4.6 §4.7 §9",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 2);
      const m = msg(task, { tag: 5 });
      const mem = task.memory.byteLength;
      equal(
        submit(task, port, [send(1, r, m), recv(2, s, m), send(3, s, 0), send(4, s, mem - 47), recv(5, r, mem - 47), send(6, s, m), recv(7, r, task.alloc(48), 0)]),
        7,
      );
      const got = (await poll(task, port)).cqes.map(brief);
      deepEqual(got, [[1n, 5, -EBADF], [2n, 6, -EBADF], [3n, 5, -EFAULT], [4n, 5, -EFAULT], [5n, 6, -EFAULT], [6n, 5, 0], [7n, 6, 0]]);
      return got;
    },
  },
  {
    name: "OP_IPC_SEND copies the message at submit time",
    section: "§4.6",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 0);
      const m = msg(task, { tag: 1, data: [2, 3, 4] });
      equal(submit(task, port, [send(1, s, m)]), 1);
      task.memory.fill(0, m, m + 32);
      const out = task.alloc(48);
      equal(await sys.ipc_recv(r, out), 0);
      const got = readMsg(task, out);
      deepEqual(got, [1n, [2n, 3n, 4n], [-1, -1, -1, -1]]);
      return got;
    },
  },
  {
    name: "a receive pairing a parked send: the receiver's completion is queued first",
    section: "§9 ordering (decisions.md pairing order)",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 0);
      const out = task.alloc(48);
      equal(submit(task, port, [send(1, s, msg(task, { tag: 9 })), recv(2, r, out)]), 2);
      const a = (await poll(task, port)).cqes.map(brief);
      equal(submit(task, port, [recv(3, r, out), send(4, s, msg(task, { tag: 10 }))]), 2);
      const b = (await poll(task, port)).cqes.map(brief);
      deepEqual([a, b, readMsg(task, out)[0]], [[[2n, 6, 0], [1n, 5, 0]], [[3n, 6, 0], [4n, 5, 0]], 10n]);
      return [a, b];
    },
  },
  {
    name: "a send to a buffered channel with a waiting receiver goes to it, receiver first",
    section: "§9 (decisions.md pairing order)",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 3);
      const out = task.alloc(48);
      equal(submit(task, port, [recv(1, r, out), send(2, s, msg(task, { tag: 4 }))]), 2);
      const got = (await poll(task, port)).cqes.map(brief);
      deepEqual([got, readMsg(task, out)[0], await sys.ipc_recv(r, out, IPC_NONBLOCK)], [[[1n, 6, 0], [2n, 5, 0]], 4n, -EAGAIN]);
      return got;
    },
  },
  {
    name: "a sender parked on a full buffered channel completes when its message enters the queue",
    section: "§9 channels",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 1);
      equal(submit(task, port, [send(1, s, msg(task, { tag: 1 })), send(2, s, msg(task, { tag: 2 })), send(3, s, msg(task, { tag: 3 }))]), 3);
      const first = (await poll(task, port)).cqes.map(brief);
      const out = task.alloc(48);
      equal(await sys.ipc_recv(r, out), 0);
      const second = (await poll(task, port)).cqes.map(brief);
      const tags: bigint[] = [readMsg(task, out)[0]];
      equal(await sys.ipc_recv(r, out), 0);
      tags.push(readMsg(task, out)[0]);
      equal(await sys.ipc_recv(r, out), 0);
      tags.push(readMsg(task, out)[0]);
      deepEqual([first, second, tags], [[[1n, 5, 0]], [[2n, 5, 0]], [1n, 2n, 3n]]);
      return [first, second, tags];
    },
  },
  {
    name: "receivers and blocked callers are served in one FIFO",
    section: "§9 (decisions.md one FIFO per direction)",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 0);
      const out = task.alloc(48 * 3);
      equal(submit(task, port, [recv(1, r, out)]), 1);
      const blocked = track(sys.ipc_recv(r, out + 48));
      equal(submit(task, port, [recv(3, r, out + 96)]), 1);
      for (let i = 1; i <= 3; i++) equal(await sys.ipc_send(s, msg(task, { tag: i * 10 })), 0);
      await microtasks();
      const got = [(await poll(task, port)).cqes.map(brief), blocked.state(), [0, 1, 2].map((i) => readMsg(task, out + 48 * i)[0])];
      deepEqual(got, [[[1n, 6, 0], [3n, 6, 0]], 0, [10n, 20n, 30n]]);
      return got;
    },
  },
  {
    name: "fd passing: the receiver gets the lowest free fd, fds[] rewritten, the sender keeps its own",
    section: "§4.7 §9",
    async run({ task, sys }) {
      sys.io_create(0); // 0
      const [s, r] = channel(task, 1); // 1, 2
      const n = sys.notify_create(0); // 3
      sys.notify_create(0); // 4
      sys.notify_create(0); // 5
      equal(sys.close(4), 0);
      equal(await sys.ipc_send(s, msg(task, { tag: 8, fds: [-1, -1, -1, n] })), 0);
      const out = task.alloc(48);
      equal(await sys.ipc_recv(r, out), 0);
      const m = readMsg(task, out);
      const lv = live(task);
      deepEqual([m, openFds(task), lv], [[8n, [0n, 0n, 0n], [-1, -1, -1, 4]], [0, 1, 2, 3, 4, 5], 5]);
      return m;
    },
  },
  {
    name: "fd passing carries a live object: both fds name it, installed only at reap",
    section: "§4.6 §4.7",
    async run({ sim, task, sys }) {
      const rx = sim.spawn();
      const port = rx.sys.io_create(0); // rx fd 0
      const [s, r] = channel(task, 1);
      equal(task.sys.svc_register("r", r), 0);
      const rr = rx.sys.svc_lookup("r"); // rx fd 1
      const n = sys.notify_create(0);
      equal(await sys.ipc_send(s, msg(task, { tag: 1, fds: [-1, n, -1, -1] })), 0);
      const out = rx.alloc(48);
      equal(submit(rx, port, [recv(1, rr, out), { userData: 2, opcode: OP_RING_WAIT, fd: 2 }]), 2);
      const beforeReap = openFds(rx);
      const out2 = rx.alloc(24 * 4);
      const k = await rx.sys.io_wait(port, out2, 1, 1, 0); // reap the receive only
      const m = readMsg(rx, out);
      const afterReap = openFds(rx);
      equal(sys.notify(n), 0); // through the sender's fd
      equal(submit(rx, port, [{ userData: 3, opcode: OP_RING_WAIT, fd: m[2][1]! }]), 1);
      const rest = (await poll(rx, port)).cqes.map(brief);
      deepEqual([k, m[2], beforeReap, afterReap, rest], [1, [-1, 2, -1, -1], [0, 1], [0, 1, 2], [[2n, 7, -EBADF], [3n, 7, 0]]]);
      return [m[2], rest];
    },
  },
  {
    name: "the same fd twice carries two references; fds go to the lowest free numbers",
    section: "§4.7 (decisions.md fds[])",
    async run({ task, sys }) {
      const [s, r] = channel(task, 1); // 0, 1
      const n = sys.notify_create(0); // 2
      sys.notify_create(0); // 3
      equal(sys.close(3), 0);
      equal(await sys.ipc_send(s, msg(task, { fds: [n, -1, n, -1] })), 0);
      equal(sys.close(n), 0); // the message holds the object
      const out = task.alloc(48);
      equal(await sys.ipc_recv(r, out), 0);
      const fds = readMsg(task, out)[2];
      const lv = live(task);
      equal(sys.close(fds[0]!), 0);
      const lv2 = live(task);
      equal(sys.close(fds[2]!), 0);
      deepEqual([fds, lv, lv2, live(task)], [[2, -1, 3, -1], 3, 3, 2]);
      return fds;
    },
  },
  {
    name: "an fd in fds[] that is not open -> -EBADF, nothing sent; only -1 means unused",
    section: "§4.6 §9",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 4);
      equal(submit(task, port, [send(1, s, msg(task, { fds: [-2, -1, -1, -1] })), send(2, s, msg(task, { fds: [-1, -1, -1, 63] })), send(3, s, msg(task, { fds: [0, -1, -1, 64] }))]), 3);
      const got = (await poll(task, port)).cqes.map(brief);
      deepEqual([got, await sys.ipc_recv(r, task.alloc(48), IPC_NONBLOCK)], [[[1n, 5, -EBADF], [2n, 5, -EBADF], [3n, 5, -EBADF]], -EAGAIN]);
      return got;
    },
  },
  {
    name: "-EMFILE at reap is all-or-nothing: no fd installed, objects closed, fds[] reads -1",
    section: "§4.7 §9 channels",
    async run({ sim, task, sys }) {
      const rx = sim.spawn();
      const port = rx.sys.io_create(0);
      const [s, r] = channel(task, 1);
      equal(sys.svc_register("r", r), 0);
      const rr = rx.sys.svc_lookup("r");
      const [a, b] = [sys.notify_create(0), sys.notify_create(0)];
      equal(await sys.ipc_send(s, msg(task, { tag: 6, fds: [a, b, -1, -1] })), 0);
      equal(sys.close(a), 0);
      equal(sys.close(b), 0);
      const out = rx.alloc(48);
      equal(submit(rx, port, [recv(1, rr, out)]), 1);
      fillFds(rx, 1);
      const before = live(task);
      const got = (await poll(rx, port)).cqes.map(brief);
      const m = readMsg(rx, out);
      deepEqual([got, m[0], m[2], rx.fds.filter((o) => o === null).length, before - live(task)], [[[1n, 6, -EMFILE]], 6n, [-1, -1, -1, -1], 1, 2]);
      return [got, m[2]];
    },
  },
  {
    name: "a blocking ipc_recv installs objects all-or-nothing too: -EMFILE, objects closed",
    section: "§3 ipc_recv (decisions.md blocking receive copy-out)",
    async run({ task, sys }) {
      const [s, r] = channel(task, 1);
      const [a, b] = [sys.notify_create(0), sys.notify_create(0)];
      equal(await sys.ipc_send(s, msg(task, { tag: 4, fds: [a, b] })), 0);
      equal(sys.close(a) + sys.close(b), 0);
      const out = task.alloc(48);
      fillFds(task, 1);
      const before = live(task);
      const got = await sys.ipc_recv(r, out);
      const m = readMsg(task, out);
      deepEqual([got, m[0], m[2], before - live(task), task.fds.filter((o) => o === null).length], [-EMFILE, 4n, [-1, -1, -1, -1], 2, 1]);
      return [got, m[2]];
    },
  },
  {
    name: "closing a port releases the objects carried by its queued receive completions",
    section: "§9 objects and close",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 1);
      const n = sys.notify_create(0);
      equal(await sys.ipc_send(s, msg(task, { fds: [n, n] })), 0);
      equal(sys.close(n), 0);
      equal(submit(task, port, [recv(1, r, task.alloc(48))]), 1);
      const counts = [live(task)];
      equal(sys.close(port), 0);
      counts.push(live(task));
      deepEqual([counts, openFds(task)], [[4, 2], [1, 2]]);
      return counts;
    },
  },
  {
    name: "a receive with buf_addr = 0 discards the message and closes its objects",
    section: "§4.7 §9 channels",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 2);
      const n = sys.notify_create(0);
      equal(await sys.ipc_send(s, msg(task, { fds: [n] })), 0);
      equal(await sys.ipc_send(s, msg(task, { fds: [n, n] })), 0);
      equal(sys.close(n), 0);
      const lv = [live(task)];
      equal(submit(task, port, [recv(1, r, 0, 0)]), 1);
      lv.push(live(task));
      const got = (await poll(task, port)).cqes.map(brief);
      lv.push(live(task));
      equal(await sys.ipc_recv(r, 0), 0); // the blocking form discards too
      lv.push(live(task));
      const fds = openFds(task);
      deepEqual([got, lv, fds], [[[1n, 6, 0]], [4, 4, 4, 3], [0, 1, 2]]);
      return [got, lv];
    },
  },
  {
    name: "closing the last recv end: own arms -ECANCELED, parked senders -EPIPE, then messages released",
    section: "§7 §9 (decisions.md last recv end)",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 1);
      const n = sys.notify_create(0);
      equal(submit(task, port, [send(1, s, msg(task, { fds: [n] })), send(2, s, msg(task, { fds: [n] })), send(3, s, msg(task, {}))]), 3);
      equal(sys.close(n), 0);
      const first = (await poll(task, port)).cqes.map(brief);
      const lv = live(task);
      const d = sys.dup(r);
      equal(sys.close(r), 0);
      equal((await poll(task, port)).n, 0, "one of two references changes nothing");
      equal(sys.close(d), 0);
      const second = (await poll(task, port)).cqes.map(brief);
      const after = await sys.ipc_send(s, msg(task, {}));
      deepEqual([first, second, lv - live(task), after], [[[1n, 5, 0]], [[2n, 5, -EPIPE], [3n, 5, -EPIPE]], 2, -EPIPE]);
      return [first, second, after];
    },
  },
  {
    name: "receives armed on a recv end complete -ECANCELED when its last reference closes",
    section: "§9 objects and close",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 0);
      const out = task.alloc(48);
      equal(submit(task, port, [recv(1, r, out), recv(2, r, out)]), 2);
      equal(sys.close(r), 0);
      const got = (await poll(task, port)).cqes.map(brief);
      deepEqual([got, await sys.ipc_send(s, msg(task, {}), IPC_NONBLOCK)], [[[1n, 6, -ECANCELED], [2n, 6, -ECANCELED]], -EPIPE]);
      return got;
    },
  },
  {
    name: "closing the last send end: queued messages first, then armed receivers -EPIPE",
    section: "§7",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 2);
      equal(await sys.ipc_send(s, msg(task, { tag: 1 })), 0);
      const out = task.alloc(48 * 3);
      const d = sys.dup(s);
      equal(sys.close(s), 0);
      equal(submit(task, port, [recv(1, r, out), recv(2, r, out + 48), recv(3, r, out + 96)]), 3);
      const a = (await poll(task, port)).cqes.map(brief);
      equal(sys.close(d), 0);
      const b = (await poll(task, port)).cqes.map(brief);
      deepEqual([a, b], [[[1n, 6, 0]], [[2n, 6, -EPIPE], [3n, 6, -EPIPE]]]);
      return [a, b];
    },
  },
  {
    name: "sends parked when the last send end closes stay parked and complete 0 when received",
    section: "§9 more fine print",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [s, r] = channel(task, 0);
      equal(submit(task, port, [send(1, s, msg(task, { tag: 1 })), send(2, s, msg(task, { tag: 2 }))]), 2);
      equal(sys.close(s), 0);
      const none = (await poll(task, port)).n;
      const out = task.alloc(48);
      const got = [await sys.ipc_recv(r, out), Number(readMsg(task, out)[0]), await sys.ipc_recv(r, out), Number(readMsg(task, out)[0]), await sys.ipc_recv(r, out)];
      const cq = (await poll(task, port)).cqes.map(brief);
      deepEqual([none, got, cq], [0, [0, 1, 0, 2, -EPIPE], [[1n, 5, 0], [2n, 5, 0]]]);
      return [got, cq];
    },
  },
  {
    name: "a blocked ipc_recv resolves -EPIPE when the last send end closes",
    section: "§3 ipc_recv §7",
    async run({ task, sys }) {
      const [s, r] = channel(task, 0);
      const st = track(sys.ipc_recv(r, task.alloc(48)));
      await microtasks();
      const before = st.state();
      equal(sys.close(s), 0);
      await microtasks();
      deepEqual([before, st.state()], ["pending", -EPIPE]);
      return st.state();
    },
  },
  {
    name: "a blocked ipc_send resolves -EPIPE when the last recv end closes",
    section: "§3 ipc_send §7",
    async run({ task, sys }) {
      const [s, r] = channel(task, 0);
      const st = track(sys.ipc_send(s, msg(task, {})));
      await microtasks();
      const before = st.state();
      equal(sys.close(r), 0);
      await microtasks();
      deepEqual([before, st.state()], ["pending", -EPIPE]);
      return st.state();
    },
  },
  {
    name: "received data goes to the submitter's memory, whichever task reaps",
    section: "§9 objects and close [better]",
    async run({ sim, task, sys }) {
      const other = sim.spawn();
      const port = sys.io_create(0);
      const [s, r] = channel(task, 1);
      equal(sys.svc_register("p", port), 0);
      const theirs = other.sys.svc_lookup("p");
      const out = task.alloc(48);
      other.alloc(out + 48);
      equal(submit(task, port, [recv(1, r, out)]), 1);
      equal(await sys.ipc_send(s, msg(task, { tag: 33 })), 0);
      const cq = other.alloc(24);
      equal(await other.sys.io_wait(theirs, cq, 1, 0, 0), 1);
      deepEqual([readMsg(task, out)[0], readMsg(other, out)[0]], [33n, 0n]);
      return readMsg(task, out)[0];
    },
  },
  {
    name: "a submitter that exited before reap: data written, objects closed, -EMFILE; no objects -> 0",
    section: "§9 more fine print (decisions.md exited submitter)",
    async run({ sim, task, sys }) {
      const sub = sim.spawn();
      const port = sub.sys.io_create(0);
      const [s, r] = channel(sub, 2);
      equal(sub.sys.svc_register("p", port), 0);
      const mine = sys.svc_lookup("p");
      const n = sub.sys.notify_create(0);
      const out = sub.alloc(96);
      equal(submit(sub, port, [recv(1, r, out), recv(2, r, out + 48)]), 2);
      equal(await sub.sys.ipc_send(s, msg(sub, { tag: 1, fds: [n] })), 0);
      equal(await sub.sys.ipc_send(s, msg(sub, { tag: 2 })), 0);
      sub.exit();
      const got = (await poll(task, mine)).cqes.map(brief);
      deepEqual([got, readMsg(sub, out)[0], readMsg(sub, out)[2], readMsg(sub, out + 48)[0], live(task)], [[[1n, 6, -EMFILE], [2n, 6, 0]], 1n, [-1, -1, -1, -1], 2n, 1]);
      return got;
    },
  },
];

export default cases;
