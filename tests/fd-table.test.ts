// §1 fd table: 64 fds, lowest free, EMFILE; close and dup (§3).
import { describe, expect, it } from "vitest";
import { EBADF, EINVAL, EMFILE, EPERM, MAX_FDS } from "../core/index.js";
import { setup } from "./helpers.js";

describe("fd table", () => {
  it("a new fd takes the lowest free number", () => {
    const { sys, port } = setup();
    expect(port).toBe(0);
    expect(sys.io_create(0)).toBe(1);
    expect(sys.io_create(0)).toBe(2);
    expect(sys.close(1)).toBe(0);
    expect(sys.io_create(0)).toBe(1);
    expect(sys.dup(2)).toBe(3);
  });

  it("holds at most 64 fds; a full table gives -EMFILE for io_create and dup", () => {
    const { sys, kernel } = setup();
    for (let i = 1; i < MAX_FDS; i++) expect(sys.io_create(0)).toBe(i);
    const live = kernel.liveObjects;
    expect(sys.io_create(0)).toBe(-EMFILE);
    expect(sys.dup(0)).toBe(-EMFILE);
    expect(kernel.liveObjects).toBe(live); // the failed create left nothing behind
    sys.close(10);
    expect(sys.dup(0)).toBe(10);
  });

  it("io_create flags must be 0", () => {
    const { sys } = setup();
    expect(sys.io_create(1)).toBe(-EINVAL);
    expect(sys.io_create("0" as unknown as number)).toBe(-EINVAL);
  });

  it("close and dup of a bad fd give -EBADF", () => {
    const { sys } = setup();
    for (const fd of [-1, 5, 64, 1.5, NaN, "0" as unknown as number]) {
      expect(sys.close(fd)).toBe(-EBADF);
      expect(sys.dup(fd)).toBe(-EBADF);
    }
  });

  it("dup shares the object: it lives until the last reference closes", () => {
    const { sys, kernel, port } = setup();
    const d = sys.dup(port);
    expect(kernel.liveObjects).toBe(1);
    sys.close(port);
    expect(kernel.liveObjects).toBe(1);
    sys.close(d);
    expect(kernel.liveObjects).toBe(0);
  });

  it("fd tables are per task", () => {
    const { sim, sys } = setup();
    const other = sim.spawn();
    expect(other.sys.io_create(0)).toBe(0);
    expect(sys.io_create(0)).toBe(1);
  });

  it("after exit, every syscall returns -EPERM", async () => {
    const { task, sys, kernel } = setup();
    task.exit();
    expect(kernel.liveObjects).toBe(0);
    expect(sys.io_create(0)).toBe(-EPERM);
    expect(sys.close(0)).toBe(-EPERM);
    expect(await sys.io_wait(0, 8, 1, 0, 0)).toBe(-EPERM);
    task.exit(); // idempotent
  });
});

describe("task memory", () => {
  it("alloc never returns 0, honours alignment, and throws a clear error when full", () => {
    const { sim } = setup();
    const t = sim.spawn({ memoryBytes: 64 });
    const a = t.alloc(1);
    expect(a).toBeGreaterThan(0);
    expect(t.alloc(4, 16) % 16).toBe(0);
    expect(() => t.alloc(1000)).toThrow(/out of memory.*memoryBytes 64/);
    expect(() => t.alloc(-1)).toThrow(RangeError);
  });

  it("validRange: addr != 0 and addr + len <= byteLength", () => {
    const { sim } = setup();
    const t = sim.spawn({ memoryBytes: 100 });
    expect(t.validRange(0, 1)).toBe(false);
    expect(t.validRange(1, 99)).toBe(true);
    expect(t.validRange(1, 100)).toBe(false);
    expect(t.validRange(99, 1)).toBe(true);
    expect(t.validRange(1.5, 1)).toBe(false);
  });

  it("spawn rejects an unusable memory size with a message naming it", () => {
    const { sim } = setup();
    expect(() => sim.spawn({ memoryBytes: 3 })).toThrow(/memoryBytes/);
  });
});
