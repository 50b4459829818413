/**
 * LayerNorm over the last axis (width n), without the affine part (apply γ,
 * β with the elementwise chips):
 *   μ = round(Σx / n),  c = x − μ,  v = round(Σc² / (n·2^s))   (variance at scale s)
 *   ι = rsqrt table(v) = round(2^s / √(v/2^s + ε)),  y = round(c·ι / 2^s)
 *
 *   | x (copy) | acc1 | μ | acc2 | v | ι | y (eq) | r_y | r1 | r2 | limbs | q, q_first, q_step, q_last |
 *
 *   q_first · (acc1 − x) = 0, (acc2 − c²) = 0
 *   q_step  · (acc1 − acc1(−1) − x) = 0, (acc2 − acc2(−1) − c²) = 0, μ, v, ι equal to the row above
 *   q_last  · (2·acc1 + n − 2n·μ − r1) = 0,   r1, 2n − 1 − r1 ∈ [0, 2^⌈log2 2n⌉),  μ ∈ signed B bits
 *   q_last  · (2·acc2 + n·2^s − 2n·2^s·v − r2) = 0,  r2, 2n·2^s − 1 − r2 ∈ [0, 2^⌈log2(2n·2^s)⌉)
 *   lookup    (q_last, q_last·v, q_last·ι) ∈ rsqrt table over v ∈ [0, 2^R)  (also bounds v)
 *   q       · (c·ι + 2^(s−1) − y·2^s − r_y) = 0,  r_y ∈ [0, 2^s),  y ∈ signed B bits
 *
 * Divisions round half up. Rows whose variance reaches 2^R / 2^s fail the
 * table lookup: R (`varBits`) is the calibrated range.
 */
import type { AdviceColumn, Expression, Layouter, Selector, VirtualCells } from '../plonkish/frontend/index.js';
import { type GadgetContext, lookupFunction } from './context.js';
import { assignRange, configureRange, copyIn, type RangeConfig, spanCells } from './range.js';
import { buildTable, type FnTableSpec, lookupValue } from './tables.js';
import { type AssignedTensor, assignedTensor, bitsFor, dims2, divRound, roundShift, toField } from './tensor.js';

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

export function rsqrtTableSpec(p: LayerNormParams): FnTableSpec {
  return { fn: 'rsqrt', inScale: p.scale, outScale: p.scale, min: 0, max: 2 ** p.varBits - 1, eps: p.eps ?? [1n, 100000n] };
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

/** The bigint reference for `rows` rows of width n. */
export function layerNormSpec(x: ArrayLike<bigint>, rows: number, p: LayerNormParams): BigInt64Array {
  const table = buildTable(rsqrtTableSpec(p));
  return layerNormWith(x, rows, p, (v) => lookupValue(table, v, 'layerNormSpec'))['y']!;
}

type Cols = Record<'x' | 'acc1' | 'mu' | 'acc2' | 'v' | 'inv' | 'y' | 'ry' | 'r1' | 'r2', AdviceColumn>;

export class LayerNormChip {
  private constructor(
    readonly name: string,
    readonly params: LayerNormParams,
    readonly cols: Cols,
    readonly sel: { q: Selector; first: Selector; step: Selector; last: Selector },
    readonly ranges: RangeConfig[],
  ) {}

  static configure(ctx: GadgetContext, params: LayerNormParams): LayerNormChip {
    const name = params.name ?? 'layernorm';
    const cs = ctx.cs;
    const cols = Object.fromEntries(['x', 'acc1', 'mu', 'acc2', 'v', 'inv', 'y', 'ry', 'r1', 'r2'].map((k) => [k, cs.adviceColumn({ name: `${name}.${k}` })])) as Cols;
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
    const Q = (m: VirtualCells, c: keyof Cols, rot = 0) => m.query(cols[c], rot);
    const centered = (m: VirtualCells): Expression => Q(m, 'x').sub(Q(m, 'mu'));
    cs.createGate(`${name}: first`, (m) => {
      const q = m.querySelector(sel.first);
      return [q.mul(Q(m, 'acc1').sub(Q(m, 'x'))), q.mul(Q(m, 'acc2').sub(centered(m).square()))];
    });
    cs.createGate(`${name}: step`, (m) => {
      const q = m.querySelector(sel.step);
      const same = (c: keyof Cols) => q.mul(Q(m, c).sub(Q(m, c, -1)));
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
    const b1 = bitsFor(2n * n);
    const b2 = bitsFor(2n * (n << s));
    const ranges = [
      configureRange(ctx, `${name}.r1`, sel.last, (m) => Q(m, 'r1'), b1),
      configureRange(ctx, `${name}.r1gap`, sel.last, (m) => Q(m, 'r1').neg().add(2n * n - 1n), b1),
      configureRange(ctx, `${name}.mu`, sel.last, (m) => Q(m, 'mu'), params.bits, true),
      configureRange(ctx, `${name}.r2`, sel.last, (m) => Q(m, 'r2'), b2),
      configureRange(ctx, `${name}.r2gap`, sel.last, (m) => Q(m, 'r2').neg().add(2n * (n << s) - 1n), b2),
      configureRange(ctx, `${name}.ry`, sel.q, (m) => Q(m, 'ry'), params.scale),
      configureRange(ctx, `${name}.y`, sel.q, (m) => Q(m, 'y'), params.bits, true),
    ];
    lookupFunction(cs, `${name}: rsqrt table`, sel.last, ctx.fnTable(rsqrtTableSpec(params)), (m) => [Q(m, 'v'), Q(m, 'inv')]);
    return new LayerNormChip(name, params, cols, sel, ranges);
  }

  assign(layouter: Layouter, ctx: GadgetContext, x: AssignedTensor): AssignedTensor {
    const [rows, width] = dims2(x, this.name);
    const n = this.params.width;
    if (width !== n) throw new Error(`${this.name}: expected width ${n}, got ${width}`);
    const table = x.values.isKnown() ? ctx.table(rsqrtTableSpec(this.params)) : undefined;
    const rsqrt = (v: bigint) => {
      const i = Number(v) - table!.spec.min;
      return i >= 0 && i < table!.outputs.length ? table!.outputs[i]! : 0n;
    };
    const w = x.values.map((v) => layerNormWith(v, rows, this.params, rsqrt));
    const total = rows * n;
    const gaps = (k: string, lim: bigint) => w.map((c) => BigInt64Array.from(c[k]!, (v) => lim - 1n - v));
    const cells = layouter.region(this.name, (region) => {
      copyIn(region, this.cols.x, 0, x);
      let out: ReturnType<typeof spanCells> = [];
      for (const k of ['acc1', 'mu', 'acc2', 'v', 'inv', 'y', 'ry'] as const) {
        const span = region.assignAdviceColumn(this.cols[k], 0, w.map((c) => c[k]!), total);
        if (k === 'y') out = spanCells(span);
      }
      // the division remainders live on each row's last row only
      for (let r = 0; r < rows; r++) {
        const row = r * n + n - 1;
        for (const k of ['r1', 'r2'] as const) region.assignAdvice(this.cols[k], row, w.map((c) => toField(c[k]![row]!)));
      }
      region.enableSelectorRange(this.sel.q, 0, total);
      for (let r = 0; r < rows; r++) {
        region.enableSelector(this.sel.first, r * n);
        if (n > 1) region.enableSelectorRange(this.sel.step, r * n + 1, n - 1);
        region.enableSelector(this.sel.last, r * n + n - 1);
      }
      const N = BigInt(n);
      const vals = [w.map((c) => c['r1']!), gaps('r1', 2n * N), w.map((c) => c['mu']!), w.map((c) => c['r2']!), gaps('r2', 2n * (N << BigInt(this.params.scale))), w.map((c) => c['ry']!), w.map((c) => c['y']!)];
      // the first five ranges hold on q_last rows only: assign their limbs there only
      this.ranges.forEach((cfg, i) => {
        if (i >= 5) return assignRange(region, cfg, 0, vals[i]!, total);
        for (let r = 0; r < rows; r++) {
          const row = r * n + n - 1;
          assignRange(region, cfg, row, vals[i]!.map((v) => v.subarray(row, row + 1)), 1);
        }
      });
      return out;
    });
    return assignedTensor(x.shape, this.params.scale, cells, w.map((c) => c['y']!));
  }
}
