/** §4.3/§4.4/§4.10 OP_READ, OP_WRITE, OP_TRANSFER on SPI; §9 simulated SPI (sim-devkit: 1 MHz) and the SPI flash model. */
import { EBADF, ECANCELED, EFAULT, OP_READ, OP_TRANSFER, OP_WRITE, type Task } from "../../core/index.js";
import {
  FLASH_JEDEC_ID,
  FLASH_PAGE_PROGRAM,
  FLASH_READ,
  FLASH_READ_STATUS,
  FLASH_SECTOR_ERASE,
  FLASH_WRITE_ENABLE,
  SpiFlash,
  type Simulator,
} from "../../host-sim/index.js";
import { deepEqual, equal } from "./assert.js";
import { brief, bytesAt, poll, put, record, submit, type Sqe } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

/** ns per byte at 1 MHz: ceil(8·1e9/1e6). */
const B = 8000;

function op(opcode: number, userData: number | bigint, fd: number, bufAddr: number, bufLen: number): Sqe {
  return { userData, opcode, fd, bufAddr, bufLen };
}
const rd = (u: number, fd: number, a: number, n: number): Sqe => op(OP_READ, u, fd, a, n);
const wr = (u: number, fd: number, a: number, n: number): Sqe => op(OP_WRITE, u, fd, a, n);
const xfer = (u: number, fd: number, a: number, n: number): Sqe => op(OP_TRANSFER, u, fd, a, n);

/** A device model that logs [time, mosi] and answers each byte with its bitwise complement. */
function inverter(sim: Simulator): { log: [number, number[]][]; transfer(mosi: Uint8Array): Uint8Array } {
  const log: [number, number[]][] = [];
  return {
    log,
    transfer(mosi: Uint8Array): Uint8Array {
      log.push([sim.now, Array.from(mosi)]);
      return mosi.map((b) => ~b & 0xff);
    },
  };
}

function setup(task: Task): { port: number; fd: number } {
  return { port: task.sys.io_create(0), fd: task.sys.open("/dev/spi0", 0) };
}

/** One OP_TRANSFER frame on a fresh port, run to completion; returns MISO. */
async function frame(sim: Simulator, task: Task, fd: number, mosi: number[]): Promise<number[]> {
  const port = task.sys.io_create(0);
  const buf = put(task, mosi);
  equal(submit(task, port, [xfer(1, fd, buf, mosi.length)]), 1);
  await sim.advance(mosi.length * B);
  const r = await poll(task, port);
  equal(r.n, 1);
  equal(r.cqes[0]!.result, mosi.length);
  task.sys.close(port);
  return bytesAt(task, buf, mosi.length);
}

const cases: ConformanceCase[] = [
  {
    name: "OP_WRITE clocks the bytes out, completes after ceil(n*8e9/hz) with n",
    section: "§4.4 §9 SPI",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const dev = inverter(sim);
      sim.spi(0).attach(dev);
      equal(submit(task, port, [wr(1, fd, put(task, [1, 2, 3, 4]), 4)]), 1);
      const log = record(sim, task, port);
      await sim.advance(100_000);
      deepEqual([log, dev.log], [[[1n, 4, 4 * B]], [[0, [1, 2, 3, 4]]]]);
      return log;
    },
  },
  {
    name: "OP_READ clocks out 0xFF fill and returns what the device answered",
    section: "§4.3 SPI",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const dev = inverter(sim);
      sim.spi(0).attach(dev);
      const buf = task.alloc(3);
      equal(submit(task, port, [rd(1, fd, buf, 3)]), 1);
      await sim.advance(3 * B);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([r, dev.log, bytesAt(task, buf, 3)], [[[1n, OP_READ, 3]], [[0, [255, 255, 255]]], [0, 0, 0]]);
      return r;
    },
  },
  {
    name: "no device attached: MISO reads 0xFF",
    section: "§9 SPI",
    async run({ sim, task }) {
      const { fd } = setup(task);
      const miso = await frame(sim, task, fd, [0x9f, 0, 0x12, 0xff]);
      deepEqual(miso, [255, 255, 255, 255]);
      return miso;
    },
  },
  {
    name: "a MISO answer shorter than the frame is padded with 0xFF",
    section: "§9 SPI (decisions.md)",
    async run({ sim, task }) {
      const { fd } = setup(task);
      sim.spi(0).attach({ transfer: () => [1, 2] });
      const miso = await frame(sim, task, fd, [0, 0, 0, 0, 0]);
      deepEqual(miso, [1, 2, 255, 255, 255]);
      return miso;
    },
  },
  {
    name: "OP_TRANSFER: bytes copied out at submit, MISO written over the buffer at reap",
    section: "§4.10",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const dev = inverter(sim);
      sim.spi(0).attach(dev);
      const buf = put(task, [0x0f, 0xa5]);
      equal(submit(task, port, [xfer(1, fd, buf, 2)]), 1);
      task.memory[buf] = 0x00; // changed after submit: not what is sent
      await sim.advance(2 * B);
      const before = bytesAt(task, buf, 2);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([before, r, bytesAt(task, buf, 2), dev.log], [[0x00, 0xa5], [[1n, OP_TRANSFER, 2]], [0xf0, 0x5a], [[0, [0x0f, 0xa5]]]]);
      return [r, bytesAt(task, buf, 2)];
    },
  },
  {
    name: "transfers run one at a time in submission order; device.transfer called at each start",
    section: "§9 more fine print",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const [a, b] = [sys.open("/dev/spi0", 0), sys.open("/dev/spi0", 0)];
      const dev = inverter(sim);
      sim.spi(0).attach(dev);
      const buf = task.alloc(16);
      equal(submit(task, port, [wr(1, a, put(task, [7, 7]), 2), rd(2, b, buf, 1), xfer(3, a, put(task, [1, 2, 3]), 3), wr(4, b, put(task, [9]), 1)]), 4);
      const log = record(sim, task, port);
      await sim.advance(1_000_000);
      deepEqual(log, [[1n, 2, 2 * B], [2n, 1, 3 * B], [3n, 3, 6 * B], [4n, 1, 7 * B]]);
      deepEqual(dev.log.map((e) => e[0]), [0, 2 * B, 3 * B, 6 * B]);
      return [log, dev.log];
    },
  },
  {
    name: "a transfer submitted while the bus is busy starts when it frees",
    section: "§9 SPI",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const dev = inverter(sim);
      sim.spi(0).attach(dev);
      equal(submit(task, port, [wr(1, fd, put(task, [1, 1, 1]), 3)]), 1);
      const log = record(sim, task, port);
      await sim.advance(1000);
      equal(submit(task, port, [wr(2, fd, put(task, [2]), 1)]), 1);
      await sim.advance(5 * B);
      await sim.advance(20 * B); // idle bus: a new transfer starts at once
      equal(submit(task, port, [wr(3, fd, put(task, [3]), 1)]), 1);
      await sim.advance(5 * B);
      deepEqual(log, [[1n, 3, 3 * B], [2n, 1, 4 * B], [3n, 1, 1000 + 25 * B + B]]);
      deepEqual(dev.log.map((e) => e[0]), [0, 3 * B, 1000 + 25 * B]);
      return log;
    },
  },
  {
    name: "a cancelled transfer stops at once and frees the bus from the cancel time",
    section: "§9 more fine print",
    async run({ sim, task, sys }) {
      const { port, fd } = setup(task);
      const dev = inverter(sim);
      sim.spi(0).attach(dev);
      equal(submit(task, port, [wr(1, fd, put(task, new Array<number>(100).fill(0)), 100), wr(2, fd, put(task, [5]), 1)]), 2);
      const log = record(sim, task, port);
      sim.at(10_000, () => sys.io_cancel(port, 1));
      await sim.advance(1_000_000);
      deepEqual(log, [[1n, -ECANCELED, 10_000], [2n, 1, 10_000 + B]]);
      deepEqual(dev.log.map((e) => e[0]), [0, 10_000]);
      return log;
    },
  },
  {
    name: "a cancelled queued transfer never reaches the device",
    section: "§3 io_cancel §9",
    async run({ sim, task, sys }) {
      const { port, fd } = setup(task);
      const dev = inverter(sim);
      sim.spi(0).attach(dev);
      equal(submit(task, port, [wr(1, fd, put(task, [1]), 1), wr(2, fd, put(task, [2]), 1), wr(3, fd, put(task, [3]), 1)]), 3);
      equal(sys.io_cancel(port, 2), 1);
      const log = record(sim, task, port);
      await sim.advance(1_000_000);
      deepEqual([log, dev.log], [[[2n, -ECANCELED, 0], [1n, 1, B], [3n, 1, 2 * B]], [[0, [1]], [B, [3]]]]);
      return log;
    },
  },
  {
    name: "OP_TRANSFER on anything but an SPI stream -> -EBADF",
    section: "§4.10",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const uart = sys.open("/dev/uart0", 0);
      const n = sys.notify_create(0);
      const buf = task.alloc(4);
      equal(submit(task, port, [xfer(1, uart, buf, 4), xfer(2, port, buf, 4), xfer(3, n, buf, 4), xfer(4, 50, buf, 4)]), 4);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual(r, [[1n, 8, -EBADF], [2n, 8, -EBADF], [3n, 8, -EBADF], [4n, 8, -EBADF]]);
      return r;
    },
  },
  {
    name: "OP_TRANSFER: buf_len 0 -> 0 at once, buffer unchecked, device not called; bad buffer -> -EFAULT",
    section: "§4.10",
    async run({ sim, task }) {
      const { port, fd } = setup(task);
      const dev = inverter(sim);
      sim.spi(0).attach(dev);
      equal(submit(task, port, [xfer(1, fd, 0, 0), xfer(2, fd, 1 << 30, 0), xfer(3, fd, 0, 1), xfer(4, fd, 65535, 2)]), 4);
      const r = (await poll(task, port)).cqes.map(brief);
      deepEqual([r, dev.log.length, sim.spi(0).transfers], [[[1n, 8, 0], [2n, 8, 0], [3n, 8, -EFAULT], [4n, 8, -EFAULT]], 0, 0]);
      return r;
    },
  },
  {
    name: "closing the last reference to an SPI stream cancels its transfers; others' go on",
    section: "§9 objects and close",
    async run({ sim, task, sys }) {
      const port = sys.io_create(0);
      const [a, b] = [sys.open("/dev/spi0", 0), sys.open("/dev/spi0", 0)];
      equal(submit(task, port, [wr(1, a, put(task, [1, 1]), 2), wr(2, b, put(task, [2]), 1), rd(3, a, task.alloc(1), 1)]), 3);
      const log = record(sim, task, port);
      sim.at(B, () => sys.close(a));
      await sim.advance(1_000_000);
      deepEqual(log, [[1n, -ECANCELED, B], [3n, -ECANCELED, B], [2n, 1, 2 * B]]);
      return log;
    },
  },
  {
    name: "SPI flash: JEDEC ID and status through OP_TRANSFER",
    section: "§8 §9 SPI flash model",
    async run({ sim, task }) {
      const { fd } = setup(task);
      sim.spi(0).attach(new SpiFlash());
      const id = await frame(sim, task, fd, [FLASH_JEDEC_ID, 0, 0, 0]);
      const st = await frame(sim, task, fd, [FLASH_READ_STATUS, 0]);
      deepEqual([id, st], [[0xff, 0xef, 0x40, 0x14], [0xff, 0]]);
      return [id, st];
    },
  },
  {
    name: "SPI flash: program needs write enable; read back; erase restores 0xFF",
    section: "§8 §9 SPI flash model",
    async run({ sim, task }) {
      const { fd } = setup(task);
      const flash = new SpiFlash({ pageProgramNs: 50_000, sectorEraseNs: 100_000 });
      sim.spi(0).attach(flash);
      const out: unknown[] = [];
      await frame(sim, task, fd, [FLASH_PAGE_PROGRAM, 0, 1, 0, 0x12]); // no WEL: ignored
      out.push((await frame(sim, task, fd, [FLASH_READ, 0, 1, 0, 0])).slice(4));
      await frame(sim, task, fd, [FLASH_WRITE_ENABLE]);
      out.push((await frame(sim, task, fd, [FLASH_READ_STATUS, 0]))[1]);
      await frame(sim, task, fd, [FLASH_PAGE_PROGRAM, 0, 1, 0, 0x12, 0x34]);
      out.push((await frame(sim, task, fd, [FLASH_READ_STATUS, 0]))[1]); // WIP | WEL
      await sim.advance(60_000);
      out.push((await frame(sim, task, fd, [FLASH_READ_STATUS, 0]))[1]);
      out.push((await frame(sim, task, fd, [FLASH_READ, 0, 1, 0, 0, 0, 0])).slice(4));
      await frame(sim, task, fd, [FLASH_WRITE_ENABLE]);
      await frame(sim, task, fd, [FLASH_SECTOR_ERASE, 0, 1, 0]);
      await sim.advance(200_000);
      out.push((await frame(sim, task, fd, [FLASH_READ, 0, 1, 0, 0, 0])).slice(4));
      deepEqual(out, [[0xff], 2, 3, 0, [0x12, 0x34, 0xff], [0xff, 0xff]]);
      return out;
    },
  },
];

export default cases;
