/**
 * The model graph IR: named tensors (inputs, weights, intermediates) and ops
 * with attributes, in topological order. One IR feeds three back ends:
 * the float64 reference (`float-eval.ts`), the quantized bigint evaluator
 * (`quant-eval.ts`, exactly what the circuit computes) and the circuit
 * compiler (`compile.ts`).
 *
 *   op          inputs                 output         notes
 *   matmul      a [m,n], b [n,p], bias? [m,p]          gemm when bias [p] is given
 *   add, mul    a, b                   shape of a     b may broadcast over a's leading axes
 *   relu, gelu  x                      shape of x     gelu: tanh form (GPT-2 gelu_new)
 *   softmax     x                      shape of x     over the last axis
 *   layernorm   x, gamma, beta         shape of x     over the last axis, ε = attrs.eps (default 1e-5)
 *   reshape     x                      attrs.shape
 *   transpose   x                      permuted       attrs.perm
 *   slice       x                      rows start…end of axis 0
 *   gather      table [V,D] (weight), ids [T]   [T,D]   embedding lookup
 *   attention   q, k, v [H,T,d]        [H,T,d]        causal, scores / √d
 *   view        x₀, x₁, …              attrs.shape    entry i = concat(x₀, x₁, …)[attrs.indices[i]]
 *                                                     (concat, slice, pad, im2col, select: no constraints)
 *   rowmax      x [..., w]             [...]          max over the last axis ([1] for 1-D x)
 *   fn          x                      shape of x     attrs.fn: sigmoid, tanh, exp, erf, sqrt (table lookup)
 *
 * Tensors are 'real' (fixed point in the circuit) or 'ids' (integers:
 * token ids). Visibility (public / private / fixed) is chosen when the graph
 * is compiled, per role: inputs, weights, outputs.
 */
import { ZkTensorError } from '../field/errors.js';

export type Visibility = 'public' | 'private' | 'fixed';

export interface VisibilitySpec {
  readonly input: Visibility;
  readonly weights: Visibility;
  readonly output: Visibility;
}

export const DEFAULT_VISIBILITY: VisibilitySpec = Object.freeze({ input: 'public', weights: 'fixed', output: 'public' });

export type OpType =
  | 'matmul' | 'add' | 'mul' | 'relu' | 'gelu' | 'softmax' | 'layernorm' | 'reshape' | 'transpose' | 'slice' | 'gather' | 'attention'
  | 'view' | 'rowmax' | 'fn';

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

export class GraphError extends ZkTensorError {
  override readonly name = 'GraphError';
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Materialize a weight's values (cached per WeightDef object). */
const weightCache = new WeakMap<WeightDef, Float64Array>();
export function weightData(w: WeightDef): Float64Array {
  if (w.data instanceof Float64Array) return w.data;
  let d = weightCache.get(w);
  if (!d) {
    d = w.data();
    if (d.length !== numel(w.shape)) throw new GraphError(`weight ${w.name}: shape ${fmt(w.shape)} needs ${numel(w.shape)} values, got ${d.length}`);
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

export interface TensorInfo {
  readonly shape: readonly number[];
  readonly kind: 'real' | 'ids';
  readonly source: 'input' | 'weight' | 'node';
}

/**
 * Shape inference and validation: every input defined before use, shapes
 * compatible, names unique. Returns every tensor's info by name.
 */
export function inferShapes(g: Graph): Map<string, TensorInfo> {
  const t = new Map<string, TensorInfo>();
  const define = (name: string, info: TensorInfo) => {
    if (t.has(name)) throw new GraphError(`graph ${g.name}: tensor "${name}" is defined twice`);
    t.set(name, info);
  };
  for (const i of g.inputs) define(i.name, { shape: i.shape, kind: i.kind, source: 'input' });
  for (const w of g.weights) define(w.name, { shape: w.shape, kind: 'real', source: 'weight' });
  for (const n of g.nodes) {
    const where = `node ${n.name} (${n.op})`;
    const ins = n.inputs.map((name) => {
      const info = t.get(name);
      if (!info) throw new GraphError(`${where}: input "${name}" is not defined before this node`);
      return info;
    });
    const arity: Record<OpType, [number, number]> = {
      matmul: [2, 3], add: [2, 2], mul: [2, 2], relu: [1, 1], gelu: [1, 1], softmax: [1, 1], layernorm: [3, 3],
      reshape: [1, 1], transpose: [1, 1], slice: [1, 1], gather: [2, 2], attention: [3, 3],
      view: [1, Infinity], rowmax: [1, 1], fn: [1, 1],
    };
    const [lo, hi] = arity[n.op] ?? [0, -1];
    if (hi < 0) throw new GraphError(`${where}: unsupported op "${n.op}"`);
    if (ins.length < lo || ins.length > hi) throw new GraphError(`${where}: expected ${lo === hi ? lo : hi === Infinity ? `at least ${lo}` : `${lo}–${hi}`} inputs, got ${ins.length}`);
    const real = (i: number) => {
      if (ins[i]!.kind !== 'real') throw new GraphError(`${where}: input "${n.inputs[i]}" holds ids, expected real values`);
      return ins[i]!.shape;
    };
    let shape: readonly number[];
    switch (n.op) {
      case 'matmul': {
        const a = real(0);
        const b = real(1);
        if (a.length !== 2 || b.length !== 2 || a[1] !== b[0]) throw new GraphError(`${where}: cannot multiply ${fmt(a)} by ${fmt(b)}`);
        shape = [a[0]!, b[1]!];
        if (ins[2] && !broadcasts(shape, real(2))) throw new GraphError(`${where}: bias ${fmt(real(2))} does not broadcast over ${fmt(shape)}`);
        break;
      }
      case 'add':
      case 'mul':
        if (!broadcasts(real(0), real(1))) throw new GraphError(`${where}: ${fmt(real(1))} does not broadcast over ${fmt(real(0))}`);
        shape = real(0);
        break;
      case 'relu':
      case 'gelu':
      case 'softmax':
        shape = real(0);
        break;
      case 'layernorm': {
        shape = real(0);
        if (n.attrs.eps !== undefined && !(n.attrs.eps > 0)) throw new GraphError(`${where}: expected ε > 0, got ${n.attrs.eps}`);
        const w = shape[shape.length - 1]!;
        for (const i of [1, 2]) if (fmt(real(i)) !== fmt([w])) throw new GraphError(`${where}: expected ${n.inputs[i]} of shape [${w}], got ${fmt(real(i))}`);
        break;
      }
      case 'reshape': {
        shape = n.attrs.shape ?? [];
        if (numel(shape) !== numel(real(0))) throw new GraphError(`${where}: cannot reshape ${fmt(real(0))} to ${fmt(shape)}`);
        break;
      }
      case 'transpose': {
        const x = real(0);
        const perm = n.attrs.perm ?? x.map((_, i) => x.length - 1 - i);
        if (perm.length !== x.length || [...perm].sort().some((p, i) => p !== i)) throw new GraphError(`${where}: perm ${fmt(perm)} is not a permutation of ${x.length} axes`);
        shape = perm.map((p) => x[p]!);
        break;
      }
      case 'slice': {
        const x = real(0);
        const { start = 0, end = x[0]! } = n.attrs;
        if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= x[0]!)) {
          throw new GraphError(`${where}: rows ${start}…${end} are not inside axis 0 of ${fmt(x)}`);
        }
        shape = [end - start, ...x.slice(1)];
        break;
      }
      case 'gather': {
        const table = real(0);
        if (ins[0]!.source !== 'weight' || table.length !== 2) throw new GraphError(`${where}: expected a weight table [V, D] as first input`);
        if (ins[1]!.kind !== 'ids' || ins[1]!.shape.length !== 1) throw new GraphError(`${where}: expected 1-D ids as second input`);
        shape = [ins[1]!.shape[0]!, table[1]!];
        break;
      }
      case 'attention': {
        const q = real(0);
        if (q.length !== 3) throw new GraphError(`${where}: expected Q of shape [H, T, d], got ${fmt(q)}`);
        for (const i of [1, 2]) if (fmt(real(i)) !== fmt(q)) throw new GraphError(`${where}: Q, K, V shapes differ: ${fmt(q)} and ${fmt(real(i))}`);
        shape = q;
        break;
      }
      case 'view': {
        const total = ins.reduce((a, _, i) => a + numel(real(i)), 0);
        shape = n.attrs.shape ?? [];
        const idx = n.attrs.indices ?? [];
        if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) throw new GraphError(`${where}: expected a shape of positive dims, got ${fmt(shape)}`);
        if (idx.length !== numel(shape)) throw new GraphError(`${where}: shape ${fmt(shape)} needs ${numel(shape)} indices, got ${idx.length}`);
        const bad = idx.findIndex((i) => !(Number.isInteger(i) && i >= 0 && i < total));
        if (bad >= 0) throw new GraphError(`${where}: index ${bad} = ${idx[bad]} is outside the ${total} input entries`);
        break;
      }
      case 'rowmax': {
        const x = real(0);
        shape = x.length > 1 ? x.slice(0, -1) : [1];
        break;
      }
      case 'fn':
        if (!TABLE_FNS.includes(n.attrs.fn!)) throw new GraphError(`${where}: attrs.fn ${JSON.stringify(n.attrs.fn)} is not one of ${TABLE_FNS.join(', ')}`);
        shape = real(0);
        break;
    }
    define(n.output, { shape, kind: 'real', source: 'node' });
  }
  for (const o of g.outputs) if (!t.has(o)) throw new GraphError(`graph ${g.name}: output "${o}" is not defined`);
  return t;
}

/** Index maps of the view ops (flat source index for each output entry). */
export function transposeIndices(shape: readonly number[], perm: readonly number[]): number[] {
  const outShape = perm.map((p) => shape[p]!);
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

/** A small builder that names nodes and outputs consistently. */
export class GraphBuilder {
  readonly inputs: InputDef[] = [];
  readonly weights: WeightDef[] = [];
  readonly nodes: GraphNode[] = [];

  constructor(readonly name: string) {}

  input(name: string, shape: readonly number[], kind: 'real' | 'ids' = 'real', vocab?: number): string {
    this.inputs.push({ name, shape, kind, ...(vocab === undefined ? {} : { vocab }) });
    return name;
  }
  weight(name: string, shape: readonly number[], data: Float64Array | (() => Float64Array)): string {
    this.weights.push({ name, shape, data });
    return name;
  }
  op(op: OpType, name: string, inputs: readonly string[], attrs: NodeAttrs = {}): string {
    this.nodes.push({ name, op, inputs, output: name, attrs });
    return name;
  }
  build(outputs: readonly string[]): Graph {
    const g: Graph = { name: this.name, inputs: [...this.inputs], weights: [...this.weights], nodes: [...this.nodes], outputs: [...outputs] };
    inferShapes(g);
    return g;
  }
}
