/**
 * Residual-stream rescaling: an exact rewrite that lets models with small
 * activations (GPT-2-style initialisation, std 0.02: LayerNorm inputs with row
 * variance ≈ 10⁻³) be quantized at the scale their weights need.
 *
 * The LayerNorm gadget computes the row variance at the activation scale s;
 * a variance of 10⁻³ is 0.26 ulp at s = 8, so ι = rsqrt(v) and the normalised
 * values leave their range ("LayerNorm out of range" at 2^8 and 2^9 on EZKL's
 * nanoGPT). LayerNorm is scale invariant up to ε:
 *     LN(c·x; c²·ε) = LN(x; ε)   exactly,
 * so a "stream" — tensors that only flow through adds, reshapes, transposes
 * and views into LayerNorms, each made from constants (embedding tables,
 * constant addends, matmuls by constant weights) — can be multiplied by c by
 * scaling those constants, with every LayerNorm reading it taking c²·ε. No
 * op is added and the outputs are unchanged (float64, up to rounding).
 *
 * A stream is left alone when any of its tensors is a graph output or is read
 * by another op, or when it has a source that is not constant-linear.
 *
 * `rescaleTokenModel` needs no sample: for a model whose inputs are all token
 * ids it probes with the ids 0, 1, 2, … (mod the vocabulary). The residual
 * stream's scale is set by the embeddings and weights, not by which tokens
 * come in, and the rewrite is exact whatever c is: the probe only decides
 * precision, so a CLI can apply it before calibration and get the same graph
 * at setup, prove and verify.
 */
import { evaluateFloat, LAYERNORM_EPS } from './float-eval.js';
import { type Graph, type GraphNode, inferShapes, type WeightDef, weightData } from './ir.js';

export interface StreamScale {
  /** The LayerNorm nodes the stream feeds. */
  readonly norms: readonly string[];
  /** Factor c applied (a power of two). */
  readonly factor: number;
  /** Mean row variance of the stream's LayerNorm inputs before scaling. */
  readonly variance: number;
}

const PASS = new Set(['add', 'reshape', 'transpose', 'view']);

/**
 * Scale every residual stream whose LayerNorm inputs have a mean row variance
 * below `target` / 4 by the power of two c that brings it nearest `target`
 * (default 1), measured on `sample`. Returns the rewritten graph and what was scaled.
 */
export function rescaleStreams(g: Graph, sample: Readonly<Record<string, ArrayLike<number>>>, target = 1): { graph: Graph; streams: StreamScale[] } {
  const info = inferShapes(g);
  const env = evaluateFloat(g, sample);
  const producer = new Map<string, GraphNode>(g.nodes.map((n) => [n.output, n]));
  const consumers = new Map<string, GraphNode[]>();
  for (const n of g.nodes) for (const i of new Set(n.inputs)) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const weights = new Map(g.weights.map((w) => [w.name, w]));
  const outputs = new Set(g.outputs);
  const done = new Set<string>();
  // per node input: the factor its constant operand is scaled by (node name → input index → c)
  const scaledInputs = new Map<string, Map<number, number>>();
  const epsScale = new Map<string, number>();
  const streams: StreamScale[] = [];

  for (const norm of g.nodes.filter((n) => n.op === 'layernorm')) {
    if (done.has(norm.inputs[0]!)) continue;
    // grow the stream from this LayerNorm's input, both ways
    const tensors = new Set<string>();
    const norms = new Set<GraphNode>();
    const sources: [GraphNode, number][] = [];
    let ok = true;
    const stack = [norm.inputs[0]!];
    while (stack.length > 0 && ok) {
      const t = stack.pop()!;
      if (tensors.has(t)) continue;
      tensors.add(t);
      if (outputs.has(t)) ok = false;
      for (const c of consumers.get(t) ?? []) {
        if (c.op === 'layernorm' && c.inputs[0] === t && c.inputs[1] !== t && c.inputs[2] !== t) norms.add(c);
        else if (PASS.has(c.op)) stack.push(c.output, ...c.inputs.filter((i) => !weights.has(i)));
        else ok = false;
      }
      const p = producer.get(t);
      if (!p) ok = false; // a graph input or weight on the stream itself
      else if (PASS.has(p.op)) {
        p.inputs.forEach((i, k) => (weights.has(i) ? sources.push([p, k]) : stack.push(i)));
      } else if (p.op === 'gather') sources.push([p, 0]);
      else if (p.op === 'matmul' && weights.has(p.inputs[1]!)) {
        sources.push([p, 1]);
        if (p.inputs[2]) sources.push([p, 2]);
      } else ok = false;
    }
    tensors.forEach((t) => done.add(t));
    if (!ok || norms.size === 0) continue;
    let sum = 0;
    let rows = 0;
    for (const n of norms) {
      const x = env.get(n.inputs[0]!)!.data;
      const w = info.get(n.inputs[0]!)!.shape.at(-1)!;
      for (let o = 0; o < x.length; o += w, rows++) {
        let mu = 0;
        for (let j = 0; j < w; j++) mu += x[o + j]!;
        mu /= w;
        for (let j = 0; j < w; j++) sum += (x[o + j]! - mu) ** 2 / w;
      }
    }
    const variance = sum / rows;
    if (!(variance > 0) || variance >= target / 4) continue;
    const factor = 2 ** Math.round(Math.log2(Math.sqrt(target / variance)));
    for (const [n, k] of sources) {
      const m = scaledInputs.get(n.name) ?? new Map<number, number>();
      m.set(k, factor);
      scaledInputs.set(n.name, m);
    }
    for (const n of norms) epsScale.set(n.name, factor * factor);
    streams.push({ norms: [...norms].map((n) => n.name), factor, variance });
  }
  if (streams.length === 0) return { graph: g, streams };

  const newWeights: WeightDef[] = [];
  const byKey = new Map<string, string>();
  const scaledWeight = (name: string, c: number): string => {
    const key = `${name}×${c}`;
    const known = byKey.get(key);
    if (known) return known;
    const w = weights.get(name)!;
    const data = Float64Array.from(weightData(w), (v) => v * c);
    newWeights.push({ name: key, shape: w.shape, data });
    byKey.set(key, key);
    return key;
  };
  const nodes = g.nodes.map((n): GraphNode => {
    const s = scaledInputs.get(n.name);
    const inputs = s ? n.inputs.map((i, k) => (s.has(k) ? scaledWeight(i, s.get(k)!) : i)) : n.inputs;
    const e = epsScale.get(n.name);
    const attrs = e === undefined ? n.attrs : { ...n.attrs, eps: (n.attrs.eps ?? LAYERNORM_EPS) * e };
    return { ...n, inputs, attrs };
  });
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const graph: Graph = { ...g, weights: [...g.weights.filter((w) => used.has(w.name)), ...newWeights], nodes };
  inferShapes(graph);
  return { graph, streams };
}

/** `rescaleStreams` probed with ids 0, 1, 2, … when every input holds token ids; other graphs unchanged. */
export function rescaleTokenModel(g: Graph): { graph: Graph; streams: StreamScale[] } {
  if (g.inputs.length === 0 || g.inputs.some((i) => i.kind !== 'ids' || !i.vocab)) return { graph: g, streams: [] };
  const sample = Object.fromEntries(g.inputs.map((i) => [i.name, Array.from({ length: i.shape.reduce((a, b) => a * b, 1) }, (_, t) => t % i.vocab!)]));
  return rescaleStreams(g, sample);
}

/**
 * Fixed columns for an imported model's fixed weights: one per 2^15 weight
 * entries (at least 1), so the weights' rows stay below what a model of that
 * size spends in its chips and do not set k (EZKL's nanoGPT: 210 K entries,
 * 7 columns, 30 K rows; one column would need 2^18 rows).
 */
export function weightColumns(g: Graph): number {
  const entries = g.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0);
  return Math.max(1, Math.ceil(entries / 2 ** 15));
}
