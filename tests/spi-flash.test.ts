import { describe, it, expect } from "vitest";
import { OP_TRANSFER, decodeCompletion, encodeSubmission, type Task } from "../core/index.js";
import { SpiFlash, FLASH_STATUS_WEL, FLASH_STATUS_WIP, Simulator } from "../host-sim/index.js";

/** A tiny flash driver over OP_TRANSFER, as firmware would write it. */
class FlashDriver {
  private readonly port: number;
  private readonly fd: number;
  private readonly sqe: number;
  private readonly cqe: number;
  private readonly buf: number;
  polls = 0;
  constructor(private readonly t: Task) {
    this.port = t.sys.io_create(0);
    this.fd = t.sys.open("/dev/spi0");
    this.sqe = t.alloc(48);
    this.cqe = t.alloc(24);
    this.buf = t.alloc(512);
  }
  async xfer(frame: number[]): Promise<number[]> {
    const { t } = this;
    t.memory.set(frame, this.buf);
    encodeSubmission(t.view, this.sqe, { userData: 1, opcode: OP_TRANSFER, fd: this.fd, bufAddr: this.buf, bufLen: frame.length });
    expect(t.sys.io_submit(this.port, this.sqe, 1)).toBe(1);
    expect(await t.sys.io_wait(this.port, this.cqe, 1, 1, 0)).toBe(1);
    expect(decodeCompletion(t.view, this.cqe).result).toBe(frame.length);
    return Array.from(t.memory.subarray(this.buf, this.buf + frame.length));
  }
  async jedec(): Promise<number[]> {
    return (await this.xfer([0x9f, 0, 0, 0])).slice(1);
  }
  async status(): Promise<number> {
    return (await this.xfer([0x05, 0]))[1] as number;
  }
  async waitReady(): Promise<void> {
    while ((await this.status()) & FLASH_STATUS_WIP) this.polls++;
  }
  async read(addr: number, n: number): Promise<number[]> {
    return (await this.xfer([0x03, addr >> 16, (addr >> 8) & 0xff, addr & 0xff, ...new Array<number>(n).fill(0xff)])).slice(4);
  }
  async writeEnable(): Promise<void> {
    await this.xfer([0x06]);
  }
  async program(addr: number, data: number[]): Promise<void> {
    await this.writeEnable();
    await this.xfer([0x02, addr >> 16, (addr >> 8) & 0xff, addr & 0xff, ...data]);
    await this.waitReady();
  }
  async erase(addr: number): Promise<void> {
    await this.writeEnable();
    await this.xfer([0x20, addr >> 16, (addr >> 8) & 0xff, addr & 0xff]);
    await this.waitReady();
  }
}

function rig() {
  const sim = new Simulator({ seed: 3 });
  const flash = new SpiFlash({ sizeBytes: 64 * 1024 });
  sim.spi(0).attach(flash);
  const t = sim.spawn();
  return { sim, flash, t, drv: new FlashDriver(t) };
}

describe("SPI NOR flash model", () => {
  it("answers JEDEC ID and starts erased", async () => {
    const { sim, drv } = rig();
    expect(await sim.run(() => drv.jedec())).toEqual([0xef, 0x40, 0x14]);
    expect(await sim.run(() => drv.read(0x1000, 8))).toEqual(new Array(8).fill(0xff));
  });

  it("programs a page (WEL needed, WIP while busy, WEL cleared after) and reads it back", async () => {
    const { sim, flash, drv } = rig();
    const data = Array.from({ length: 16 }, (_, i) => i * 3);
    // without WRITE ENABLE the program is ignored
    await sim.run(() => drv.xfer([0x02, 0, 0x01, 0x00, 1, 2, 3]));
    expect(flash.status).toBe(0);
    expect(flash.memory[0x100]).toBe(0xff);
    await sim.run(() => drv.writeEnable());
    expect(await sim.run(() => drv.status())).toBe(FLASH_STATUS_WEL);
    const t0 = sim.now;
    await sim.run(() => drv.xfer([0x02, 0, 0x01, 0x00, ...data]));
    expect(await sim.run(() => drv.status())).toBe(FLASH_STATUS_WIP | FLASH_STATUS_WEL);
    expect(await sim.run(() => drv.read(0x100, 4))).toEqual([0xff, 0xff, 0xff, 0xff]); // ignored while busy
    await sim.run(() => drv.waitReady());
    expect(drv.polls).toBeGreaterThan(10);
    // the frame (20 bytes, 160 µs) then 700 µs of programming
    expect(sim.now).toBeGreaterThanOrEqual(t0 + 20 * 8000 + 700_000);
    expect(sim.now).toBeLessThan(t0 + 20 * 8000 + 700_000 + 3 * 16_000);
    expect(await sim.run(() => drv.status())).toBe(0);
    expect(await sim.run(() => drv.read(0x100, 16))).toEqual(data);
  });

  it("program only clears bits; sector erase sets the 4 KiB sector back to 0xFF", async () => {
    const { sim, drv } = rig();
    await sim.run(() => drv.program(0x2010, [0xf0, 0x3c]));
    await sim.run(() => drv.program(0x2010, [0x0f, 0xff]));
    expect(await sim.run(() => drv.read(0x2010, 2))).toEqual([0x00, 0x3c]);
    await sim.run(() => drv.program(0x3000, [0x12]));
    const t0 = sim.now;
    await sim.run(() => drv.erase(0x2abc));
    expect(sim.now - t0).toBeGreaterThanOrEqual(45_000_000);
    expect(await sim.run(() => drv.read(0x2010, 2))).toEqual([0xff, 0xff]);
    expect(await sim.run(() => drv.read(0x3000, 1))).toEqual([0x12]); // next sector untouched
  });

  it("page program wraps within its page", async () => {
    const { sim, drv } = rig();
    await sim.run(() => drv.program(0x04fe, [1, 2, 3, 4]));
    expect(await sim.run(() => drv.read(0x04fe, 2))).toEqual([1, 2]);
    expect(await sim.run(() => drv.read(0x0400, 2))).toEqual([3, 4]);
    expect(await sim.run(() => drv.read(0x0500, 1))).toEqual([0xff]);
  });
});
