import { describe, it, expect } from "vitest";
import { OP_IRQ_WAIT, OP_READ, OP_TRANSFER, IRQ_RISING, decodeIrqEvent } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";
import { submit } from "./dev-helpers.js";

/**
 * Data of a completion goes to the task that submitted the operation,
 * whichever task reaps it (spec §9). The port is shared the way fd passing
 * shares it: one more reference installed in the other task's table.
 */
describe("copy-out goes to the submitter's memory", () => {
  it("for UART reads, SPI transfers and IrqEvents", async () => {
    const sim = new Simulator({ seed: 1 });
    const a = sim.spawn({ name: "submitter", memoryBytes: 4096 });
    const b = sim.spawn({ name: "reaper", memoryBytes: 4096 });
    const port = a.sys.io_create(0);
    const portInB = b.install(a.get(port) as NonNullable<ReturnType<typeof a.get>>);
    const u = a.sys.open("/dev/uart0");
    const s = a.sys.open("/dev/spi0");
    const irq = a.sys.irq_create(4, IRQ_RISING);
    const rbuf = a.alloc(16);
    const xbuf = a.alloc(16);
    const ev = a.alloc(16);
    a.memory.set([1, 2, 3], xbuf);
    sim.spi(0).attach({ transfer: (m) => m.map((x) => x + 100) });
    submit(
      a,
      port,
      { userData: 1, opcode: OP_READ, fd: u, bufAddr: rbuf, bufLen: 2 },
      { userData: 2, opcode: OP_TRANSFER, fd: s, bufAddr: xbuf, bufLen: 3 },
      { userData: 3, opcode: OP_IRQ_WAIT, fd: irq, bufAddr: ev, bufLen: 16 },
    );
    sim.uart(0).inject("ok");
    sim.at(1234, () => sim.gpio(4).drive(1));
    await sim.advance(10_000_000);
    const out = b.alloc(72);
    expect(await b.sys.io_wait(portInB, out, 3, 3, 0)).toBe(3);
    expect(new TextDecoder().decode(a.memory.subarray(rbuf, rbuf + 2))).toBe("ok");
    expect(Array.from(a.memory.subarray(xbuf, xbuf + 3))).toEqual([101, 102, 103]);
    expect(decodeIrqEvent(a.view, ev)).toEqual({ timestampNs: 1234n, count: 1, level: 1 });
    // the reaper's memory got its 3 completions and nothing else
    const bAfter = Array.from(b.memory);
    bAfter.fill(0, out, out + 72);
    expect(bAfter.every((x) => x === 0)).toBe(true);
  });
});
