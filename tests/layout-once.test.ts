// The ABI's layouts are written once (core/abi.ts): the word indices derive
// from the byte offsets, the word-level stores write exactly the bytes of
// the DataView writers, and the hot paths' inline copies of those stores are
// generated from them (tools/gen-inline.mjs) and current.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CQE_FLAGS,
  CQE_OPCODE,
  CQE_RESULT,
  CQE_W_FLAGS,
  CQE_W_OPCODE,
  CQE_W_RESULT,
  CQE_W_USER_DATA,
  CQE_WORDS,
  COMPLETION_SIZE,
  OP_NOP,
  SQE_W_BUF_ADDR,
  SQE_W_BUF_LEN,
  SQE_W_FD,
  SQE_W_FLAGS,
  SQE_W_OPCODE,
  SQE_W_TIMEOUT_NS,
  SQE_W_USER_DATA,
  SQE_WORDS,
  SUBMISSION_SIZE,
  encodeSubmission,
  storeCompletion,
  storeIrqEventWords,
  storeNopCompletion8,
  writeCompletion,
  writeIrqEvent,
} from "../core/index.js";

const root = resolve(import.meta.dirname, "..");
const u32 = fc.integer({ min: 0, max: 0xffffffff });

function mem(bytes: number) {
  const buf = new ArrayBuffer(bytes);
  return { bytes: new Uint8Array(buf), view: new DataView(buf), i32: new Int32Array(buf), f64: new Float64Array(buf) };
}

describe("word indices derive from the byte layout", () => {
  it("completion and submission word indices are the byte offsets / 4, and the sizes whole words", () => {
    expect([CQE_W_USER_DATA, CQE_W_RESULT, CQE_W_FLAGS, CQE_W_OPCODE].map((w) => 4 * w)).toEqual([0, CQE_RESULT, CQE_FLAGS, CQE_OPCODE]);
    expect(4 * CQE_WORDS).toBe(COMPLETION_SIZE);
    expect(4 * SQE_WORDS).toBe(SUBMISSION_SIZE);
  });

  it("reading a submission by word index gives back what encodeSubmission wrote", () => {
    fc.assert(
      fc.property(u32, u32, u32, fc.integer({ min: -1, max: 63 }), u32, u32, fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), (lo, opcode, flags, fd, addr, len, t) => {
        const m = mem(SUBMISSION_SIZE);
        encodeSubmission(m.view, 0, { userData: BigInt(lo) | (7n << 32n), opcode, flags, fd, bufAddr: addr, bufLen: len, timeoutNs: t });
        const w = new Uint32Array(m.bytes.buffer);
        expect([w[SQE_W_USER_DATA], w[SQE_W_USER_DATA + 1], w[SQE_W_OPCODE], w[SQE_W_FLAGS], w[SQE_W_FD]! | 0, w[SQE_W_BUF_ADDR], w[SQE_W_BUF_LEN]]).toEqual([lo, 7, opcode, flags, fd, addr, len]);
        expect(BigInt(w[SQE_W_TIMEOUT_NS]!) | (BigInt(w[SQE_W_TIMEOUT_NS + 1]!) << 32n)).toBe(t);
      }),
    );
  });
});

describe("the word-level stores write the DataView writers' bytes", () => {
  it("storeCompletion = writeCompletion, for every result in [-2^31, 2^32)", () => {
    fc.assert(
      fc.property(u32, u32, fc.integer({ min: -0x80000000, max: 0xffffffff }), u32, u32, fc.nat(3), (lo, hi, r, flags, opcode, at) => {
        const a = mem(4 * CQE_WORDS * 5);
        const b = mem(4 * CQE_WORDS * 5);
        storeCompletion(a.i32, at * CQE_WORDS, lo, hi, r, flags, opcode);
        writeCompletion(b.view, at * COMPLETION_SIZE, lo, hi, r, flags, opcode);
        expect(a.bytes).toEqual(b.bytes);
      }),
    );
  });

  it("storeNopCompletion8 = writeCompletion of a successful NOP, over dirty memory", () => {
    fc.assert(
      fc.property(u32, u32, fc.nat(3), (lo, hi, k) => {
        const a = mem(96);
        const b = mem(96);
        a.bytes.fill(0xa5);
        b.bytes.fill(0xa5);
        storeNopCompletion8(a.i32, a.f64, 2 * k, lo, hi);
        writeCompletion(b.view, 8 * k, lo, hi, 0, 0, OP_NOP);
        expect(a.bytes).toEqual(b.bytes);
      }),
    );
  });

  it("storeIrqEventWords = writeIrqEvent", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), u32, u32, (ts, count, level) => {
        const a = mem(32);
        const b = mem(32);
        storeIrqEventWords(a.i32, 4, ts, count, level);
        writeIrqEvent(b.view, 16, ts, count, level);
        expect(a.bytes).toEqual(b.bytes);
      }),
    );
  });
});

describe("inline copies (tools/gen-inline.mjs)", () => {
  it("every copy in core/ is the current expansion of its source (the lint check passes)", async () => {
    const r = await promisify(execFile)(process.execPath, [join(root, "tools/gen-inline.mjs"), "--check"], { cwd: root });
    expect(r.stderr).toBe("");
    // and there are copies to check: the fast path's and the reap's
    const direct = readFileSync(join(root, "core/objects/direct.ts"), "utf8");
    const port = readFileSync(join(root, "core/objects/port.ts"), "utf8");
    expect(direct.match(/\/\/ inline \w+\(/g)).toHaveLength(2);
    expect(port.match(/\/\/ inline \w+\(/g)).toHaveLength(3);
    expect(readFileSync(join(root, "core/abi.ts"), "utf8").match(/\/\/ inline \w+\(/g)).toHaveLength(1);
  });

  it("a copy edited by hand is found and rewritten from the source, its word indices folded", async () => {
    const gen = (await import(join(root, "tools/gen-inline.mjs"))) as {
      regenerate: (text: string, file: string, fns: unknown, consts: unknown) => string;
      sources: () => unknown;
      constants: () => unknown;
    };
    const region = ["  // inline storeCompletion(words, w, a.lo, a.hi, r, f, k)", "  words[w] = 999; // hand-edited", "  // end inline", ""].join("\n");
    const out = gen.regenerate(region, "x.ts", gen.sources(), gen.constants());
    expect(out).toBe(
      [
        "  // inline storeCompletion(words, w, a.lo, a.hi, r, f, k)",
        "  words[w] = a.lo;",
        "  words[w + 1] = a.hi;",
        "  words[w + 2] = r;",
        "  words[w + 3] = r < 0 ? -1 : 0;",
        "  words[w + 4] = f;",
        "  words[w + 5] = k;",
        "  // end inline",
        "",
      ].join("\n"),
    );
    // a parameter used twice must get a plain name (no expression evaluated twice)
    expect(() => gen.regenerate("// inline storeCompletion(words, w, a, b, x + 1, f, k)\n// end inline", "x.ts", gen.sources(), gen.constants())).toThrow(/used 2 times/);
  });
});
