/**
 * OP_READ / OP_WRITE (spec §4.3-4.4) and OP_TRANSFER (ioport extension,
 * docs/spec.md §4.10) on device streams. Checks in the contract's order:
 * fd kind (-EBADF), zero length (result 0 at once, buffer unchecked),
 * buffer (-EFAULT), then device state (-EOVERFLOW, UART reads only).
 * Bytes to send are copied out of the submitter's memory here, at submit.
 */
import { copyBytes } from "../bytes.js";
import { EBADF, EFAULT } from "../errno.js";
import type { Kernel } from "../kernel.js";
import { DeviceStream } from "../objects/device.js";
import { KIND_DEVICE } from "../objects/object.js";
import { SpiBus } from "../objects/spi.js";
import type { Op } from "../op.js";
import type { Task } from "../task.js";

/** Common front: returns the stream, or null after completing the op. */
function front(kernel: Kernel, op: Op, task: Task): DeviceStream | null {
  const obj = task.get(op.fd);
  if (obj === null || obj.kind !== KIND_DEVICE) {
    kernel.complete(op, -EBADF);
    return null;
  }
  if (op.bufLen === 0) {
    kernel.complete(op, 0);
    return null;
  }
  if (!task.validRange(op.bufAddr, op.bufLen)) {
    kernel.complete(op, -EFAULT);
    return null;
  }
  const s = obj as DeviceStream;
  op.target = s;
  op.obj = s.dev;
  return s;
}

export function opRead(kernel: Kernel, op: Op, task: Task): void {
  const s = front(kernel, op, task);
  if (s === null) return;
  const dev = s.dev;
  if (dev instanceof SpiBus) {
    const d = op.ensureData(op.bufLen);
    d.fill(0xff, 0, op.bufLen);
    op.dataLen = op.bufLen;
    dev.submit(op);
  } else {
    dev.read(op);
  }
}

/** OP_WRITE, and OP_TRANSFER on an SPI stream (`op.opcode` tells the bus to copy received bytes back). */
export function opWrite(kernel: Kernel, op: Op, task: Task): void {
  const s = front(kernel, op, task);
  if (s === null) return;
  const d = op.ensureData(op.bufLen);
  copyBytes(d, 0, task.memory, op.bufAddr, op.bufLen);
  op.dataLen = op.bufLen;
  const dev = s.dev;
  if (dev instanceof SpiBus) dev.submit(op);
  else dev.write(op);
}

export function opTransfer(kernel: Kernel, op: Op, task: Task): void {
  const obj = task.get(op.fd);
  // a full-duplex transfer exists only on an SPI bus: any other fd is the wrong kind
  if (obj === null || obj.kind !== KIND_DEVICE || !((obj as DeviceStream).dev instanceof SpiBus)) {
    kernel.complete(op, -EBADF);
    return;
  }
  opWrite(kernel, op, task);
}

