/**
 * The graph IR's data types and the helpers every op definition shares:
 * tensors, nodes, graphs, visibility, `GraphError`, shapes and index maps.
 * Split from ir.ts so that the op definitions (ops/*.ts) can import them
 * while ir.ts imports the op registry (ops/index.ts) for shape inference:
 * no module cycle at load time.
 */
import { ZkTensorError } from '../field/errors.js';
import type { OpType } from './ops/index.js';

export type { OpType };

/** 'committed': weights only; matmul weights committed outside the circuit (models/committed.ts), the rest fixed. */
export type Visibility = 'public' | 'private' | 'fixed' | 'committed';

export interface VisibilitySpec {
  readonly input: Visibility;
  readonly weights: Visibility;
  readonly output: Visibility;
}

export const DEFAULT_VISIBILITY: VisibilitySpec = Object.freeze({ input: 'public', weights: 'fixed', output: 'public' });

/** Functions of the `fn` op (each a lookup table over the calibrated input range). */
export type TableFnName = 'sigmoid' | 'tanh' | 'exp' | 'erf' | 'sqrt';
export const TABLE_FNS: readonly TableFnName[] = ['sigmoid', 'tanh', 'exp', 'erf', 'sqrt'];

export interface NodeAttrs {
  readonly shape?: readonly number[];
  readonly perm?: readonly number[];
  readonly start?: number;
  readonly end?: number;
  readonly heads?: number;
  /** view: flat indices into the concatenation of the inputs (row-major each). */
  readonly indices?: readonly number[];
  /** fn: which function. */
  readonly fn?: TableFnName;
  /** layernorm: ε (default 1e-5). */
  readonly eps?: number;
}

export interface GraphNode {
  readonly name: string;
  readonly op: OpType;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly attrs: NodeAttrs;
}

export interface InputDef {
  readonly name: string;
  readonly shape: readonly number[];
  /** 'ids': integer token ids (scale 0); 'real': fixed point. */
  readonly kind: 'real' | 'ids';
  /** Number of distinct ids (kind 'ids'). */
  readonly vocab?: number;
}

export interface WeightDef {
  readonly name: string;
  readonly shape: readonly number[];
  /** Row-major values; a function defers generation (cost estimates never call it). */
  readonly data: Float64Array | (() => Float64Array);
}

export interface Graph {
  readonly name: string;
  readonly inputs: readonly InputDef[];
  readonly weights: readonly WeightDef[];
  readonly nodes: readonly GraphNode[];
  readonly outputs: readonly string[];
}

export interface TensorInfo {
  readonly shape: readonly number[];
  readonly kind: 'real' | 'ids';
  readonly source: 'input' | 'weight' | 'node';
}

export class GraphError extends ZkTensorError {
  override readonly name = 'GraphError';
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Materialize a weight's values (cached per WeightDef object). */
const weightCache = new WeakMap<WeightDef, Float64Array>();
export function weightData(w: WeightDef): Float64Array {
  if (w.data instanceof Float64Array) return w.data;
  let d = weightCache.get(w);
  if (!d) {
    d = w.data();
    if (d.length !== numel(w.shape)) throw new GraphError(`weight ${w.name}: shape ${fmtShape(w.shape)} needs ${numel(w.shape)} values, got ${d.length}`);
    weightCache.set(w, d);
  }
  return d;
}

/** True when `b` broadcasts over `a`: b's shape equals a trailing part of a's shape. */
export function broadcasts(a: readonly number[], b: readonly number[]): boolean {
  if (b.length > a.length) return false;
  const tail = a.slice(a.length - b.length);
  return tail.every((d, i) => d === b[i]);
}

/** Index maps of the view ops (flat source index for each output entry). */
export function transposeIndices(shape: readonly number[], perm: readonly number[]): number[] {
  const outShape = perm.map((p) => dim(shape, p));
  const strides = shape.map((_, i) => numel(shape.slice(i + 1)));
  const n = numel(shape);
  const out = new Array<number>(n);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < n; o++) {
    let src = 0;
    for (let a = 0; a < outShape.length; a++) src += idx[a]! * strides[perm[a]!]!;
    out[o] = src;
    for (let a = outShape.length - 1; a >= 0; a--) {
      if (++idx[a]! < outShape[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** Axis `i` of a shape (negative counts from the end); a GraphError when the shape has no such axis. */
export function dim(shape: readonly number[], i: number): number {
  const d = shape[i < 0 ? shape.length + i : i];
  if (d === undefined) throw new GraphError(`shape ${fmtShape(shape)} has no axis ${i}`);
  return d;
}
