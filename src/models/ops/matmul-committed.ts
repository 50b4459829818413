/**
 * matmul_committed: a [m, n] · B (+ bias) where B is a weight committed
 * outside the circuit (weights visibility `committed`; compile.ts turns each
 * `matmul` whose B is a graph weight into this op, committed-graph.ts).
 * B is [n, p], or [n + 1, p] with a bias row: its last row b is the bias,
 * committed with the matrix, and out = rescale(A·B[0..n) + 2^s·b) =
 * rescale(A·B[0..n)) + b exactly (s = A's scale, that of the model).
 * Same values as `matmul` (float, quantized, rescale, bias); the circuit uses
 * the committed-weights Freivalds chip (gadgets/matmul-committed.ts): B never
 * enters the circuit (it is a `tableInputs` entry: not loaded), u = B·r is
 * assigned after ρ and folded by γ into the published v that the folded
 * opening checks against the model's fingerprint (models/committed.ts).
 * A third input (a bias that is no weight) is added on the add chip.
 * Rows: m·p + m·n′ + 2n′ on the chip (n′ = rows of B; its share of the fold
 * included), m·p rescale (+ m·p add): the n·p rows of B·r are gone.
 */
import { committedFreivaldsRows, CommittedMatmulChip, committedMatmulSpec, type WeightFold } from '../../gadgets/matmul-committed.js';
import { rescaleSpec } from '../../gadgets/index.js';
import type { AssignedTensor, FixedPointTensor } from '../../gadgets/index.js';
import { type Layouter, Value } from '../../plonkish/frontend/index.js';
import { broadcasts, dim, fmtShape, GraphError } from '../graph.js';
import { floatMatmul, withQuantBias } from './matmul.js';
import type { ChipSpec } from './chips.js';
import { broadcastTo } from './shared.js';
import { halfUlp, nth, type OpDef, type OpShapes } from './types.js';

const CMATMUL = { kind: 'cmatmul' } as const;
const RESCALE = { kind: 'rescale' } as const;
const ADD = { kind: 'add' } as const;

/** [m, n′, p]: n′ = rows of B (n, or n + 1 with a bias row). */
function mnp(s: OpShapes): [number, number, number] {
  return [dim(s.input(0), 0), dim(s.input(1), 0), dim(s.output, 1)];
}

/** Whether B carries a bias row: B [n + 1, p] for A [m, n]. */
export const hasBiasRow = (a: readonly number[], b: readonly number[]): boolean => dim(b, 0) === dim(a, 1) + 1;

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
    const bias = hasBiasRow(a.shape, t.shape);
    return this.chip.assign(layouter, a, { index: this.env.index(weight), rows, cols, scale: t.scale, values, ...(bias ? { bias } : {}) });
  }
}

export const matmulCommitted: OpDef = {
  arity: [2, 3],
  tableInputs: [1],
  inferShape({ node, where, real, inputs }) {
    if (nth(inputs, 1, node).source !== 'weight') throw new GraphError(`${where}: expected a weight as B (committed weights)`);
    const a = real(0);
    const b = real(1);
    if (a.length !== 2 || b.length !== 2 || (b[0] !== a[1] && b[0] !== dim(a, 1) + 1)) {
      const n = a[a.length - 1] ?? 0;
      throw new GraphError(`${where}: cannot multiply ${fmtShape(a)} by ${fmtShape(b)} (expected B of ${n} rows, or ${n + 1} with a bias row)`);
    }
    const shape = [dim(a, 0), dim(b, 1)];
    if (inputs.length > 2 && !broadcasts(shape, real(2))) throw new GraphError(`${where}: bias ${fmtShape(real(2))} does not broadcast over ${fmtShape(shape)}`);
    return shape;
  },
  evalFloat({ x, input, shape }) {
    const a = input(0);
    const [m, n] = [dim(a.shape, 0), dim(a.shape, 1)];
    return floatMatmul(a.data, input(1).data, m, n, dim(shape, 1), x[2]?.data, hasBiasRow(a.shape, input(1).shape) ? n : undefined);
  },
  evalQuant({ node, x, input, shape, quant }) {
    const a = input(0);
    const b = input(1);
    const [m, n] = [dim(a.shape, 0), dim(a.shape, 1)];
    const multiplier = hasBiasRow(a.shape, b.shape) ? 1n << BigInt(a.scale) : undefined;
    return withQuantBias(node.name, rescaleSpec(committedMatmulSpec(a.data, b.data, m, n, dim(shape, 1), multiplier), quant.scale), x[2]?.data, quant);
  },
  maxError: (_, q) => halfUlp(q),
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
