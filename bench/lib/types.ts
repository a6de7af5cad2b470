/**
 * Engine-neutral benchmark cases: the same modules run in Node and, bundled,
 * inside XS. A case builds its workload in `setup()` and returns a function
 * that performs `n` units of work; the runner times it. Every case reports a
 * baseline measured in the same run, and results are read as ratios.
 */
export interface Variant {
  label: string;
  /** Builds the workload; the returned function does `n` units of work. */
  setup(): Promise<(n: number) => Promise<void> | void> | ((n: number) => Promise<void> | void);
}

export interface BenchCase {
  id: string;
  title: string;
  /** What one unit of work is ("op", "interrupt", "byte"). */
  unit: string;
  baseline: Variant;
  variants: Variant[];
  /** Which variant ratios are targets, and the bound (variant/baseline time per unit). */
  targets?: { label: string; maxRatio: number; engine?: "node" | "xs" }[];
}

export interface Clock {
  /** Milliseconds, fractional, monotonic. */
  now(): number;
}

export interface Measurement {
  label: string;
  nsPerUnit: number;
  unitsPerSecond: number;
  samples: number;
  units: number;
}
