/**
 * The float64 reference evaluator: the model in ordinary real arithmetic
 * (GELU in GPT-2's tanh form, softmax with the max subtracted, LayerNorm with
 * ε = 1e-5, causal attention scaled by 1/√d), each op by its definition's
 * `evalFloat` (ops/<op>.ts). The quantized evaluator is measured against it.
 */
import { type Graph, GraphError, inferShapes, numel, opDef, weightData } from './ir.js';
import { type FloatTensor, nth } from './ops/types.js';

export type { FloatTensor } from './ops/types.js';
export { geluFloat } from './ops/gelu.js';
export { erfFloat, TABLE_FN_FLOAT } from './ops/fn.js';
export { LAYERNORM_EPS } from './ops/layernorm.js';

/**
 * Evaluate the graph. `inputs` by name (ids as integers); `weights` overrides
 * weights by name (e.g. their dequantized values). Returns every tensor.
 */
export function evaluateFloat(g: Graph, inputs: Readonly<Record<string, ArrayLike<number>>>, weights: Readonly<Record<string, Float64Array>> = {}): Map<string, FloatTensor> {
  const info = inferShapes(g);
  const env = new Map<string, FloatTensor>();
  for (const i of g.inputs) {
    const v = inputs[i.name];
    if (!v) throw new GraphError(`evaluateFloat: missing input "${i.name}"`);
    if (v.length !== numel(i.shape)) throw new GraphError(`evaluateFloat: input "${i.name}" needs ${numel(i.shape)} values, got ${v.length}`);
    env.set(i.name, { shape: i.shape, data: Float64Array.from(v) });
  }
  for (const w of g.weights) env.set(w.name, { shape: w.shape, data: weights[w.name] ?? weightData(w) });
  const get = (name: string) => {
    const t = env.get(name);
    if (!t) throw new GraphError(`evaluateFloat: tensor "${name}" has no value`);
    return t;
  };
  for (const n of g.nodes) {
    const x = n.inputs.map(get);
    const shape = info.get(n.output)?.shape ?? [];
    const input = (i: number) => nth(x, i, n);
    const data = opDef(n.op).evalFloat({ node: n, x, shape, input });
    if (data.length !== numel(shape)) throw new GraphError(`node ${n.name} (${n.op}): the float evaluation gave ${data.length} values for shape [${shape.join(', ')}]`);
    env.set(n.output, { shape, data });
  }
  return env;
}
