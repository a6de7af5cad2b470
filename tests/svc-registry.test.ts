import { describe, expect, it } from "vitest";
import { EBADF, EBUSY, EINVAL, EMFILE, ENOENT, IPC_NONBLOCK, OP_RING_WAIT, encodeIpcMessage, utf8Length } from "../core/index.js";
import { channel, leakChecked, poll, submit, ur } from "./ipc-helpers.js";

const newSim = leakChecked();

describe("utf8Length", () => {
  it("counts UTF-8 bytes from UTF-16 code units", () => {
    expect(utf8Length("")).toBe(0);
    expect(utf8Length("abc")).toBe(3);
    expect(utf8Length("é")).toBe(2);
    expect(utf8Length("€")).toBe(3);
    expect(utf8Length("😀")).toBe(4);
    expect(utf8Length("\ud800")).toBe(3); // lone surrogate → U+FFFD
    expect(utf8Length("\udc00x")).toBe(4);
    for (const s of ["héllo wörld", "日本語", "a😀b€c", "\u07ff\u0800\uffff"]) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });
});

describe("service registry", () => {
  it("register, lookup from another task, unregister", () => {
    const sim = newSim();
    const a = sim.spawn();
    const b = sim.spawn();
    const n = a.sys.notify_create(0);
    expect(a.sys.svc_register("bell", n)).toBe(0);
    a.sys.close(n);
    expect(sim.kernel.liveObjects).toBe(1); // the registry holds a reference
    b.sys.notify_create(0); // fd 0 taken in b
    expect(b.sys.svc_lookup("bell")).toBe(1);
    expect(b.sys.svc_lookup("bell")).toBe(2); // each lookup is a new fd
    expect(b.sys.svc_unregister("bell")).toBe(0);
    expect(b.sys.svc_lookup("bell")).toBe(-ENOENT);
    expect(b.sys.svc_unregister("bell")).toBe(-ENOENT);
    expect(sim.kernel.liveObjects).toBe(2);
    b.sys.close(1);
    b.sys.close(2);
    expect(sim.kernel.liveObjects).toBe(1);
  });

  it("unregister drops the kernel's reference: the object closes when it was the last", async () => {
    const sim = newSim();
    const t = sim.spawn();
    const port = t.sys.io_create(0);
    const n = t.sys.notify_create(0);
    t.sys.svc_register("n", n);
    const d = t.sys.dup(n);
    submit(t, port, { opcode: OP_RING_WAIT, fd: n, userData: 1 });
    t.sys.close(n);
    t.sys.close(d);
    expect(await poll(t, port)).toEqual([]);
    expect(t.sys.svc_unregister("n")).toBe(0);
    expect(ur(await poll(t, port))).toEqual([[1, -125]]);
  });

  it("svc_register checks -EINVAL, -EBADF, -EBUSY in that order", () => {
    const sim = newSim();
    const t = sim.spawn();
    const n = t.sys.notify_create(0);
    expect(t.sys.svc_register("", 50)).toBe(-EINVAL);
    expect(t.sys.svc_register(42 as unknown as string, n)).toBe(-EINVAL);
    expect(t.sys.svc_register("x".repeat(129), 50)).toBe(-EINVAL);
    expect(t.sys.svc_register("€".repeat(43), n)).toBe(-EINVAL); // 129 bytes, 43 code units
    expect(t.sys.svc_register("😀".repeat(32) + "a", n)).toBe(-EINVAL); // 129 bytes
    expect(t.sys.svc_register("a", 50)).toBe(-EBADF);
    expect(t.sys.svc_register("x".repeat(128), n)).toBe(0);
    expect(t.sys.svc_register("€".repeat(42) + "ab", n)).toBe(0);
    expect(t.sys.svc_register("😀".repeat(32), n)).toBe(0);
    expect(t.sys.svc_register("😀".repeat(32), 50)).toBe(-EBADF); // bad fd before duplicate
    expect(t.sys.svc_register("😀".repeat(32), n)).toBe(-EBUSY);
    for (const name of ["x".repeat(128), "€".repeat(42) + "ab", "😀".repeat(32)]) expect(t.sys.svc_unregister(name)).toBe(0);
  });

  it("svc_lookup checks -EINVAL, -ENOENT, -EMFILE; svc_unregister -EINVAL, -ENOENT", () => {
    const sim = newSim();
    const t = sim.spawn();
    const n = t.sys.notify_create(0);
    t.sys.svc_register("n", n);
    for (let i = 1; i < 64; i++) t.sys.dup(n);
    expect(t.sys.svc_lookup("")).toBe(-EINVAL);
    expect(t.sys.svc_lookup(null as unknown as string)).toBe(-EINVAL);
    expect(t.sys.svc_lookup("y".repeat(200))).toBe(-EINVAL);
    expect(t.sys.svc_lookup("nope")).toBe(-ENOENT);
    expect(t.sys.svc_lookup("n")).toBe(-EMFILE);
    expect(t.sys.svc_unregister("")).toBe(-EINVAL);
    expect(t.sys.svc_unregister("y".repeat(129))).toBe(-EINVAL);
    expect(t.sys.svc_unregister("nope")).toBe(-ENOENT);
    expect(t.sys.svc_unregister("n")).toBe(0);
  });

  it("registered objects, and objects their messages carry, outlive every task", async () => {
    const sim = newSim();
    const a = sim.spawn();
    const [s, r] = channel(a, 2);
    const n = a.sys.notify_create(0);
    const m = a.alloc(48);
    encodeIpcMessage(a.view, m, { tag: 5, fds: [n] });
    expect(await a.sys.ipc_send(s, m)).toBe(0);
    a.sys.svc_register("inbox", r);
    a.exit();
    // r and the notify object it carries stay; the send end went
    expect(sim.kernel.liveObjects).toBe(2);
    const b = sim.spawn();
    const br = b.sys.svc_lookup("inbox");
    const got = b.alloc(48);
    expect(await b.sys.ipc_recv(br, got, IPC_NONBLOCK)).toBe(0);
    const nfd = b.view.getInt32(got + 32, true);
    expect(b.sys.notify(nfd)).toBe(0);
    // the send side is closed and drained
    expect(await b.sys.ipc_recv(br, got, IPC_NONBLOCK)).toBe(-32);
    b.sys.svc_unregister("inbox");
  });
});
