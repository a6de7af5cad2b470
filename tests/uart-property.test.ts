import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { OP_READ, ECANCELED } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";
import { byteNs, collect, submit } from "./dev-helpers.js";

/**
 * Property: across random read sizes, injection timing, idle gaps and
 * cancellations, the bytes the reads deliver are exactly the bytes injected:
 * none lost, reordered or delivered twice (the receive buffer never
 * overflows here because at most 200 bytes are injected before reads drain).
 */
describe("UART property: no byte lost, reordered or duplicated", () => {
  it("holds for random bursts, gaps, read sizes and cancels", async () => {
    let cancelsWithData = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            gapNs: fc.integer({ min: 0, max: 2_000_000 }),
            data: fc.uint8Array({ minLength: 1, maxLength: 40 }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 999 }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 3 }),
        async (bursts, sizes, cancelAt, inflight) => {
          const sim = new Simulator({ seed: 5 });
          const t = sim.spawn({ memoryBytes: 64 * 1024 });
          const port = t.sys.io_create(0);
          const fds = [t.sys.open("/dev/uart0"), t.sys.open("/dev/uart0")];
          const log = collect(sim, t, port);
          const bufs = new Map<bigint, number>();
          let next = 0;
          const arm = () => {
            const size = sizes[next % sizes.length] as number;
            const ud = BigInt(++next);
            const buf = t.alloc(size, 1);
            bufs.set(ud, buf);
            submit(t, port, { userData: ud, opcode: OP_READ, fd: fds[next % 2] as number, bufAddr: buf, bufLen: size });
          };
          for (let i = 0; i < inflight; i++) arm();
          const sent: number[] = [];
          let at = 0;
          for (const b of bursts) {
            at += b.gapNs;
            sim.at(at, () => sim.uart(0).inject(b.data));
            sent.push(...b.data);
          }
          // cancels land anywhere in the injection window (per mille of it)
          const span = at + byteNs(sent.length);
          for (const c of cancelAt) {
            sim.at(Math.floor((c * span) / 1000), () => {
              const head = sim.kernel.dev.uarts[0]?.reads.head;
              if (head && head.dataLen > 0 && head.udLo === next - inflight + 1) cancelsWithData++;
              const oldest = t.sys.io_cancel(port, BigInt(next - inflight + 1));
              expect(oldest === 1 || oldest < 0).toBe(true);
            });
          }
          const got: number[] = [];
          const end = at + byteNs(sent.length) + 20_000_000;
          while (sim.now < end) {
            await sim.advance(100_000);
            sim.kernel.checkInvariants();
            while (log.length > 0) {
              const c = log.shift() as { userData: bigint; result: number };
              if (c.result > 0) {
                const buf = bufs.get(c.userData) as number;
                got.push(...t.memory.subarray(buf, buf + c.result));
              } else {
                expect(c.result).toBe(-ECANCELED);
              }
              arm();
            }
          }
          expect(sim.uart(0).overruns).toBe(0);
          expect(got).toEqual(sent);
        },
      ),
      { numRuns: 80 },
    );
    // the runs did cancel reads that were holding bytes
    expect(cancelsWithData).toBeGreaterThan(5);
  });
});
