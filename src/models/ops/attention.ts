/**
 * attention: causal multi-head attention over q, k, v [H, T, d] (attention.ts):
 * Freivalds Q·Kᵀ, scores scaled by 1/√d and range-checked to B bits (an
 * overflow is a QuantRangeError naming `<node>.scores`), zkAttn softmax over
 * each causal row, then P·V rescaled.
 * Error (documented bound, checked by the op test): the softmax bound on each
 * probability, times Σ|v| over a row, plus the scaled-score rounding carried
 * through the softmax and two output roundings; with |v| ≤ 1 and T ≤ 8 this
 * stays within 8 ulp + T·softmax bound (`maxError`).
 * Rows: H·(freivalds(T, d, T) + freivalds_causal(T, T, d)) + 3·H·T(T+1)/2 + H·T·d,
 * plus a 2^limbBits + 1 table. One chip per [H, T, d].
 */
import { attentionSpec, freivaldsRows, lowerIndices, matmulSpec, rescaleSpec, scoreScaling, softmaxErrorBound } from '../../gadgets/index.js';
import { dim, fmtShape, GraphError } from '../graph.js';
import { attentionParamsFor, checkBits, type QuantParams, softmaxParamsFor } from '../quant-params.js';
import type { ChipSpec } from './chips.js';
import { type OpDef, type OpShapes } from './types.js';

const chipOf = (shape: readonly number[]) => ({ kind: 'attention', shape }) as const;

function htd(shape: readonly number[]): [number, number, number] {
  return [dim(shape, 0), dim(shape, 1), dim(shape, 2)];
}

/** The attention chip range-checks the scaled scores to B bits: name the node when they overflow. */
function checkScores(name: string, qv: BigInt64Array, kv: BigInt64Array, shape: readonly number[], quant: QuantParams): void {
  const [H, T, d] = htd(shape);
  const { multiplier, shift } = scoreScaling(quant.scale, d);
  const lower = lowerIndices(T);
  for (let h = 0; h < H; h++) {
    const qh = qv.subarray(h * T * d, (h + 1) * T * d);
    const kt = Array.from({ length: d * T }, (_, i) => kv[h * T * d + (i % T) * d + Math.floor(i / T)]!);
    const sc = matmulSpec(qh, kt, T, d, T);
    checkBits(`${name}.scores`, rescaleSpec(lower.map((i) => sc[i]!), shift, multiplier), quant);
  }
}

export const attention: OpDef = {
  arity: [3, 3],
  inferShape({ where, real }) {
    const q = real(0);
    if (q.length !== 3) throw new GraphError(`${where}: expected Q of shape [H, T, d], got ${fmtShape(q)}`);
    for (const i of [1, 2]) if (fmtShape(real(i)) !== fmtShape(q)) throw new GraphError(`${where}: Q, K, V shapes differ: ${fmtShape(q)} and ${fmtShape(real(i))}`);
    return q;
  },
  evalFloat({ input, shape }) {
    const [H, T, d] = htd(shape);
    const q = input(0).data;
    const k = input(1).data;
    const v = input(2).data;
    const out = new Float64Array(H * T * d);
    const c = 1 / Math.sqrt(d);
    const p = new Float64Array(T);
    for (let h = 0; h < H; h++) {
      const o = h * T * d;
      for (let i = 0; i < T; i++) {
        let mx = -Infinity;
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let t = 0; t < d; t++) s += q[o + i * d + t]! * k[o + j * d + t]!;
          p[j] = s * c;
          mx = Math.max(mx, p[j]!);
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) sum += p[j] = Math.exp(p[j]! - mx);
        for (let t = 0; t < d; t++) {
          let s = 0;
          for (let j = 0; j <= i; j++) s += p[j]! * v[o + j * d + t]!;
          out[o + i * d + t] = s / sum;
        }
      }
    }
    return out;
  },
  evalQuant({ node, input, shape, quant }) {
    const q = input(0).data;
    const k = input(1).data;
    checkScores(node.name, q, k, shape, quant);
    return attentionSpec(q, k, input(2).data, attentionParamsFor(quant, shape), quant.limbBits ?? 8);
  },
  maxError(s, q) {
    const T = dim(s.output, 1);
    return 8 * 2 ** -q.scale + T * softmaxErrorBound(softmaxParamsFor(q, T), q.limbBits ?? 8);
  },
  chips: (s) => [chipOf(s.output)],
  cost(s: OpShapes, q) {
    const [H, T, d] = htd(s.output);
    const L = (T * (T + 1)) / 2;
    const rows: [ChipSpec, number][] = [[chipOf(s.output), H * (freivaldsRows(T, d, T) + freivaldsRows(T, T, d, true)) + 3 * H * L + H * T * d]];
    return { rows, tables: [2 ** (q.limbBits ?? 8) + 1] };
  },
  work(s) {
    const [H, T, d] = htd(s.output);
    // the busiest column set: the Freivalds Horner columns of Q·Kᵀ (B·r: d·T, C·r: T·T) and P·V (2·T·d)
    return [[chipOf(s.output), H * (3 * T * d + T * T)]];
  },
  synthesize: ({ layouter, ctx, chip, input, shape }) => chip(chipOf(shape)).assign(layouter, ctx, input(0), input(1), input(2)),
};
