// Regression (found by `ioport dst`, seeds 252 and 296 once channels joined
// the workload): closing a port whose parked OP_IPC_SEND carried the last
// reference to a UART stream released the stream, which cancelled a write
// of the same closing port; the cancel completed the write on the closed
// port (freeing it) and then ran its cancel hook on the freed record:
// close() threw a TypeError and left objects behind.
import { describe, expect, it } from "vitest";
import { OP_IPC_SEND, OP_WRITE, encodeIpcMessage } from "../core/index.js";
import { collect, setup, submit } from "./dev-helpers.js";

describe("closing a port whose ops carry the last reference to another object", () => {
  it("cancels that object's ops of the same port without throwing or leaking", async () => {
    const { sim, t, port, sys } = setup();
    const uart = sys.open("/dev/uart0");
    const fds = t.alloc(8);
    expect(sys.ipc_create(fds, 0, 0)).toBe(0);
    const [sfd, rfd] = [t.view.getInt32(fds, true), t.view.getInt32(fds + 4, true)];
    const wbuf = t.alloc(64);
    t.memory.fill(0x55, wbuf, wbuf + 64);
    submit(t, port, { userData: 1, opcode: OP_WRITE, fd: uart, bufAddr: wbuf, bufLen: 64 });
    const msg = t.alloc(48);
    encodeIpcMessage(t.view, msg, { tag: 7, fds: [uart, -1, -1, -1] });
    submit(t, port, { userData: 2, opcode: OP_IPC_SEND, fd: sfd, bufAddr: msg }); // parks: rendezvous, no receiver
    expect(sys.close(uart)).toBe(0); // the parked message holds the stream's last reference
    await sim.advance(byteNs3());
    const before = sim.uart(0).received().length;
    expect(before).toBeGreaterThan(0);
    expect(sys.close(port)).toBe(0);
    await sim.advance(10_000_000);
    // the write stopped at the close: no byte after it
    expect(sim.uart(0).received().length).toBe(before);
    expect(sim.kernel.liveObjects).toBe(2); // the two channel ends
    sys.close(sfd);
    sys.close(rfd);
    expect(sim.kernel.liveObjects).toBe(0);
    // and a later port works normally
    const p2 = sys.io_create(0);
    const log = collect(sim, t, p2);
    submit(t, p2, { userData: 3, opcode: 0 });
    await sim.advance(0);
    expect(log.map((c) => c.result)).toEqual([0]);
  });
});

function byteNs3(): number {
  return Math.ceil((3 * 1e10) / 115200);
}
