/**
 * matmul_committed: a [m, n] · B [n, p] (+ bias) where B is a weight
 * committed outside the circuit (weights visibility `committed`; compile.ts
 * turns each `matmul` whose B is a graph weight into this op). Same values
 * as `matmul` (float, quantized, rescale, bias); the circuit uses the
 * committed-weights Freivalds chip (gadgets/matmul-committed.ts): B never
 * enters the circuit (it is a `tableInputs` entry: not loaded), u = B·r is
 * assigned after ρ and folded by γ into the published v that the folded
 * opening checks against the model's fingerprint (models/committed.ts).
 * Rows: m·p + m·n + 2n on the chip (its share of the fold included), m·p
 * rescale (+ m·p add): the n·p rows of B·r are gone.
 */
import { committedFreivaldsRows, CommittedMatmulChip, type WeightFold } from '../../gadgets/matmul-committed.js';
import type { AssignedTensor, FixedPointTensor } from '../../gadgets/index.js';
import { type Layouter, Value } from '../../plonkish/frontend/index.js';
import { dim, GraphError } from '../graph.js';
import type { ChipSpec } from './chips.js';
import { matmul } from './matmul.js';
import { broadcastTo } from './shared.js';
import { nth, type OpDef, type OpShapes } from './types.js';

const CMATMUL = { kind: 'cmatmul' } as const;
const RESCALE = { kind: 'rescale' } as const;
const ADD = { kind: 'add' } as const;

function mnp(s: OpShapes): [number, number, number] {
  const a = s.input(0);
  return [dim(a, 0), dim(a, 1), dim(s.output, 1)];
}

/** What the committed chip needs from the model: the weight list's order and values (compile.ts). */
export interface CommittedEnv {
  /** The circuit's one γ-fold (configured on first use). */
  fold(): WeightFold;
  /** Position of a committed weight in the fingerprint order. */
  index(name: string): number;
  /** The weight's quantized values, read lazily (witness only). */
  tensor(name: string): FixedPointTensor;
}

/** The committed chip bound to the model's weights: assign by weight name. */
export class CommittedMatmulOpChip {
  constructor(
    readonly chip: CommittedMatmulChip,
    private readonly env: CommittedEnv,
  ) {}

  assign(layouter: Layouter, a: AssignedTensor, weight: string): AssignedTensor {
    const t = this.env.tensor(weight);
    const [rows, cols] = [dim(t.shape, 0), dim(t.shape, 1)];
    const values = layouter.hasWitness ? Value.known(t.data) : Value.unknown<BigInt64Array>();
    return this.chip.assign(layouter, a, { index: this.env.index(weight), rows, cols, scale: t.scale, values });
  }
}

export const matmulCommitted: OpDef = {
  arity: [2, 3],
  tableInputs: [1],
  inferShape(a) {
    if (nth(a.inputs, 1, a.node).source !== 'weight') throw new GraphError(`${a.where}: expected a weight as B (committed weights)`);
    return matmul.inferShape(a);
  },
  evalFloat: (a) => matmul.evalFloat(a),
  evalQuant: (a) => matmul.evalQuant(a),
  maxError: (s, q) => matmul.maxError(s, q),
  chips: (s) => (s.has(2) ? [CMATMUL, RESCALE, ADD] : [CMATMUL, RESCALE]),
  cost(s) {
    const [m, n, p] = mnp(s);
    const rows: [ChipSpec, number][] = [
      [CMATMUL, committedFreivaldsRows(m, n, p)],
      [RESCALE, m * p],
    ];
    if (s.has(2)) rows.push([ADD, m * p]);
    return { rows, tables: [] };
  },
  work(s) {
    const [m, n, p] = mnp(s);
    // C·r and u share the Horner columns; A·u the dot columns (the fold has its own)
    const rows: [ChipSpec, number][] = [
      [CMATMUL, Math.max(m * p + n, m * n)],
      [RESCALE, m * p],
    ];
    if (s.has(2)) rows.push([ADD, m * p]);
    return rows;
  },
  synthesize({ node, layouter, chip, input, x, shape, quant }) {
    const raw = chip(CMATMUL).assign(layouter, input(0), nth(node.inputs, 1, node));
    const out = chip(RESCALE).assign(layouter, raw, quant.scale);
    const bias = x[2];
    return bias ? chip(ADD).assign(layouter, out, broadcastTo(bias, shape)) : out;
  },
};
