// Kernel.checkInvariants (core/invariants.ts): quiet on a busy, consistent
// kernel; and each kind of broken bookkeeping it claims to find, it finds
// (each case breaks one thing by hand and expects the message naming it).
import { describe, expect, it } from "vitest";
import { IRQ_RISING, OP_IPC_SEND, OP_IRQ_WAIT, OP_READ, OP_RING_WAIT, OP_TIMEOUT, checkInvariants, encodeIpcMessage, type IrqLine, type Port, type Task } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";
import { submit } from "./dev-helpers.js";
import { channel } from "./ipc-helpers.js";

function busy(): { sim: Simulator; t: Task; port: number; uart: number; line: number; nt: number } {
  const sim = new Simulator({ seed: 1 });
  const t = sim.spawn();
  const port = t.sys.io_create(0);
  const uart = t.sys.open("/dev/uart0");
  const line = t.sys.irq_create(3, IRQ_RISING);
  const nt = t.sys.notify_create(0);
  const buf = t.alloc(64);
  submit(t, port, { userData: 1, opcode: OP_READ, fd: uart, bufAddr: buf, bufLen: 8 }, { userData: 2, opcode: OP_READ, fd: uart, bufAddr: buf, bufLen: 8 });
  submit(t, port, { userData: 3, opcode: OP_IRQ_WAIT, fd: line }, { userData: 4, opcode: OP_RING_WAIT, fd: nt }, { userData: 5, opcode: OP_TIMEOUT, timeoutNs: 1_000_000 });
  const [s, r] = channel(t, 0);
  const m = t.alloc(48);
  encodeIpcMessage(t.view, m, { tag: 1, fds: [uart, -1, -1, -1] });
  submit(t, port, { userData: 6, opcode: OP_IPC_SEND, fd: s, bufAddr: m });
  void r;
  return { sim, t, port, uart, line, nt };
}

const portOf = (t: Task, fd: number): Port => t.get(fd) as Port;

describe("Kernel.checkInvariants", () => {
  it("is quiet on a consistent kernel with reads, an arm, a ring wait, a timeout and a parked send carrying an fd in flight", async () => {
    const { sim } = busy();
    expect(checkInvariants(sim.kernel)).toEqual([]);
    sim.uart(0).inject("ab");
    await sim.advance(50_000);
    expect(checkInvariants(sim.kernel)).toEqual([]);
    expect(() => sim.kernel.checkInvariants()).not.toThrow();
  });

  it("finds a port whose reservations disagree with what it holds", () => {
    const { sim, t, port } = busy();
    portOf(t, port).reserved++;
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/queued 0 \+ in flight \d+ != reserved/);
    expect(() => sim.kernel.checkInvariants()).toThrow(/kernel invariants violated/);
  });

  it("finds a wake list that is not empty at rest", () => {
    const { sim } = busy();
    sim.kernel.wakeCount = 1;
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/idle kernel has 1 port\(s\) in its wake list/);
  });

  it("finds an op on two queues", () => {
    const { sim, t, line } = busy();
    const op = (t.get(line) as IrqLine).arms.head!;
    sim.kernel.dev.uarts[1]!.reads.push(op);
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/is on two queues/);
  });

  it("finds an in-flight op on no queue", () => {
    const { sim, t, line } = busy();
    (t.get(line) as IrqLine).arms.shift();
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/in flight on no queue/);
  });

  it("finds a reference count that does not match its holders (here: one the parked message holds, forgotten)", () => {
    const { sim, t, uart } = busy();
    const obj = t.get(uart)!;
    obj.refs--;
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/device #\d+: 1 references counted, 2 held/);
  });

  it("finds a UART read pending while bytes wait in the ring", () => {
    const { sim } = busy();
    const u = sim.kernel.dev.uarts[0]!;
    u.rx[0] = 1;
    u.rxCount = 1;
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/a read is pending while 1 bytes wait in the ring/);
  });

  it("finds interrupts latched while a one-shot arm waits", () => {
    const { sim, t, line } = busy();
    (t.get(line) as IrqLine).pending = 2;
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/2 interrupts latched with a one-shot arm waiting/);
  });

  it("finds a claimed line number that names another line", () => {
    const { sim } = busy();
    const lines = sim.kernel.dev.lines;
    const l = lines.get(3)!;
    lines.delete(3);
    lines.set(4, l);
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/line 3 is not registered to it/);
  });

  it("finds a message record in use that nothing holds", () => {
    const { sim } = busy();
    sim.kernel.ipc!.allocMsg();
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/2 message records in use, 1 queued, parked or awaiting reap/);
  });

  it("finds a notify object latched with arms waiting", () => {
    const { sim, t, nt } = busy();
    (t.get(nt) as unknown as { latched: boolean }).latched = true;
    expect(checkInvariants(sim.kernel).join("\n")).toMatch(/latched with arms waiting/);
  });
});
