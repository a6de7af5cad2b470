// A callback the kernel calls (io_wait_cb, io_watch) may throw: the error
// goes to options.onUserError (else the platform's log), and the kernel
// carries on — including when onUserError throws too, in the middle of a
// flush that still has other ports to wake. (The Simulator installs its own
// onUserError, which rethrows from advance(); these tests build the kernel
// on the simulator's platform directly, as a board's runtime does.)
import { describe, expect, it } from "vitest";
import { Kernel, OP_NOP } from "../core/index.js";
import { SimPlatform } from "../host-sim/index.js";
import { submit } from "./helpers.js";

function twoPorts(onUserError?: (err: unknown) => void) {
  const platform = new SimPlatform();
  const kernel = new Kernel(platform, onUserError ? { onUserError } : {});
  const task = kernel.spawn({ memoryBytes: 8192 });
  const sys = task.sys;
  const p1 = sys.io_create(0);
  const p2 = sys.io_create(0);
  /** One event that posts a completion to each port: both are woken by one flush, p1 first. */
  const both = (ud: number): void => {
    kernel.enter();
    submit(task, p1, [{ userData: ud, opcode: OP_NOP }]);
    submit(task, p2, [{ userData: ud, opcode: OP_NOP }]);
    kernel.leave();
  };
  return { platform, kernel, task, sys, p1, p2, both };
}

describe("exceptions from user callbacks", () => {
  it("go to onUserError; the other port woken by the same flush is still called", () => {
    const errors: unknown[] = [];
    const { task, sys, p1, p2, both } = twoPorts((e) => errors.push(e));
    const calls: string[] = [];
    sys.io_watch(p1, task.alloc(24), 1, () => {
      calls.push("p1");
      throw new Error("boom");
    });
    sys.io_watch(p2, task.alloc(24), 1, () => calls.push("p2"));
    both(1);
    expect(calls).toEqual(["p1", "p2"]);
    expect(errors.map(String)).toEqual(["Error: boom"]);
    both(2);
    expect(calls).toEqual(["p1", "p2", "p1", "p2"]);
  });

  it("without onUserError, go to the platform's log, and the watch stays", () => {
    const { platform, task, sys, p1 } = twoPorts();
    sys.io_watch(p1, task.alloc(24), 1, () => {
      throw new Error("watch threw");
    });
    submit(task, p1, [{ userData: 1, opcode: OP_NOP }]);
    submit(task, p1, [{ userData: 2, opcode: OP_NOP }]);
    expect(platform.logs.filter((l) => l.includes("watch threw"))).toHaveLength(2);
  });

  it("an onUserError that throws is logged; the flush still wakes every queued port, and later ones too", () => {
    const { platform, task, sys, p1, p2, both } = twoPorts(() => {
      throw new Error("handler broke");
    });
    const calls: string[] = [];
    sys.io_wait_cb(p1, task.alloc(24), 1, 1, 0, () => {
      calls.push("p1");
      throw new Error("boom");
    });
    sys.io_wait_cb(p2, task.alloc(24), 1, 1, 0, () => calls.push("p2"));
    both(1);
    expect(calls).toEqual(["p1", "p2"]);
    expect(platform.logs.some((l) => l.includes("onUserError threw") && l.includes("handler broke") && l.includes("boom"))).toBe(true);
    // nothing was left marked as queued: the next event wakes both again
    sys.io_wait_cb(p1, task.alloc(24), 1, 1, 0, () => calls.push("p1 again"));
    sys.io_wait_cb(p2, task.alloc(24), 1, 1, 0, () => calls.push("p2 again"));
    both(2);
    expect(calls).toEqual(["p1", "p2", "p1 again", "p2 again"]);
  });
});

describe("an error value that cannot be converted to a string", () => {
  it("is reported with a placeholder; the flush and the fast path carry on", () => {
    const { platform, task, sys, p1, p2, both } = twoPorts();
    const calls: string[] = [];
    sys.io_watch(p1, task.alloc(24), 1, () => {
      calls.push("p1");
      // String() of an object with no prototype throws a TypeError
      throw Object.create(null) as unknown;
    });
    sys.io_watch(p2, task.alloc(24), 1, () => calls.push("p2"));
    both(1);
    expect(calls).toEqual(["p1", "p2"]);
    expect(platform.logs.some((l) => l.includes("cannot be converted to a string"))).toBe(true);
    both(2);
    expect(calls).toEqual(["p1", "p2", "p1", "p2"]);
  });
});
