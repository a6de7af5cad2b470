import { describe, it, expect, afterEach } from "vitest";
import {
  OP_IRQ_WAIT,
  OP_READ,
  OP_TRANSFER,
  OP_WRITE,
  COMPLETION_SIZE,
  IRQ_RISING,
  readI64,
  writeSubmission,
} from "../core/index.js";
import { Simulator } from "../host-sim/index.js";

/**
 * Hot-path discipline (docs/design.md, "Hot-path rules"): in steady state,
 * the device paths allocate no op records and construct no buffers. Two
 * measurements, in Node:
 * - `kernel.opsAllocated` (the op pool's size) stops growing;
 * - constructor calls whose immediate caller is a core/ file are counted,
 *   for every typed-array constructor, DataView and ArrayBuffer, by
 *   replacing those globals with counting Proxies for the measured window;
 *   the count must be 0.
 * What this does not see — objects, closures, arrays, copies made by
 * `slice` — the XS allocation counters measure instead
 * (tests/bench-alloc-xs.test.ts: zero slots and chunks per event in XS).
 */
const WATCHED = [
  "Uint8Array", "Int8Array", "Uint8ClampedArray", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array",
  "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "DataView", "ArrayBuffer",
] as const;
type Watched = (typeof WATCHED)[number];
const g = globalThis as unknown as Record<Watched, new (...a: unknown[]) => object>;
const real = Object.fromEntries(WATCHED.map((n) => [n, g[n]])) as Record<Watched, new (...a: unknown[]) => object>;
const RealU8 = globalThis.Uint8Array;
let coreAllocs = 0;
const sites = new Map<string, number>();

function startCounting(): void {
  coreAllocs = 0;
  sites.clear();
  for (const name of WATCHED) {
    g[name] = new Proxy(real[name], {
      construct(target, args, newTarget) {
        const frame = (new Error().stack ?? "").split("\n")[2] ?? "";
        if (/[/\\]core[/\\]/.test(frame)) {
          coreAllocs++;
          const site = `${name} at ${frame.trim()}`;
          sites.set(site, (sites.get(site) ?? 0) + 1);
        }
        return Reflect.construct(target, args, newTarget === undefined ? target : newTarget) as object;
      },
    });
  }
}

function stopCounting(): void {
  for (const name of WATCHED) g[name] = real[name];
}

afterEach(stopCounting);

/** A driver loop on io_wait_cb with persistent buffers and one persistent callback. */
function driverLoop(sim: Simulator, setup: (sys: ReturnType<Simulator["spawn"]>["sys"]) => { fd: number; opcode: number; len: number }) {
  const t = sim.spawn({ memoryBytes: 8192 });
  const { sys } = t;
  const port = sys.io_create(0);
  const { fd, opcode, len } = setup(sys);
  const sqe = t.alloc(48);
  const cqes = t.alloc(COMPLETION_SIZE * 8);
  const buf = t.alloc(64);
  let completions = 0;
  let bytes = 0;
  const arm = () => {
    writeSubmission(t.view, sqe, 1, 0, opcode, 0, fd, buf, len, 0);
    sys.io_submit(port, sqe, 1);
  };
  const onWait = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const r = readI64(t.view, cqes + i * COMPLETION_SIZE + 8);
      if (r > 0) bytes += r;
      completions++;
      arm();
    }
    const r = sys.io_wait_cb(port, cqes, 8, 1, 0, onWait);
    if (r >= 0) onWait(r);
  };
  arm();
  onWait(0);
  return { stats: () => ({ completions, bytes }) };
}

describe("hot path in steady state: no new op record, no buffer constructed by core", () => {
  it("UART receive: op pool stable, no typed array, DataView or ArrayBuffer constructed by core, ring kept", async () => {
    const sim = new Simulator({ seed: 1 });
    const loop = driverLoop(sim, (sys) => ({ fd: sys.open("/dev/uart0"), opcode: OP_READ, len: 16 }));
    const data = new RealU8(20_000).map((_, i) => i & 0xff);
    sim.uart(0).inject(data);
    await sim.advance(100_000_000); // warm-up
    const ops = sim.kernel.opsAllocated;
    const ring = sim.kernel.dev.uarts[0]?.rx;
    expect(ring).toBeInstanceOf(RealU8);
    startCounting();
    await sim.advance(2_000_000_000);
    stopCounting();
    expect(loop.stats().bytes).toBe(20_000);
    expect(sim.kernel.opsAllocated).toBe(ops);
    expect(coreAllocs, [...sites.keys()].join("\n")).toBe(0);
    expect(sim.kernel.dev.uarts[0]?.rx).toBe(ring);
  });

  it("UART transmit: op pool stable, no typed array, DataView or ArrayBuffer constructed by core", async () => {
    const sim = new Simulator({ seed: 1 });
    const loop = driverLoop(sim, (sys) => ({ fd: sys.open("/dev/uart1"), opcode: OP_WRITE, len: 32 }));
    await sim.advance(50_000_000);
    const ops = sim.kernel.opsAllocated;
    const before = loop.stats().completions;
    startCounting();
    await sim.advance(200_000_000);
    stopCounting();
    expect(loop.stats().completions - before).toBeGreaterThanOrEqual(Math.floor(200_000_000 / (32 * 86_806)));
    expect(sim.kernel.opsAllocated).toBe(ops);
    expect(coreAllocs, [...sites.keys()].join("\n")).toBe(0);
  });

  it("GPIO IRQ and SPI transfer loops: op pool stable, no typed array, DataView or ArrayBuffer constructed by core", async () => {
    const sim = new Simulator({ seed: 1 });
    const irqLoop = driverLoop(sim, (sys) => ({ fd: sys.irq_create(5, IRQ_RISING), opcode: OP_IRQ_WAIT, len: 16 }));
    const spiLoop = driverLoop(sim, (sys) => ({ fd: sys.open("/dev/spi0"), opcode: OP_TRANSFER, len: 8 }));
    const pin = sim.gpio(5);
    const tick = (): void => {
      pin.drive(pin.level ^ 1);
      sim.after(5_000, tick);
    };
    tick();
    await sim.advance(10_000_000);
    const ops = sim.kernel.opsAllocated;
    const i0 = irqLoop.stats().completions;
    const s0 = spiLoop.stats().completions;
    startCounting();
    await sim.advance(50_000_000);
    stopCounting();
    expect(irqLoop.stats().completions - i0).toBe(5000);
    expect(spiLoop.stats().completions - s0).toBeGreaterThanOrEqual(781);
    expect(sim.kernel.opsAllocated).toBe(ops);
    expect(coreAllocs, [...sites.keys()].join("\n")).toBe(0);
  });

  it("the counter sees core's constructions (self-check): a first read's buffer, a kernel's own arrays", async () => {
    const sim = new Simulator({ seed: 1 });
    startCounting();
    // a fresh op pool: the first read must allocate its kernel buffer
    driverLoop(sim, (sys) => ({ fd: sys.open("/dev/uart0"), opcode: OP_READ, len: 64 }));
    stopCounting();
    expect([...sites.keys()].some((s) => s.startsWith("Uint8Array at"))).toBe(true);
    // a new kernel builds its submission scratch (Uint32Array, Int32Array over one buffer)
    startCounting();
    new Simulator({ seed: 2 });
    stopCounting();
    expect([...sites.keys()].some((s) => s.startsWith("Uint32Array at"))).toBe(true);
    expect(coreAllocs).toBeGreaterThan(2);
  });
});
