/**
 * The driver loop the UART and terminal cases share: one submission entry
 * submitted, then submitted again after each of its completions, reaped by
 * one persistent io_wait_cb callback (nothing allocated per completion).
 */
import { COMPLETION_SIZE, EINPROGRESS, readI64, type Task } from "../../core/index.js";

/** Arms the entry at `sqe` on `port` and keeps it armed; `onResult` sees each completion's result first. */
export function rearmLoop(task: Task, port: number, sqe: number, onResult: (result: number) => void): void {
  const sys = task.sys;
  const view = task.view;
  const cqes = task.alloc(COMPLETION_SIZE * 4);
  const onWait = (n: number): void => {
    for (let i = 0; i < n; i++) {
      onResult(readI64(view, cqes + i * COMPLETION_SIZE + 8));
      if (sys.io_submit(port, sqe, 1) !== 1) throw new Error("re-arm failed");
    }
    const r = sys.io_wait_cb(port, cqes, 4, 1, 0, onWait);
    if (r >= 0) onWait(r);
    else if (r !== -EINPROGRESS) throw new Error(`io_wait_cb: ${r}`);
  };
  if (sys.io_submit(port, sqe, 1) !== 1) throw new Error("arm failed");
  onWait(0);
}
