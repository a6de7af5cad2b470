/** §2 Binary layouts: the ABI codecs and what the kernel writes. */
import {
  COMPLETION_SIZE,
  EBADF, EBUSY, ECANCELED, EFAULT, EINPROGRESS, EINVAL, EMFILE, ENOENT, ENOMEM, ENOSYS, EOVERFLOW, EPERM, EPIPE, ETIME, EAGAIN, ENODEV,
  IPC_MESSAGE_SIZE,
  IPC_NONBLOCK,
  IRQ_EVENT_SIZE,
  IRQ_FALLING, IRQ_ONESHOT, IRQ_PERIODIC, IRQ_RISING, IRQ_TIMER_BASE,
  OP_IPC_RECV, OP_IPC_SEND, OP_IRQ_WAIT, OP_NOP, OP_READ, OP_RING_WAIT, OP_TIMEOUT, OP_WRITE,
  SUBMISSION_SIZE,
  SYS_IO_CREATE, SYS_IO_SUBMIT, SYS_IO_WAIT, SYS_IPC_CREATE, SYS_IPC_RECV, SYS_IPC_SEND, SYS_IRQ_CREATE,
  SYS_NOTIFY, SYS_NOTIFY_CREATE, SYS_SVC_LOOKUP, SYS_SVC_REGISTER,
  decodeCompletion, decodeIpcMessage, decodeIrqEvent, decodeSubmission,
  encodeCompletion, encodeIpcMessage, encodeIrqEvent, encodeSubmission,
  readI64, writeCompletion, writeI64, writeIrqEvent, writeSubmission,
} from "../../core/index.js";
import { deepEqual, equal } from "./assert.js";
import { cqBuf, nop, readCqes, submit } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const U64_MAX = 0xffffffffffffffffn;

/** Interesting u64 values: every single bit, and some patterns. */
function u64Samples(): bigint[] {
  const v: bigint[] = [0n, 1n, 0xffffffffn, 0x100000000n, 0x1fffffffffffffn, 0x20000000000001n, 0x8000000000000000n, 0x8000000000000001n, 0xdeadbeefcafebaben, U64_MAX];
  for (let i = 0n; i < 64n; i++) v.push(1n << i);
  return v;
}

function bytes(view: DataView, addr: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(view.getUint8(addr + i));
  return out;
}

const cases: ConformanceCase[] = [
  {
    name: "layout sizes",
    section: "§2",
    run() {
      deepEqual([SUBMISSION_SIZE, COMPLETION_SIZE, IPC_MESSAGE_SIZE, IRQ_EVENT_SIZE], [48, 24, 48, 16]);
      return [SUBMISSION_SIZE, COMPLETION_SIZE, IPC_MESSAGE_SIZE, IRQ_EVENT_SIZE];
    },
  },
  {
    name: "errno values are Linux's",
    section: "§2 errno",
    run() {
      const got = { EPERM, ENOENT, EBADF, EAGAIN, ENOMEM, EFAULT, EBUSY, ENODEV, EINVAL, EMFILE, EPIPE, ENOSYS, ETIME, EOVERFLOW, EINPROGRESS, ECANCELED };
      deepEqual(got, {
        EPERM: 1, ENOENT: 2, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EFAULT: 14, EBUSY: 16, ENODEV: 19, EINVAL: 22, EMFILE: 24,
        EPIPE: 32, ENOSYS: 38, ETIME: 62, EOVERFLOW: 75, EINPROGRESS: 115, ECANCELED: 125,
      });
      return got;
    },
  },
  {
    name: "opcode, flag and syscall numbers",
    section: "§3 §4",
    run() {
      const ops = [OP_NOP, OP_TIMEOUT, OP_READ, OP_WRITE, OP_IRQ_WAIT, OP_IPC_SEND, OP_IPC_RECV, OP_RING_WAIT];
      deepEqual(ops, [0, 1, 2, 3, 4, 5, 6, 7]);
      const irq = [IRQ_RISING, IRQ_FALLING, IRQ_PERIODIC, IRQ_ONESHOT, IRQ_TIMER_BASE, IPC_NONBLOCK];
      deepEqual(irq, [1, 2, 4, 8, 0x100, 1]);
      const sys = [SYS_IO_CREATE, SYS_IO_SUBMIT, SYS_IO_WAIT, SYS_IRQ_CREATE, SYS_IPC_CREATE, SYS_IPC_SEND, SYS_IPC_RECV, SYS_NOTIFY_CREATE, SYS_NOTIFY, SYS_SVC_REGISTER, SYS_SVC_LOOKUP];
      deepEqual(sys, [501, 502, 503, 504, 505, 506, 507, 509, 510, 513, 514]);
      return { ops, irq, sys };
    },
  },
  {
    name: "IoSubmission field offsets, little-endian",
    section: "§2 IoSubmission",
    run({ task }) {
      const a = task.alloc(SUBMISSION_SIZE);
      encodeSubmission(task.view, a, {
        userData: 0x0102030405060708n, opcode: 0x11121314, flags: 0x21222324, fd: -2, bufAddr: 0x3132333435,
        bufLen: 0x41424344, offset: 0x51525354, timeoutNs: 0x6162636465666768n,
      });
      const v = task.view;
      const raw = bytes(v, a, 8);
      deepEqual(raw, [8, 7, 6, 5, 4, 3, 2, 1], "user_data @0 little-endian");
      equal(v.getUint32(a + 8, true), 0x11121314, "opcode @8");
      equal(v.getUint32(a + 12, true), 0x21222324, "flags @12");
      equal(v.getInt32(a + 16, true), -2, "fd @16");
      equal(v.getUint32(a + 24, true), 0x32333435, "buf_addr lo @24");
      equal(v.getUint32(a + 28, true), 0x31, "buf_addr hi @28");
      equal(v.getUint32(a + 32, true), 0x41424344, "buf_len @32");
      equal(v.getUint32(a + 36, true), 0x51525354, "offset @36");
      equal(v.getUint32(a + 40, true), 0x65666768, "timeout lo @40");
      equal(v.getUint32(a + 44, true), 0x61626364, "timeout hi @44");
      const back = decodeSubmission(v, a);
      deepEqual(back, {
        userData: 0x0102030405060708n, opcode: 0x11121314, flags: 0x21222324, fd: -2, bufAddr: 0x3132333435,
        bufLen: 0x41424344, offset: 0x51525354, timeoutNs: 0x6162636465666768n,
      });
      return bytes(v, a, SUBMISSION_SIZE);
    },
  },
  {
    name: "IoCompletion field offsets",
    section: "§2 IoCompletion",
    run({ task }) {
      const a = task.alloc(COMPLETION_SIZE);
      encodeCompletion(task.view, a, { userData: 0xa1a2a3a4b1b2b3b4n, result: 0x123456789a, flags: 0xc1c2c3c4, opcode: 0xd1d2d3d4 });
      const v = task.view;
      equal(v.getUint32(a, true), 0xb1b2b3b4, "user_data lo @0");
      equal(v.getUint32(a + 4, true), 0xa1a2a3a4, "user_data hi @4");
      equal(v.getUint32(a + 8, true), 0x3456789a, "result lo @8");
      equal(v.getInt32(a + 12, true), 0x12, "result hi @12");
      equal(v.getUint32(a + 16, true), 0xc1c2c3c4, "flags @16");
      equal(v.getUint32(a + 20, true), 0xd1d2d3d4, "opcode @20");
      return bytes(v, a, COMPLETION_SIZE);
    },
  },
  {
    name: "u64 user_data round-trips all 64 bits through the codecs",
    section: "§2 u64",
    run({ task }) {
      const a = task.alloc(SUBMISSION_SIZE);
      const c = task.alloc(COMPLETION_SIZE);
      const seen: string[] = [];
      for (const ud of u64Samples()) {
        encodeSubmission(task.view, a, { userData: ud, opcode: OP_NOP, timeoutNs: ud });
        const s = decodeSubmission(task.view, a);
        equal(s.userData, ud, "submission user_data");
        equal(s.timeoutNs, ud, "submission timeout_ns");
        encodeCompletion(task.view, c, { userData: ud, result: 0, flags: 0, opcode: 0 });
        equal(decodeCompletion(task.view, c).userData, ud, "completion user_data");
        seen.push(ud.toString(16));
      }
      return seen.length;
    },
  },
  {
    name: "u64 user_data round-trips all 64 bits through the kernel",
    section: "§2 u64 §4.1",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      const samples = u64Samples().slice(0, 64);
      equal(submit(task, port, samples.map((ud) => nop(ud))), 64);
      const out = cqBuf(task, 64);
      equal(await sys.io_wait(port, out, 64, 64, 0), 64);
      const got = readCqes(task, out, 64).map((x) => x.userData);
      deepEqual(got, samples);
      // every bit, set alone, also comes back
      const bits: bigint[] = [];
      for (let i = 0n; i < 64n; i++) bits.push(1n << i);
      equal(submit(task, port, bits.map((ud) => nop(ud))), 64);
      equal(await sys.io_wait(port, out, 64, 64, 0), 64);
      deepEqual(readCqes(task, out, 64).map((x) => x.userData), bits);
      return got.slice(0, 12);
    },
  },
  {
    name: "the hot-path writers agree with the codecs",
    section: "§2",
    run({ task }) {
      const a = task.alloc(SUBMISSION_SIZE);
      writeSubmission(task.view, a, 0xcafebabe, 0xdeadbeef, OP_TIMEOUT, 0, 7, 4096, 64, 2 ** 40 + 3);
      const s = decodeSubmission(task.view, a);
      deepEqual(s, { userData: 0xdeadbeefcafebaben, opcode: OP_TIMEOUT, flags: 0, fd: 7, bufAddr: 4096, bufLen: 64, offset: 0, timeoutNs: BigInt(2 ** 40 + 3) });
      const c = task.alloc(COMPLETION_SIZE);
      writeCompletion(task.view, c, 0xffffffff, 0xffffffff, -EINVAL, 0, 99);
      deepEqual(decodeCompletion(task.view, c), { userData: U64_MAX, result: -EINVAL, flags: 0, opcode: 99 });
      return s;
    },
  },
  {
    name: "i64 results: negative values are two's complement, exact to 2^53",
    section: "§2 IoCompletion",
    run({ task }) {
      const a = task.alloc(8);
      const v = task.view;
      const out: [number, number, number][] = [];
      for (const n of [0, 1, -1, -EINVAL, -ECANCELED, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 0x7fffffff, -0x80000000]) {
        writeI64(v, a, n);
        const lo = v.getUint32(a, true);
        const hi = v.getUint32(a + 4, true);
        equal(v.getBigInt64(a, true), BigInt(n), `i64 bytes of ${n}`);
        equal(readI64(v, a), n, `readI64 of ${n}`);
        out.push([n, lo, hi]);
      }
      return out.slice(0, 5);
    },
  },
  {
    name: "a kernel error completion carries -errno as an i64",
    section: "§2 §4.9",
    async run({ task, sys }) {
      const port = sys.io_create(0);
      equal(submit(task, port, [{ userData: 5n, opcode: 77 }]), 1);
      const out = cqBuf(task, 1);
      equal(await sys.io_wait(port, out, 1, 1, 0), 1);
      equal(task.view.getBigInt64(out + 8, true), BigInt(-EINVAL), "result @8 is i64 -22");
      equal(task.view.getUint32(out + 12, true), 0xffffffff, "high word sign-extended");
      equal(task.view.getUint32(out + 20, true), 77, "opcode echoed @20");
      return bytes(task.view, out, COMPLETION_SIZE);
    },
  },
  {
    name: "IpcMessage codec: offsets, u64 data, -1 marks unused fd slots",
    section: "§2 IpcMessage",
    run({ task }) {
      const a = task.alloc(IPC_MESSAGE_SIZE);
      encodeIpcMessage(task.view, a, { tag: U64_MAX, data: [1n, 0x8000000000000000n, 0x123456789abcdefn], fds: [3, 7] });
      const m = decodeIpcMessage(task.view, a);
      deepEqual(m, { tag: U64_MAX, data: [1n, 0x8000000000000000n, 0x123456789abcdefn], fds: [3, 7, -1, -1] });
      const v = task.view;
      equal(v.getBigUint64(a, true), U64_MAX, "tag @0");
      equal(v.getBigUint64(a + 16, true), 0x8000000000000000n, "data[1] @16");
      deepEqual([v.getInt32(a + 32, true), v.getInt32(a + 36, true), v.getInt32(a + 40, true), v.getInt32(a + 44, true)], [3, 7, -1, -1], "fds @32..44");
      encodeIpcMessage(task.view, a, {});
      deepEqual(decodeIpcMessage(task.view, a), { tag: 0n, data: [0n, 0n, 0n], fds: [-1, -1, -1, -1] }, "defaults");
      return m;
    },
  },
  {
    name: "IrqEvent codec: timestamp u64, count, level",
    section: "§2 IrqEvent",
    run({ task }) {
      const a = task.alloc(IRQ_EVENT_SIZE);
      encodeIrqEvent(task.view, a, { timestampNs: 0xfedcba9876543210n, count: 0xffffffff, level: 1 });
      deepEqual(decodeIrqEvent(task.view, a), { timestampNs: 0xfedcba9876543210n, count: 0xffffffff, level: 1 });
      equal(task.view.getUint32(a + 8, true), 0xffffffff, "count @8");
      equal(task.view.getUint32(a + 12, true), 1, "level @12");
      writeIrqEvent(task.view, a, 2 ** 40 + 5, 3, 0);
      const e = decodeIrqEvent(task.view, a);
      deepEqual(e, { timestampNs: BigInt(2 ** 40 + 5), count: 3, level: 0 }, "number timestamp written without BigInt");
      return e;
    },
  },
];

export default cases;
