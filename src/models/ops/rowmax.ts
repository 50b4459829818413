/**
 * rowmax: max over the last axis ([1] for 1-D x), the row-max chip (max.ts):
 * exact. Rows: one per input entry (each with a B + 1-bit range check).
 * Not replicated.
 */
import { reshape, rowMaxSpec } from '../../gadgets/index.js';
import { numel } from '../graph.js';
import { lastDim, type OpDef } from './types.js';

const ROWMAX = { kind: 'rowmax' } as const;

export const rowmax: OpDef = {
  arity: [1, 1],
  inferShape({ real }) {
    const x = real(0);
    return x.length > 1 ? x.slice(0, -1) : [1];
  },
  evalFloat({ input, shape }) {
    const x = input(0);
    const w = lastDim(x.shape);
    const out = new Float64Array(numel(shape));
    for (let r = 0; r < out.length; r++) {
      let m = -Infinity;
      for (let j = 0; j < w; j++) m = Math.max(m, x.data[r * w + j]!);
      out[r] = m;
    }
    return out;
  },
  evalQuant({ input }) {
    const x = input(0);
    const w = lastDim(x.shape);
    return rowMaxSpec(x.data, Array<number>(x.data.length / w).fill(w)).max;
  },
  maxError: () => 0,
  chips: () => [ROWMAX],
  cost: (s) => ({ rows: [[ROWMAX, numel(s.input(0))]], tables: [] }),
  work: () => [],
  synthesize({ layouter, chip, input, shape }) {
    const x = input(0);
    const w = lastDim(x.shape);
    return reshape(chip(ROWMAX).assign(layouter, reshape(x, [x.cells.length / w, w])).max, shape);
  },
};
