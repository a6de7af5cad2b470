/**
 * Debounced button, async style: wait for an edge on the button pin, wait
 * `debounceMs` (default 10), swallow the bounces latched meanwhile, and if
 * the button reads pressed toggle the LED. Options: { pin?, led?, debounceMs?,
 * presses? } — with `presses`, the task returns after that many presses.
 */
import { COMPLETION_SIZE, IRQ_FALLING, IRQ_RISING, OP_IRQ_WAIT, OP_TIMEOUT, encodeSubmission } from "ioport";
import type { TaskContext } from "ioport/host-sim";

export default async function debounce({ task, sys, board, options, log }: TaskContext): Promise<void> {
  const pin = Number(options.pin ?? board.button ?? 0);
  const led = Number(options.led ?? board.led ?? 2);
  const debounceNs = Number(options.debounceMs ?? 10) * 1_000_000;
  const presses = options.presses === undefined ? Infinity : Number(options.presses);
  const port = sys.io_create(0);
  const irq = sys.irq_create(pin, IRQ_RISING | IRQ_FALLING);
  if (irq < 0) throw new Error(`irq_create(${pin}) failed: ${irq}`);
  const sqe = task.alloc(48);
  const cqe = task.alloc(COMPLETION_SIZE);
  const submit = (ud: number, opcode: number, extra: { fd?: number; timeoutNs?: number } = {}) => {
    encodeSubmission(task.view, sqe, { userData: ud, opcode, ...extra });
    return sys.io_submit(port, sqe, 1);
  };
  let on = 0;
  let count = 0;
  while (count < presses) {
    submit(1, OP_IRQ_WAIT, { fd: irq });
    if ((await sys.io_wait(port, cqe, 1, 1, 0)) !== 1) return; // exiting
    submit(2, OP_TIMEOUT, { timeoutNs: debounceNs });
    await sys.io_wait(port, cqe, 1, 1, 0);
    // swallow the bounces latched while we waited
    submit(3, OP_IRQ_WAIT, { fd: irq });
    if ((await sys.io_wait(port, cqe, 1, 0, 0)) === 0) {
      sys.io_cancel(port, 3n);
      await sys.io_wait(port, cqe, 1, 1, 0);
    }
    if (sys.gpio_read(pin) === 1) {
      on ^= 1;
      sys.gpio_write(led, on);
      count++;
      log(`press ${count}: LED ${on ? "on" : "off"}`);
    }
  }
  task.exit();
}
