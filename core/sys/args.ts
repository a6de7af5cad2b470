/**
 * Argument checks shared by the syscalls. A syscall never throws for a user
 * mistake: whatever a caller passes (wrong type included) maps to an errno.
 *
 * No string literal on a hot path: XS copies a string literal into a new
 * chunk each time it is evaluated, unless the code was linked into a flash
 * archive (so in xsnap, in mods, in anything compiled at run time), which
 * made `typeof v === "number"` allocate ~24-32 bytes per check, about 250
 * bytes per NOP round trip (bench/README.md). Number.isInteger and
 * Number.isFinite are false for anything not a number, without coercion, so
 * they do the type check; where a typeof is needed, compare with one of
 * these constants (made once, at module load).
 */
export const TYPE_BIGINT = "bigint";
export const TYPE_FUNCTION = "function";
export const TYPE_NUMBER = "number";

export function isU32(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
}

/** Parses a timeout: number or bigint, >= 0. Returns -1 when invalid. */
export function parseNs(v: unknown): number {
  if (Number.isFinite(v)) return (v as number) >= 0 ? Math.ceil(v as number) : -1;
  if (typeof v === TYPE_NUMBER) return -1; // NaN, ±Infinity
  if (typeof v === TYPE_BIGINT) return (v as bigint) >= 0n ? Number(v) : -1;
  if (v === undefined) return 0;
  return -1;
}
