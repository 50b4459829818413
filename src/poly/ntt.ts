/**
 * Number-theoretic transforms over packed Fr vectors, in place, in wasm.
 *
 * For n = 2^k and ω a primitive n-th root of unity (ω_n = Fr.rootOfUnityOfOrder(k)):
 *   forward:        y_i = Σ_j x_j ω^{ij}                 (coefficients → values on ⟨ω⟩)
 *   inverse:        x_j = n⁻¹ Σ_i y_i ω^{−ij}            (values → coefficients)
 *   coset forward:  y_i = Σ_j x_j (g ω^i)^j = DFT(x_j g^j)   (values on the coset g⟨ω⟩)
 *   coset inverse:  x_j = g^{−j} · n⁻¹ Σ_i y_i ω^{−ij}
 *
 * The forward transform is bit reversal followed by log n radix-2 DIT stages
 * (ntt-kernels.ts, with lazy reduction) and one pass back to [0, 2p). The
 * inverse uses the same stages: DFT_{ω⁻¹}(y)_j = DFT_ω(y)_{−j mod n}, so it
 * reverses entries 1..n−1 and multiplies by n⁻¹ (or by g^{−j}·n⁻¹ for the
 * coset), which also reduces. One twiddle table serves every size: the stage
 * of half-size m reads tw[m..2m) = ω_{2m}^0..m−1, which does not depend on n,
 * so the table for 2^K holds the tables of all smaller sizes; it grows on
 * demand and is shared by all domains of a runtime. Stages whose blocks fit
 * in cache run block by block (all small stages on one block, then the next).
 *
 * Single-threaded. A parallel NTT needs the runtime's memory to be shared
 * (`WebAssembly.Memory({ shared: true })` in src/field) or copies to workers.
 * Measured on the 2-core development machine (shared with other jobs): even
 * the best case, two workers each running its own independent 2^18 NTT with
 * no copying, gave 0.7–1.3× the throughput of one thread, so threads are not
 * worth their copies here.
 *
 * Speed (2 vCPU AMD EPYC, Node 20, SIMD, quiet moments): 2^16 in ≈ 25 ms,
 * 2^18 in ≈ 117 ms; ffjavascript's single-threaded `Fr.fft` ≈ 145 / 760 ms.
 */
import { ELEMENT_BYTES, Fr, ShapeError, packedFr, type FieldRuntime, type FieldVec, type PackedField, type KernelExports } from '../field/index.js';
import { buildNttModule } from './ntt-kernels.js';

/** Largest transform: Fr's two-adicity. */
export const MAX_LOG_SIZE = Fr.twoAdicity;
/** Stages with blocks of at most this many elements run block by block (2^12 × 36 B ≈ 147 KiB, inside L2). */
const DEFAULT_BLOCK_LOG = 12;

export interface NttOptions {
  /** Use the SIMD stage kernel when the runtime has SIMD (default true). */
  readonly simd?: boolean;
  /** log2 of the cache block for the early stages (default 12). */
  readonly blockLog?: number;
}

/** log2 of n, or a ShapeError when n is not a power of two within Fr's two-adicity. */
export function log2Size(n: number, where: string): number {
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0 || n > 2 ** MAX_LOG_SIZE) {
    throw new ShapeError(`${where}: expected a power-of-two length ≤ 2^${MAX_LOG_SIZE}, got ${n}`);
  }
  return Math.log2(n);
}

/** Runs of 2^4 elements (576 bytes, nine cache lines) in the blocked bit reversal. */
const BITREV_BLOCK_BITS = 4;

function reverseBits(i: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
  return r;
}

type StageKernel = (x: number, n: number, m: number, tw: number) => number;

const engines = new WeakMap<FieldRuntime, Ntt>();

export class Ntt {
  readonly F: PackedField;
  private readonly k: KernelExports;
  private readonly stage2: StageKernel | null;
  private readonly stagePairs: StageKernel | null;
  private readonly blockLog: number;
  /** tw[m + j] = ω_{2m}^j for m = 1, 2, …, size/2 (canonical); index 0 unused. */
  private twiddles: FieldVec | null = null;
  /** Coset tables by `${log}:${g}:${direction}`. */
  private readonly cosetTables = new Map<string, FieldVec>();
  private readonly scratch: FieldVec;
  /** Index tables of the blocked bit reversal, by log size (arena pointers). */
  private readonly bitrevTables = new Map<number, number>();

  constructor(F: PackedField = packedFr(), options: NttOptions = {}) {
    if (F.scalar.p !== Fr.p) throw new ShapeError(`Ntt: expected packed Fr, got ${F.scalar.name}`);
    this.F = F;
    const simd = (options.simd ?? true) && F.usesSimd;
    this.k = F.runtime.instantiate(buildNttModule(F.runtime.fields.fr.params, simd));
    this.stage2 = simd ? this.k['ntt_stage2']! : null;
    this.stagePairs = simd ? this.k['ntt_stage_pairs']! : null;
    this.blockLog = options.blockLog ?? DEFAULT_BLOCK_LOG;
    this.scratch = F.alloc(2);
  }

  /** The engine of a runtime (of packed Fr), created once. */
  static for(F: PackedField = packedFr()): Ntt {
    let e = engines.get(F.runtime);
    if (!e) {
      e = new Ntt(packedFr(F.runtime));
      engines.set(F.runtime, e);
    }
    return e;
  }

  get usesSimd(): boolean {
    return this.stage2 !== null;
  }

  /** In place: values on ⟨ω⟩ from coefficients. */
  forward(v: FieldVec): void {
    const n = this.check(v, 'Ntt.forward');
    if (n === 1) return;
    this.dit(v, n);
    this.k['ntt_reduce_lazy']!(v.ptr, n);
  }

  /** In place: coefficients from values on ⟨ω⟩ (includes the 1/n). */
  inverse(v: FieldVec): void {
    const n = this.check(v, 'Ntt.inverse');
    if (n === 1) return;
    this.dit(v, n);
    this.k['ntt_reverse_tail']!(v.ptr, n);
    this.F.scale(v, v, Fr.inv(BigInt(n)));
  }

  /** In place: values on the coset g·⟨ω⟩ from coefficients (g defaults to Fr.generator = 5). */
  cosetForward(v: FieldVec, g: bigint = Fr.generator): void {
    const n = this.check(v, 'Ntt.cosetForward');
    this.F.mul(v, v, this.cosetTable(n, g, 'forward'));
    if (n === 1) return;
    this.dit(v, n);
    this.k['ntt_reduce_lazy']!(v.ptr, n);
  }

  /** In place: coefficients from values on the coset g·⟨ω⟩. */
  cosetInverse(v: FieldVec, g: bigint = Fr.generator): void {
    const n = this.check(v, 'Ntt.cosetInverse');
    if (n > 1) {
      this.dit(v, n);
      this.k['ntt_reverse_tail']!(v.ptr, n);
    }
    this.F.mul(v, v, this.cosetTable(n, g, 'inverse'));
  }

  /** In place: x_i ↔ x_{rev(i)} with rev reversing log2 n bits. */
  bitReverse(v: FieldVec): void {
    this.permute(v.ptr, this.check(v, 'Ntt.bitReverse'));
  }

  /** Σ c_i·x^i (Horner, in wasm). */
  evaluate(c: FieldVec, x: bigint): bigint {
    if (c.length === 0) return 0n;
    this.F.checkSame('evaluate', c, c);
    const acc = this.scratch.at(0);
    const xp = this.scratch.at(1);
    this.scratch.set(1, Fr.create(x));
    this.k['ntt_horner']!(acc, c.ptr, c.length, xp);
    return this.scratch.get(0);
  }

  /**
   * Synthetic division by (X − a): writes q with c(X) = q(X)·(X − a) + r into
   * `q` (length c.length − 1, not aliasing c) and returns r = c(a).
   */
  divideByLinear(q: FieldVec, c: FieldVec, a: bigint): bigint {
    if (c.length === 0) throw new ShapeError('Ntt.divideByLinear: expected at least one coefficient, got 0');
    if (q.length !== c.length - 1) throw new ShapeError(`Ntt.divideByLinear: expected a quotient of length ${c.length - 1}, got ${q.length}`);
    if (q.length > 0 && q.ptr < c.ptr + c.byteLength && c.ptr < q.ptr + q.byteLength) {
      throw new ShapeError('Ntt.divideByLinear: the quotient must not overlap the dividend');
    }
    this.F.checkSame('divideByLinear', c, c);
    const acc = this.scratch.at(0);
    const ap = this.scratch.at(1);
    this.scratch.set(1, Fr.create(a));
    this.k['ntt_synth_div']!(acc, c.ptr, c.length, ap, q.ptr);
    return this.scratch.get(0);
  }

  /** Make sure the twiddle table covers transforms of size n. */
  ensureTwiddles(n: number): FieldVec {
    const have = this.twiddles?.length ?? 1;
    if (this.twiddles && have >= n) return this.twiddles;
    const size = Math.max(n, 2);
    const tw = this.F.alloc(size);
    // the old table holds the stages m < have; add the stages m = have, …, size/2
    const start = this.twiddles ? have : 1;
    if (this.twiddles) {
      tw.slice(0, have).copyFrom(this.twiddles);
      this.twiddles.free();
    }
    for (let m = start; m < size; m *= 2) {
      const stage = tw.slice(m, m);
      this.F.powers(stage, 1n, Fr.rootOfUnityOfOrder(Math.log2(2 * m)));
      this.F.reduce(stage, stage);
    }
    this.twiddles = tw;
    return tw;
  }

  /** Free the cached twiddle and coset tables (they are rebuilt on demand). */
  clearCache(): void {
    this.twiddles?.free();
    this.twiddles = null;
    for (const t of this.cosetTables.values()) t.free();
    this.cosetTables.clear();
    for (const t of this.bitrevTables.values()) this.F.runtime.arena.release(t);
    this.bitrevTables.clear();
  }

  /** Bit reversal and all butterfly stages; output below 58p, unreduced. */
  private dit(v: FieldVec, n: number): void {
    const tw = this.ensureTwiddles(n).ptr;
    const k = this.k;
    const stage1 = k['ntt_stage1']!;
    const scalar = k['ntt_stage']!;
    // SIMD: pair neighbouring blocks while there are at least two, else butterflies j, j+1
    const stage = (x: number, len: number, m: number) =>
      (this.stagePairs && 4 * m <= len ? this.stagePairs : (this.stage2 ?? scalar))(x, len, m, tw);
    this.permute(v.ptr, n);
    const block = Math.min(n, 2 ** this.blockLog);
    for (let b = 0; b < n; b += block) {
      const p = v.ptr + b * ELEMENT_BYTES;
      stage1(p, block);
      for (let m = 2; m < block; m *= 2) stage(p, block, m);
    }
    for (let m = block; m < n; m *= 2) stage(v.ptr, n, m);
  }

  /** Bit reversal, cache-blocked in runs of 2^s elements (see ntt-kernels.ts). */
  private permute(ptr: number, n: number): void {
    const k = Math.log2(n);
    const s = Math.min(BITREV_BLOCK_BITS, k >> 1);
    let tab = this.bitrevTables.get(k);
    if (!tab) {
      const side = 2 ** s;
      const mids = 2 ** (k - 2 * s);
      tab = this.F.runtime.arena.alloc(4 * (side + mids));
      const u32 = new Uint32Array(this.F.runtime.buffer, tab, side + mids);
      for (let i = 0; i < side; i++) u32[i] = reverseBits(i, s);
      for (let i = 0; i < mids; i++) u32[side + i] = reverseBits(i, k - 2 * s);
      this.bitrevTables.set(k, tab);
    }
    this.k['ntt_bitrev_blocked']!(ptr, k, s, tab);
  }

  /** g^i (forward) or g^{−i}·n⁻¹ (inverse) for i < n, canonical, cached. */
  private cosetTable(n: number, g: bigint, dir: 'forward' | 'inverse'): FieldVec {
    const key = `${n}:${g}:${dir}`;
    let t = this.cosetTables.get(key);
    if (!t) {
      const gi = Fr.inv(g);
      t = this.F.alloc(n);
      if (dir === 'forward') this.F.powers(t, 1n, g);
      else this.F.powers(t, Fr.inv(BigInt(n)), gi);
      this.F.reduce(t, t);
      this.cosetTables.set(key, t);
    }
    return t;
  }

  private check(v: FieldVec, where: string): number {
    this.F.checkSame(where, v, v);
    log2Size(v.length, where);
    return v.length;
  }
}
