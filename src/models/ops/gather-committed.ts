/**
 * gather_committed: embedding lookup with the table [V, D] committed outside
 * the circuit (weights visibility `committed`; committed-graph.ts turns each
 * `gather` into this op). Same values as `gather`; the circuit uses the
 * committed-table chip (gadgets/embedding-committed.ts): the table is never
 * loaded, and instead of a V·D + 1 row fixed lookup table it costs
 * T·D + 2V rows (Freivalds on the rows of X, a lookup into (j, (E·r)_j), its
 * share of the weight fold). Exact.
 */
import { CommittedEmbeddingChip, committedEmbeddingRows } from '../../gadgets/embedding-committed.js';
import type { AssignedTensor } from '../../gadgets/index.js';
import { type Layouter, Value } from '../../plonkish/frontend/index.js';
import { dim } from '../graph.js';
import type { ChipSpec } from './chips.js';
import { gather } from './gather.js';
import type { CommittedEnv } from './matmul-committed.js';
import { nth, type OpDef, type OpShapes } from './types.js';

const CGATHER = { kind: 'cgather' } as const;

/** The committed-table chip bound to the model's weights: assign by table name. */
export class CommittedEmbeddingOpChip {
  constructor(
    readonly chip: CommittedEmbeddingChip,
    private readonly env: CommittedEnv,
  ) {}

  assign(layouter: Layouter, ids: AssignedTensor, table: string): AssignedTensor {
    const t = this.env.tensor(table);
    const values = layouter.hasWitness ? Value.known(t.data) : Value.unknown<BigInt64Array>();
    return this.chip.assign(layouter, ids, { index: this.env.index(table), vocab: dim(t.shape, 0), dim: dim(t.shape, 1), scale: t.scale, values });
  }
}

const tvd = (s: OpShapes): [number, number, number] => [dim(s.input(1), 0), dim(s.input(0), 0), dim(s.input(0), 1)];

export const gatherCommitted: OpDef = {
  arity: [2, 2],
  tableInputs: [0],
  inferShape: (a) => gather.inferShape(a),
  evalFloat: (a) => gather.evalFloat(a),
  evalQuant: (a) => gather.evalQuant(a),
  maxError: () => 0,
  chips: () => [CGATHER],
  cost(s) {
    const rows: [ChipSpec, number][] = [[CGATHER, committedEmbeddingRows(...tvd(s))]];
    return { rows, tables: [] };
  },
  work(s) {
    const [T, V, D] = tvd(s);
    return [[CGATHER, Math.max(T * D, V)]];
  },
  synthesize: ({ node, layouter, chip, input }) => chip(CGATHER).assign(layouter, input(1), nth(node.inputs, 0, node)),
};
