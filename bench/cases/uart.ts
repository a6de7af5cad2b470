/**
 * UART receive throughput: bytes per second of CPU time through OP_READ
 * with 64-byte reads (inject bytes, advance virtual time, reap).
 *
 * Both sides take the same bytes from the same simulated UART (one event per
 * byte on the simulator's event queue, at 115200 baud of virtual time), and
 * virtual time is advanced the same way (`advanceSync`: the due events in
 * order, no promise turns). Bytes are injected 1024 at a time from one
 * preallocated block.
 *
 * - Baseline: a plain serial sink: each byte goes into a 256-byte ring (the
 *   board's receive buffer size); whenever 64 are there, they are copied into
 *   task memory and a handler runs that reads the first one.
 * - ioport: a driver loop on `/dev/uart0` with an OP_READ of 64 bytes always
 *   armed and one persistent io_wait_cb callback: bytes go into the read's
 *   kernel buffer, a full read completes, the flush reaps it (copy-out to
 *   task memory + 24-byte completion) and calls the callback, which reads the
 *   first byte, re-arms the read and waits again.
 */
import { OP_READ, writeSubmission, type SerialSink } from "../../core/index.js";
import { Simulator } from "../../host-sim/index.js";
import { rearmLoop } from "../lib/rearm.js";
import { advanceSync } from "../lib/sim.js";
import type { BenchCase, Variant } from "../lib/types.js";

const READ = 64;
const BLOCK = 1024;

function block(): Uint8Array {
  const b = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) b[i] = (i * 7 + 3) & 0xff;
  return b;
}

/** Feeds `n` bytes (rounded up to whole reads) through `sim`'s UART 0 and runs virtual time past the last. */
function feeder(sim: Simulator): (n: number) => number {
  const uart = sim.uart(0);
  const data = block();
  return (n: number) => {
    let left = Math.ceil(n / READ) * READ;
    const total = left;
    while (left > 0) {
      const k = left < BLOCK ? left : BLOCK;
      uart.inject(k === BLOCK ? data : data.subarray(0, k));
      advanceSync(sim, uart.rxIdleAt - sim.now);
      left -= k;
    }
    return total;
  };
}

/** The baseline's loop: the same bytes from the same simulated UART into a plain ring and task memory. */
export function uartBaselineLoop(): (n: number) => void {
    const sim = new Simulator();
    const ring = new Uint8Array(256);
    const mem = new Uint8Array(4096);
    const dst = 512;
    let head = 0;
    let count = 0;
    let got = 0;
    let sum = 0;
    const handler = (len: number): void => {
      got += len;
      sum += mem[dst] as number;
    };
    const sink: SerialSink = {
      receive(byte: number): boolean {
        if (count === ring.length) return false;
        let at = head + count;
        if (at >= ring.length) at -= ring.length;
        ring[at] = byte;
        count++;
        if (count >= READ) {
          for (let i = 0; i < READ; i++) {
            mem[dst + i] = ring[head] as number;
            if (++head === ring.length) head = 0;
          }
          count -= READ;
          handler(READ);
        }
        return true;
      },
      receiveBytes(data: Uint8Array, n: number): number {
        let kept = 0;
        for (let i = 0; i < n; i++) if (sink.receive(data[i] as number, 0)) kept++;
        return kept;
      },
      transmitDone(): void {},
    };
    sim.uart(0).connect(sink);
    const feed = feeder(sim);
    return (n: number) => {
      const before = got;
      const total = feed(n);
      if (got - before !== total) throw new Error(`baseline received ${got - before} of ${total} bytes`);
      if (sum < 0) throw new Error("unreachable");
    };
}

const baseline: Variant = { label: "plain ring buffer → task memory", setup: uartBaselineLoop };

/** The ioport driver loop reading /dev/uart0; `run(n)` feeds n bytes (rounded up to whole reads) through it. */
export function uartDriverLoop(): (n: number) => void {
  const sim = new Simulator();
  const task = sim.spawn({ memoryBytes: 4096 });
  const sys = task.sys;
  const view = task.view;
  const mem = task.memory;
  const port = sys.io_create(0);
  const fd = sys.open("/dev/uart0");
  if (port < 0 || fd < 0) throw new Error(`setup failed: port ${port}, uart ${fd}`);
  const sqe = task.alloc(48);
  const buf = task.alloc(READ);
  writeSubmission(view, sqe, 9, 0, OP_READ, 0, fd, buf, READ, 0);
  let got = 0;
  let sum = 0;
  rearmLoop(task, port, sqe, (result) => {
    got += result;
    sum += mem[buf] as number;
  });
  const feed = feeder(sim);
  return (n: number) => {
    const before = got;
    const total = feed(n);
    if (got - before !== total) throw new Error(`driver loop received ${got - before} of ${total} bytes`);
    if (sum < 0) throw new Error("unreachable");
  };
}

export function uartCases(): BenchCase[] {
  return [
    {
      id: "uart-rx",
      title: "UART receive, 64-byte reads",
      unit: "byte",
      baseline,
      variants: [{ label: "OP_READ + io_wait_cb", setup: uartDriverLoop }],
    },
  ];
}
