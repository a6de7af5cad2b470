/**
 * §4.12 terminal mode (ioport extension): open(path, OPEN_TTY) on a UART.
 * The kernel edits and echoes lines as the keys arrive; reads return lines.
 * sim-devkit: 115200 baud, a 256-byte receive buffer (so a line holds 255
 * keys and its terminator).
 */
import { EOVERFLOW, OP_READ, OPEN_TTY, type Task } from "../../core/index.js";
import type { Simulator } from "../../host-sim/index.js";
import { deepEqual, equal } from "./assert.js";
import { ascii, brief, bytesAt, poll, put, rd, record, submit, wr } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

/** ceil(k·10^10/115200): byte k of a burst arrives this long after its start; also one byte's time on the wire. */
const CT = [0, 86806, 173612, 260417, 347223, 434028, 520834];


function tty(task: Task, path = "/dev/uart0"): { port: number; fd: number } {
  const port = task.sys.io_create(0);
  const fd = task.sys.open(path, OPEN_TTY);
  if (fd < 0) throw new Error(`open ${path}, OPEN_TTY: ${fd}`);
  return { port, fd };
}

async function settle(sim: Simulator): Promise<void> {
  await sim.advance(50_000_000);
}

const cases: ConformanceCase[] = [
  {
    name: "keys echo as they arrive; a read completes with the edited line when its end arrives, with no idle gap",
    section: "§4.12",
    async run({ sim, task }) {
      const { port, fd } = tty(task);
      const buf = task.alloc(16);
      equal(submit(task, port, [rd(1, fd, buf, 16)]), 1);
      const log = record(sim, task, port);
      const seen: string[] = [];
      // the first key arrives at CT[1] and its echo, sent at once, is on the wire one byte time later
      sim.at(2 * CT[1]! + 1, () => seen.push(sim.uart(0).receivedText()));
      sim.uart(0).inject("ab\x7fc\r");
      await settle(sim);
      deepEqual([seen, log, ascii(bytesAt(task, buf, 3)), sim.uart(0).receivedText()], [["a"], [[1n, 3, CT[5]]], "ac\n", "ab\b \bc\r\n"]);
      return [seen, log];
    },
  },
  {
    name: "finished lines wait in the receive buffer; each read takes one line",
    section: "§4.12",
    async run({ sim, task }) {
      const { port, fd } = tty(task);
      sim.uart(0).inject("one\rtwo\r");
      await settle(sim);
      const [a, b] = [task.alloc(16), task.alloc(16)];
      equal(submit(task, port, [rd(1, fd, a, 16), rd(2, fd, b, 16), rd(3, fd, b, 16)]), 3);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([r, ascii(bytesAt(task, a, 4)), ascii(bytesAt(task, b, 4))], [[[1n, OP_READ, 4], [2n, OP_READ, 4]], "one\n", "two\n"]);
      return r;
    },
  },
  {
    name: "CR LF is one end of line, LF alone is one; Ctrl-U erases the line; escape sequences are swallowed; other control bytes are ignored",
    section: "§4.12",
    async run({ sim, task }) {
      const { port, fd } = tty(task);
      sim.uart(0).inject("x\x15ab\x1b[Ac\x01\r\nd\n");
      await settle(sim);
      const [a, b] = [task.alloc(16), task.alloc(16)];
      equal(submit(task, port, [rd(1, fd, a, 16), rd(2, fd, b, 16)]), 2);
      const r = (await poll(task, port)).cqes.map(brief);
      const out = [r, ascii(bytesAt(task, a, 4)), ascii(bytesAt(task, b, 2)), sim.uart(0).receivedText()];
      deepEqual(out, [[[1n, OP_READ, 4], [2n, OP_READ, 2]], "abc\n", "d\n", "x\b \babc\r\nd\r\n"]);
      return out;
    },
  },
  {
    name: "Ctrl-C drops the line, echoes ^C and ends a line of the lone byte 0x03",
    section: "§4.12",
    async run({ sim, task }) {
      const { port, fd } = tty(task);
      const buf = task.alloc(16);
      equal(submit(task, port, [rd(1, fd, buf, 16)]), 1);
      const log = record(sim, task, port);
      sim.uart(0).inject("abc\x03");
      await settle(sim);
      deepEqual([log, task.memory[buf], sim.uart(0).receivedText()], [[[1n, 1, CT[4]]], 3, "abc^C\r\n"]);
      return log;
    },
  },
  {
    name: "a key past the line's room rings the bell and is not added; a read shorter than the line takes it in parts",
    section: "§4.12",
    async run({ sim, task }) {
      const { port, fd } = tty(task);
      sim.uart(0).inject("a".repeat(256) + "\r");
      await settle(sim);
      const [a, b] = [task.alloc(200), task.alloc(200)];
      equal(submit(task, port, [rd(1, fd, a, 200), rd(2, fd, b, 200)]), 2);
      const r = (await poll(task, port)).cqes.map(brief);
      const text = sim.uart(0).receivedText();
      const out = [r, task.memory[b + 55], text.length, text.slice(-4)];
      deepEqual(out, [[[1n, OP_READ, 200], [2n, OP_READ, 56]], 10, 258, "aa\x07\r\n".slice(-4)]);
      return out;
    },
  },
  {
    name: "a finished line with no room in the receive buffer is dropped whole: the next read gets -EOVERFLOW, later lines are read",
    section: "§4.12 §9 simulated devices",
    async run({ sim, task }) {
      const { port, fd } = tty(task);
      sim.uart(0).inject("b".repeat(200) + "\r" + "c".repeat(100) + "\rok\r");
      await settle(sim);
      const [a, b, c] = [task.alloc(256), task.alloc(16), task.alloc(16)];
      equal(submit(task, port, [rd(1, fd, c, 16), rd(2, fd, a, 256), rd(3, fd, b, 16)]), 3);
      const r = (await poll(task, port)).cqes.map(brief);
      const out = [r, ascii(bytesAt(task, b, 3)), sim.uart(0).overruns];
      deepEqual(out, [[[1n, OP_READ, -EOVERFLOW], [2n, OP_READ, 201], [3n, OP_READ, 3]], "ok\n", 1]);
      return out;
    },
  },
  {
    name: "echo goes out between writes: after the bytes of the write in progress, before the writes queued behind it",
    section: "§4.12",
    async run({ sim, task }) {
      const { port, fd } = tty(task);
      const a = put(task, "0123456789");
      const b = put(task, "XY");
      equal(submit(task, port, [wr(1, fd, a, 10), wr(2, fd, b, 2)]), 2);
      sim.uart(0).inject("k"); // arrives while "0123456789" is on the wire
      await settle(sim);
      const text = sim.uart(0).receivedText();
      equal(text, "0123456789kXY");
      return text;
    },
  },
  {
    name: "terminal mode is the device's: a plain stream reads lines while a terminal stream is open; after the last closes, the line being edited is read as plain bytes",
    section: "§4.12",
    async run({ sim, task, sys }) {
      const { port, fd } = tty(task);
      const raw = sys.open("/dev/uart0", 0);
      const buf = task.alloc(16);
      sim.uart(0).inject("hi\rpar");
      await settle(sim);
      equal(submit(task, port, [rd(1, raw, buf, 16)]), 1);
      const first = (await poll(task, port)).cqes.map(brief);
      const line = ascii(bytesAt(task, buf, 3));
      equal(sys.close(fd), 0);
      equal(submit(task, port, [rd(2, raw, buf, 16)]), 1);
      const second = (await poll(task, port)).cqes.map(brief);
      const out = [first, line, second, ascii(bytesAt(task, buf, 3)), sim.uart(0).receivedText()];
      deepEqual(out, [[[1n, OP_READ, 3]], "hi\n", [[2n, OP_READ, 3]], "par", "hi\r\npar"]);
      return out;
    },
  },
  {
    name: "the unfinished line is kept when terminal mode ends even with the receive buffer full of lines",
    section: "§4.12",
    async run({ sim, task, sys }) {
      const { port, fd } = tty(task);
      sim.uart(0).inject("a".repeat(200) + "\r" + "b".repeat(100));
      await settle(sim);
      equal(sys.close(fd), 0);
      const raw = sys.open("/dev/uart0", 0);
      const buf = task.alloc(512);
      equal(submit(task, port, [rd(1, raw, buf, 512)]), 1);
      const r = (await poll(task, port)).cqes.map(brief);
      const got = ascii(bytesAt(task, buf, 301));
      const out = [r, got === "a".repeat(200) + "\n" + "b".repeat(100), sim.uart(0).overruns];
      deepEqual(out, [[[1n, OP_READ, 301]], true, 0]);
      return out;
    },
  },
];

export default cases;
