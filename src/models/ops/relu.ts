/**
 * relu: max(x, 0), exact (sign bit and range check). Rows: one per entry.
 */
import { reluSpec } from '../../gadgets/index.js';
import { numel } from '../graph.js';
import type { OpDef } from './types.js';

const RELU = { kind: 'relu' } as const;

export const relu: OpDef = {
  arity: [1, 1],
  inferShape: ({ real }) => real(0),
  evalFloat: ({ input }) => input(0).data.map((v) => Math.max(0, v)),
  evalQuant: ({ input }) => reluSpec(input(0).data),
  maxError: () => 0,
  chips: () => [RELU],
  cost: (s) => ({ rows: [[RELU, numel(s.output)]], tables: [] }),
  work: (s) => [[RELU, numel(s.output)]],
  synthesize: ({ layouter, chip, input }) => chip(RELU).assign(layouter, input(0)),
};
