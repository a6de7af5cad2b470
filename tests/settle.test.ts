// host-sim/settle.ts syncDrain: in Node it runs every queued continuation
// and nextTick callback, chains included, before returning — from a
// macrotask; inside a microtask the engine defers it, which the probe
// reports, so the simulator never relies on it there.
import { describe, expect, it } from "vitest";
import { fromMacrotask, syncDrain, syncDrainProbe } from "../host-sim/settle.js";

describe("syncDrain", () => {
  it("from a macrotask: runs microtask chains and nextTicks queued before and during the drain, then returns", async () => {
    const drain = syncDrain();
    const macrotask = fromMacrotask();
    expect(drain).toBeTypeOf("function");
    expect(macrotask).toBeTypeOf("function");
    const seen = await new Promise<string[]>((resolve) => {
      macrotask!(() => {
        const log: string[] = [];
        void Promise.resolve()
          .then(() => log.push("then 1"))
          .then(() => {
            log.push("then 2");
            process.nextTick(() => {
              log.push("tick from then");
              queueMicrotask(() => log.push("microtask from tick"));
            });
          });
        process.nextTick(() => log.push("tick"));
        log.push("before drain");
        drain!();
        log.push("after drain");
        resolve(log);
      });
    });
    expect(seen[0]).toBe("before drain");
    expect(seen.at(-1)).toBe("after drain");
    expect([...seen].sort()).toEqual(["after drain", "before drain", "microtask from tick", "then 1", "then 2", "tick", "tick from then"]);
  });

  it("the probe: true from a macrotask, false inside a microtask (where the engine defers the checkpoint)", async () => {
    const drain = syncDrain()!;
    const fromMacro = await new Promise<boolean>((resolve) => fromMacrotask()!(() => resolve(syncDrainProbe(drain))));
    expect(fromMacro).toBe(true);
    const fromMicro = await Promise.resolve().then(() => syncDrainProbe(drain));
    expect(fromMicro).toBe(false);
  });
});
