/**
 * The graph rewrite behind weights visibility `committed` (compile.ts):
 * every matmul whose B is a weight, or the transpose (perm [1, 0]) of a
 * weight — GPT-2's tied lm_head, x·wteᵀ, the largest matrix of the model —
 * becomes `matmul_committed` on that matrix. A transposed weight becomes a
 * weight of its own, `<name>ᵀ` (values transposed lazily: quantizing is
 * entrywise, so the quantized transpose is the transpose of the quantized
 * weight), and a transpose node left without users is dropped so the weight
 * is not loaded into the circuit for nothing. Every `gather` (embedding)
 * becomes `gather_committed`: its table is committed too.
 */
import { type Graph, type GraphNode, numel, type WeightDef, weightData } from './graph.js';
import { QuantizedWeights } from './quant.js';

/** Name of the committed transpose of weight `name`. */
export const transposedName = (name: string): string => `${name}ᵀ`;

function transpose(data: ArrayLike<number> | ArrayLike<bigint>, rows: number, cols: number): number[] | bigint[] {
  const out = new Array<number | bigint>(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  return out as number[] | bigint[];
}

/** Quantized weights of the rewritten graph when the caller brought its own (the transposes derived from them). */
class WithTransposes extends QuantizedWeights {
  constructor(
    graph: Graph,
    scale: number,
    private readonly base: QuantizedWeights,
    private readonly sources: ReadonlyMap<string, WeightDef>,
  ) {
    super(graph, scale);
  }
  override get(name: string): BigInt64Array {
    const src = this.sources.get(name);
    if (!src) return this.base.get(name);
    const [rows, cols] = [src.shape[0]!, src.shape[1]!];
    return BigInt64Array.from(transpose(this.base.get(src.name), rows, cols) as bigint[]);
  }
}

/** The rewritten graph and, if `weights` was given, weights that also answer for the transposes. */
export function withCommittedMatmuls(graph: Graph, weights?: QuantizedWeights): { graph: Graph; weights?: QuantizedWeights } {
  const byName = new Map(graph.weights.map((w) => [w.name, w]));
  const producer = new Map(graph.nodes.map((n) => [n.output, n]));
  const added = new Map<string, WeightDef>();
  const sources = new Map<string, WeightDef>();
  const committedB = (b: string | undefined): string | undefined => {
    if (b === undefined) return undefined;
    if (byName.has(b)) return b;
    const t = producer.get(b);
    const w = t?.op === 'transpose' && t.attrs.perm?.join() === '1,0' ? byName.get(t.inputs[0] ?? '') : undefined;
    if (!w || w.shape.length !== 2) return undefined;
    const name = transposedName(w.name);
    if (!added.has(name)) {
      const [rows, cols] = [w.shape[0]!, w.shape[1]!];
      added.set(name, { name, shape: [cols, rows], data: () => Float64Array.from(transpose(weightData(w), rows, cols) as number[]) });
      sources.set(name, w);
    }
    return name;
  };
  let nodes: GraphNode[] = graph.nodes.map((n) => {
    if (n.op === 'gather') return { ...n, op: 'gather_committed' as const };
    const b = n.op === 'matmul' ? committedB(n.inputs[1]) : undefined;
    return b === undefined ? n : { ...n, op: 'matmul_committed' as const, inputs: n.inputs.map((x, i) => (i === 1 ? b : x)) };
  });
  // drop transposes (views, no rows) that nothing reads any more
  const read = (ns: readonly GraphNode[]) => new Set([...ns.flatMap((n) => n.inputs), ...graph.outputs]);
  const used = read(nodes);
  nodes = nodes.filter((n) => !(n.op === 'transpose' && !used.has(n.output) && [...sources.values()].some((w) => w.name === n.inputs[0])));
  const out: Graph = { ...graph, nodes, weights: [...graph.weights, ...added.values()] };
  if (!weights) return { graph: out };
  return { graph: out, weights: added.size ? new WithTransposes(out, weights.scale, weights, sources) : weights };
}

/** The committed weights (B of each `matmul_committed`, the table of each `gather_committed`), in graph weight order: the fingerprint's order. */
export function committedWeightNames(p: { readonly graph: Graph }): string[] {
  const used = new Set(p.graph.nodes.flatMap((n) => (n.op === 'matmul_committed' ? [n.inputs[1]] : n.op === 'gather_committed' ? [n.inputs[0]] : [])));
  return p.graph.weights.filter((w) => used.has(w.name)).map((w) => w.name);
}

/** Parameters kept outside the circuit by the rewrite (for reports). */
export function committedParameters(p: { readonly graph: Graph }): number {
  const names = new Set(committedWeightNames(p));
  return p.graph.weights.filter((w) => names.has(w.name)).reduce((a, w) => a + numel(w.shape), 0);
}
