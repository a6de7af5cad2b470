// "A syscall never throws for a user mistake": every syscall, called with
// arbitrary arguments of any type, returns a number (or a Promise that
// resolves to one), and the kernel stays consistent afterwards.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OP_NOP, registryHeld } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";

const NAMES = [
  "io_create", "io_submit", "io_wait", "io_wait_cb", "io_watch", "io_unwatch", "io_cancel", "close", "dup", "irq_create", "open",
  "ipc_create", "ipc_send", "ipc_recv", "notify_create", "notify", "svc_register", "svc_lookup",
  "svc_unregister", "gpio_write", "gpio_read",
] as const;

const junk = fc.oneof(
  fc.integer({ min: -3, max: 70 }),
  fc.integer({ min: 0, max: 4200 }),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(undefined, null, true, false, NaN, Infinity, -0, [], [1, 2], {}, () => {}, Symbol("s"), "/dev/uart0", "/dev/spi0"),
  fc.array(fc.integer(), { maxLength: 3 }),
);

describe("syscalls never throw", () => {
  it("for arbitrary arguments of any type", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.array(junk, { maxLength: 7 })), { minLength: 1, maxLength: 30 }), async (calls) => {
        const sim = new Simulator({ seed: 9 });
        const t = sim.spawn({ memoryBytes: 4096 });
        const other = sim.spawn({ memoryBytes: 4096 });
        // some real objects for the junk to hit
        t.sys.io_create(0);
        t.sys.notify_create(0);
        t.sys.open("/dev/uart0", 0);
        const sys = t.sys as unknown as Record<string, (...a: unknown[]) => unknown>;
        // what each blocking call resolved to; one that blocks past the
        // task's exit must resolve then (-EPERM)
        const settled: unknown[] = [];
        for (const [name, args] of calls) {
          const r = sys[name]!(...args);
          if (r instanceof Promise) {
            const i = settled.push("pending") - 1;
            void r.then((x) => (settled[i] = x));
            await sim.advance(1_000_000);
          } else {
            expect(typeof r).toBe("number");
          }
          sim.kernel.checkInvariants();
        }
        await sim.advance(10_000_000);
        // still consistent: a fresh task's NOP round trip works (the fuzzed
        // task's fd table may be full) and everything tears down
        const probe = sim.spawn({ memoryBytes: 4096 });
        const port = probe.sys.io_create(0);
        expect(port).toBe(0);
        const sqe = probe.alloc(48);
        probe.view.setUint32(sqe + 8, OP_NOP, true);
        expect(probe.sys.io_submit(port, sqe, 1)).toBe(1);
        expect(await probe.sys.io_wait(port, probe.alloc(24), 1, 1, 0)).toBe(1);
        t.exit();
        other.exit();
        probe.exit();
        await sim.advance(10_000_000);
        for (const s of settled) expect(typeof s).toBe("number");
        // what is left is what the registry reaches, consistently
        expect(sim.kernel.liveObjects).toBe(registryHeld(sim.kernel).size);
        sim.kernel.checkInvariants();
      }),
      { numRuns: 300 },
    );
  });
});
