/**
 * Timing loop shared by both engines: calibrates a batch size to ~`sampleMs`,
 * takes `samples` timed batches, and reports the median time per unit (the
 * median resists the odd GC pause better than the mean).
 */
import type { Clock, Measurement, Variant } from "./types.js";

export interface MeasureOptions {
  sampleMs: number;
  samples: number;
}

export async function measure(variant: Variant, clock: Clock, opts: MeasureOptions): Promise<Measurement> {
  const work = await variant.setup();
  // warm up (lets a JIT settle; harmless where there is none), then calibrate
  const warmUntil = clock.now() + opts.sampleMs * 2;
  while (clock.now() < warmUntil) await work(64);
  let n = 1;
  for (;;) {
    const t0 = clock.now();
    await work(n);
    const dt = clock.now() - t0;
    if (dt >= opts.sampleMs / 4 || n >= 1 << 24) {
      n = Math.max(1, Math.round((n * opts.sampleMs) / Math.max(dt, 0.001)));
      break;
    }
    n *= 4;
  }
  const per: number[] = [];
  for (let s = 0; s < opts.samples; s++) {
    const t0 = clock.now();
    await work(n);
    per.push(((clock.now() - t0) * 1e6) / n);
  }
  per.sort((a, b) => a - b);
  const nsPerUnit = per[Math.floor(per.length / 2)] as number;
  return { label: variant.label, nsPerUnit, unitsPerSecond: 1e9 / nsPerUnit, samples: per.length, units: n * per.length };
}
