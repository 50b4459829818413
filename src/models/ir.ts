/**
 * The model graph IR: named tensors (inputs, weights, intermediates) and ops
 * with attributes, in topological order. One IR feeds three back ends:
 * the float64 reference (`float-eval.ts`), the quantized bigint evaluator
 * (`quant.ts`, exactly what the circuit computes) and the circuit compiler
 * (`compile.ts`). Each op is defined once, in ops/<op>.ts (the table of ops
 * is in ops/index.ts); this file checks a graph (names, arity, shapes through
 * each op's `inferShape`) and builds graphs.
 *
 * Tensors are 'real' (fixed point in the circuit) or 'ids' (integers:
 * token ids). Visibility (public / private / fixed) is chosen when the graph
 * is compiled, per role: inputs, weights, outputs.
 */
import { type Graph, GraphError, type GraphNode, type InputDef, type NodeAttrs, type OpType, type TensorInfo, type WeightDef } from './graph.js';
import { opDef } from './ops/index.js';
import type { OpShapes } from './ops/types.js';

export * from './graph.js';
export { OP_NAMES, OPS, isOpType, opDef } from './ops/index.js';

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
    const def = opDef(n.op, where);
    const [lo, hi] = def.arity;
    if (ins.length < lo || ins.length > hi) throw new GraphError(`${where}: expected ${lo === hi ? lo : hi === Infinity ? `at least ${lo}` : `${lo}–${hi}`} inputs, got ${ins.length}`);
    const real = (i: number) => {
      const info = ins[i];
      if (!info) throw new GraphError(`${where}: no input ${i}`);
      if (info.kind !== 'real') throw new GraphError(`${where}: input "${n.inputs[i]}" holds ids, expected real values`);
      return info.shape;
    };
    define(n.output, { shape: def.inferShape({ node: n, where, inputs: ins, real }), kind: 'real', source: 'node' });
  }
  for (const o of g.outputs) if (!t.has(o)) throw new GraphError(`graph ${g.name}: output "${o}" is not defined`);
  return t;
}

/** A node's input and output shapes from inferred tensor infos (what the op definitions' cost/chips/work take). */
export function nodeShapes(node: GraphNode, info: ReadonlyMap<string, TensorInfo>): OpShapes {
  const shapeOf = (name: string) => {
    const i = info.get(name);
    if (!i) throw new GraphError(`node ${node.name} (${node.op}): tensor "${name}" has no inferred shape`);
    return i.shape;
  };
  const inputs = node.inputs.map(shapeOf);
  return {
    node,
    inputs,
    output: shapeOf(node.output),
    has: (i) => i < inputs.length,
    input(i) {
      const s = inputs[i];
      if (!s) throw new GraphError(`node ${node.name} (${node.op}): no input ${i}`);
      return s;
    },
  };
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
