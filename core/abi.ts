/**
 * Binary layouts of the ABI (spec §2): little-endian, naturally aligned.
 * This file is their one source: each layout's byte offsets, the u32 word
 * indices derived from them (`*_W_*`, for the hot paths' Uint32Array and
 * Int32Array views of task memory), and the functions that store them.
 * Hot paths use the positional read/write functions, which move u64 fields
 * as two u32 halves and never touch BigInt. The object codecs
 * (`encode*`/`decode*`) are the convenient edge for tests, tools and the
 * ergonomic API; they take and give `user_data` as a bigint.
 */
import {
  COMPLETION_SIZE,
  IPC_MESSAGE_SIZE,
  IRQ_EVENT_SIZE,
  SUBMISSION_SIZE,
} from "./constants.js";

const TWO32 = 4294967296;

/** Low 32 bits of a non-negative integer number (exact up to 2^53). */
export function lo32(n: number): number {
  return n >>> 0 === n ? n : n % TWO32 >>> 0;
}
/** High 32 bits of a non-negative integer number (exact up to 2^53). */
export function hi32(n: number): number {
  return n < TWO32 ? 0 : Math.floor(n / TWO32) >>> 0;
}
/** Joins u32 halves into a number; exact while hi < 2^21. */
export function u64ToNumber(lo: number, hi: number): number {
  return hi * TWO32 + lo;
}
export function u64ToBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
export function bigIntLo(v: bigint): number {
  return Number(BigInt.asUintN(32, v));
}
export function bigIntHi(v: bigint): number {
  return Number(BigInt.asUintN(32, v >> 32n));
}

/** Writes an i64 that is a JS integer number (|n| < 2^53). */
export function writeI64(view: DataView, off: number, n: number): void {
  if (n >= 0) {
    view.setUint32(off, lo32(n), true);
    view.setUint32(off + 4, hi32(n), true);
  } else {
    // two's complement of a negative safe integer, without BigInt
    const m = -n - 1; // >= 0
    view.setUint32(off, ~lo32(m) >>> 0, true);
    view.setUint32(off + 4, ~hi32(m) >>> 0, true);
  }
}
/** Reads an i64 as a JS number (exact for |v| < 2^53). */
export function readI64(view: DataView, off: number): number {
  const lo = view.getUint32(off, true);
  const hi = view.getInt32(off + 4, true);
  return hi * TWO32 + lo;
}

// ---- IoSubmission (48 bytes) ----
export const SQE_USER_DATA = 0;
export const SQE_OPCODE = 8;
export const SQE_FLAGS = 12;
export const SQE_FD = 16;
export const SQE_BUF_ADDR = 24;
export const SQE_BUF_LEN = 32;
export const SQE_OFFSET = 36;
export const SQE_TIMEOUT_NS = 40;

// u32 word indices of a submission's fields (u64 fields: the low word; the
// high word is the next), for reading entries in place through task.u32
export const SQE_WORDS = SUBMISSION_SIZE >>> 2;
export const SQE_W_USER_DATA = SQE_USER_DATA >>> 2;
export const SQE_W_OPCODE = SQE_OPCODE >>> 2;
export const SQE_W_FLAGS = SQE_FLAGS >>> 2;
export const SQE_W_FD = SQE_FD >>> 2;
export const SQE_W_BUF_ADDR = SQE_BUF_ADDR >>> 2;
export const SQE_W_BUF_LEN = SQE_BUF_LEN >>> 2;
export const SQE_W_TIMEOUT_NS = SQE_TIMEOUT_NS >>> 2;

export interface IoSubmission {
  userData: bigint;
  opcode: number;
  flags: number;
  fd: number;
  bufAddr: number;
  bufLen: number;
  offset: number;
  timeoutNs: bigint;
}

function u64In(v: bigint | number): bigint {
  return BigInt.asUintN(64, typeof v === "bigint" ? v : BigInt(v));
}

/** Writes a submission at byte `addr` of `view`. */
export function encodeSubmission(
  view: DataView,
  addr: number,
  s: Partial<Omit<IoSubmission, "userData" | "timeoutNs">> & {
    userData?: bigint | number;
    timeoutNs?: bigint | number;
  },
): void {
  const ud = u64In(s.userData ?? 0n);
  view.setUint32(addr + SQE_USER_DATA, bigIntLo(ud), true);
  view.setUint32(addr + SQE_USER_DATA + 4, bigIntHi(ud), true);
  view.setUint32(addr + SQE_OPCODE, (s.opcode ?? 0) >>> 0, true);
  view.setUint32(addr + SQE_FLAGS, (s.flags ?? 0) >>> 0, true);
  view.setInt32(addr + SQE_FD, s.fd ?? -1, true);
  view.setInt32(addr + SQE_FD + 4, 0, true);
  const ba = u64In(s.bufAddr ?? 0);
  view.setUint32(addr + SQE_BUF_ADDR, bigIntLo(ba), true);
  view.setUint32(addr + SQE_BUF_ADDR + 4, bigIntHi(ba), true);
  view.setUint32(addr + SQE_BUF_LEN, (s.bufLen ?? 0) >>> 0, true);
  view.setUint32(addr + SQE_OFFSET, (s.offset ?? 0) >>> 0, true);
  const t = u64In(s.timeoutNs ?? 0n);
  view.setUint32(addr + SQE_TIMEOUT_NS, bigIntLo(t), true);
  view.setUint32(addr + SQE_TIMEOUT_NS + 4, bigIntHi(t), true);
}

export function decodeSubmission(view: DataView, addr: number): IoSubmission {
  return {
    userData: u64ToBigInt(view.getUint32(addr, true), view.getUint32(addr + 4, true)),
    opcode: view.getUint32(addr + SQE_OPCODE, true),
    flags: view.getUint32(addr + SQE_FLAGS, true),
    fd: view.getInt32(addr + SQE_FD, true),
    bufAddr: u64ToNumber(view.getUint32(addr + SQE_BUF_ADDR, true), view.getUint32(addr + SQE_BUF_ADDR + 4, true)),
    bufLen: view.getUint32(addr + SQE_BUF_LEN, true),
    offset: view.getUint32(addr + SQE_OFFSET, true),
    timeoutNs: u64ToBigInt(view.getUint32(addr + SQE_TIMEOUT_NS, true), view.getUint32(addr + SQE_TIMEOUT_NS + 4, true)),
  };
}

/**
 * Hot-path writer of a submission: every field positional, `user_data` as two
 * u32 halves, `timeout_ns` as a number of ns. No allocation.
 */
export function writeSubmission(
  view: DataView,
  addr: number,
  udLo: number,
  udHi: number,
  opcode: number,
  flags: number,
  fd: number,
  bufAddr: number,
  bufLen: number,
  timeoutNs: number,
): void {
  view.setUint32(addr, udLo >>> 0, true);
  view.setUint32(addr + 4, udHi >>> 0, true);
  view.setUint32(addr + SQE_OPCODE, opcode >>> 0, true);
  view.setUint32(addr + SQE_FLAGS, flags >>> 0, true);
  view.setInt32(addr + SQE_FD, fd | 0, true);
  view.setInt32(addr + SQE_FD + 4, 0, true);
  view.setUint32(addr + SQE_BUF_ADDR, lo32(bufAddr), true);
  view.setUint32(addr + SQE_BUF_ADDR + 4, hi32(bufAddr), true);
  view.setUint32(addr + SQE_BUF_LEN, bufLen >>> 0, true);
  view.setUint32(addr + SQE_OFFSET, 0, true);
  view.setUint32(addr + SQE_TIMEOUT_NS, lo32(timeoutNs), true);
  view.setUint32(addr + SQE_TIMEOUT_NS + 4, hi32(timeoutNs), true);
}

// ---- IoCompletion (24 bytes) ----
export const CQE_USER_DATA = 0;
export const CQE_RESULT = 8;
export const CQE_FLAGS = 16;
export const CQE_OPCODE = 20;

// u32 word indices of a completion's fields (u64 fields: the low word first)
export const CQE_WORDS = COMPLETION_SIZE >>> 2;
export const CQE_W_USER_DATA = CQE_USER_DATA >>> 2;
export const CQE_W_RESULT = CQE_RESULT >>> 2;
export const CQE_W_FLAGS = CQE_FLAGS >>> 2;
export const CQE_W_OPCODE = CQE_OPCODE >>> 2;

// The word-level stores below are the hot paths' one source for these
// layouts. XS pays for every call (a few percent of an interrupt's cost), so
// the port's reap and the interrupt fast path carry inline copies, generated
// from these bodies — parameters substituted, the word indices folded to
// numbers — by tools/gen-inline.mjs (`npm run build` regenerates them, and
// `npm run lint` fails when a copy differs from its source). Edit these, not
// the copies. Each body must be straight-line statements, one per line.

/**
 * Stores one completion as six words at word `w` of `words` (an Int32Array
 * view of task memory; the completion is 4-aligned). `result` must lie in
 * [-2^31, 2^32): the Int32Array store's ToInt32 keeps the low word of a
 * non-negative one, and the high word is its sign; larger results go
 * through writeCompletion.
 */
export function storeCompletion(words: Int32Array, w: number, udLo: number, udHi: number, result: number, flags: number, opcode: number): void {
  words[w + CQE_W_USER_DATA] = udLo;
  words[w + CQE_W_USER_DATA + 1] = udHi;
  words[w + CQE_W_RESULT] = result;
  words[w + CQE_W_RESULT + 1] = result < 0 ? -1 : 0;
  words[w + CQE_W_FLAGS] = flags;
  words[w + CQE_W_OPCODE] = opcode;
}

/**
 * storeCompletion(words, w, udLo, udHi, 0, 0, OP_NOP) for an 8-aligned
 * completion (`w` even), whose four words after the user_data — result, its
 * high word, flags and the opcode, OP_NOP being 0 — are stored as two 8-byte
 * zeros through `f64`, a Float64Array over the same memory (+0 is all zero
 * bits): half the stores, for XS (a fill call would do as well there but
 * costs V8 more).
 */
export function storeNopCompletion8(words: Int32Array, f64: Float64Array, w: number, udLo: number, udHi: number): void {
  words[w + CQE_W_USER_DATA] = udLo;
  words[w + CQE_W_USER_DATA + 1] = udHi;
  f64[(w + CQE_W_RESULT) >>> 1] = 0;
  f64[(w + CQE_W_FLAGS) >>> 1] = 0;
}

export interface IoCompletion {
  userData: bigint;
  result: number;
  flags: number;
  opcode: number;
}

export function writeCompletion(
  view: DataView,
  addr: number,
  udLo: number,
  udHi: number,
  result: number,
  flags: number,
  opcode: number,
): void {
  view.setUint32(addr, udLo, true);
  view.setUint32(addr + 4, udHi, true);
  writeI64(view, addr + CQE_RESULT, result);
  view.setUint32(addr + CQE_FLAGS, flags >>> 0, true);
  view.setUint32(addr + CQE_OPCODE, opcode >>> 0, true);
}

export function encodeCompletion(view: DataView, addr: number, c: IoCompletion): void {
  const ud = u64In(c.userData);
  writeCompletion(view, addr, bigIntLo(ud), bigIntHi(ud), c.result, c.flags, c.opcode);
}

export function decodeCompletion(view: DataView, addr: number): IoCompletion {
  return {
    userData: u64ToBigInt(view.getUint32(addr, true), view.getUint32(addr + 4, true)),
    result: readI64(view, addr + CQE_RESULT),
    flags: view.getUint32(addr + CQE_FLAGS, true),
    opcode: view.getUint32(addr + CQE_OPCODE, true),
  };
}

// ---- IpcMessage (48 bytes) ----
export const MSG_TAG = 0;
export const MSG_DATA = 8;
export const MSG_FDS = 32;

export interface IpcMessage {
  tag: bigint;
  data: [bigint, bigint, bigint];
  fds: [number, number, number, number];
}

export function encodeIpcMessage(
  view: DataView,
  addr: number,
  m: { tag?: bigint | number; data?: readonly (bigint | number)[]; fds?: readonly number[] },
): void {
  const tag = u64In(m.tag ?? 0n);
  view.setUint32(addr, bigIntLo(tag), true);
  view.setUint32(addr + 4, bigIntHi(tag), true);
  for (let i = 0; i < 3; i++) {
    const d = u64In(m.data?.[i] ?? 0n);
    view.setUint32(addr + MSG_DATA + 8 * i, bigIntLo(d), true);
    view.setUint32(addr + MSG_DATA + 8 * i + 4, bigIntHi(d), true);
  }
  for (let i = 0; i < 4; i++) view.setInt32(addr + MSG_FDS + 4 * i, m.fds?.[i] ?? -1, true);
}

export function decodeIpcMessage(view: DataView, addr: number): IpcMessage {
  const u64 = (o: number) => u64ToBigInt(view.getUint32(addr + o, true), view.getUint32(addr + o + 4, true));
  return {
    tag: u64(MSG_TAG),
    data: [u64(MSG_DATA), u64(MSG_DATA + 8), u64(MSG_DATA + 16)],
    fds: [
      view.getInt32(addr + MSG_FDS, true),
      view.getInt32(addr + MSG_FDS + 4, true),
      view.getInt32(addr + MSG_FDS + 8, true),
      view.getInt32(addr + MSG_FDS + 12, true),
    ],
  };
}

// ---- IrqEvent (16 bytes) ----
export const IRQ_EV_TIMESTAMP = 0;
export const IRQ_EV_COUNT = 8;
export const IRQ_EV_LEVEL = 12;

// u32 word indices of an IrqEvent's fields
export const IRQ_EV_W_TIMESTAMP = IRQ_EV_TIMESTAMP >>> 2;
export const IRQ_EV_W_COUNT = IRQ_EV_COUNT >>> 2;
export const IRQ_EV_W_LEVEL = IRQ_EV_LEVEL >>> 2;

export interface IrqEvent {
  timestampNs: bigint;
  count: number;
  level: number;
}

export function writeIrqEvent(view: DataView, addr: number, timestampNs: number, count: number, level: number): void {
  view.setUint32(addr, lo32(timestampNs), true);
  view.setUint32(addr + 4, hi32(timestampNs), true);
  view.setUint32(addr + IRQ_EV_COUNT, count >>> 0, true);
  view.setUint32(addr + IRQ_EV_LEVEL, level >>> 0, true);
}

/**
 * Hot-path IrqEvent store into task memory: four word stores through `words`
 * (an Int32Array over the same buffer as `view`) when `addr` is 4-aligned,
 * the DataView otherwise. Same bytes as writeIrqEvent.
 */
export function storeIrqEvent(words: Int32Array, view: DataView, addr: number, timestampNs: number, count: number, level: number): void {
  if ((addr & 3) !== 0) {
    writeIrqEvent(view, addr, timestampNs, count, level);
    return;
  }
  const i = addr >>> 2;
  // (the aligned store below, generated by tools/gen-inline.mjs: a call less per one-shot IRQ_WAIT reaped)
  // inline storeIrqEventWords(words, i, timestampNs, count, level)
  const hi = (timestampNs / 4294967296) >>> 0;
  words[i] = timestampNs - hi * 4294967296;
  words[i + 1] = hi;
  words[i + 2] = count;
  words[i + 3] = level;
  // end inline
}

/**
 * The aligned IrqEvent store: four words at word `i` of `words`. The
 * timestamp's high word is computed into `hi` (a name the inline copies
 * declare in their block); truncation is floor for a timestamp in
 * [0, 2^53), and `>>> 0` is no global lookup and no call in XS, unlike
 * Math.floor.
 */
export function storeIrqEventWords(words: Int32Array, i: number, timestampNs: number, count: number, level: number): void {
  const hi = (timestampNs / 4294967296) >>> 0;
  words[i + IRQ_EV_W_TIMESTAMP] = timestampNs - hi * 4294967296;
  words[i + IRQ_EV_W_TIMESTAMP + 1] = hi;
  words[i + IRQ_EV_W_COUNT] = count;
  words[i + IRQ_EV_W_LEVEL] = level;
}

export function encodeIrqEvent(view: DataView, addr: number, e: IrqEvent): void {
  const t = u64In(e.timestampNs);
  view.setUint32(addr, bigIntLo(t), true);
  view.setUint32(addr + 4, bigIntHi(t), true);
  view.setUint32(addr + IRQ_EV_COUNT, e.count >>> 0, true);
  view.setUint32(addr + IRQ_EV_LEVEL, e.level >>> 0, true);
}

export function decodeIrqEvent(view: DataView, addr: number): IrqEvent {
  return {
    timestampNs: u64ToBigInt(view.getUint32(addr, true), view.getUint32(addr + 4, true)),
    count: view.getUint32(addr + IRQ_EV_COUNT, true),
    level: view.getUint32(addr + IRQ_EV_LEVEL, true),
  };
}

export { SUBMISSION_SIZE, COMPLETION_SIZE, IPC_MESSAGE_SIZE, IRQ_EVENT_SIZE };

// ---- the native fast lane's grant (core/objects/lane.ts ↔ drivers/moddable/irqcapture; not user ABI) ----

/** The lane's arm is one-shot: its IrqEvent is stored before the completion, the result caps at 2^32-1, no IOCQE_F_MORE. */
export const LANE_ONESHOT = 1;
/** The lane delivers one batch only (a one-shot arm, or a one-time waiter: io_wait_cb, io_wait). */
export const LANE_ONCE = 2;
