/**
 * matmul: a [m, n] · b [n, p] (+ bias broadcast over [m, p]).
 * Circuit: Freivalds matmul (challenge after commitment), rescale by 2^s,
 * then the bias add. Quantized: C = round(A·B / 2^s) + bias, so the error
 * against the float product of the grid values is one rounding, ½ ulp.
 * Rows: freivalds(m, n, p) = n·p + m·p + m·n on the matmul chip, m·p rescale
 * (+ m·p add); the busiest matmul column holds max(n·p + m·p, m·n).
 */
import { freivaldsRows, matmulSpec, rescaleSpec } from '../../gadgets/index.js';
import { broadcasts, dim, fmtShape, GraphError } from '../graph.js';
import { broadcastBig, checkBits, type QuantParams } from '../quant-params.js';
import type { ChipSpec } from './chips.js';
import { broadcastTo } from './shared.js';
import { halfUlp, type OpDef, type OpShapes } from './types.js';

const MATMUL = { kind: 'matmul' } as const;
const RESCALE = { kind: 'rescale' } as const;
const ADD = { kind: 'add' } as const;

/** [m, n, p] of a node. */
function mnp(s: OpShapes): [number, number, number] {
  const a = s.input(0);
  return [dim(a, 0), dim(a, 1), dim(s.output, 1)];
}

/**
 * A·B in floats (m × k by k × p, row-major), each sum started at row
 * `biasRow` of B when given (a committed matrix's bias row), then + `bias`
 * broadcast over the rows (a bias input).
 */
export function floatMatmul(A: ArrayLike<number>, B: ArrayLike<number>, m: number, k: number, p: number, bias?: ArrayLike<number>, biasRow?: number): Float64Array {
  const out = new Float64Array(m * p);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < p; j++) {
      let s = biasRow === undefined ? 0 : B[biasRow * p + j]!;
      for (let t = 0; t < k; t++) s += A[i * k + t]! * B[t * p + j]!;
      out[i * p + j] = s;
    }
  }
  if (bias) for (let i = 0; i < out.length; i++) out[i]! += bias[i % bias.length]!;
  return out;
}

/** The rescaled product + a bias input (range-checked before the bias is added, as the circuit does). */
export function withQuantBias(name: string, raw: BigInt64Array, bias: BigInt64Array | undefined, quant: QuantParams): BigInt64Array {
  if (!bias) return raw;
  checkBits(`${name}.matmul`, raw, quant);
  const b = broadcastBig(bias, raw.length);
  return raw.map((v, i) => v + b[i]!);
}

export const matmul: OpDef = {
  arity: [2, 3],
  inferShape({ where, real, inputs }) {
    const a = real(0);
    const b = real(1);
    if (a.length !== 2 || b.length !== 2 || a[1] !== b[0]) throw new GraphError(`${where}: cannot multiply ${fmtShape(a)} by ${fmtShape(b)}`);
    const shape = [dim(a, 0), dim(b, 1)];
    if (inputs.length > 2 && !broadcasts(shape, real(2))) throw new GraphError(`${where}: bias ${fmtShape(real(2))} does not broadcast over ${fmtShape(shape)}`);
    return shape;
  },
  evalFloat({ x, input, shape }) {
    const a = input(0);
    return floatMatmul(a.data, input(1).data, dim(a.shape, 0), dim(a.shape, 1), dim(shape, 1), x[2]?.data);
  },
  evalQuant({ node, x, input, shape, quant }) {
    const a = input(0);
    const [m, k] = [dim(a.shape, 0), dim(a.shape, 1)];
    return withQuantBias(node.name, rescaleSpec(matmulSpec(a.data, input(1).data, m, k, dim(shape, 1)), quant.scale), x[2]?.data, quant);
  },
  maxError: (_, q) => halfUlp(q),
  chips: (s) => (s.has(2) ? [MATMUL, RESCALE, ADD] : [MATMUL, RESCALE]),
  cost(s) {
    const [m, k, p] = mnp(s);
    const rows: [ChipSpec, number][] = [
      [MATMUL, freivaldsRows(m, k, p)],
      [RESCALE, m * p],
    ];
    if (s.has(2)) rows.push([ADD, m * p]);
    return { rows, tables: [] };
  },
  work(s) {
    const [m, k, p] = mnp(s);
    const rows: [ChipSpec, number][] = [
      [MATMUL, Math.max(k * p + m * p, m * k)],
      [RESCALE, m * p],
    ];
    if (s.has(2)) rows.push([ADD, m * p]);
    return rows;
  },
  synthesize({ layouter, chip, input, x, shape, quant }) {
    const raw = chip(MATMUL).assign(layouter, input(0), input(1));
    const out = chip(RESCALE).assign(layouter, raw, quant.scale);
    const bias = x[2];
    return bias ? chip(ADD).assign(layouter, out, broadcastTo(bias, shape)) : out;
  },
};
