// §2 binary layouts: every codec round-trips every field, u64 all 64 bits,
// and the hot-path writers agree byte for byte with the object codecs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeCompletion,
  decodeIpcMessage,
  decodeIrqEvent,
  decodeSubmission,
  encodeCompletion,
  encodeIpcMessage,
  encodeIrqEvent,
  encodeSubmission,
  readI64,
  writeCompletion,
  writeI64,
  writeIrqEvent,
  storeIrqEvent,
  writeSubmission,
  hi32,
  lo32,
  u64ToBigInt,
} from "../core/index.js";

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const safeI64 = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });

function view(n: number, at = 0) {
  return { v: new DataView(new ArrayBuffer(n + at)), at };
}

describe("abi", () => {
  it("IoSubmission round-trips every field at any 8-aligned address", () => {
    fc.assert(
      fc.property(u64, u32, u32, i32, fc.integer({ min: 0, max: 2 ** 32 - 1 }), u32, u32, u64, fc.nat(8), (ud, op, fl, fd, ba, bl, off, to, slot) => {
        const { v, at } = view(48, slot * 8);
        const s = { userData: ud, opcode: op, flags: fl, fd, bufAddr: ba, bufLen: bl, offset: off, timeoutNs: to };
        encodeSubmission(v, at, s);
        expect(decodeSubmission(v, at)).toEqual(s);
      }),
    );
  });

  it("layout offsets are the spec's (48-byte IoSubmission)", () => {
    const { v } = view(48);
    encodeSubmission(v, 0, { userData: 0x0807060504030201n, opcode: 0x11, flags: 0x22, fd: 0x33, bufAddr: 0x44, bufLen: 0x55, offset: 0x66, timeoutNs: 0x77n });
    const b = new Uint8Array(v.buffer);
    expect([...b.subarray(0, 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(b[8]).toBe(0x11);
    expect(b[12]).toBe(0x22);
    expect(b[16]).toBe(0x33);
    expect(b[24]).toBe(0x44);
    expect(b[32]).toBe(0x55);
    expect(b[36]).toBe(0x66);
    expect(b[40]).toBe(0x77);
  });

  it("writeSubmission (hot path) writes the same bytes as encodeSubmission", () => {
    fc.assert(
      fc.property(u32, u32, u32, u32, i32, fc.integer({ min: 0, max: 2 ** 32 - 1 }), u32, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (lo, hi, op, fl, fd, ba, bl, to) => {
        const a = view(48).v;
        const b = view(48).v;
        writeSubmission(a, 0, lo, hi, op, fl, fd, ba, bl, to);
        encodeSubmission(b, 0, { userData: u64ToBigInt(lo, hi), opcode: op, flags: fl, fd, bufAddr: ba, bufLen: bl, timeoutNs: BigInt(to) });
        expect(new Uint8Array(a.buffer)).toEqual(new Uint8Array(b.buffer));
      }),
    );
  });

  it("IoCompletion round-trips; result is a signed i64", () => {
    fc.assert(
      fc.property(u64, safeI64, u32, u32, (ud, result, flags, opcode) => {
        const { v } = view(24);
        const c = { userData: ud, result, flags, opcode };
        encodeCompletion(v, 0, c);
        expect(decodeCompletion(v, 0)).toEqual(c);
      }),
    );
  });

  it("writeCompletion stores -errno as two's complement i64", () => {
    const { v } = view(24);
    writeCompletion(v, 0, 0xffffffff, 0xffffffff, -22, 0, 9);
    const b = new Uint8Array(v.buffer);
    expect([...b.subarray(8, 16)]).toEqual([0xea, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(decodeCompletion(v, 0)).toEqual({ userData: 0xffffffffffffffffn, result: -22, flags: 0, opcode: 9 });
  });

  it("writeI64/readI64 agree with BigInt64 for every safe integer", () => {
    fc.assert(
      fc.property(safeI64, (n) => {
        const { v } = view(8);
        writeI64(v, 0, n);
        expect(v.getBigInt64(0, true)).toBe(BigInt(n));
        expect(readI64(v, 0)).toBe(n);
      }),
    );
  });

  it("lo32/hi32 split every safe non-negative integer exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(hi32(n) * 2 ** 32 + lo32(n)).toBe(n);
        expect(u64ToBigInt(lo32(n), hi32(n))).toBe(BigInt(n));
      }),
    );
  });

  it("IpcMessage round-trips tag, data[3] and fds[4]", () => {
    fc.assert(
      fc.property(u64, fc.tuple(u64, u64, u64), fc.tuple(i32, i32, i32, i32), (tag, data, fds) => {
        const { v } = view(48);
        encodeIpcMessage(v, 0, { tag, data, fds });
        expect(decodeIpcMessage(v, 0)).toEqual({ tag, data, fds });
      }),
    );
  });

  it("IpcMessage defaults unused fd slots to -1", () => {
    const { v } = view(48);
    encodeIpcMessage(v, 0, { tag: 1n, fds: [5] });
    expect(decodeIpcMessage(v, 0).fds).toEqual([5, -1, -1, -1]);
  });

  it("IrqEvent round-trips; writeIrqEvent matches encodeIrqEvent", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), u32, u32, (ts, count, level) => {
        const a = view(16).v;
        const b = view(16).v;
        writeIrqEvent(a, 0, ts, count, level);
        encodeIrqEvent(b, 0, { timestampNs: BigInt(ts), count, level });
        expect(new Uint8Array(a.buffer)).toEqual(new Uint8Array(b.buffer));
        expect(decodeIrqEvent(a, 0)).toEqual({ timestampNs: BigInt(ts), count, level });
      }),
    );
  });

  it("storeIrqEvent (hot path, word stores) writes the same bytes as writeIrqEvent, aligned or not", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), u32, u32, fc.integer({ min: 0, max: 15 }), (ts, count, level, at) => {
        const a = new ArrayBuffer(40);
        const b = new ArrayBuffer(40);
        storeIrqEvent(new Int32Array(a), new DataView(a), 8 + at, ts, count, level);
        writeIrqEvent(new DataView(b), 8 + at, ts, count, level);
        expect(new Uint8Array(a)).toEqual(new Uint8Array(b));
      }),
    );
  });
});
