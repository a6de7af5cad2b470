/**
 * NOP round trip: submit + reap of OP_NOP through a port, batch 1 and 32,
 * with io_wait_cb (the driver-loop form) and with io_wait (a Promise per
 * wait). Baseline: the least the same hand-off costs without the ABI — a
 * direct callback that writes the same 24-byte completion into a typed array.
 *
 * The baseline writes through a DataView, the way portable code writes a
 * little-endian layout (and the ABI codecs in core/abi.ts do). A reference
 * row writes the same words through an Int32Array, the fastest store XS has
 * (what the kernel itself uses, having checked the host is little-endian):
 * read against it too.
 */
import { OP_NOP, writeSubmission } from "../../core/index.js";
import { Simulator } from "../../host-sim/index.js";
import type { BenchCase, Variant } from "../lib/types.js";

function baseline(batch: number): Variant {
  return {
    label: `direct callback, batch ${batch}`,
    setup() {
      const mem = new ArrayBuffer(24 * batch);
      const view = new DataView(mem);
      let sink = 0;
      const deliver = (i: number, udLo: number, udHi: number, result: number, opcode: number): void => {
        const at = 24 * i;
        view.setUint32(at, udLo, true);
        view.setUint32(at + 4, udHi, true);
        view.setUint32(at + 8, result, true);
        view.setUint32(at + 12, result < 0 ? 0xffffffff : 0, true);
        view.setUint32(at + 16, 0, true);
        view.setUint32(at + 20, opcode, true);
      };
      return (n: number) => {
        for (let k = 0; k < n; k += batch) {
          for (let i = 0; i < batch; i++) deliver(i, k + i, 0, 0, OP_NOP);
          sink ^= view.getUint32(0, true);
        }
        if (sink === -1) throw new Error("unreachable");
      };
    },
  };
}

/** The same hand-off with Int32Array stores: a reference row, not the baseline. */
function int32Reference(batch: number): Variant {
  return {
    label: `direct callback, Int32Array stores, batch ${batch} (reference)`,
    setup() {
      const words = new Int32Array(6 * batch);
      let sink = 0;
      const deliver = (i: number, udLo: number, udHi: number, result: number, opcode: number): void => {
        const w = 6 * i;
        words[w] = udLo;
        words[w + 1] = udHi;
        words[w + 2] = result;
        words[w + 3] = result < 0 ? -1 : 0;
        words[w + 4] = 0;
        words[w + 5] = opcode;
      };
      return (n: number) => {
        for (let k = 0; k < n; k += batch) {
          for (let i = 0; i < batch; i++) deliver(i, k + i, 0, 0, OP_NOP);
          sink ^= words[0] as number;
        }
        if (sink === -1) throw new Error("unreachable");
      };
    },
  };
}

function setupPort(batch: number) {
  const sim = new Simulator({ kernel: { cqEntries: Math.max(64, batch) } });
  const task = sim.spawn({ memoryBytes: 16 * 1024 });
  const sys = task.sys;
  const port = sys.io_create(0);
  const sqes = task.alloc(48 * batch);
  const out = task.alloc(24 * batch);
  for (let i = 0; i < batch; i++) writeSubmission(task.view, sqes + 48 * i, i, 0, OP_NOP, 0, -1, 0, 0, 0);
  return { sys, port, sqes, out };
}

function viaCallback(batch: number): Variant {
  return {
    label: `io_wait_cb, batch ${batch}`,
    setup() {
      const { sys, port, sqes, out } = setupPort(batch);
      const onDone = (): void => {};
      return (n: number) => {
        for (let k = 0; k < n; k += batch) {
          if (sys.io_submit(port, sqes, batch) !== batch) throw new Error("submit failed");
          if (sys.io_wait_cb(port, out, batch, batch, 0, onDone) !== batch) throw new Error("wait failed");
        }
      };
    },
  };
}

function viaPromise(batch: number): Variant {
  return {
    label: `io_wait (Promise), batch ${batch}`,
    setup() {
      const { sys, port, sqes, out } = setupPort(batch);
      return async (n: number) => {
        for (let k = 0; k < n; k += batch) {
          if (sys.io_submit(port, sqes, batch) !== batch) throw new Error("submit failed");
          if ((await sys.io_wait(port, out, batch, batch, 0)) !== batch) throw new Error("wait failed");
        }
      };
    },
  };
}

export function nopCases(): BenchCase[] {
  return [1, 32].map((batch) => ({
    id: `nop-roundtrip-b${batch}`,
    title: `NOP round trip, batch ${batch}`,
    unit: "op",
    baseline: baseline(batch),
    variants: [int32Reference(batch), viaCallback(batch), viaPromise(batch)],
    targets: batch === 32 ? [{ label: `io_wait_cb, batch ${batch}`, maxRatio: 2, engine: "xs" as const }] : [],
  }));
}
