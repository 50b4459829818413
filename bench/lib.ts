/**
 * The benchmark contract (docs/benchmarks.md): suites return rows
 * `{case, impl, size, median_ns, samples, …}`; the runner prints one JSON
 * document (--json) or a table with ratios to zktensor.
 *
 * `interleave` measures several implementations of one case A B A B … so
 * machine drift hits them alike, and reports per-operation medians.
 */
export interface BenchRow {
  case: string;
  impl: string;
  size: number;
  median_ns: number;
  samples: number;
  min_ns?: number;
  max_ns?: number;
  [extra: string]: unknown;
}

export interface SuiteOptions {
  readonly quick: boolean;
}

export type Suite = (opts: SuiteOptions) => Promise<BenchRow[]>;

export interface Impl {
  readonly impl: string;
  /** Runs one sample; returns nothing. */
  readonly run: () => void | Promise<void>;
  /** Operations per call (per-element cases divide by it). */
  readonly opsPerCall?: number;
  readonly extra?: Record<string, unknown>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Time `samples` rounds; each round runs every implementation once, in
 * rotating order. One warm-up round is discarded.
 */
export async function interleave(caseName: string, size: number, impls: Impl[], samples: number): Promise<BenchRow[]> {
  const times = impls.map(() => [] as number[]);
  for (let round = -1; round < samples; round++) {
    for (let k = 0; k < impls.length; k++) {
      const i = (k + Math.max(round, 0)) % impls.length;
      const t0 = process.hrtime.bigint();
      await impls[i]!.run();
      const dt = Number(process.hrtime.bigint() - t0);
      if (round >= 0) times[i]!.push(dt / (impls[i]!.opsPerCall ?? 1));
    }
  }
  return impls.map((im, i) => ({
    case: caseName,
    impl: im.impl,
    size,
    median_ns: median(times[i]!),
    samples,
    min_ns: Math.min(...times[i]!),
    max_ns: Math.max(...times[i]!),
    ...(im.extra ?? {}),
  }));
}

/** Deterministic 32-bit generator for benchmark inputs. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
}
