/**
 * A terminal's line loop (OPEN_TTY, docs/spec.md §4.12) on the kernel
 * alone, for the allocation meter: a driver hands the kernel 64-key lines
 * in one batch each (`receiveBytes`, as the Moddable serial does); the
 * kernel edits them, echoes them through the backend's `transmitNow`, and
 * completes the read, whose io_wait_cb callback re-arms it. No simulator:
 * the simulated UART's own buffers would count as allocation here.
 */
import { Kernel, OP_READ, OPEN_TTY, writeSubmission, type Platform, type SerialBackend, type SerialSink } from "../../core/index.js";
import { rearmLoop } from "../lib/rearm.js";

/** 63 printable keys and a CR: a line of 64 bytes once edited ("\n" for the CR). */
function line(): Uint8Array {
  const b = new Uint8Array(64);
  for (let i = 0; i < 63; i++) b[i] = 0x61 + (i % 26);
  b[63] = 0x0d;
  return b;
}

export function ttyLineLoop(): (n: number) => void {
  let sink: SerialSink | null = null;
  let echoed = 0;
  const backend: SerialBackend = {
    path: "/dev/uart0",
    baud: 115200,
    rxBuffer: 256,
    connect(s) {
      sink = s;
    },
    transmit() {
      throw new Error("ttyLineLoop: the echo should have gone through transmitNow");
    },
    abortTransmit() {},
    transmitNow(_data, _off, len) {
      echoed += len;
      return true;
    },
  };
  const platform: Platform = { now: () => 0, schedule: () => 1, cancel: () => {}, devices: { serial: [backend] } };
  const kernel = new Kernel(platform);
  const task = kernel.spawn({ memoryBytes: 4096 });
  const sys = task.sys;
  const view = task.view;
  const port = sys.io_create(0);
  const fd = sys.open("/dev/uart0", OPEN_TTY);
  if (port < 0 || fd < 0) throw new Error(`setup failed: port ${port}, uart ${fd}`);
  const sqe = task.alloc(48);
  const buf = task.alloc(128);
  writeSubmission(view, sqe, 7, 0, OP_READ, 0, fd, buf, 128, 0);
  let lines = 0;
  rearmLoop(task, port, sqe, (result) => {
    if (result !== 64) throw new Error("ttyLineLoop: a read returned something else than the 64-byte line");
    lines++;
  });
  const data = line();
  return (n: number) => {
    const before = lines;
    const echoBefore = echoed;
    for (let i = 0; i < n; i++) (sink as SerialSink).receiveBytes(data, 64, 0);
    if (lines - before !== n) throw new Error(`ttyLineLoop: ${lines - before} of ${n} lines read`);
    if (echoed - echoBefore !== 65 * n) throw new Error(`ttyLineLoop: ${echoed - echoBefore} echo bytes for ${n} lines`);
  };
}
