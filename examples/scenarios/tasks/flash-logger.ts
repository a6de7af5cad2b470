/**
 * SPI flash logger: a periodic timer IRQ (`periodMs`, default 10) samples
 * how many edges the sensor pin (`pin`, default 4) produced since the last
 * sample, and appends a 16-byte record (sample number, virtual time in µs,
 * edge count) to a W25Q-style SPI NOR flash: WRITE ENABLE, PAGE PROGRAM,
 * then READ STATUS until the write is done. At start it checks the JEDEC ID
 * and erases sector 0; after `records` records (default 8) it reads the log
 * back, checks it, and returns.
 */
import {
  COMPLETION_SIZE,
  IRQ_PERIODIC,
  IRQ_RISING,
  IRQ_TIMER_BASE,
  OP_IRQ_WAIT,
  OP_TIMEOUT,
  OP_TRANSFER,
  encodeSubmission,
  readI64,
} from "ioport";
import type { TaskContext } from "ioport/host-sim";

export default async function flashLogger({ task, sys, options, log }: TaskContext): Promise<void> {
  const periodNs = Number(options.periodMs ?? 10) * 1_000_000;
  const pin = Number(options.pin ?? 4);
  const records = Number(options.records ?? 8);
  const port = sys.io_create(0);
  const spi = sys.open("/dev/spi0");
  const timer = sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, periodNs);
  const sensor = sys.irq_create(pin, IRQ_RISING);
  if (spi < 0 || timer < 0 || sensor < 0) throw new Error(`set-up failed: spi ${spi}, timer ${timer}, sensor ${sensor}`);
  const sqe = task.alloc(48);
  const cqe = task.alloc(COMPLETION_SIZE);
  const buf = task.alloc(64 + 4 * 16);
  const mem = task.memory;

  /** One SPI frame in place at `buf`; returns the transfer's result. */
  const frame = async (bytes: number[], extra = 0): Promise<number> => {
    mem.fill(0, buf, buf + bytes.length + extra);
    mem.set(bytes, buf);
    encodeSubmission(task.view, sqe, { userData: 7, opcode: OP_TRANSFER, fd: spi, bufAddr: buf, bufLen: bytes.length + extra });
    sys.io_submit(port, sqe, 1);
    if ((await sys.io_wait(port, cqe, 1, 1, 0)) !== 1) throw new Error("io_wait failed");
    return readI64(task.view, cqe + 8);
  };
  const waitReady = async (): Promise<void> => {
    for (;;) {
      await frame([0x05], 1);
      if ((mem[buf + 1]! & 1) === 0) return;
      // still busy (WIP): poll again in 500 µs
      encodeSubmission(task.view, sqe, { userData: 8, opcode: OP_TIMEOUT, timeoutNs: 500_000 });
      sys.io_submit(port, sqe, 1);
      await sys.io_wait(port, cqe, 1, 1, 0);
    }
  };
  const irqWait = async (fd: number, min: number): Promise<number> => {
    encodeSubmission(task.view, sqe, { userData: 9, opcode: OP_IRQ_WAIT, fd });
    sys.io_submit(port, sqe, 1);
    const n = await sys.io_wait(port, cqe, 1, min, 0);
    if (n === 0) {
      sys.io_cancel(port, 9n);
      await sys.io_wait(port, cqe, 1, 1, 0);
      return 0;
    }
    const r = readI64(task.view, cqe + 8);
    return r > 0 ? r : 0;
  };

  await frame([0x9f], 3);
  const id = Array.from(mem.subarray(buf + 1, buf + 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  log(`flash JEDEC ID ${id}`);
  await frame([0x06]);
  await frame([0x20, 0, 0, 0]); // erase sector 0
  await waitReady();
  for (let k = 0; k < records; k++) {
    await irqWait(timer, 1);
    const edges = await irqWait(sensor, 0); // edges latched since the last sample (a poll)
    const rec = new DataView(new ArrayBuffer(16));
    rec.setUint32(0, k, true);
    rec.setUint32(4, Math.round(task.kernel.now() / 1000), true);
    rec.setUint32(8, edges, true);
    rec.setUint32(12, 0x474f4c21, true); // "!LOG"
    await frame([0x06]);
    await frame([0x02, 0, 0, k * 16, ...new Uint8Array(rec.buffer)]);
    await waitReady();
    log(`record ${k}: ${edges} edges`);
  }
  // read the log back
  await frame([0x03, 0, 0, 0], records * 16);
  for (let k = 0; k < records; k++) {
    const v = new DataView(mem.buffer, buf + 4 + k * 16, 16);
    if (v.getUint32(0, true) !== k || v.getUint32(12, true) !== 0x474f4c21) throw new Error(`record ${k} reads back wrong`);
  }
  log(`${records} records verified`);
  task.exit();
}
