/**
 * Property: under random interleavings of blocking and port sends/receives,
 * nonblocking attempts, closes of either end and time passing, on channels of
 * capacity 0..3, every message is delivered at most once, in FIFO order, only
 * if its send succeeded; a send told -EPIPE was not delivered; with the recv
 * end never closed every successful send is delivered; and nothing leaks.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EAGAIN, EPIPE, IPC_NONBLOCK, OP_IPC_RECV, OP_IPC_SEND, decodeCompletion, decodeIpcMessage, encodeIpcMessage, encodeSubmission, type Task } from "../core/index.js";
import { Simulator } from "../host-sim/index.js";
import { assertNoLeaks } from "./ipc-helpers.js";

type Cmd =
  | { k: "send"; nb: boolean; fd: boolean }
  | { k: "psend"; fd: boolean }
  | { k: "recv"; nb: boolean }
  | { k: "precv" }
  | { k: "reap" }
  | { k: "closeSend" }
  | { k: "closeRecv" }
  | { k: "settle" };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant("send" as const), nb: fc.boolean(), fd: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("psend" as const), fd: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant("recv" as const), nb: fc.boolean() }) },
  { weight: 3, arbitrary: fc.constant({ k: "precv" as const }) },
  { weight: 2, arbitrary: fc.constant({ k: "reap" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "closeSend" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "closeRecv" as const }) },
  { weight: 2, arbitrary: fc.constant({ k: "settle" as const }) },
);

interface Recv {
  idx: number;
  result: number | null;
  tag: number;
}

async function scenario(capacity: number, cmds: Cmd[]): Promise<void> {
  const sim = new Simulator({ seed: 1 });
  const A = sim.spawn({ name: "sender", memoryBytes: 256 * 1024 });
  const B = sim.spawn({ name: "receiver", memoryBytes: 256 * 1024 });
  const out = A.alloc(8);
  expect(A.sys.ipc_create(out, capacity, 0)).toBe(0);
  const s = A.view.getInt32(out, true);
  const rA = A.view.getInt32(out + 4, true);
  A.sys.svc_register("r", rA);
  const r = B.sys.svc_lookup("r");
  A.sys.svc_unregister("r");
  A.sys.close(rA);
  const aPort = A.sys.io_create(0);
  const bPort = B.sys.io_create(0);
  let sendOpen = true;
  let recvOpen = true;
  let recvEverClosed = false;
  let tag = 0;
  const sendResult = new Map<number, number | null>(); // tag -> result
  const recvs: Recv[] = [];
  const portRecvs = new Map<number, { rec: Recv; buf: number }>();
  const pending: Promise<unknown>[] = [];

  const mkMsg = (t: Task, n: number, withFd: boolean): number => {
    const a = t.alloc(48);
    const fds: number[] = [];
    if (withFd) {
      const nfd = t.sys.notify_create(0);
      fds.push(nfd);
      // the message holds its own reference once sent; close ours after the call
    }
    encodeIpcMessage(t.view, a, { tag: n, fds });
    return a;
  };
  const closeFdsOf = (t: Task, a: number): void => {
    const fd = t.view.getInt32(a + 32, true);
    if (fd >= 0) t.sys.close(fd);
  };
  const reapAll = async (): Promise<void> => {
    for (const [t, port] of [
      [A, aPort],
      [B, bPort],
    ] as const) {
      const o = t.alloc(24 * 64);
      const n = await t.sys.io_wait(port, o, 64, 0, 0);
      expect(n).toBeGreaterThanOrEqual(0);
      for (let i = 0; i < n; i++) {
        const c = decodeCompletion(t.view, o + 24 * i);
        const ud = Number(c.userData);
        if (c.opcode === OP_IPC_SEND) {
          expect(sendResult.get(ud)).toBe(null);
          sendResult.set(ud, c.result);
        } else {
          const pr = portRecvs.get(ud)!;
          expect(pr.rec.result).toBe(null);
          pr.rec.result = c.result;
          if (c.result === 0) {
            const m = decodeIpcMessage(B.view, pr.buf);
            pr.rec.tag = Number(m.tag);
            if (m.fds[0]! >= 0) expect(B.sys.close(m.fds[0]!)).toBe(0);
          }
        }
      }
    }
  };
  const recvIntoRecord = (flags: number): void => {
    const rec: Recv = { idx: recvs.length, result: null, tag: -1 };
    recvs.push(rec);
    const buf = B.alloc(48);
    pending.push(
      B.sys.ipc_recv(r, buf, flags).then((v) => {
        rec.result = v;
        if (v === 0) {
          const m = decodeIpcMessage(B.view, buf);
          rec.tag = Number(m.tag);
          if (m.fds[0]! >= 0) expect(B.sys.close(m.fds[0]!)).toBe(0);
        }
      }),
    );
  };

  for (const c of cmds) {
    switch (c.k) {
      case "send": {
        if (!sendOpen) break;
        const n = ++tag;
        const a = mkMsg(A, n, c.fd);
        sendResult.set(n, null);
        pending.push(A.sys.ipc_send(s, a, c.nb ? IPC_NONBLOCK : 0).then((v) => sendResult.set(n, v)));
        closeFdsOf(A, a);
        break;
      }
      case "psend": {
        if (!sendOpen) break;
        const n = ++tag;
        const a = mkMsg(A, n, c.fd);
        sendResult.set(n, null);
        const sq = A.alloc(48);
        const e = { opcode: OP_IPC_SEND, fd: s, bufAddr: a, userData: n };
        encodeSubmission(A.view, sq, e);
        expect(A.sys.io_submit(aPort, sq, 1)).toBe(1);
        closeFdsOf(A, a);
        break;
      }
      case "recv":
        if (recvOpen) recvIntoRecord(c.nb ? IPC_NONBLOCK : 0);
        break;
      case "precv": {
        if (!recvOpen) break;
        const rec: Recv = { idx: recvs.length, result: null, tag: -1 };
        recvs.push(rec);
        const buf = B.alloc(48);
        const sq = B.alloc(48);
        encodeSubmission(B.view, sq, { opcode: OP_IPC_RECV, fd: r, bufAddr: buf, userData: rec.idx });
        portRecvs.set(rec.idx, { rec, buf });
        expect(B.sys.io_submit(bPort, sq, 1)).toBe(1);
        break;
      }
      case "reap":
        await reapAll();
        break;
      case "closeSend":
        if (sendOpen) {
          A.sys.close(s);
          sendOpen = false;
        }
        break;
      case "closeRecv":
        if (recvOpen) {
          B.sys.close(r);
          recvOpen = false;
          recvEverClosed = true;
        }
        break;
      case "settle":
        await sim.advance(0);
        break;
    }
    sim.kernel.checkInvariants();
  }
  // drain what is left, then reap
  await sim.advance(0);
  await reapAll();
  if (recvOpen) {
    for (;;) {
      const before = recvs.length;
      recvIntoRecord(IPC_NONBLOCK);
      await sim.advance(0);
      const v = recvs[before]!.result;
      if (v !== 0) break;
    }
  }
  await sim.advance(0);
  await reapAll();

  // FIFO, at most once: successful receives in issue order carry increasing tags
  const got = recvs.filter((x) => x.result === 0).map((x) => x.tag);
  for (let i = 1; i < got.length; i++) expect(got[i]!).toBeGreaterThan(got[i - 1]!);
  for (const t of got) expect(sendResult.get(t)).toBe(0);
  const delivered = new Set(got);
  for (const [t, v] of sendResult) {
    if (v === -EPIPE || v === -EAGAIN) expect(delivered.has(t)).toBe(false);
    if (v !== null) expect([0, -EPIPE, -EAGAIN]).toContain(v);
    if (!recvEverClosed && v === 0) expect(delivered.has(t)).toBe(true);
    if (!recvEverClosed && capacity === 0 && delivered.has(t)) expect(v).toBe(0);
  }
  for (const x of recvs) if (x.result !== null) expect([0, -EPIPE, -EAGAIN, -125]).toContain(x.result);

  assertNoLeaks(sim);
  await Promise.all(pending);
  // every blocking call has resolved; every send of an exiting task that never got a result was parked or withdrawn
  for (const x of recvs) if (!portRecvs.has(x.idx)) expect(x.result).not.toBe(null);
}

describe("ipc property", () => {
  it("random interleavings: FIFO, at most once, -EPIPE means not delivered, no leaks", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(cmd, { maxLength: 40 }), async (cap, cmds) => {
        await scenario(cap, cmds);
      }),
      { numRuns: 30042 },
    );
  });
});
