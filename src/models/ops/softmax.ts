/**
 * softmax over the last axis, the zkAttn way (softmax.ts): row max, factored
 * exp tables, division with a range-checked remainder; output at scale s.
 * Error: `softmaxErrorBound` of the chip's parameters (against the exact
 * softmax of the quantized inputs; the float reference is fed the same grid
 * values). Rows: 2 per entry (row max + softmax), plus a 2^limbBits + 1 table.
 * One chip per row width.
 */
import { reshape, softmaxErrorBound, softmaxSpec } from '../../gadgets/index.js';
import { numel } from '../graph.js';
import { softmaxParamsFor } from '../quant-params.js';
import { lastDim, type OpDef } from './types.js';

export const softmax: OpDef = {
  arity: [1, 1],
  inferShape: ({ real }) => real(0),
  evalFloat({ input, shape }) {
    const a = input(0).data;
    const w = lastDim(shape);
    const out = new Float64Array(a.length);
    for (let o = 0; o < out.length; o += w) {
      let mx = -Infinity;
      for (let j = 0; j < w; j++) mx = Math.max(mx, a[o + j]!);
      let s = 0;
      for (let j = 0; j < w; j++) s += out[o + j] = Math.exp(a[o + j]! - mx);
      for (let j = 0; j < w; j++) out[o + j]! /= s;
    }
    return out;
  },
  evalQuant({ input, shape, quant }) {
    const a = input(0).data;
    const w = lastDim(shape);
    return softmaxSpec(a, Array<number>(a.length / w).fill(w), softmaxParamsFor(quant, w), quant.limbBits ?? 8);
  },
  maxError: (s, q) => softmaxErrorBound(softmaxParamsFor(q, lastDim(s.output)), q.limbBits ?? 8),
  chips: (s) => [{ kind: 'softmax', width: lastDim(s.output) }],
  cost: (s, q) => ({ rows: [[{ kind: 'softmax', width: lastDim(s.output) }, 2 * numel(s.output)]], tables: [2 ** (q.limbBits ?? 8) + 1] }),
  work: (s) => [[{ kind: 'softmax', width: lastDim(s.output) }, 2 * numel(s.output)]],
  synthesize({ layouter, ctx, chip, input, shape }) {
    const x = input(0);
    const w = lastDim(shape);
    return reshape(chip({ kind: 'softmax', width: w }).assign(layouter, ctx, reshape(x, [x.cells.length / w, w])), shape);
  },
};
