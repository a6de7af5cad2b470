// Fault injection on the simulated UART: a frame with a bad stop bit is
// received as the byte its data bits carry (an ECMA-419 driver cannot tell
// either), counted in `framingErrors`, and keeps its place in the stream.
import { describe, expect, it } from "vitest";
import { OP_READ } from "../core/index.js";
import { bytes, collect, setup, submit } from "./dev-helpers.js";

describe("UART framing errors", () => {
  it("deliver the sampled byte in order and are counted by the device model", async () => {
    const { sim, t, port, sys } = setup();
    const uart = sys.open("/dev/uart0");
    const log = collect(sim, t, port);
    const buf = t.alloc(16);
    submit(t, port, { userData: 1, opcode: OP_READ, fd: uart, bufAddr: buf, bufLen: 4 });
    const seen: number[] = [];
    sim.uart(0).onReceive = (b, ok) => seen.push(ok ? b : -1);
    sim.uart(0).inject("a");
    sim.uart(0).injectFramingError([0x7f, 0x00]);
    sim.uart(0).inject("b");
    await sim.advance(2_000_000);
    expect(log.map((c) => c.result)).toEqual([4]);
    expect(bytes(t, buf, 4)).toEqual([0x61, 0x7f, 0x00, 0x62]);
    expect(seen).toEqual([0x61, 0x7f, 0x00, 0x62]);
    expect(sim.uart(0).framingErrors).toBe(2);
    expect(sim.uart(0).rxBytes).toBe(4);
    expect(sim.uart(0).overruns).toBe(0);
  });
});
