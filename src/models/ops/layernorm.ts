/**
 * layernorm over the last axis: y = LN(x) (mean, variance, rsqrt table over
 * variances in [0, 2^R)), then ·γ on the mul chip and +β on the add chip.
 * ε = attrs.eps (default 1e-5). A row variance beyond the rsqrt table is a
 * QuantRangeError naming the input.
 * Error (documented bound, checked by the op test): the normalised value is
 * within 2 ulp (rounded mean, rounded rsqrt, one rescale), and ·γ scales
 * that by |γ| plus one more rounding: 2·|γ| + 1 ulp, so 3 ulp for |γ| ≤ 1
 * (`maxError`; shapes alone do not know γ).
 * Rows: 3 per entry (normalise, ·γ, +β), plus the rsqrt table (2^R + 1).
 * One LayerNorm chip per row width.
 */
import { GadgetError, layerNormSpec, reshape, rescaleSpec } from '../../gadgets/index.js';
import { fmtShape, GraphError, numel } from '../graph.js';
import { broadcastBig, checkBits, layerNormParamsFor, QuantRangeError } from '../quant-params.js';
import { broadcastTo } from './shared.js';
import { lastDim, nth, type OpDef, type OpShapes } from './types.js';

export const LAYERNORM_EPS = 1e-5;

const MUL = { kind: 'mul' } as const;
const ADD = { kind: 'add' } as const;
const chipOf = (s: OpShapes) => ({ kind: 'layernorm', width: lastDim(s.output), ...(s.node.attrs.eps === undefined ? {} : { eps: s.node.attrs.eps }) }) as const;

export const layernorm: OpDef = {
  arity: [3, 3],
  inferShape({ node, where, real }) {
    const shape = real(0);
    if (node.attrs.eps !== undefined && !(node.attrs.eps > 0)) throw new GraphError(`${where}: expected ε > 0, got ${node.attrs.eps}`);
    const w = lastDim(shape);
    for (const i of [1, 2]) if (fmtShape(real(i)) !== fmtShape([w])) throw new GraphError(`${where}: expected ${node.inputs[i]} of shape [${w}], got ${fmtShape(real(i))}`);
    return shape;
  },
  evalFloat({ node, input, shape }) {
    const a = input(0).data;
    const gamma = input(1).data;
    const beta = input(2).data;
    const w = lastDim(shape);
    const out = new Float64Array(a.length);
    for (let o = 0; o < out.length; o += w) {
      let mu = 0;
      for (let j = 0; j < w; j++) mu += a[o + j]!;
      mu /= w;
      let v = 0;
      for (let j = 0; j < w; j++) v += (a[o + j]! - mu) ** 2;
      const inv = 1 / Math.sqrt(v / w + (node.attrs.eps ?? LAYERNORM_EPS));
      for (let j = 0; j < w; j++) out[o + j] = (a[o + j]! - mu) * inv * gamma[j]! + beta[j]!;
    }
    return out;
  },
  evalQuant({ node, input, shape, quant: q }) {
    const a = input(0).data;
    const w = lastDim(shape);
    const source = nth(node.inputs, 0, node);
    let y: BigInt64Array;
    try {
      y = layerNormSpec(a, a.length / w, layerNormParamsFor(q, w, undefined, node.attrs.eps));
    } catch (e) {
      if (!(e instanceof GadgetError)) throw e;
      throw new QuantRangeError(
        `tensor "${source}" (input of layernorm ${node.name}) leaves the rsqrt table's range: a row variance is ≥ 2^${q.varBits} / 2^${q.scale}; recalibrate (a larger varBits) with inputs like this one (${e.message})`,
        source,
      );
    }
    checkBits(`${node.name}.norm`, y, q);
    const gamma = broadcastBig(input(1).data, y.length);
    const scaled = rescaleSpec(y.map((v, i) => v * gamma[i]!), q.scale);
    checkBits(`${node.name}.scaled`, scaled, q);
    const beta = broadcastBig(input(2).data, y.length);
    return scaled.map((v, i) => v + beta[i]!);
  },
  // for |γ| ≤ 1 (see above)
  maxError: (_, q) => 3 * 2 ** -q.scale,
  chips: (s) => [chipOf(s), MUL, ADD],
  cost(s, q) {
    const n = numel(s.output);
    return {
      rows: [
        [chipOf(s), n],
        [MUL, n],
        [ADD, n],
      ],
      tables: [2 ** q.varBits + 1],
    };
  },
  work(s) {
    const n = numel(s.output);
    return [
      [chipOf(s), n],
      [MUL, n],
      [ADD, n],
    ];
  },
  synthesize({ io, layouter, ctx, chip, input, shape }) {
    const x = input(0);
    const w = lastDim(shape);
    const rows = x.cells.length / w;
    const y = chip(chipOf(io)).assign(layouter, ctx, reshape(x, [rows, w]));
    const scaled = chip(MUL).assign(layouter, y, broadcastTo(input(1), [rows, w]));
    return reshape(chip(ADD).assign(layouter, scaled, broadcastTo(input(2), [rows, w])), shape);
  },
};
