/** §4.3/§4.4 OP_READ/OP_WRITE on a UART, §9 simulated devices (sim-devkit: 115200 baud, 256-byte receive buffer). */
import { ECANCELED, EOVERFLOW, OP_READ, OP_WRITE, type Task } from "../../core/index.js";
import type { Simulator } from "../../host-sim/index.js";
import { deepEqual, equal } from "./assert.js";
import { ascii, brief, bytesAt, poll, put, rd, record, submit, wr } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

/** ceil(k·10^10/115200) for k = 0..10: byte k of a burst arrives this long after its start. */
const CT = [0, 86806, 173612, 260417, 347223, 434028, 520834, 607639, 694445, 781250, 868056];
/** ceil(2T): the receive-idle gap. */
const GAP = 173612;


function setup(task: Task, path = "/dev/uart0"): { port: number; fd: number } {
  const port = task.sys.io_create(0);
  const fd = task.sys.open(path, 0);
  if (fd < 0) throw new Error(`open ${path}: ${fd}`);
  return { port, fd };
}

async function settleAll(sim: Simulator): Promise<void> {
  await sim.advance(10_000_000);
}

const cases: ConformanceCase[] = [
  {
    name: "a read completes when buf_len bytes have arrived: at t0 + ceil(n*T)",
    section: "§4.3 §9 simulated devices",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(3);
      equal(submit(task, port, [rd(1, fd, buf, 3)]), 1);
      const log = record(sim, task, port);
      sim.uart(0).inject("abc");
      await settleAll(sim);
      deepEqual([log, ascii(bytesAt(task, buf, 3))], [[[1n, 3, CT[3]]], "abc"]);
      return log;
    },
  },
  {
    name: "byte k of a burst arrives at t0 + ceil(k*10^10/baud), exactly",
    section: "§9 more fine print",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(8);
      await sim.advance(1000);
      equal(submit(task, port, [1, 2, 3, 4, 5].map((k) => rd(k, fd, buf + k, 1))), 5);
      const log = record(sim, task, port);
      sim.uart(0).inject([10, 20, 30, 40, 50]);
      await settleAll(sim);
      deepEqual(log.map((e) => e[2] - 1000), [CT[1], CT[2], CT[3], CT[4], CT[5]]);
      deepEqual(bytesAt(task, buf + 1, 5), [10, 20, 30, 40, 50]);
      return log;
    },
  },
  {
    name: "a partial read completes at t_last + ceil(2T) with the count",
    section: "§4.3 §9",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(16);
      equal(submit(task, port, [rd(1, fd, buf, 16)]), 1);
      const log = record(sim, task, port);
      sim.uart(0).inject("hi");
      await settleAll(sim);
      deepEqual([log, ascii(bytesAt(task, buf, 2))], [[[1n, 2, CT[2]! + GAP]], "hi"]);
      return log;
    },
  },
  {
    name: "a gap shorter than 2T does not end a read; a gap of 2T does",
    section: "§4.3 §9",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(16);
      equal(submit(task, port, [rd(1, fd, buf, 16)]), 1);
      const log = record(sim, task, port);
      sim.uart(0).inject("a"); // arrives at CT[1]
      sim.at(CT[1]! + GAP - 1 - CT[1]!, () => sim.uart(0).inject("b")); // arrives 1 ns before the gap ends
      await settleAll(sim);
      const tB = GAP - 1 + CT[1]!; // inject time + CT[1]
      deepEqual([log, ascii(bytesAt(task, buf, 2))], [[[1n, 2, tB + GAP]], "ab"]);
      return log;
    },
  },
  {
    name: "at t_last + ceil(2T) the read completes before a byte arriving at that instant",
    section: "§9 more fine print",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(16);
      equal(submit(task, port, [rd(1, fd, buf, 16), rd(2, fd, buf + 8, 8)]), 2);
      const log = record(sim, task, port);
      sim.uart(0).inject("x"); // at CT[1]
      sim.at(GAP, () => sim.uart(0).inject("y")); // arrives at GAP + CT[1], the first read's idle deadline
      await settleAll(sim);
      deepEqual(log, [[1n, 1, CT[1]! + GAP], [2n, 1, CT[1]! + 2 * GAP]]);
      deepEqual([task.memory[buf], task.memory[buf + 8]], [120, 121]);
      return log;
    },
  },
  {
    name: "a read submitted when the buffer has been idle >= 2T completes inside io_submit",
    section: "§9 simulated devices",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      sim.uart(0).inject("xyz");
      await sim.advance(CT[3]! + GAP);
      const buf = task.alloc(8);
      equal(submit(task, port, [rd(1, fd, buf, 8)]), 1);
      const r = await poll(task, port);
      deepEqual([r.cqes.map(brief), ascii(bytesAt(task, buf, 3))], [[[1n, OP_READ, 3]], "xyz"]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "a read submitted while buffered bytes are less than 2T old waits for the gap",
    section: "§9 simulated devices",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      sim.uart(0).inject("xyz");
      await sim.advance(CT[3]! + GAP - 1);
      const buf = task.alloc(8);
      equal(submit(task, port, [rd(1, fd, buf, 8)]), 1);
      equal((await poll(task, port)).n, 0);
      const log = record(sim, task, port);
      await settleAll(sim);
      deepEqual(log, [[1n, 3, CT[3]! + GAP]]);
      return log;
    },
  },
  {
    name: "a read for fewer bytes than buffered completes at once with the oldest bytes",
    section: "§4.3",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      sim.uart(0).inject("hello");
      await sim.advance(CT[5]!);
      const buf = task.alloc(8);
      equal(submit(task, port, [rd(1, fd, buf, 2), rd(2, fd, buf + 2, 2)]), 2);
      const r = await poll(task, port);
      deepEqual([r.cqes.map(brief), ascii(bytesAt(task, buf, 4))], [[[1n, 2, 2], [2n, 2, 2]], "hell"]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "an inject while a burst is arriving starts when that burst's last byte arrives",
    section: "§9 more fine print",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(8);
      equal(submit(task, port, [1, 2, 3].map((k) => rd(k, fd, buf + k, 1))), 3);
      const log = record(sim, task, port);
      sim.uart(0).inject("ab");
      sim.at(100_000, () => sim.uart(0).inject("c"));
      await settleAll(sim);
      deepEqual(log.map((e) => e[2]), [CT[1], CT[2], CT[2]! + CT[1]!]);
      return log;
    },
  },
  {
    name: "reads are served in submission order across fds open on one device",
    section: "§9 simulated devices",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const [a, b] = [sys.open("/dev/uart0", 0), sys.open("/dev/uart0", 0)];
      const buf = task.alloc(8);
      equal(submit(task, port, [rd(1, b, buf, 2), rd(2, a, buf + 2, 2), rd(3, b, buf + 4, 2)]), 3);
      const log = record(sim, task, port);
      sim.uart(0).inject("abcdef");
      await settleAll(sim);
      deepEqual([log.map((e) => e[0]), ascii(bytesAt(task, buf, 6))], [[1n, 2n, 3n], "abcdef"]);
      return log;
    },
  },
  {
    name: "the two UARTs are independent devices",
    section: "§8 sim-devkit",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const [u0, u1] = [sys.open("/dev/uart0", 0), sys.open("/dev/uart1", 0)];
      const buf = task.alloc(8);
      equal(submit(task, port, [rd(0, u0, buf, 2), rd(1, u1, buf + 4, 2)]), 2);
      const log = record(sim, task, port);
      sim.uart(1).inject("xy");
      sim.at(CT[1]!, () => sim.uart(0).inject("ab"));
      await settleAll(sim);
      deepEqual([log, ascii(bytesAt(task, buf, 2)), ascii(bytesAt(task, buf + 4, 2))], [[[1n, 2, CT[2]], [0n, 2, CT[1]! + CT[2]!]], "ab", "xy"]);
      return log;
    },
  },
  {
    name: "bytes arrive and are buffered with no stream open",
    section: "§4.3 (decisions.md device state)",
    async run({ sim, task, sys }) {
      sim.uart(0).inject("early");
      await sim.advance(CT[5]! + GAP);
      const { port, fd } = setup(task);
      const buf = task.alloc(8);
      equal(submit(task, port, [rd(1, fd, buf, 8)]), 1);
      const r = await poll(task, port);
      equal(sys.close(fd), 0);
      deepEqual([r.cqes.map(brief), ascii(bytesAt(task, buf, 5))], [[[1n, 2, 5]], "early"]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "receive buffer holds 256 bytes; overflow -> one -EOVERFLOW, then the buffered bytes",
    section: "§9 simulated devices",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const data: number[] = [];
      for (let i = 0; i < 300; i++) data.push(i & 0xff);
      sim.uart(0).inject(data);
      await sim.advance(30_000_000);
      equal(sim.uart(0).overruns, 44);
      const buf = task.alloc(512);
      task.memory.fill(0xee, buf, buf + 512);
      equal(submit(task, port, [rd(1, fd, buf, 512), rd(2, fd, buf, 512), rd(3, fd, buf + 256, 512)]), 3);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief).slice(0, 2), [[1n, 2, -EOVERFLOW], [2n, 2, 256]]);
      deepEqual(bytesAt(task, buf, 256), data.slice(0, 256));
      equal(r.n, 2, "the third read waits for new bytes");
      return [r.cqes.map(brief), sim.uart(0).overruns];
    },
  },
  {
    name: "a zero-length or faulting read does not use up a pending -EOVERFLOW",
    section: "§9 more fine print",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const data = new Array<number>(260).fill(65);
      sim.uart(0).inject(data);
      await sim.advance(30_000_000);
      const buf = task.alloc(8);
      equal(submit(task, port, [rd(1, fd, buf, 0), rd(2, fd, 0, 4), rd(3, fd, 1 << 20, 4), rd(4, fd, buf, 4), rd(5, fd, buf, 4)]), 5);
      const r = await poll(task, port);
      deepEqual(r.cqes.map(brief), [[1n, 2, 0], [2n, 2, -14], [3n, 2, -14], [4n, 2, -EOVERFLOW], [5n, 2, 4]]);
      return r.cqes.map(brief);
    },
  },
  {
    name: "bytes arriving to a full buffer are dropped and counted; earlier ones are kept in order",
    section: "§9 simulated devices",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const u = sim.uart(0);
      u.inject(new Array<number>(256).fill(1));
      u.inject([2, 3, 4]);
      await sim.advance(30_000_000);
      const buf = task.alloc(300);
      equal(submit(task, port, [rd(1, fd, buf, 300)]), 1);
      const before = (await poll(task, port)).cqes.map(brief);
      equal(submit(task, port, [rd(2, fd, buf, 300)]), 1);
      const after = (await poll(task, port)).cqes.map(brief);
      deepEqual([before, after, u.overruns, task.memory[buf + 255]], [[[1n, 2, -EOVERFLOW]], [[2n, 2, 256]], 3, 1]);
      return [before, after];
    },
  },
  {
    name: "a cancelled read's bytes go back to the front of the buffer",
    section: "§9 simulated devices",
    async run({ sim, task, sys }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(16);
      equal(submit(task, port, [rd(7, fd, buf, 16)]), 1);
      sim.uart(0).inject("abcdef");
      await sim.advance(CT[3]!); // a, b, c taken by the pending read
      equal(sys.io_cancel(port, 7), 1);
      const c = (await poll(task, port)).cqes.map(brief);
      await sim.advance(10_000_000); // d, e, f arrive into the buffer
      equal(submit(task, port, [rd(8, fd, buf, 16)]), 1);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([c, r, ascii(bytesAt(task, buf, 6))], [[[7n, 2, -ECANCELED]], [[8n, 2, 6]], "abcdef"]);
      return [c, r];
    },
  },
  {
    name: "a cancelled read's bytes go to the next pending read first",
    section: "§9 (decisions.md cancelled read)",
    async run({ sim, task, sys }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(16);
      equal(submit(task, port, [rd(1, fd, buf, 8), rd(2, fd, buf + 8, 3)]), 2);
      sim.uart(0).inject("pqrs");
      await sim.advance(CT[2]!); // p, q in read 1
      const log = record(sim, task, port);
      equal(sys.io_cancel(port, 1), 1);
      await sim.advance(10_000_000);
      deepEqual([log, ascii(bytesAt(task, buf + 8, 3))], [[[1n, -ECANCELED, CT[2]], [2n, 3, CT[3]]], "pqr"]);
      return log;
    },
  },
  {
    name: "a cancel whose returned bytes complete the next read: -ECANCELED is queued first",
    section: "§9 more fine print",
    async run({ sim, task, sys }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(16);
      equal(submit(task, port, [rd(1, fd, buf, 8), rd(2, fd, buf + 8, 2)]), 2);
      sim.uart(0).inject("pq");
      await sim.advance(CT[2]!);
      equal(sys.io_cancel(port, 1), 1);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([r, ascii(bytesAt(task, buf + 8, 2))], [[[1n, 2, -ECANCELED], [2n, 2, 2]], "pq"]);
      return r;
    },
  },
  {
    name: "io_cancel cancels every match before releasing: an earlier match's bytes complete no later match, and stay for the next read",
    section: "§3 io_cancel (decisions.md)",
    async run({ sim, task, sys }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(16);
      equal(submit(task, port, [rd(5, fd, buf, 8), rd(5, fd, buf + 8, 1)]), 2);
      sim.uart(0).inject("z");
      await sim.advance(CT[1]!);
      const n = sys.io_cancel(port, 5);
      const r = (await poll(task, port)).cqes.map(brief);
      equal(submit(task, port, [rd(6, fd, buf + 12, 1)]), 1);
      const later = (await poll(task, port)).cqes.map(brief);
      deepEqual([n, r, later, task.memory[buf + 12]], [2, [[5n, 2, -ECANCELED], [5n, 2, -ECANCELED]], [[6n, 2, 1]], 122]);
      return [n, r, later];
    },
  },
  {
    name: "a cancelled read holding more than the buffer: every byte is kept, in order, and no overflow is reported",
    section: "§9 (decisions.md cancelled read)",
    async run({ sim, task, sys }) {
      const { port, fd } = setup(task);
      const buf = task.alloc(600);
      equal(submit(task, port, [rd(1, fd, buf, 300)]), 1);
      const data: number[] = [];
      for (let i = 0; i < 280; i++) data.push(i & 0xff);
      sim.uart(0).inject(data);
      await sim.advance(30_000_000); // 280 bytes, then the idle gap ends the read
      const partial = (await poll(task, port)).cqes.map(brief);
      equal(submit(task, port, [rd(2, fd, buf, 300)]), 1);
      sim.uart(0).inject(data);
      await sim.advance(CT[10]! * 28);
      // read 2 holds all 280, more than the 256-byte ring: cancelled with
      // no other read pending, they all go back (the ring grows to hold them)
      equal(sys.io_cancel(port, 2), 1);
      equal(submit(task, port, [rd(3, fd, buf, 300), rd(4, fd, buf + 300, 300)]), 2);
      await sim.advance(10_000_000);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual(
        [partial, r, bytesAt(task, buf, 3), bytesAt(task, buf + 277, 3), sim.uart(0).overruns],
        [[[1n, 2, 280]], [[2n, 2, -ECANCELED], [3n, 2, 280]], [0, 1, 2], [21, 22, 23], 0],
      );
      return [partial, r];
    },
  },
  {
    name: "a write is transmitted at the baud rate and completes with the count when sent",
    section: "§4.4 §9",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const buf = put(task, "hello");
      equal(submit(task, port, [wr(1, fd, buf, 5)]), 1);
      const log = record(sim, task, port);
      await sim.advance(CT[2]!);
      const partial = sim.uart(0).receivedText();
      await sim.advance(CT[3]! - CT[2]! - 1);
      const justBefore = sim.uart(0).receivedText();
      await settleAll(sim);
      deepEqual([partial, justBefore, log, sim.uart(0).receivedText()], ["he", "he", [[1n, 5, CT[5]]], "hello"]);
      return log;
    },
  },
  {
    name: "write bytes are copied at submit time",
    section: "§4.4",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const buf = put(task, "data");
      equal(submit(task, port, [wr(1, fd, buf, 4)]), 1);
      task.memory.fill(0x21, buf, buf + 4);
      await settleAll(sim);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([r, sim.uart(0).receivedText()], [[[1n, OP_WRITE, 4]], "data"]);
      return r;
    },
  },
  {
    name: "queued writes: each is a burst starting when the previous write completes",
    section: "§9 (decisions.md UART write completion)",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const [a, b] = [sys.open("/dev/uart1", 0), sys.open("/dev/uart1", 0)];
      equal(submit(task, port, [wr(1, a, put(task, "ab"), 2), wr(2, b, put(task, "cd"), 2), wr(3, a, put(task, "e"), 1)]), 3);
      const log = record(sim, task, port);
      await settleAll(sim);
      deepEqual([log, sim.uart(1).receivedText()], [[[1n, 2, CT[2]], [2n, 2, 2 * CT[2]!], [3n, 1, 2 * CT[2]! + CT[1]!]], "abcde"]);
      return log;
    },
  },
  {
    name: "a cancelled write stops at once; the line is free from the cancel time",
    section: "§9 more fine print",
    async run({ sim, task, sys }) {
      const { port, fd } = setup(task);
      equal(submit(task, port, [wr(1, fd, put(task, "0123456789"), 10), wr(2, fd, put(task, "Z"), 1)]), 2);
      const log = record(sim, task, port);
      const tc = CT[3]! + 5;
      sim.at(tc, () => sys.io_cancel(port, 1));
      await settleAll(sim);
      deepEqual([log, sim.uart(0).receivedText()], [[[1n, -ECANCELED, tc], [2n, 1, tc + CT[1]!]], "012Z"]);
      return log;
    },
  },
  {
    name: "received() includes a byte once it has been sent, and nothing else",
    section: "§8 §9",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      equal(submit(task, port, [wr(1, fd, put(task, [0, 255, 128]), 3)]), 1);
      const seen: number[][] = [];
      for (let k = 1; k <= 3; k++) {
        await sim.advance(CT[k]! - 1 - sim.now);
        seen.push(Array.from(sim.uart(0).received()));
        await sim.advance(1);
      }
      seen.push(Array.from(sim.uart(0).received()));
      deepEqual(seen, [[], [0], [0, 255], [0, 255, 128]]);
      equal(sim.uart(1).received().length, 0);
      return seen;
    },
  },
  {
    name: "closing the last reference to a stream cancels its reads and writes in submission order",
    section: "§9 objects and close (decisions.md)",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const [a, b] = [sys.open("/dev/uart0", 0), sys.open("/dev/uart0", 0)];
      const buf = task.alloc(8);
      equal(submit(task, port, [rd(1, a, buf, 4), wr(2, a, put(task, "xyz"), 3), rd(3, b, buf + 4, 1), rd(4, a, buf, 4)]), 4);
      const d = sys.dup(a);
      equal(sys.close(a), 0);
      equal((await poll(task, port)).n, 0, "a dup keeps the stream open");
      equal(sys.close(d), 0);
      const r = (await poll(task, port)).cqes.map(brief);
      sim.uart(0).inject("k");
      await settleAll(sim);
      const later = (await poll(task, port)).cqes.map(brief);
      deepEqual([r, later, sim.uart(0).receivedText()], [[[1n, 2, -ECANCELED], [2n, 3, -ECANCELED], [4n, 2, -ECANCELED]], [[3n, 2, 1]], ""]);
      return [r, later];
    },
  },
];

export default cases;
