/**
 * The graph rewrite behind weights visibility `committed` (compile.ts), so
 * that a transformer block holds no fixed weight at all:
 *
 * - matrices: every matmul whose B is a weight, or the transpose (perm
 *   [1, 0]) of a weight — GPT-2's tied lm_head, x·wteᵀ, the largest matrix
 *   of the model — becomes `matmul_committed` on that matrix. A transposed
 *   weight becomes a weight of its own, `<name>ᵀ` (values transposed lazily:
 *   quantizing is entrywise, so the quantized transpose is the transpose of
 *   the quantized weight), and a transpose node left without users is
 *   dropped so the weight is not loaded into the circuit for nothing.
 * - biases: a bias that is a weight of p entries joins its matrix as a last
 *   row, B′ = [B; b] (`<B>⊕<bias>`, (n + 1) × p): the committed chip computes
 *   rescale(A·B + 2^s·b) = rescale(A·B) + b, bit for bit what the add chip
 *   did (gadgets/matmul-committed.ts), with no add rows and nothing fixed. A
 *   bias that is computed, or one entry per output ([m, p]), stays on the add
 *   chip.
 * - LayerNorm γ/β: a `layernorm(x, γ, β)` (γ, β weights) whose output is read
 *   only by such matmuls, as their A, becomes `layernorm(x)`, and each of
 *   those matmuls multiplies by `<ln>∘<B>[⊕<bias>]` = [diag(γ)·B; β·B + b]
 *   (b = 0 without a bias): (y·diag(γ) + β)·B + b = y·(diag(γ)·B) + (β·B + b).
 *   The fold is exact over the reals and computed in float before quantizing,
 *   so the quantized model changes by rounding only (γ no longer rounds the
 *   normalised value on its own). A LayerNorm with any other reader (a
 *   residual, a graph output, a matmul that reads it as B or bias) is left
 *   as it is.
 * - embeddings: every `gather` becomes `gather_committed`: its table is
 *   committed too.
 *
 * Weights that no node reads any more (the matrices, biases, γ and β that
 * were folded) leave the graph's weight list; the derived weights follow the
 * remaining ones, in the order the nodes first read them (so two blocks of
 * the same structure list their matrices in the same order).
 */
import { type Graph, type GraphNode, numel, type WeightDef, weightData } from './graph.js';
import { dequantizeValues, QuantizedWeights, quantizeValues } from './quant.js';

/** Name of the committed transpose of weight `name`. */
export const transposedName = (name: string): string => `${name}ᵀ`;

/** Name of matrix `matrix` with the bias row `bias` appended. */
export const biasedName = (matrix: string, bias: string): string => `${matrix}⊕${bias}`;

/** Name of matrix `matrix` (with its bias, if any) with LayerNorm node `ln`'s γ and β folded in; it always has a bias row. */
export const foldedName = (ln: string, matrix: string, bias?: string): string => `${ln}∘${bias === undefined ? matrix : biasedName(matrix, bias)}`;

/** A weight the rewrite makes from graph weights: float values (lazy) and quantized values from the quantized sources. */
interface Derived {
  readonly def: WeightDef;
  /** `get` answers for every weight, derived or not, at scale `scale`. */
  quantized(get: (name: string) => BigInt64Array, scale: number): BigInt64Array;
}

function transpose<T extends number | bigint>(data: ArrayLike<T>, rows: number, cols: number): T[] {
  const out = new Array<T>(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  return out;
}

function transposed(w: WeightDef): Derived {
  const [rows, cols] = [w.shape[0]!, w.shape[1]!];
  return {
    def: { name: transposedName(w.name), shape: [cols, rows], data: () => Float64Array.from(transpose(weightData(w), rows, cols)) },
    quantized: (get) => BigInt64Array.from(transpose(get(w.name), rows, cols)),
  };
}

function withBiasRow(matrix: WeightDef, bias: WeightDef): Derived {
  const [rows, cols] = [matrix.shape[0]!, matrix.shape[1]!];
  const size = (rows + 1) * cols;
  const float = (m: Float64Array, b: Float64Array) => {
    const out = new Float64Array(size);
    out.set(m);
    out.set(b, rows * cols);
    return out;
  };
  const quantized = (m: BigInt64Array, b: BigInt64Array) => {
    const out = new BigInt64Array(size);
    out.set(m);
    out.set(b, rows * cols);
    return out;
  };
  return {
    def: {
      name: biasedName(matrix.name, bias.name),
      shape: [rows + 1, cols],
      data: () => float(weightData(matrix), weightData(bias)),
    },
    // quantizing is entrywise: [q(B); q(b)], b exactly as the add chip had it
    quantized: (get) => quantized(get(matrix.name), get(bias.name)),
  };
}

/** [diag(γ)·B; β·B + b] (B n × p, row-major), in float. */
export function foldLayerNorm(gamma: ArrayLike<number>, beta: ArrayLike<number>, matrix: ArrayLike<number>, n: number, p: number, bias?: ArrayLike<number>): Float64Array {
  const out = new Float64Array((n + 1) * p);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < p; j++) {
      const w = matrix[k * p + j]!;
      out[k * p + j] = gamma[k]! * w;
      out[n * p + j]! += beta[k]! * w;
    }
  }
  if (bias) for (let j = 0; j < p; j++) out[n * p + j]! += bias[j]!;
  return out;
}

function lnFolded(ln: GraphNode, gamma: WeightDef, beta: WeightDef, matrix: WeightDef, bias: WeightDef | undefined): Derived {
  const [n, p] = [matrix.shape[0]!, matrix.shape[1]!];
  const name = foldedName(ln.name, matrix.name, bias?.name);
  return {
    def: { name, shape: [n + 1, p], data: () => foldLayerNorm(weightData(gamma), weightData(beta), weightData(matrix), n, p, bias && weightData(bias)) },
    // the caller's own quantized weights: fold their grid values, then quantize once
    quantized: (get, scale) => {
      const grid = (w: WeightDef) => dequantizeValues(get(w.name), scale);
      return quantizeValues(foldLayerNorm(grid(gamma), grid(beta), grid(matrix), n, p, bias && grid(bias)), scale, `weight ${name}`);
    },
  };
}

/** Quantized weights of the rewritten graph when the caller brought its own (the derived weights made from them). */
class WithDerived extends QuantizedWeights {
  private readonly made = new Map<string, BigInt64Array>();
  constructor(
    graph: Graph,
    scale: number,
    private readonly base: QuantizedWeights,
    private readonly derived: ReadonlyMap<string, Derived>,
  ) {
    super(graph, scale);
  }
  override get(name: string): BigInt64Array {
    const d = this.derived.get(name);
    if (!d) return this.base.get(name);
    let q = this.made.get(name);
    if (!q) this.made.set(name, (q = d.quantized((x) => this.get(x), this.scale)));
    return q;
  }
}

export interface CommittedRewriteOptions {
  /** Fold LayerNorm γ/β into the matmuls that read it (default true; false keeps the quantized model bit for bit). */
  readonly foldLayerNorm?: boolean;
}

/** The rewritten graph and, if `weights` was given, weights that also answer for the derived ones. */
export function withCommittedMatmuls(graph: Graph, weights?: QuantizedWeights, options: CommittedRewriteOptions = {}): { graph: Graph; weights?: QuantizedWeights } {
  const byName = new Map(graph.weights.map((w) => [w.name, w]));
  const producer = new Map(graph.nodes.map((n) => [n.output, n]));
  const readers = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) for (const x of new Set(n.inputs)) readers.set(x, [...(readers.get(x) ?? []), n]);
  const outputs = new Set(graph.outputs);
  const derived = new Map<string, Derived>();
  const derive = (d: Derived): WeightDef => {
    if (!derived.has(d.def.name)) derived.set(d.def.name, d);
    return derived.get(d.def.name)!.def;
  };
  /** B of a matmul that can be committed: a weight, or the transpose of a 2-D weight. */
  const matrixOf = (b: string | undefined): WeightDef | undefined => {
    if (b === undefined) return undefined;
    const w = byName.get(b);
    if (w) return w;
    const t = producer.get(b);
    const src = t?.op === 'transpose' && t.attrs.perm?.join() === '1,0' ? byName.get(t.inputs[0] ?? '') : undefined;
    return src && src.shape.length === 2 ? derive(transposed(src)) : undefined;
  };
  /** A bias that can be the matrix's last row: a weight of p entries. */
  const rowBias = (bias: string | undefined, matrix: WeightDef): WeightDef | undefined => {
    const w = bias === undefined ? undefined : byName.get(bias);
    return w && matrix.shape.length === 2 && numel(w.shape) === matrix.shape[1] && w.shape.length <= 2 && (w.shape.length < 2 || w.shape[0] === 1) ? w : undefined;
  };
  /** Reads `y` only as its A, with a committable B of `rows` rows and no bias or a row bias. */
  const foldsInto = (n: GraphNode, y: string, rows: number): boolean => {
    if (n.op !== 'matmul' || n.inputs[0] !== y || n.inputs.indexOf(y, 1) !== -1) return false;
    const matrix = matrixOf(n.inputs[1]);
    return !!matrix && matrix.shape.length === 2 && matrix.shape[0] === rows && (n.inputs[2] === undefined || !!rowBias(n.inputs[2], matrix));
  };
  // LayerNorms to fold: by output
  const folds = new Map<string, { ln: GraphNode; gamma: WeightDef; beta: WeightDef }>();
  for (const n of options.foldLayerNorm === false ? [] : graph.nodes) {
    if (n.op !== 'layernorm' || n.inputs.length !== 3 || outputs.has(n.output)) continue;
    const gamma = byName.get(n.inputs[1]!);
    const beta = byName.get(n.inputs[2]!);
    if (!gamma || !beta || gamma.shape.length !== 1 || numel(beta.shape) !== numel(gamma.shape)) continue;
    const users = readers.get(n.output) ?? [];
    if (users.length > 0 && users.every((u) => foldsInto(u, n.output, numel(gamma.shape)))) folds.set(n.output, { ln: n, gamma, beta });
  }
  let nodes: GraphNode[] = graph.nodes.map((n) => {
    if (n.op === 'gather') return { ...n, op: 'gather_committed' as const };
    if (n.op === 'layernorm' && folds.has(n.output)) return { ...n, inputs: [n.inputs[0]!] };
    const matrix = n.op === 'matmul' ? matrixOf(n.inputs[1]) : undefined;
    if (!matrix) return n;
    const [a, , bias] = n.inputs as [string, string, string | undefined];
    const committed = (inputs: string[]): GraphNode => ({ ...n, op: 'matmul_committed' as const, inputs });
    const fold = folds.get(a);
    const row = rowBias(bias, matrix);
    if (fold) return committed([a, derive(lnFolded(fold.ln, fold.gamma, fold.beta, matrix, row)).name]);
    if (row) return committed([a, derive(withBiasRow(matrix, row)).name]);
    return committed([a, matrix.name, ...(bias === undefined ? [] : [bias])]);
  });
  // drop transposes of weights (views, no rows) that nothing reads any more
  const readBy = (ns: readonly GraphNode[]) => new Set([...ns.flatMap((n) => n.inputs), ...graph.outputs]);
  const used = readBy(nodes);
  nodes = nodes.filter((n) => !(n.op === 'transpose' && !used.has(n.output) && byName.has(n.inputs[0] ?? '')));
  const read = readBy(nodes);
  const made = [...new Set(nodes.flatMap((n) => n.inputs))].flatMap((x) => {
    const d = derived.get(x);
    return d ? [d.def] : [];
  });
  const out: Graph = { ...graph, nodes, weights: [...graph.weights.filter((w) => read.has(w.name)), ...made] };
  if (!weights) return { graph: out };
  return { graph: out, weights: made.length ? new WithDerived(out, weights.scale, weights, derived) : weights };
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
