/**
 * Softmax the zkAttn way (zkLLM, Sun et al. 2024, §4): for each row,
 *  1. m = max_j x_j, proven by the row-max chip (max.ts);
 *  2. z_j = m − x_j ≥ 0 is split into K segments of b bits,
 *     z = Σ_k d_k · 2^(b·k), 0 ≤ d_k < 2^b;
 *  3. e^(−z/2^s) = Π_k e^(−d_k·2^(bk)/2^s): each high segment k ≥ L maps
 *     through its own small table T_k(d) = round(2^t · e^(−d·2^(bk)/2^s))
 *     (2^b rows), the L low segments are only range-checked (their factor is
 *     taken as 1);
 *  4. e = Π_{k≥L} f_k at scale 2^(F·t) (F = K − L factors; a product chain,
 *     no intermediate rounding), the row sum S = Σ_j e_j;
 *  5. y_j = round(e_j · 2^u / S) by a proven division (u = output scale).
 *
 *   | x (copy) | m (copy) | d_0 … d_{K−1} | f_L … f_{K−1} | g_1 … (chain) | acc | tot | y (eq) | rem | limbs | selectors |
 *
 *   q      · ((m − x) − Σ_k d_k·2^(bk)) = 0
 *   lookup   q·d_k ∈ [0, 2^b) (k < L);  (q, q·d_k, q·f_k) ∈ T_k (k ≥ L)
 *   q      · (g_1 − f_L·f_{L+1}) = 0, …, e := last of the chain
 *   q_first· (acc − e) = 0;  q_step · (acc − acc(−1) − e) = 0, (tot − tot(−1)) = 0;  q_last · (tot − acc) = 0
 *   q      · (2·e·2^u + tot − 2·tot·y − rem) = 0
 *   range    rem, 2·tot − 1 − rem ∈ [0, 2^R);  y ∈ [0, 2^(u+1))
 *
 * The max element has z = 0, every factor is exactly 2^t, so S ≥ 2^(Ft) > 0.
 *
 * Error bound (`softmaxErrorBound`), against exact softmax of the quantized
 * inputs: each table factor is within 2^−(t+1) of its true value (≤ 1), and
 * the L low segments lose at most δ_L = 1 − e^(−(2^(bL) − 1)/2^s) relatively,
 * so each e_j (as a real in (0, 1]) is within
 *   ε_e = F·2^−(t+1)·(1 + 2^−(t+1))^(F−1) + δ_L;
 * with S ≥ 1 (the max element contributes exactly 1) and n entries per row,
 * |y_j − p_j| ≤ ε_e·(1 + n·p_j) + 2^−(u+1) ≤ ε_e·(1 + n) + 2^−(u+1).
 */
import type { AdviceColumn, Cell, Layouter, Selector, Value } from '../plonkish/frontend/index.js';
import { type GadgetContext, lookupFunction } from './context.js';
import { RowMaxChip, rowMaxSpec } from './max.js';
import { assignRange, configureRange, copyIn, type RangeConfig, spanCells } from './range.js';
import { buildTable, type FnTableSpec } from './tables.js';
import { type AssignedTensor, assignedTensor, bitsFor, dims2, divRound, GadgetError } from './tensor.js';

export interface SoftmaxParams {
  /** s: input scale. */
  readonly inScale: number;
  /** B: inputs satisfy |x| < 2^(B−1). */
  readonly inBits: number;
  /** Longest row. */
  readonly maxWidth: number;
  /** b: bits per exponent segment (table size 2^b; default the context's limb bits). */
  readonly segmentBits?: number;
  /** L: low segments only range-checked (default 0). */
  readonly lowSegments?: number;
  /** t: scale of each table factor (default 16). */
  readonly expScale?: number;
  /** u: output scale (default s). */
  readonly outScale?: number;
  readonly name?: string;
}

interface Resolved {
  s: number;
  B: number;
  b: number;
  K: number;
  L: number;
  t: number;
  u: number;
  n: number;
}

function resolve(p: SoftmaxParams, limbBits: number): Resolved {
  const b = p.segmentBits ?? limbBits;
  const K = Math.ceil(p.inBits / b); // z = m − x < 2^B
  const L = p.lowSegments ?? 0;
  if (L >= K) throw new GadgetError(`softmax: lowSegments ${L} leaves no table segment of ${K}`);
  return { s: p.inScale, B: p.inBits, b, K, L, t: p.expScale ?? 16, u: p.outScale ?? p.inScale, n: p.maxWidth };
}

/** The table of segment k: T_k(d) = round(2^t · e^(−d·2^(bk)/2^s)). */
export function segmentTable(s: number, t: number, b: number, k: number): FnTableSpec {
  return { fn: 'exp', inScale: s, outScale: t, min: 0, max: 2 ** b - 1, inputMul: -(1n << BigInt(b * k)) };
}

/** Worst-case |y − softmax| (see the module comment). */
export function softmaxErrorBound(p: SoftmaxParams, limbBits = 8): number {
  const r = resolve(p, limbBits);
  const F = r.K - r.L;
  const deltaL = 1 - Math.exp(-(2 ** (r.b * r.L) - 1) / 2 ** r.s);
  const eps = F * 2 ** -(r.t + 1) * (1 + 2 ** -(r.t + 1)) ** (F - 1) + deltaL;
  return eps * (1 + r.n) + 2 ** -(r.u + 1);
}

/** The bigint reference: exactly what the circuit computes, per group of `lengths`. */
export function softmaxSpec(x: ArrayLike<bigint>, lengths: readonly number[], p: SoftmaxParams, limbBits = 8): BigInt64Array {
  const r = resolve(p, limbBits);
  const tables = Array.from({ length: r.K }, (_, k) => (k < r.L ? undefined : buildTable(segmentTable(r.s, r.t, r.b, k))));
  return softmaxWith(x, lengths, r, tables.map((t) => t?.outputs)).y;
}

function softmaxWith(x: ArrayLike<bigint>, lengths: readonly number[], r: Resolved, tables: readonly (BigInt64Array | undefined)[]) {
  const { max } = rowMaxSpec(x, lengths);
  const total = x.length;
  const d = Array.from({ length: r.K }, () => new BigInt64Array(total));
  const f = tables.map(() => new BigInt64Array(total));
  const chain = Array.from({ length: Math.max(0, r.K - r.L - 1) }, () => new BigInt64Array(total));
  const alloc = () => new BigInt64Array(total);
  const [m, e, acc, tot, y, rem] = [alloc(), alloc(), alloc(), alloc(), alloc(), alloc()] as const;
  const mask = (1n << BigInt(r.b)) - 1n;
  let o = 0;
  lengths.forEach((len, g) => {
    let sum = 0n;
    for (let j = o; j < o + len; j++) {
      m[j] = max[g]!;
      let z = max[g]! - x[j]!;
      let prod = 1n;
      for (let k = 0; k < r.K; k++, z >>= BigInt(r.b)) {
        d[k]![j] = z & mask;
        if (k >= r.L) {
          f[k]![j] = tables[k]![Number(d[k]![j])]!;
          prod = k === r.L ? f[k]![j]! : prod * f[k]![j]!;
          if (k > r.L) chain[k - r.L - 1]![j] = prod;
        }
      }
      e[j] = prod;
      acc[j] = sum += prod;
    }
    for (let j = o; j < o + len; j++) {
      tot[j] = sum;
      y[j] = divRound(e[j]! << BigInt(r.u), sum);
      rem[j] = 2n * (e[j]! << BigInt(r.u)) + sum - 2n * sum * y[j]!;
    }
    o += len;
  });
  return { m, d, f, chain, e, acc, tot, y, rem };
}

export class SoftmaxChip {
  private constructor(
    readonly name: string,
    readonly r: Resolved,
    readonly max: RowMaxChip,
    readonly cols: { x: AdviceColumn; m: AdviceColumn; d: AdviceColumn[]; f: (AdviceColumn | undefined)[]; chain: AdviceColumn[]; acc: AdviceColumn; tot: AdviceColumn; y: AdviceColumn; rem: AdviceColumn },
    readonly sel: { q: Selector; first: Selector; step: Selector; last: Selector },
    readonly ranges: { rem: RangeConfig; gap: RangeConfig; y: RangeConfig },
    readonly tableSpecs: readonly (FnTableSpec | undefined)[],
  ) {}

  static configure(ctx: GadgetContext, params: SoftmaxParams): SoftmaxChip {
    const name = params.name ?? 'softmax';
    const r = resolve(params, ctx.limbBits);
    const cs = ctx.cs;
    const max = RowMaxChip.configure(ctx, { bits: r.B, name: `${name}.max` });
    const adv = (s: string) => cs.adviceColumn({ name: `${name}.${s}` });
    const cols = {
      x: adv('x'),
      m: adv('m'),
      d: Array.from({ length: r.K }, (_, k) => adv(`d${k}`)),
      f: Array.from({ length: r.K }, (_, k) => (k < r.L ? undefined : adv(`f${k}`))),
      chain: Array.from({ length: Math.max(0, r.K - r.L - 1) }, (_, i) => adv(`g${i + 1}`)),
      acc: adv('acc'),
      tot: adv('tot'),
      y: adv('y'),
      rem: adv('rem'),
    };
    for (const c of [cols.x, cols.m, cols.y]) cs.enableEquality(c);
    const sel = {
      q: cs.selector({ name: `${name}.q` }),
      first: cs.selector({ name: `${name}.q_first` }),
      step: cs.selector({ name: `${name}.q_step` }),
      last: cs.selector({ name: `${name}.q_last` }),
    };
    const e = cols.chain.length ? cols.chain[cols.chain.length - 1]! : cols.f[r.L]!;
    cs.createGate(`${name}: segments`, (meta) => {
      let z = meta.query(cols.m).sub(meta.query(cols.x));
      cols.d.forEach((c, k) => (z = z.sub(meta.query(c).scale(1n << BigInt(r.b * k)))));
      return [meta.querySelector(sel.q).mul(z)];
    });
    const tableSpecs = cols.d.map((c, k) => (k < r.L ? undefined : segmentTable(r.s, r.t, r.b, k)));
    cols.d.forEach((c, k) => {
      const spec = tableSpecs[k];
      if (!spec) {
        const range = ctx.rangeTable(r.b);
        cs.lookup(`${name}: low segment ${k}`, (meta) => [[meta.querySelector(sel.q).mul(meta.query(c)), range]]);
      } else {
        lookupFunction(cs, `${name}: exp segment ${k}`, sel.q, ctx.fnTable(spec), (meta) => [meta.query(c), meta.query(cols.f[k]!)]);
      }
    });
    if (cols.chain.length) {
      cs.createGate(`${name}: product`, (meta) =>
        cols.chain.map((g, i) => {
          const prev = i === 0 ? meta.query(cols.f[r.L]!) : meta.query(cols.chain[i - 1]!);
          return meta.querySelector(sel.q).mul(meta.query(g).sub(prev.mul(meta.query(cols.f[r.L + i + 1]!))));
        }),
      );
    }
    cs.createGate(`${name}: sum first`, (meta) => [meta.querySelector(sel.first).mul(meta.query(cols.acc).sub(meta.query(e)))]);
    cs.createGate(`${name}: sum step`, (meta) => {
      const q = meta.querySelector(sel.step);
      return [
        ['acc', q.mul(meta.query(cols.acc).sub(meta.query(cols.acc, -1)).sub(meta.query(e)))],
        ['tot same', q.mul(meta.query(cols.tot).sub(meta.query(cols.tot, -1)))],
      ];
    });
    cs.createGate(`${name}: sum last`, (meta) => [meta.querySelector(sel.last).mul(meta.query(cols.tot).sub(meta.query(cols.acc)))]);
    cs.createGate(`${name}: normalise`, (meta) => {
      const tot = meta.query(cols.tot);
      const num = meta.query(e).scale(1n << BigInt(r.u + 1));
      return [meta.querySelector(sel.q).mul(num.add(tot).sub(tot.mul(meta.query(cols.y)).scale(2)).sub(meta.query(cols.rem)))];
    });
    const R = bitsFor(2n * BigInt(r.n) * (1n << BigInt((r.K - r.L) * r.t)) + 1n);
    const ranges = {
      rem: configureRange(ctx, `${name}.rem`, sel.q, (meta) => meta.query(cols.rem), R),
      gap: configureRange(ctx, `${name}.gap`, sel.q, (meta) => meta.query(cols.tot).scale(2).sub(1).sub(meta.query(cols.rem)), R),
      y: configureRange(ctx, `${name}.y`, sel.q, (meta) => meta.query(cols.y), r.u + 1),
    };
    return new SoftmaxChip(name, r, max, cols, sel, ranges, tableSpecs);
  }

  /** Softmax of each row of a 2-D tensor. */
  assign(layouter: Layouter, ctx: GadgetContext, x: AssignedTensor): AssignedTensor {
    const [rows, width] = dims2(x, this.name);
    return assignedTensor(x.shape, this.r.u, ...this.cellsAndValues(layouter, ctx, x, Array(rows).fill(width)));
  }

  /** Softmax over consecutive groups (causal rows: lengths 1, 2, …, T); output flat. */
  assignGroups(layouter: Layouter, ctx: GadgetContext, x: AssignedTensor, lengths: readonly number[]): AssignedTensor {
    return assignedTensor([x.cells.length], this.r.u, ...this.cellsAndValues(layouter, ctx, x, lengths));
  }

  private cellsAndValues(layouter: Layouter, ctx: GadgetContext, x: AssignedTensor, lengths: readonly number[]): [Cell[], Value<BigInt64Array>] {
    if (x.scale !== this.r.s) throw new GadgetError(`${this.name}: expected input scale 2^${this.r.s}, got 2^${x.scale}`);
    if (lengths.some((l) => l > this.r.n)) throw new GadgetError(`${this.name}: a row is longer than maxWidth ${this.r.n}`);
    const total = x.cells.length;
    const { max } = this.max.assignGroups(layouter, x, lengths);
    const tables = this.tableSpecs.map((s) => (s && x.values.isKnown() ? ctx.table(s).outputs : undefined));
    const w = x.values.map((v) => softmaxWith(v, lengths, this.r, tables));
    const c = this.cols;
    const cells = layouter.region(this.name, (region) => {
      copyIn(region, c.x, 0, x);
      const mCells = spanCells(region.assignAdviceColumn(c.m, 0, w.map((z) => z.m), total));
      let o = 0;
      lengths.forEach((len, g) => {
        for (let j = 0; j < len; j++) region.constrainEqual(max.cells[g]!, mCells[o + j]!);
        region.enableSelector(this.sel.first, o);
        if (len > 1) region.enableSelectorRange(this.sel.step, o + 1, len - 1);
        region.enableSelector(this.sel.last, o + len - 1);
        o += len;
      });
      c.d.forEach((col, k) => region.assignAdviceColumn(col, 0, w.map((z) => z.d[k]!), total));
      c.f.forEach((col, k) => col && region.assignAdviceColumn(col, 0, w.map((z) => z.f[k]!), total));
      c.chain.forEach((col, i) => region.assignAdviceColumn(col, 0, w.map((z) => z.chain[i]!), total));
      region.assignAdviceColumn(c.acc, 0, w.map((z) => z.acc), total);
      region.assignAdviceColumn(c.tot, 0, w.map((z) => z.tot), total);
      const out = spanCells(region.assignAdviceColumn(c.y, 0, w.map((z) => z.y), total));
      region.assignAdviceColumn(c.rem, 0, w.map((z) => z.rem), total);
      region.enableSelectorRange(this.sel.q, 0, total);
      assignRange(region, this.ranges.rem, 0, w.map((z) => z.rem), total);
      assignRange(region, this.ranges.gap, 0, w.map((z) => BigInt64Array.from(z.tot, (v, i) => 2n * v - 1n - z.rem[i]!)), total);
      assignRange(region, this.ranges.y, 0, w.map((z) => z.y), total);
      return out;
    });
    return [cells, w.map((z) => z.y)];
  }
}
