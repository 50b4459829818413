/**
 * LayerNorm over the last axis (width n), without the affine part (apply γ,
 * β with the elementwise chips):
 *   μ = round(Σx / n),  c = x − μ,  v = round(Σc² / (n·2^s))   (variance at scale s)
 *   ι = round(2^s / √(v/2^s + ε)),  y = round(c·ι / 2^s)
 *
 * ι is checked by inequalities instead of a table. With ε = a/b,
 * W = v·b + a·2^s (> 0) and K = 2^(3s)·b, ι = round(√(K / W)) half up (the
 * rsqrt table's value, `sqrtRatRound`), and for ι ≥ 1
 *   ι = round(√(K/W))  ⇔  (2ι − 1)²·W ≤ 4K < (2ι + 1)²·W,
 * while ι = 0 ⇔ 4K < W (the lower bound is vacuous). A bit z marks ι = 0;
 * it exists only when some v < 2^R rounds to 0 (4K < W at v = 2^R − 1),
 * otherwise z ≡ 0 and ι = 0 is impossible (lo ≥ 0 and hi ≥ 0 contradict).
 *
 *   | x (copy) | acc1 | μ | acc2 | v | ι | y (eq) | r_y | r1 | r2 | (z) | limbs | q, q_first, q_step, q_last |
 *
 *   q_first · (acc1 − x) = 0, (acc2 − c²) = 0
 *   q_step  · (acc1 − acc1(−1) − x) = 0, (acc2 − acc2(−1) − c²) = 0, μ, v, ι equal to the row above
 *   q_last  · (2·acc1 + n − 2n·μ − r1) = 0,   r1, 2n − 1 − r1 ∈ [0, 2^⌈log2 2n⌉),  μ ∈ signed B bits
 *   q_last  · (2·acc2 + n·2^s − 2n·2^s·v − r2) = 0,  r2, 2n·2^s − 1 − r2 ∈ [0, 2^⌈log2(2n·2^s)⌉)
 *   q_last  · v ∈ [0, 2^R),  ι ∈ [0, 2^⌈log2(ι_max + 1)⌉)    (ι_max = ι at v = 0)
 *   q_last  · lo = 4K − (2ι − 1)²·W + z·W ∈ [0, 2^L),  hi = (2ι + 1)²·W − 4K − 1 ∈ [0, 2^H)
 *   q_last  · z·(1 − z) = 0, z·ι = 0                  (only with the z column)
 *   q       · (c·ι + 2^(s−1) − y·2^s − r_y) = 0,  r_y ∈ [0, 2^s),  y ∈ signed B bits
 *
 * L, H bound the honest residuals: lo ≤ 4K, and for ι ≥ 1 both lo, hi <
 * (2ι + 1)²W − (2ι − 1)²W = 8ιW ≤ 8√(K·W_max) + 4·W_max (ι ≤ √(K/W) + ½),
 * with W_max = (2^R − 1)·b + a·2^s; for ι = 0, hi < W ≤ W_max.
 * No wrap-around: v < 2^R, ι < 2^I and z ∈ {0, 1} are checked, so |lo|, |hi| ≤
 * (2^(I+1) + 1)²·W_max + 4K + W_max (I = ι's bit width), which `configure`
 * requires to be below 2^250 (< p/8): the field values of lo and hi are then
 * the integers, and their range checks are the integer inequalities.
 * (The v range check also matters for soundness: a wrong r2 makes v a
 * non-integer field element, which only the range check excludes.)
 *
 * Divisions round half up. Rows whose variance reaches 2^R / 2^s fail the
 * v range check: R (`varBits`) is the calibrated range, and `layerNormSpec`
 * throws a GadgetError for them.
 */
import type { AdviceColumn, Expression, Layouter, Selector, VirtualCells } from '../plonkish/frontend/index.js';
import type { GadgetContext } from './context.js';
import { isqrt, sqrtRatRound } from './exact.js';
import { assignRange, configureRange, copyIn, type RangeConfig, spanCells } from './range.js';
import type { FnTableSpec } from './tables.js';
import { type AssignedTensor, assignedTensor, bitsFor, dims2, divRound, GadgetError, roundShift, toField } from './tensor.js';

export interface LayerNormParams {
  readonly scale: number;
  /** B: |x|, |y| < 2^(B−1). */
  readonly bits: number;
  readonly width: number;
  /** R: the variance (scale s) lies in [0, 2^R). */
  readonly varBits: number;
  /** ε as a rational (default 1e-5). */
  readonly eps?: readonly [bigint, bigint];
  readonly name?: string;
}

const DEFAULT_EPS: readonly [bigint, bigint] = [1n, 100000n];

/** The rsqrt function table over [0, 2^R) the chip's ι equals (the reference; the chip registers no table). */
export function rsqrtTableSpec(p: LayerNormParams): FnTableSpec {
  return { fn: 'rsqrt', inScale: p.scale, outScale: p.scale, min: 0, max: 2 ** p.varBits - 1, eps: p.eps ?? DEFAULT_EPS };
}

/** The integers of the rsqrt check (see the module comment). */
export interface RsqrtBounds {
  /** K = 2^(3s)·b. */
  readonly K: bigint;
  /** ε = a/b. */
  readonly a: bigint;
  readonly b: bigint;
  /** W = v·b + aS with aS = a·2^s. */
  readonly aS: bigint;
  /** ι at v = 0 (the largest ι). */
  readonly invMax: bigint;
  /** Bit widths of the range checks on ι, lo and hi. */
  readonly invBits: number;
  readonly loBits: number;
  readonly hiBits: number;
  /** Whether some v < 2^R has ι = 0 (the chip then has the z column). */
  readonly zeroable: boolean;
}

export function rsqrtBounds(p: LayerNormParams): RsqrtBounds {
  const where = p.name ?? 'layernorm';
  const [a, b] = p.eps ?? DEFAULT_EPS;
  if (!(a > 0n && b > 0n)) throw new GadgetError(`${where}: expected ε = a/b with a, b > 0, got ${a}/${b}`);
  if (!Number.isInteger(p.scale) || p.scale < 1) throw new GadgetError(`${where}: expected an integer scale ≥ 1, got ${p.scale}`);
  if (!Number.isInteger(p.varBits) || p.varBits < 1 || p.varBits > 64) throw new GadgetError(`${where}: expected 1 ≤ varBits ≤ 64, got ${p.varBits}`);
  const s = BigInt(p.scale);
  const K = (1n << (3n * s)) * b;
  const aS = a << s;
  const wMax = ((1n << BigInt(p.varBits)) - 1n) * b + aS;
  const invMax = sqrtRatRound(K, aS);
  const invBits = bitsFor(invMax + 1n);
  const zeroable = 4n * K < wMax;
  // lo ≤ 4K always; for ι ≥ 1, lo, hi < 8ιW ≤ spread; for ι = 0, hi < W ≤ spread
  const spread = 8n * (isqrt(K * wMax) + 1n) + 4n * wMax;
  const loBound = zeroable || 4n * K < spread ? 4n * K + 1n : spread;
  const loBits = bitsFor(loBound);
  const hiBits = bitsFor(spread);
  const worst = ((1n << BigInt(invBits + 1)) + 1n) ** 2n * wMax + 4n * K + wMax + 1n;
  if (worst >= 1n << 250n || loBits > 200 || hiBits > 200) {
    throw new GadgetError(`${where}: the rsqrt check would wrap the field (scale ${p.scale}, varBits ${p.varBits}, ε = ${a}/${b}); expected |lo|, |hi| < 2^250`);
  }
  return { K, a, b, aS, invMax, invBits, loBits, hiBits, zeroable };
}

/** ι = round(2^s / √(v/2^s + ε)) half up, for any v ≥ 0 (the rsqrt table's entry for v < 2^R). */
export function rsqrtOf(r: RsqrtBounds, v: bigint): bigint {
  return sqrtRatRound(r.K, v * r.b + r.aS);
}

/** The residuals the chip range-checks for (v, ι): z marks ι = 0 (always 0 without the z column). */
export function rsqrtResiduals(r: RsqrtBounds, v: bigint, inv: bigint): { lo: bigint; hi: bigint; z: bigint } {
  const W = v * r.b + r.aS;
  const z = r.zeroable && inv === 0n ? 1n : 0n;
  return { lo: 4n * r.K - (2n * inv - 1n) ** 2n * W + z * W, hi: (2n * inv + 1n) ** 2n * W - 4n * r.K - 1n, z };
}

function layerNormWith(x: ArrayLike<bigint>, rows: number, p: LayerNormParams, rsqrt: (v: bigint) => bigint) {
  const n = p.width;
  const N = BigInt(n);
  const s = BigInt(p.scale);
  const total = rows * n;
  const cols = Object.fromEntries(['acc1', 'mu', 'acc2', 'v', 'inv', 'y', 'ry', 'r1', 'r2'].map((k) => [k, new BigInt64Array(total)])) as Record<string, BigInt64Array>;
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let sum = 0n;
    for (let j = 0; j < n; j++) cols.acc1![o + j] = sum += x[o + j]!;
    const mu = divRound(sum, N);
    let sq = 0n;
    for (let j = 0; j < n; j++) cols.acc2![o + j] = sq += (x[o + j]! - mu) ** 2n;
    const v = divRound(sq, N << s);
    const inv = rsqrt(v);
    for (let j = 0; j < n; j++) {
      const c = x[o + j]! - mu;
      cols.mu![o + j] = mu;
      cols.v![o + j] = v;
      cols.inv![o + j] = inv;
      cols.y![o + j] = roundShift(c * inv, p.scale);
      cols.ry![o + j] = c * inv + (1n << (s - 1n)) - (cols.y![o + j]! << s);
    }
    cols.r1![o + n - 1] = 2n * sum + N - 2n * N * mu;
    cols.r2![o + n - 1] = 2n * sq + (N << s) - 2n * (N << s) * v;
  }
  return cols;
}

/** The bigint reference for `rows` rows of width n; throws a GadgetError for a row variance outside [0, 2^R). */
export function layerNormSpec(x: ArrayLike<bigint>, rows: number, p: LayerNormParams): BigInt64Array {
  const r = rsqrtBounds(p);
  const R = 1n << BigInt(p.varBits);
  return layerNormWith(x, rows, p, (v) => {
    if (v < 0n || v >= R) throw new GadgetError(`layerNormSpec: row variance ${v} (scale 2^${p.scale}) is outside the calibrated range [0, 2^${p.varBits})`);
    return rsqrtOf(r, v);
  })['y']!;
}

type ColName = 'x' | 'acc1' | 'mu' | 'acc2' | 'v' | 'inv' | 'y' | 'ry' | 'r1' | 'r2';
type Cols = Record<ColName, AdviceColumn> & { readonly z?: AdviceColumn };

/** What a range check checks: a value of each row's last row (q_last), or of every row (q). */
export type LayerNormCheck = 'r1' | 'r1gap' | 'mu' | 'r2' | 'r2gap' | 'v' | 'inv' | 'lo' | 'hi' | 'ry' | 'y';
const EVERY_ROW: ReadonlySet<LayerNormCheck> = new Set(['ry', 'y']);

export class LayerNormChip {
  private constructor(
    readonly name: string,
    readonly params: LayerNormParams,
    readonly cols: Cols,
    readonly sel: { q: Selector; first: Selector; step: Selector; last: Selector },
    readonly ranges: ReadonlyMap<LayerNormCheck, RangeConfig>,
    readonly rsqrt: RsqrtBounds,
  ) {}

  static configure(ctx: GadgetContext, params: LayerNormParams): LayerNormChip {
    const name = params.name ?? 'layernorm';
    const rb = rsqrtBounds(params);
    const cs = ctx.cs;
    const names: ColName[] = ['x', 'acc1', 'mu', 'acc2', 'v', 'inv', 'y', 'ry', 'r1', 'r2'];
    const base = Object.fromEntries(names.map((k) => [k, cs.adviceColumn({ name: `${name}.${k}` })])) as Record<ColName, AdviceColumn>;
    const cols: Cols = rb.zeroable ? { ...base, z: cs.adviceColumn({ name: `${name}.z` }) } : base;
    cs.enableEquality(cols.x);
    cs.enableEquality(cols.y);
    const sel = {
      q: cs.selector({ name: `${name}.q` }),
      first: cs.selector({ name: `${name}.q_first` }),
      step: cs.selector({ name: `${name}.q_step` }),
      last: cs.selector({ name: `${name}.q_last` }),
    };
    const n = BigInt(params.width);
    const s = BigInt(params.scale);
    const Q = (m: VirtualCells, c: ColName, rot = 0) => m.query(cols[c], rot);
    const centered = (m: VirtualCells): Expression => Q(m, 'x').sub(Q(m, 'mu'));
    cs.createGate(`${name}: first`, (m) => {
      const q = m.querySelector(sel.first);
      return [q.mul(Q(m, 'acc1').sub(Q(m, 'x'))), q.mul(Q(m, 'acc2').sub(centered(m).square()))];
    });
    cs.createGate(`${name}: step`, (m) => {
      const q = m.querySelector(sel.step);
      const same = (c: ColName) => q.mul(Q(m, c).sub(Q(m, c, -1)));
      return [
        ['sum', q.mul(Q(m, 'acc1').sub(Q(m, 'acc1', -1)).sub(Q(m, 'x')))],
        ['sum of squares', q.mul(Q(m, 'acc2').sub(Q(m, 'acc2', -1)).sub(centered(m).square()))],
        ['mu same', same('mu')],
        ['var same', same('v')],
        ['inv same', same('inv')],
      ];
    });
    cs.createGate(`${name}: statistics`, (m) => {
      const q = m.querySelector(sel.last);
      return [
        ['mean', q.mul(Q(m, 'acc1').scale(2).add(n).sub(Q(m, 'mu').scale(2n * n)).sub(Q(m, 'r1')))],
        ['variance', q.mul(Q(m, 'acc2').scale(2).add(n << s).sub(Q(m, 'v').scale(2n * (n << s))).sub(Q(m, 'r2')))],
      ];
    });
    cs.createGate(`${name}: normalise`, (m) => [
      m.querySelector(sel.q).mul(centered(m).mul(Q(m, 'inv')).add(1n << (s - 1n)).sub(Q(m, 'y').scale(1n << s)).sub(Q(m, 'ry'))),
    ]);
    const z = cols.z;
    if (z) {
      cs.createGate(`${name}: rsqrt zero`, (m) => {
        const q = m.querySelector(sel.last);
        const zq = m.query(z);
        return [
          ['z bit', q.mul(zq.mul(zq.neg().add(1n)))],
          ['z only at ι = 0', q.mul(zq.mul(Q(m, 'inv')))],
        ];
      });
    }
    // W = v·b + a·2^s and the residuals of the rsqrt inequalities (module comment); degree 3
    const W = (m: VirtualCells) => Q(m, 'v').scale(rb.b).add(rb.aS);
    const lo = (m: VirtualCells) => {
      const e = Q(m, 'inv').scale(2).sub(1n).square().mul(W(m)).neg().add(4n * rb.K);
      return z ? e.add(m.query(z).mul(W(m))) : e;
    };
    const hi = (m: VirtualCells) => Q(m, 'inv').scale(2).add(1n).square().mul(W(m)).sub(4n * rb.K + 1n);
    const b1 = bitsFor(2n * n);
    const b2 = bitsFor(2n * (n << s));
    const spec: [LayerNormCheck, (m: VirtualCells) => Expression, number, boolean?][] = [
      ['r1', (m) => Q(m, 'r1'), b1],
      ['r1gap', (m) => Q(m, 'r1').neg().add(2n * n - 1n), b1],
      ['mu', (m) => Q(m, 'mu'), params.bits, true],
      ['r2', (m) => Q(m, 'r2'), b2],
      ['r2gap', (m) => Q(m, 'r2').neg().add(2n * (n << s) - 1n), b2],
      ['v', (m) => Q(m, 'v'), params.varBits],
      ['inv', (m) => Q(m, 'inv'), rb.invBits],
      ['lo', lo, rb.loBits],
      ['hi', hi, rb.hiBits],
      ['ry', (m) => Q(m, 'ry'), params.scale],
      ['y', (m) => Q(m, 'y'), params.bits, true],
    ];
    const ranges = new Map(spec.map(([k, e, bits, signed]) => [k, configureRange(ctx, `${name}.${k}`, EVERY_ROW.has(k) ? sel.q : sel.last, e, bits, signed)] as const));
    return new LayerNormChip(name, params, cols, sel, ranges, rb);
  }

  /** Lays out `x` ([rows, n]); `_ctx` is unused (kept for the chips' common call shape). */
  assign(layouter: Layouter, _ctx: GadgetContext, x: AssignedTensor): AssignedTensor {
    const [rows, width] = dims2(x, this.name);
    const n = this.params.width;
    if (width !== n) throw new GadgetError(`${this.name}: expected width ${n}, got ${width}`);
    const rb = this.rsqrt;
    // exact for every v ≥ 0: a variance beyond 2^R gets its true ι and fails the v range check
    const w = x.values.map((v) => layerNormWith(v, rows, this.params, (u) => rsqrtOf(rb, u)));
    const total = rows * n;
    const N = BigInt(n);
    const S = BigInt(this.params.scale);
    // the values on each LayerNorm row's last row (plain bigints: lo, hi of a bad row may not fit 64 bits)
    const last = w.map((c) => {
      const out = new Map<LayerNormCheck | 'z', bigint[]>();
      const put = (k: LayerNormCheck | 'z', v: bigint) => (out.get(k) ?? out.set(k, []).get(k)!).push(v);
      for (let r = 0; r < rows; r++) {
        const row = r * n + n - 1;
        const at = (k: string) => c[k]![row]!;
        for (const k of ['r1', 'mu', 'r2', 'v', 'inv'] as const) put(k, at(k));
        put('r1gap', 2n * N - 1n - at('r1'));
        put('r2gap', 2n * (N << S) - 1n - at('r2'));
        const res = rsqrtResiduals(rb, at('v'), at('inv'));
        put('lo', res.lo);
        put('hi', res.hi);
        put('z', res.z);
      }
      return out;
    });
    const cells = layouter.region(this.name, (region) => {
      copyIn(region, this.cols.x, 0, x);
      let out: ReturnType<typeof spanCells> = [];
      for (const k of ['acc1', 'mu', 'acc2', 'v', 'inv', 'y', 'ry'] as const) {
        const span = region.assignAdviceColumn(this.cols[k], 0, w.map((c) => c[k]!), total);
        if (k === 'y') out = spanCells(span);
      }
      region.enableSelectorRange(this.sel.q, 0, total);
      for (let r = 0; r < rows; r++) {
        const row = r * n + n - 1;
        // the division remainders (and z) live on each row's last row only
        for (const k of ['r1', 'r2'] as const) region.assignAdvice(this.cols[k], row, w.map((c) => toField(c[k]![row]!)));
        if (this.cols.z) region.assignAdvice(this.cols.z, row, last.map((l) => l.get('z')![r]!));
        region.enableSelector(this.sel.first, r * n);
        if (n > 1) region.enableSelectorRange(this.sel.step, r * n + 1, n - 1);
        region.enableSelector(this.sel.last, row);
      }
      for (const [k, cfg] of this.ranges) {
        if (EVERY_ROW.has(k)) {
          assignRange(region, cfg, 0, w.map((c) => c[k]!), total);
          continue;
        }
        // these hold on q_last rows only: their limbs go there only
        for (let r = 0; r < rows; r++) assignRange(region, cfg, r * n + n - 1, last.map((l) => [l.get(k)![r]!]), 1);
      }
      return out;
    });
    return assignedTensor(x.shape, this.params.scale, cells, w.map((c) => c['y']!));
  }
}
