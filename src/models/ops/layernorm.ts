/**
 * layernorm over the last axis: inputs [x, γ, β] or [x] (no affine part).
 * y = LN(x) (mean, variance in [0, 2^R), rsqrt checked by inequalities), then
 * with γ, β: ·γ on the mul chip and +β on the add chip; with [x] alone the
 * output is y itself (γ, β folded elsewhere, e.g. into the next matmul).
 * ε = attrs.eps (default 1e-5). A row variance outside [0, 2^R) is a
 * QuantRangeError naming the input.
 * Error (documented bound, checked by the op test): the normalised value is
 * within 2 ulp (rounded mean, rounded rsqrt, one rescale), and ·γ scales
 * that by |γ| plus one more rounding: 2·|γ| + 1 ulp, so 3 ulp for |γ| ≤ 1
 * (`maxError`; shapes alone do not know γ); 2 ulp without γ, β.
 * Rows: 3 per entry (normalise, ·γ, +β), 1 without γ, β; no tables (the
 * range checks use the shared range table). One LayerNorm chip per row width.
 */
import { GadgetError, layerNormSpec, reshape, rescaleSpec } from '../../gadgets/index.js';
import { fmtShape, GraphError, numel } from '../graph.js';
import { broadcastBig, checkBits, layerNormParamsFor, QuantRangeError } from '../quant-params.js';
import type { ChipSpec } from './chips.js';
import { broadcastTo } from './shared.js';
import { lastDim, nth, type OpDef, type OpShapes } from './types.js';

export const LAYERNORM_EPS = 1e-5;

const MUL = { kind: 'mul' } as const;
const ADD = { kind: 'add' } as const;
const chipOf = (s: OpShapes) => ({ kind: 'layernorm', width: lastDim(s.output), ...(s.node.attrs.eps === undefined ? {} : { eps: s.node.attrs.eps }) }) as const;
/** γ, β present (inputs [x, γ, β]; shape inference allows [x] or all three). */
const affine = (s: OpShapes) => s.has(1);
const rowsOf = (s: OpShapes): [ChipSpec, number][] => {
  const n = numel(s.output);
  return affine(s) ? [[chipOf(s), n], [MUL, n], [ADD, n]] : [[chipOf(s), n]];
};

export const layernorm: OpDef = {
  arity: [1, 3],
  inferShape({ node, where, real }) {
    const shape = real(0);
    if (node.attrs.eps !== undefined && !(node.attrs.eps > 0)) throw new GraphError(`${where}: expected ε > 0, got ${node.attrs.eps}`);
    if (node.inputs.length === 2) throw new GraphError(`${where}: expected inputs [x] or [x, γ, β], got 2 inputs (${node.inputs.join(', ')})`);
    const w = lastDim(shape);
    for (const i of node.inputs.length === 3 ? [1, 2] : []) if (fmtShape(real(i)) !== fmtShape([w])) throw new GraphError(`${where}: expected ${node.inputs[i]} of shape [${w}], got ${fmtShape(real(i))}`);
    return shape;
  },
  evalFloat({ node, x, input, shape }) {
    const a = input(0).data;
    const affine = x.length === 3;
    const gamma = affine ? input(1).data : undefined;
    const beta = affine ? input(2).data : undefined;
    const w = lastDim(shape);
    const out = new Float64Array(a.length);
    for (let o = 0; o < out.length; o += w) {
      let mu = 0;
      for (let j = 0; j < w; j++) mu += a[o + j]!;
      mu /= w;
      let v = 0;
      for (let j = 0; j < w; j++) v += (a[o + j]! - mu) ** 2;
      const inv = 1 / Math.sqrt(v / w + (node.attrs.eps ?? LAYERNORM_EPS));
      for (let j = 0; j < w; j++) out[o + j] = gamma && beta ? (a[o + j]! - mu) * inv * gamma[j]! + beta[j]! : (a[o + j]! - mu) * inv;
    }
    return out;
  },
  evalQuant({ node, x, input, shape, quant: q }) {
    const a = input(0).data;
    const w = lastDim(shape);
    const source = nth(node.inputs, 0, node);
    let y: BigInt64Array;
    try {
      y = layerNormSpec(a, a.length / w, layerNormParamsFor(q, w, undefined, node.attrs.eps));
    } catch (e) {
      if (!(e instanceof GadgetError)) throw e;
      throw new QuantRangeError(
        `tensor "${source}" (input of layernorm ${node.name}) leaves the calibrated variance range: a row variance is ≥ 2^${q.varBits} / 2^${q.scale}; recalibrate (a larger varBits) with inputs like this one (${e.message})`,
        source,
      );
    }
    checkBits(`${node.name}.norm`, y, q);
    if (x.length === 1) return y;
    const gamma = broadcastBig(input(1).data, y.length);
    const scaled = rescaleSpec(y.map((v, i) => v * gamma[i]!), q.scale);
    checkBits(`${node.name}.scaled`, scaled, q);
    const beta = broadcastBig(input(2).data, y.length);
    return scaled.map((v, i) => v + beta[i]!);
  },
  // for |γ| ≤ 1 with γ, β (see above)
  maxError: (s, q) => (affine(s) ? 3 : 2) * 2 ** -q.scale,
  chips: (s) => (affine(s) ? [chipOf(s), MUL, ADD] : [chipOf(s)]),
  // the chip's range checks (also those of the rsqrt inequalities) sit on its own rows: one per entry
  cost: (s) => ({ rows: rowsOf(s), tables: [] }),
  work: rowsOf,
  synthesize({ io, layouter, ctx, chip, input, shape }) {
    const x = input(0);
    const w = lastDim(shape);
    const rows = x.cells.length / w;
    const y = chip(chipOf(io)).assign(layouter, ctx, reshape(x, [rows, w]));
    if (!affine(io)) return reshape(y, shape);
    const scaled = chip(MUL).assign(layouter, y, broadcastTo(input(1), [rows, w]));
    return reshape(chip(ADD).assign(layouter, scaled, broadcastTo(input(2), [rows, w])), shape);
  },
};
