// Same-instant order (docs/design.md, "Same-instant order"): completions
// that fall at the same virtual nanosecond are posted in the order their
// events run, and events due at the same instant run in the order they were
// scheduled. Each case sets two completions on the same instant, checks they
// really share it, and pins their order; where the scheduling order can be
// turned round, the completion order turns with it.
import { describe, expect, it } from "vitest";
import { IRQ_PERIODIC, IRQ_RISING, IRQ_TIMER_BASE, OP_IRQ_WAIT, OP_READ, OP_TIMEOUT, OP_WRITE } from "../core/index.js";
import { byteNs, collect, setup, submit } from "./dev-helpers.js";

const P = 1_000_000;
const ONE = byteNs(1); // 86 806 ns at 115200 baud
const GAP = byteNs(2); // the receive-idle gap, ceil(2·10^10/baud)

function order(log: { userData: bigint; at: number }[]): [number, number][] {
  return log.map((c) => [Number(c.userData), c.at]);
}

describe("completions at the same virtual nanosecond", () => {
  it("a timer line's period and a GPIO edge: the timer was scheduled first (at irq_create), so its arm completes first", async () => {
    const { sim, t, port, sys } = setup();
    const pin = sys.irq_create(4, IRQ_RISING);
    const timer = sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, P); // its first period: scheduled now, for P
    sim.at(P, () => sim.gpio(4).drive(1)); // scheduled after it, for the same instant
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: pin }, { userData: 2, opcode: OP_IRQ_WAIT, fd: timer });
    await sim.advance(P);
    expect(order(log)).toEqual([
      [2, P],
      [1, P],
    ]);
  });

  it("the same two, the edge scheduled first: the edge's arm completes first", async () => {
    const { sim, t, port, sys } = setup();
    const pin = sys.irq_create(4, IRQ_RISING);
    sim.at(P, () => sim.gpio(4).drive(1)); // scheduled before the timer line exists
    const timer = sys.irq_create(IRQ_TIMER_BASE, IRQ_PERIODIC, P);
    const log = collect(sim, t, port);
    submit(t, port, { userData: 1, opcode: OP_IRQ_WAIT, fd: pin }, { userData: 2, opcode: OP_IRQ_WAIT, fd: timer });
    await sim.advance(P);
    expect(order(log)).toEqual([
      [1, P],
      [2, P],
    ]);
  });

  it("an OP_TIMEOUT and a UART read's idle deadline: the timeout, scheduled at submission before the first byte armed the idle timer, first", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const log = collect(sim, t, port);
    const due = ONE + GAP; // one byte arrives at ONE; the read completes one gap later
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: t.alloc(8), bufLen: 8 }, { userData: 2, opcode: OP_TIMEOUT, timeoutNs: due });
    sim.uart(0).inject([0x41]);
    await sim.advance(due);
    expect(order(log)).toEqual([
      [2, due],
      [1, due],
    ]);
  });

  it("the same two, the timeout submitted after the first byte arrived: the read completes first", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const log = collect(sim, t, port);
    const due = ONE + GAP;
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: t.alloc(8), bufLen: 8 });
    sim.uart(0).inject([0x41]);
    sim.at(ONE + 1, () => {
      submit(t, port, { userData: 2, opcode: OP_TIMEOUT, timeoutNs: due - (ONE + 1) });
    });
    await sim.advance(due);
    expect(order(log)).toEqual([
      [1, due],
      [2, due],
    ]);
  });

  it("a UART write finishing and a read's idle deadline: the idle timer (scheduled when the byte arrived) before the write's last byte (scheduled when it was submitted)", async () => {
    const { sim, t, port, sys } = setup();
    const u = sys.open("/dev/uart0");
    const w = sys.open("/dev/uart1");
    const log = collect(sim, t, port);
    const due = ONE + GAP;
    submit(t, port, { userData: 1, opcode: OP_READ, fd: u, bufAddr: t.alloc(8), bufLen: 8 });
    sim.uart(0).inject([0x41]);
    const buf = t.alloc(8);
    t.memory[buf] = 0x42;
    // a one-byte write submitted one byte time before the deadline ends on it
    sim.at(due - ONE, () => {
      submit(t, port, { userData: 2, opcode: OP_WRITE, fd: w, bufAddr: buf, bufLen: 1 });
    });
    await sim.advance(due);
    expect(order(log)).toEqual([
      [1, due],
      [2, due],
    ]);
    expect(sim.uart(1).receivedText()).toBe("B");
  });
});
