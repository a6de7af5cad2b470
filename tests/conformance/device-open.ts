/** §3 open/close/dup on device streams, §4.3/§4.4 common checks, §9 copy-out to the submitter. */
import { EBADF, EFAULT, EINVAL, EMFILE, ENOENT, OPEN_TTY, type Task } from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { ascii, brief, bytesAt, channel, cqBuf, fillFds, poll, put, rd, readCqes, submit, wr } from "./helpers.js";
import type { ConformanceCase } from "./types.js";


function live(task: Task): number {
  return task.kernel.liveObjects;
}

const cases: ConformanceCase[] = [
  {
    name: "the board's devices open; anything else -> -ENOENT",
    section: "§3 open §8 sim-devkit",
    run({ sys }) {
      const call = sys.open as (p: unknown, f?: unknown) => number;
      const got = ["/dev/uart0", "/dev/uart1", "/dev/spi0", "/dev/uart2", "/dev/spi1", "/dev/uart0 ", "dev/uart0", "", "/dev/UART0"].map((p) => call(p, 0));
      got.push(call(42, 0), call(undefined), call("/dev/spi0"));
      deepEqual(got, [0, 1, 2, -ENOENT, -ENOENT, -ENOENT, -ENOENT, -ENOENT, -ENOENT, -ENOENT, -ENOENT, 3]);
      return got;
    },
  },
  {
    // flags: the contract accepts only 0; ioport adds OPEN_TTY on UARTs (docs/spec.md §4.12)
    name: "open check order: -ENOENT, -EINVAL, -EMFILE",
    section: "§9 more fine print §4.12",
    run({ task, sys }) {
      const call = sys.open as (p: unknown, f?: unknown) => number;
      const early = [call("/dev/uart0", 2), call("/dev/uart0", -1), call("/dev/uart0", "0"), call("/dev/nope", 2), call("/dev/spi0", OPEN_TTY), call("/dev/uart0", OPEN_TTY | 2)];
      fillFds(task, 0);
      const full = [call("/dev/nope", OPEN_TTY), call("/dev/uart0", 2), call("/dev/uart0", 0), call("/dev/uart0", OPEN_TTY)];
      deepEqual([early, full], [[-EINVAL, -EINVAL, -EINVAL, -ENOENT, -EINVAL, -EINVAL], [-ENOENT, -EINVAL, -EMFILE, -EMFILE]]);
      return [early, full];
    },
  },
  {
    name: "each open creates a new stream object; dup shares it",
    section: "§9 more fine print §3 dup",
    run({ task, sys }) {
      const counts = [live(task)];
      const a = sys.open("/dev/uart0", 0);
      counts.push(live(task));
      const b = sys.open("/dev/uart0", 0);
      counts.push(live(task));
      const d = sys.dup(a);
      counts.push(live(task));
      sys.close(a);
      counts.push(live(task));
      sys.close(d);
      counts.push(live(task));
      sys.close(b);
      counts.push(live(task));
      deepEqual([a, b, d, counts], [0, 1, 2, [0, 1, 2, 2, 2, 1, 0]]);
      return counts;
    },
  },
  {
    name: "a dup of a stream reads and writes the same device after the original is closed",
    section: "§3 dup",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const fd = sys.open("/dev/uart0", 0);
      const d = sys.dup(fd);
      equal(sys.close(fd), 0);
      sim.uart(0).inject("ok");
      await sim.advance(1_000_000);
      const buf = task.alloc(4);
      equal(submit(task, port, [rd(1, d, buf, 4), wr(2, d, put(task, "!"), 1)]), 2);
      await sim.advance(1_000_000);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([r, ascii(bytesAt(task, buf, 2)), sim.uart(0).receivedText()], [[[1n, 2, 2], [2n, 3, 1]], "ok", "!"]);
      return r;
    },
  },
  {
    name: "buf_len 0 -> result 0 at once, buffer unchecked (UART and SPI, read and write)",
    section: "§4.3 §4.4",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const [u, s] = [sys.open("/dev/uart1", 0), sys.open("/dev/spi0", 0)];
      sim.uart(1).inject("zz");
      equal(submit(task, port, [rd(1, u, 0, 0), rd(2, u, 1 << 30, 0), wr(3, u, 0, 0), rd(4, s, 0, 0), wr(5, s, 70000, 0)]), 5);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([r, sim.spi(0).transfers], [[[1n, 2, 0], [2n, 2, 0], [3n, 3, 0], [4n, 2, 0], [5n, 3, 0]], 0]);
      return r;
    },
  },
  {
    name: "a zero-length read takes no bytes",
    section: "§4.3",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const u = sys.open("/dev/uart0", 0);
      sim.uart(0).inject("abc");
      await sim.advance(1_000_000);
      const buf = task.alloc(4);
      equal(submit(task, port, [rd(1, u, buf, 0), rd(2, u, buf, 4)]), 2);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([r, ascii(bytesAt(task, buf, 3))], [[[1n, 2, 0], [2n, 2, 3]], "abc"]);
      return r;
    },
  },
  {
    name: "OP_READ/OP_WRITE on a non-device fd -> -EBADF",
    section: "§4.3 §4.4",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const [se, re] = channel(task, 1);
      const n = sys.notify_create(0);
      const irq = sys.irq_create(3, 1);
      const buf = task.alloc(4);
      const fds = [port, se, re, n, irq, 60, -1, 64];
      equal(submit(task, port, fds.map((fd, i) => (i % 2 === 0 ? rd(i, fd, buf, 4) : wr(i, fd, buf, 4)))), fds.length);
      const r = (await poll(task, port)).cqes.map((c) => c.result);
      deepEqual(r, new Array<number>(fds.length).fill(-EBADF));
      return r;
    },
  },
  {
    name: "a bad buffer -> -EFAULT; the fd is checked first; flags before everything",
    section: "§4.3 §9 more fine print",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const u = sys.open("/dev/uart0", 0);
      const mem = task.memory.byteLength;
      equal(
        submit(task, port, [rd(1, u, 0, 1), rd(2, u, mem - 1, 2), wr(3, u, mem, 1), rd(4, port, 0, 1), rd(5, 40, 0, 1, 1), { userData: 6, opcode: 99, fd: 40, bufAddr: 0, bufLen: 1 }, wr(7, u, mem - 2, 2)]),
        7,
      );
      await sim.advance(1_000_000);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual(r, [[1n, 2, -EFAULT], [2n, 2, -EFAULT], [3n, 3, -EFAULT], [4n, 2, -EBADF], [5n, 2, -EINVAL], [6n, 99, -EINVAL], [7n, 3, 2]]);
      return r;
    },
  },
  {
    name: "read data is copied into the submitter's memory, whichever task reaps",
    section: "§9 objects and close [better]",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const u = sys.open("/dev/uart0", 0);
      const other = sim.spawn({ memoryBytes: 64 * 1024 });
      equal(sys.svc_register("port", port), 0);
      const theirs = other.sys.svc_lookup("port");
      const buf = task.alloc(8);
      other.alloc(buf + 8); // same addresses exist in the reaper's memory
      other.memory.fill(0x11, buf, buf + 8);
      equal(submit(task, port, [rd(1, u, buf, 3)]), 1);
      sim.uart(0).inject("cat");
      await sim.advance(1_000_000);
      const out = cqBuf(other, 2);
      const n = await other.sys.io_wait(theirs, out, 2, 0, 0);
      const c = readCqes(other, out, n).map(brief);
      deepEqual([c, ascii(bytesAt(task, buf, 3)), bytesAt(other, buf, 3)], [[[1n, 2, 3]], "cat", [0x11, 0x11, 0x11]]);
      return c;
    },
  },
  {
    name: "read data lands only at reap: the buffer is untouched while the completion is queued",
    section: "§3 io_wait copy-out",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const u = sys.open("/dev/uart0", 0);
      const buf = put(task, "....");
      equal(submit(task, port, [rd(1, u, buf, 4)]), 1);
      sim.uart(0).inject("wxyz");
      await sim.advance(1_000_000);
      const before = ascii(bytesAt(task, buf, 4));
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([before, r, ascii(bytesAt(task, buf, 4))], ["....", [[1n, 2, 4]], "wxyz"]);
      return [before, r];
    },
  },
  {
    name: "a read whose port is closed before reaping writes nothing",
    section: "§7 §9",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const u = sys.open("/dev/uart0", 0);
      const buf = put(task, "----");
      equal(submit(task, port, [rd(1, u, buf, 2)]), 1);
      sim.uart(0).inject("ab");
      await sim.advance(1_000_000);
      equal(sys.close(port), 0);
      const p2 = sys.io_create(0);
      equal(submit(task, p2, [rd(2, u, buf + 2, 2)]), 1);
      sim.uart(0).inject("cd");
      await sim.advance(1_000_000);
      const r = (await poll(task, p2)).cqes.map(brief);
      deepEqual([r, ascii(bytesAt(task, buf, 4))], [[[2n, 2, 2]], "--cd"]);
      return r;
    },
  },
];

export default cases;
