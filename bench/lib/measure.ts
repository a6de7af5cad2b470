/**
 * Timing loop shared by both engines. A case's baseline and variants are
 * each set up, warmed and calibrated to a batch of about `sampleMs`; then
 * their samples are taken in rounds — one batch of each, in turn — so that
 * whatever else the machine does at that moment (another process, a CPU
 * clock change) falls on all of them alike. Reported: the median time per
 * unit of each, and each variant's ratio as the median of its per-round
 * ratios to the baseline of the same round (measured back to back, so far
 * less noisy than the ratio of two medians taken minutes apart).
 */
import type { Clock, Measurement, Variant } from "./types.js";

export interface MeasureOptions {
  sampleMs: number;
  samples: number;
}

type Work = (n: number) => Promise<void> | void;

async function calibrate(work: Work, clock: Clock, sampleMs: number): Promise<number> {
  // warm up (lets a JIT settle; harmless where there is none), then size the batch
  const warmUntil = clock.now() + sampleMs * 2;
  while (clock.now() < warmUntil) await work(64);
  let n = 1;
  for (;;) {
    const t0 = clock.now();
    await work(n);
    const dt = clock.now() - t0;
    if (dt >= sampleMs / 4 || n >= 1 << 24) return Math.max(1, Math.round((n * sampleMs) / Math.max(dt, 0.001)));
    n *= 4;
  }
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export interface CaseTiming {
  baseline: Measurement;
  /** Each variant's measurement and its ratio to the baseline (median of per-round ratios). */
  variants: (Measurement & { ratio: number })[];
}

/** Times `baseline` and `variants` in interleaved rounds (see the file's comment). */
export async function measureCase(baseline: Variant, variants: Variant[], clock: Clock, opts: MeasureOptions): Promise<CaseTiming> {
  const all = [baseline, ...variants];
  const works: Work[] = [];
  for (const v of all) works.push(await v.setup());
  const batch: number[] = [];
  for (const w of works) batch.push(await calibrate(w, clock, opts.sampleMs));
  const per: number[][] = all.map(() => []);
  for (let s = 0; s < opts.samples; s++) {
    for (let i = 0; i < works.length; i++) {
      const n = batch[i] as number;
      const t0 = clock.now();
      await (works[i] as Work)(n);
      (per[i] as number[]).push(((clock.now() - t0) * 1e6) / n);
    }
  }
  const m = all.map((v, i): Measurement => {
    const ns = median(per[i] as number[]);
    return { label: v.label, nsPerUnit: ns, unitsPerSecond: 1e9 / ns, samples: opts.samples, units: (batch[i] as number) * opts.samples };
  });
  const base = per[0] as number[];
  return {
    baseline: m[0] as Measurement,
    variants: variants.map((_, k) => {
      const mine = per[k + 1] as number[];
      return { ...(m[k + 1] as Measurement), ratio: median(mine.map((x, s) => x / (base[s] as number))) };
    }),
  };
}
