/**
 * A tiny assert module for the conformance corpus. It has no test-runner
 * dependency and uses nothing but ES2022, so the same cases run under vitest
 * in Node and inside the XS engine.
 *
 * `deepEqual` compares plain data: primitives (bigint included, `Object.is`
 * semantics), arrays, plain objects (own enumerable keys) and typed arrays.
 */
import { stableStringify } from "./stable.js";

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(v: unknown): string {
  const s = stableStringify(v);
  return s.length > 300 ? `${s.slice(0, 300)}...` : s;
}

function fail(message: string | undefined, detail: string): never {
  throw new AssertionError(message === undefined ? detail : `${message}: ${detail}`);
}

export function ok(value: unknown, message?: string): asserts value {
  if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
}

export function equal<T>(actual: T, expected: T, message?: string): void {
  if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
}

export function notEqual<T>(actual: T, unexpected: T, message?: string): void {
  if (Object.is(actual, unexpected)) fail(message, `expected anything but ${show(unexpected)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Where `a` and `b` differ (a path), or null when they are deeply equal. */
export function difference(a: unknown, b: unknown, path = "$"): string | null {
  if (Object.is(a, b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}.length: ${a.length} != ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], b[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && !(a instanceof DataView) && !(b instanceof DataView)) {
    const x = a as unknown as ArrayLike<number | bigint>;
    const y = b as unknown as ArrayLike<number | bigint>;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: typed arrays of different kinds`;
    if (x.length !== y.length) return `${path}.length: ${x.length} != ${y.length}`;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `${path}[${i}]: ${show(x[i])} != ${show(y[i])}`;
    return null;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join("\u0000") !== kb.join("\u0000")) return `${path}: keys ${show(ka)} != ${show(kb)}`;
    for (const k of ka) {
      const d = difference(a[k], b[k], `${path}.${k}`);
      if (d !== null) return d;
    }
    return null;
  }
  return `${path}: ${show(a)} != ${show(b)}`;
}

export function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  const d = difference(actual, expected);
  if (d !== null) fail(message, `not deeply equal at ${d}\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`);
}

/** Calls `fn`; it must throw an error of class `kind` whose message matches `pattern`. Returns the error. */
export function throws(fn: () => unknown, kind: new (...args: never[]) => Error = Error, pattern?: RegExp, message?: string): Error {
  try {
    fn();
  } catch (err) {
    checkError(err, kind, pattern, message);
    return err as Error;
  }
  return fail(message, "expected a throw, nothing was thrown");
}

/** Awaits `p`; it must reject with an error of class `kind` whose message matches `pattern`. Returns the error. */
export async function rejects(
  p: Promise<unknown> | (() => Promise<unknown>),
  kind: new (...args: never[]) => Error = Error,
  pattern?: RegExp,
  message?: string,
): Promise<Error> {
  let value: unknown;
  try {
    value = await (typeof p === "function" ? p() : p);
  } catch (err) {
    checkError(err, kind, pattern, message);
    return err as Error;
  }
  return fail(message, `expected a rejection, it resolved to ${show(value)}`);
}

function checkError(err: unknown, kind: new (...args: never[]) => Error, pattern: RegExp | undefined, message: string | undefined): void {
  if (!(err instanceof kind)) fail(message, `expected a ${kind.name}, got ${String(err)}`);
  if (pattern !== undefined && !pattern.test(err.message)) fail(message, `error message ${show(err.message)} does not match ${String(pattern)}`);
}
