/**
 * The one definition of a model op (`OpDef`): everything the IR, the two
 * evaluators, the compiler, the cost estimate and the replica planner need to
 * know about it, in one file per op (ops/<op>.ts), found through the registry
 * (ops/index.ts).
 */
import type { AssignedTensor, FixedPointTensor, FnTable, FnTableSpec, GadgetContext } from '../../gadgets/index.js';
import type { Layouter } from '../../plonkish/frontend/index.js';
import { dim, fmtShape, GraphError, type NodeAttrs, type TensorInfo } from '../graph.js';
import type { QTensor, QuantParams } from '../quant-params.js';
import type { ChipOf, ChipSpec } from './chips.js';

/** A node as the op definitions see it (GraphNode with the op name as a plain string). */
export interface OpNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly attrs: NodeAttrs;
}

export interface FloatTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Shape inference: the node's inputs (defined before it) and a checker for real-valued ones. */
export interface ShapeArgs {
  readonly node: OpNode;
  /** "node <name> (<op>)", the prefix of every error message. */
  readonly where: string;
  readonly inputs: readonly TensorInfo[];
  /** Shape of input i, which must hold real values (not ids). */
  real(i: number): readonly number[];
}

/** Shapes of a node's inputs and output (after inference). */
export interface OpShapes {
  readonly node: OpNode;
  readonly inputs: readonly (readonly number[])[];
  readonly output: readonly number[];
  /** Whether input i is present (optional inputs such as a matmul bias). */
  has(i: number): boolean;
  /** Shape of input i. */
  input(i: number): readonly number[];
}

export interface FloatArgs {
  readonly node: OpNode;
  readonly x: readonly FloatTensor[];
  readonly shape: readonly number[];
  input(i: number): FloatTensor;
}

export interface QuantArgs {
  readonly node: OpNode;
  readonly x: readonly QTensor[];
  readonly shape: readonly number[];
  readonly quant: QuantParams;
  input(i: number): QTensor;
  /** Function tables, built once per evaluator. */
  table(spec: FnTableSpec): FnTable;
}

export interface SynthArgs {
  readonly node: OpNode;
  /** The assigned inputs; undefined at the op's `tableInputs` (never loaded as tensors). */
  readonly x: readonly (AssignedTensor | undefined)[];
  readonly shape: readonly number[];
  /** The node's input and output shapes (what `chips` was given). */
  readonly io: OpShapes;
  readonly layouter: Layouter;
  readonly ctx: GadgetContext;
  readonly quant: QuantParams;
  input(i: number): AssignedTensor;
  /** The chip this node uses for a spec it listed in `chips` (its replica). */
  chip<S extends ChipSpec>(spec: S): ChipOf<S>;
}

/** Rows of region work by chip, and lookup tables (rows each) an op adds to the circuit. */
export interface OpCost {
  readonly rows: readonly (readonly [ChipSpec, number])[];
  readonly tables: readonly number[];
}

export interface OpDef {
  /** Input count: [fewest, most] (Infinity: any number). */
  readonly arity: readonly [number, number];
  /** Inputs that are fixed lookup tables (weights never loaded as tensors; they need fixed weights). */
  readonly tableInputs?: readonly number[];
  /**
   * Largest |quantized − float| of an output entry (real units) when the
   * inputs and weights lie on the quantization grid and stay inside the
   * calibrated ranges; checked by test/models/ops.
   */
  maxError(s: OpShapes, quant: QuantParams): number;
  /** The output shape; throws a GraphError (prefixed by `where`) when the inputs or attributes do not fit. */
  inferShape(a: ShapeArgs): readonly number[];
  /** The float64 reference. */
  evalFloat(a: FloatArgs): Float64Array;
  /** Exactly what the circuit computes (bigint); range errors name the tensor. */
  evalQuant(a: QuantArgs): BigInt64Array;
  /** The chips the node uses, in configuration order (column order of the circuit). */
  chips(s: OpShapes, quant: QuantParams): readonly ChipSpec[];
  /** Region rows per chip (exact: the cost estimate sums them) and the tables the node needs. */
  cost(s: OpShapes, quant: QuantParams): OpCost;
  /** Height estimate of the node's busiest column set per replicable chip (replicas.ts deals these). */
  work(s: OpShapes): readonly (readonly [ChipSpec, number])[];
  /** Lay the node out; returns the output tensor. */
  synthesize(a: SynthArgs): AssignedTensor;
}

/** An op definition with no chips, no rows and no tables (views). */
export const NO_COST: OpCost = Object.freeze({ rows: [], tables: [] });

/** Input i of a node (present: the arity was checked by shape inference). */
export function nth<T>(x: readonly T[], i: number, node: OpNode): T {
  const t = x[i];
  if (t === undefined) throw new GraphError(`node ${node.name} (${node.op}): no input ${i}`);
  return t;
}

/** Half an output ulp: the error of one round-to-nearest at scale 2^s. */
export const halfUlp = (q: QuantParams): number => 2 ** -(q.scale + 1);

/** The last axis of a shape (the row width of row-wise ops). */
export function lastDim(shape: readonly number[]): number {
  return dim(shape, -1);
}

export type { FixedPointTensor };
export { fmtShape };
