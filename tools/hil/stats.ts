/**
 * Statistics of latency samples. Percentiles are nearest-rank: the p-th
 * percentile is the smallest sample such that at least p% of the samples are
 * at or below it (so it is always one of the samples, never interpolated).
 * The standard deviation is the population one (divide by n).
 */
export interface Stats {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  stddev: number;
}

/** Nearest-rank percentile of ascending `sorted` (non-empty), p in [0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of no samples");
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Statistics of `values`, or null when there are none. */
export function computeStats(values: readonly number[]): Stats | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const s = Array.from(sorted);
  // Welford: numerically stable mean and variance in one pass
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const x = s[i] as number;
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
  }
  return {
    n,
    min: s[0] as number,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[n - 1] as number,
    mean,
    stddev: Math.sqrt(m2 / n),
  };
}

/** x / base, or null when the base is 0 (a ratio to nothing is not a number to print). */
export function ratio(x: number, base: number): number | null {
  return base > 0 ? x / base : null;
}
