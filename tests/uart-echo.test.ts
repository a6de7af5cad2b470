import { describe, it, expect } from "vitest";
import { OP_READ, OP_WRITE, COMPLETION_SIZE, readI64, writeSubmission } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";
import { byteNs } from "./dev-helpers.js";

/**
 * Firmware-style echo task: one read in flight; each completed read is
 * written back, the read re-armed at once. Driven by io_wait_cb with one
 * persistent callback, as on a board.
 */
function startEcho(sim: Simulator) {
  const t = sim.spawn({ name: "echo", memoryBytes: 8192 });
  const { sys } = t;
  const port = sys.io_create(0);
  const uart = sys.open("/dev/uart0");
  const sqe = t.alloc(48);
  const cqes = t.alloc(COMPLETION_SIZE * 4);
  const rbuf = t.alloc(64);
  const wbuf = t.alloc(64);
  const READ = 1;
  const WRITE = 2;
  let writes = 0;
  const read = () => {
    writeSubmission(t.view, sqe, READ, 0, OP_READ, 0, uart, rbuf, 64, 0);
    sys.io_submit(port, sqe, 1);
  };
  const onWait = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const at = cqes + i * COMPLETION_SIZE;
      const ud = t.view.getUint32(at, true);
      const res = readI64(t.view, at + 8);
      if (ud === READ && res > 0) {
        t.memory.copyWithin(wbuf, rbuf, rbuf + res);
        writeSubmission(t.view, sqe, WRITE, 0, OP_WRITE, 0, uart, wbuf, res, 0);
        sys.io_submit(port, sqe, 1);
        read();
      } else if (ud === WRITE) {
        writes++;
      }
    }
    const r = sys.io_wait_cb(port, cqes, 4, 1, 0, onWait);
    if (r >= 0) onWait(r);
  };
  read();
  onWait(0);
  return { t, writes: () => writes };
}

describe("scenario: UART echo task", () => {
  it("echoes every byte, in order, with the spec's timing", async () => {
    const sim = new Simulator({ seed: 1 });
    const echo = startEcho(sim);
    sim.uart(0).inject("hello");
    sim.at(5_000_000, () => sim.uart(0).inject(", world"));
    await sim.advance(20_000_000);
    expect(sim.uart(0).receivedText()).toBe("hello, world");
    expect(echo.writes()).toBe(2);
    // "hello" arrives by byteNs(5); read completes 2T later; the echo takes byteNs(5) more
    const before = sim.uart(0).received().length;
    expect(before).toBe(12);
    const sim2 = new Simulator({ seed: 1 });
    startEcho(sim2);
    sim2.uart(0).inject("hello");
    await sim2.advance(byteNs(5) + byteNs(2) + byteNs(5) - 1);
    expect(sim2.uart(0).received().length).toBe(4);
    await sim2.advance(1);
    expect(sim2.uart(0).receivedText()).toBe("hello");
  });

  it("keeps up with a continuous 2000-byte stream without overrun", async () => {
    const sim = new Simulator({ seed: 2 });
    startEcho(sim);
    const data = Array.from({ length: 2000 }, (_, i) => (i * 31 + 7) & 0xff);
    sim.uart(0).inject(data);
    await sim.advance(byteNs(2000) * 2 + 10_000_000);
    expect(Array.from(sim.uart(0).received())).toEqual(data);
    expect(sim.uart(0).overruns).toBe(0);
  });
});
