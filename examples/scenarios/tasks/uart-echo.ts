/**
 * UART echo, driver-loop style: one read in flight on /dev/uartN; each
 * completed read is written back and the read re-armed at once. One
 * persistent io_wait_cb callback, no Promise per completion — the shape of
 * firmware on a board. The function returns at once; the task lives on in
 * its callbacks. Options: { uart?: number }.
 */
import { COMPLETION_SIZE, OP_READ, OP_WRITE, readI64, writeSubmission } from "ioport";
import type { TaskContext } from "ioport/host-sim";

export default function uartEcho({ task, sys, options, log }: TaskContext): void {
  const path = `/dev/uart${Number(options.uart ?? 0)}`;
  const port = sys.io_create(0);
  const uart = sys.open(path);
  if (port < 0 || uart < 0) throw new Error(`cannot open ${path}: ${uart}`);
  const sqe = task.alloc(48);
  const cqes = task.alloc(COMPLETION_SIZE * 4);
  const rbuf = task.alloc(64);
  const wbuf = task.alloc(64);
  const READ = 1;
  const WRITE = 2;
  let lines = 0;
  const read = (): void => {
    writeSubmission(task.view, sqe, READ, 0, OP_READ, 0, uart, rbuf, 64, 0);
    sys.io_submit(port, sqe, 1);
  };
  const onWait = (n: number): void => {
    if (n < 0) return; // the port closed: the task is exiting
    for (let i = 0; i < n; i++) {
      const at = cqes + i * COMPLETION_SIZE;
      const ud = task.view.getUint32(at, true);
      const res = readI64(task.view, at + 8);
      if (ud === READ) {
        if (res > 0) {
          task.memory.copyWithin(wbuf, rbuf, rbuf + res);
          if (task.memory.subarray(rbuf, rbuf + res).includes(10)) log(`line ${++lines} echoed`);
          writeSubmission(task.view, sqe, WRITE, 0, OP_WRITE, 0, uart, wbuf, res, 0);
          sys.io_submit(port, sqe, 1);
        } else if (res < 0) log(`read error ${res}`);
        read();
      }
    }
    const r = sys.io_wait_cb(port, cqes, 4, 1, 0, onWait);
    if (r >= 0) onWait(r);
  };
  read();
  onWait(0);
  log(`echoing ${path}`);
}
