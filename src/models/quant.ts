/**
 * The quantized (bigint) evaluator: exactly what the compiled circuit
 * computes, op by op, each by its definition's `evalQuant` (ops/<op>.ts,
 * through the gadgets' bigint specs). Settings and shared helpers are in
 * quant-params.ts.
 *
 * Fixed point: every real tensor (activations and weights) is at one binary
 * scale s (q = round(x·2^s)); token ids are integers (scale 0). Per op:
 *   matmul   C = round(A·B / 2^s) (+ bias at scale s)      Freivalds + rescale (+ add)
 *   add      a + b                                          |result| < 2^(B−1) proven
 *   mul      round(a·b / 2^s)
 *   relu     max(x, 0)
 *   gelu     table lookup over the calibrated input range [min, max]
 *   softmax  zkAttn (softmax.ts), output scale s
 *   layernorm  y = LN(x) (rsqrt by range-checked inequalities, variance in [0, 2^R)), then ·γ (mul) and +β (add) if given
 *   attention  attention.ts (Freivalds QKᵀ, scaled scores, softmax, P·V)
 *   view     entries picked from the inputs (exact, no constraints)
 *   rowmax   max over the last axis (max.ts)
 *   fn       table lookup over the calibrated input range `fnRanges[fn]`: sigmoid, tanh, exp
 *            (tables.ts), erf, sqrt (lookup-exact.ts); ½ output ulp at the quantized input
 * Every real tensor must satisfy |q| < 2^(B−1) (B = `bits`); a tensor that
 * leaves that range or a table's range throws a `QuantRangeError` naming it.
 */
import { buildTable, type FnTable, type FnTableSpec, tableKey } from '../gadgets/index.js';
import { type Graph, GraphError, inferShapes, numel, opDef, weightData } from './ir.js';
import { nth } from './ops/types.js';
import { checkBits, dequantizeValues, type QTensor, type QuantParams, QuantRangeError, quantizeValues } from './quant-params.js';

export {
  attentionParamsFor,
  dequantizeValues,
  epsRational,
  type FnOpTable,
  type FnRange,
  fnRangeFor,
  fnTableFor,
  geluTableSpec,
  layerNormParamsFor,
  type QTensor,
  type QuantParams,
  QuantRangeError,
  quantizeValues,
  softmaxParamsFor,
} from './quant-params.js';

/** Quantized weights by name, computed on first use (cost estimates never touch them). */
export class QuantizedWeights {
  private readonly cache = new Map<string, BigInt64Array>();
  constructor(
    readonly graph: Graph,
    readonly scale: number,
  ) {}
  get(name: string): BigInt64Array {
    let q = this.cache.get(name);
    if (!q) {
      const w = this.graph.weights.find((x) => x.name === name);
      if (!w) throw new GraphError(`weights: no weight "${name}"`);
      this.cache.set(name, (q = quantizeValues(weightData(w), this.scale, `weight ${name}`)));
    }
    return q;
  }
  /** Float values on the quantization grid (for comparing against the float evaluator). */
  dequantized(): Record<string, Float64Array> {
    return Object.fromEntries(this.graph.weights.map((w) => [w.name, dequantizeValues(this.get(w.name), this.scale)]));
  }
}

export class QuantEvaluator {
  private readonly tables = new Map<string, FnTable>();
  constructor(
    readonly graph: Graph,
    readonly quant: QuantParams,
    readonly weights: QuantizedWeights = new QuantizedWeights(graph, quant.scale),
  ) {}

  table(spec: FnTableSpec): FnTable {
    const key = tableKey(spec);
    let t = this.tables.get(key);
    if (!t) this.tables.set(key, (t = buildTable(spec)));
    return t;
  }

  /** Quantize float inputs (ids stay integers) by name. */
  quantizeInputs(inputs: Readonly<Record<string, ArrayLike<number>>>): Record<string, BigInt64Array> {
    const out: Record<string, BigInt64Array> = {};
    for (const i of this.graph.inputs) {
      const v = inputs[i.name];
      if (!v) throw new GraphError(`inputs: missing "${i.name}"`);
      if (v.length !== numel(i.shape)) throw new GraphError(`inputs: "${i.name}" needs ${numel(i.shape)} values (shape [${i.shape.join(', ')}]), got ${v.length}`);
      if (i.kind === 'ids') {
        out[i.name] = BigInt64Array.from({ length: v.length }, (_, t) => {
          const id = v[t]!;
          if (!Number.isInteger(id) || id < 0 || (i.vocab !== undefined && id >= i.vocab)) {
            throw new QuantRangeError(`input "${i.name}": token ${t} = ${id} is not an id in [0, ${i.vocab ?? '∞'})`, i.name);
          }
          return BigInt(id);
        });
      } else out[i.name] = quantizeValues(v, this.quant.scale, `input ${i.name}`);
    }
    return out;
  }

  /** Every tensor's quantized value, from quantized inputs. */
  run(inputs: Readonly<Record<string, BigInt64Array>>): Map<string, QTensor> {
    const g = this.graph;
    const q = this.quant;
    const s = q.scale;
    const info = inferShapes(g);
    const env = new Map<string, QTensor>();
    for (const i of g.inputs) {
      const v = inputs[i.name];
      if (!v || v.length !== numel(i.shape)) throw new GraphError(`quantized inputs: "${i.name}" needs ${numel(i.shape)} values, got ${v?.length ?? 'none'}`);
      if (i.kind === 'real') checkBits(i.name, v, q);
      env.set(i.name, { shape: i.shape, data: v, scale: i.kind === 'ids' ? 0 : s });
    }
    const get = (name: string): QTensor => {
      let t = env.get(name);
      if (!t) {
        const w = g.weights.find((x) => x.name === name);
        if (!w) throw new GraphError(`quantized evaluation: tensor "${name}" has no value`);
        env.set(name, (t = { shape: w.shape, data: this.weights.get(name), scale: s }));
      }
      return t;
    };
    const table = (spec: FnTableSpec) => this.table(spec);
    for (const n of g.nodes) {
      const x = n.inputs.map(get);
      const shape = info.get(n.output)?.shape ?? [];
      const out = opDef(n.op).evalQuant({ node: n, x, shape, quant: q, input: (i) => nth(x, i, n), table });
      checkBits(n.output, out, q);
      env.set(n.output, { shape, data: out, scale: s });
    }
    return env;
  }
}
