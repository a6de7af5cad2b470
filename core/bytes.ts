/**
 * Small allocation-free helpers for the device paths: byte copies between
 * kernel buffers and task memory (a loop, so no subarray view is built per
 * operation) and exact integer ceiling division for timing formulas.
 */

/** Copies `len` bytes from `src[srcOff..]` to `dst[dstOff..]`; the ranges are valid and do not overlap. */
export function copyBytes(dst: Uint8Array, dstOff: number, src: ArrayLike<number>, srcOff: number, len: number): void {
  for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i] as number;
}

/**
 * ceil(a·m / d) for non-negative integers, exact even when a·m passes 2^53
 * (a byte count times 10^10, say): m = q·d + r, so a·m/d = a·q + a·r/d.
 */
export function ceilMulDiv(a: number, m: number, d: number): number {
  const q = Math.floor(m / d);
  const r = m - q * d;
  const x = a * r;
  let c = Math.floor(x / d);
  // correct the float division to the exact integer quotient
  while (c * d > x) c--;
  while ((c + 1) * d <= x) c++;
  return a * q + (c * d === x ? c : c + 1);
}
