/**
 * Argument checks shared by the syscalls. A syscall never throws for a user
 * mistake: whatever a caller passes (wrong type included) maps to an errno.
 */
export function isU32(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

/** Parses a timeout: number or bigint, >= 0. Returns -1 when invalid. */
export function parseNs(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.ceil(v) : -1;
  if (typeof v === "bigint") return v >= 0n ? Number(v) : -1;
  if (v === undefined) return 0;
  return -1;
}
