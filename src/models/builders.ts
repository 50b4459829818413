/**
 * Model builders: MLP, a pre-LN transformer block, and GPT-2 (Radford et al.
 * 2019: token + position embeddings, pre-LN blocks with causal multi-head
 * attention and a GELU MLP, final LayerNorm, LM head tied to the token
 * embedding). Weights are synthetic and deterministic from a seed
 * (`syntheticWeights`), generated lazily so cost estimates of large shapes
 * never allocate them.
 */
import { mulberry32 } from '../field/random.js';
import { GraphBuilder, type Graph, GraphError } from './ir.js';

/** A deterministic stream of uniform numbers in [0, 1) (mulberry32 on a string-hashed seed). */
export function seededRandom(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  const next = mulberry32(h >>> 0);
  return () => next() / 4294967296;
}

/**
 * Synthetic weights: uniform in [−a, a] with a = gain·√(3 / fanIn) (variance
 * gain²/fanIn), or the constant `fill`; deterministic per (seed, name).
 */
export function syntheticWeights(seed: string, name: string, size: number, init: { fanIn?: number; gain?: number; fill?: number; center?: number }): () => Float64Array {
  return () => {
    if (init.fill !== undefined) return new Float64Array(size).fill(init.fill);
    const r = seededRandom(`${seed}/${name}`);
    const a = (init.gain ?? 1) * Math.sqrt(3 / (init.fanIn ?? 1));
    const c = init.center ?? 0;
    return Float64Array.from({ length: size }, () => c + (2 * r() - 1) * a);
  };
}

export interface MlpConfig {
  /** Layer widths, input first: [in, hidden…, out]. */
  readonly widths: readonly number[];
  /** Rows of the input batch (default 1). */
  readonly batch?: number;
  readonly activation?: 'relu' | 'gelu';
  readonly bias?: boolean;
  readonly seed?: string;
}

/** x [batch, in] → (matmul, bias, activation)* → [batch, out] (no activation on the last layer). */
export function buildMlp(c: MlpConfig): Graph {
  const seed = c.seed ?? 'mlp';
  const g = new GraphBuilder('mlp');
  const batch = c.batch ?? 1;
  if (c.widths.length < 2) throw new GraphError(`mlp: expected at least two widths, got [${c.widths.join(', ')}]`);
  let h = g.input('x', [batch, c.widths[0]!]);
  for (let l = 0; l + 1 < c.widths.length; l++) {
    const [i, o] = [c.widths[l]!, c.widths[l + 1]!];
    const w = g.weight(`fc${l}.w`, [i, o], syntheticWeights(seed, `fc${l}.w`, i * o, { fanIn: i, gain: 1.5 }));
    const inputs = [h, w];
    if (c.bias ?? true) inputs.push(g.weight(`fc${l}.b`, [o], syntheticWeights(seed, `fc${l}.b`, o, { fanIn: 16 })));
    h = g.op('matmul', `fc${l}`, inputs);
    if (l + 2 < c.widths.length) h = g.op(c.activation ?? 'relu', `act${l}`, [h]);
  }
  return g.build([h]);
}

export interface TransformerConfig {
  readonly layers: number;
  readonly heads: number;
  readonly width: number;
  readonly context: number;
  readonly vocabulary: number;
  /** Biases in linear layers and LayerNorms (GPT-2: true; nanoGPT option: false). */
  readonly bias?: boolean;
  /** MLP hidden width (default 4·width). */
  readonly hidden?: number;
}

/** Adds one pre-LN block to `g`: h + attn(ln1(h)), then + mlp(ln2(·)). h: [T, width]. */
export function transformerBlock(g: GraphBuilder, c: TransformerConfig, h: string, tokens: number, prefix: string, seed: string): string {
  const { width: D, heads: H } = c;
  if (D % H !== 0) throw new GraphError(`transformer: width ${D} is not divisible by heads ${H}`);
  const d = D / H;
  const F = c.hidden ?? 4 * D;
  const bias = c.bias ?? true;
  const T = tokens;
  const W = (name: string, shape: number[], init: Parameters<typeof syntheticWeights>[3]) =>
    g.weight(`${prefix}.${name}`, shape, syntheticWeights(seed, `${prefix}.${name}`, shape.reduce((a, b) => a * b, 1), init));
  const ln = (name: string, x: string) => {
    const gamma = W(`${name}.g`, [D], { fanIn: 3, gain: 0.2, center: 1 });
    const beta = bias ? W(`${name}.b`, [D], { fanIn: 3, gain: 0.1 }) : W(`${name}.b`, [D], { fill: 0 });
    return g.op('layernorm', `${prefix}.${name}`, [x, gamma, beta]);
  };
  const linear = (name: string, x: string, i: number, o: number, gain: number) => {
    const inputs = [x, W(`${name}.w`, [i, o], { fanIn: i, gain })];
    if (bias) inputs.push(W(`${name}.b`, [o], { fanIn: 64 }));
    return g.op('matmul', `${prefix}.${name}`, inputs);
  };
  // attention
  const a = ln('ln1', h);
  const heads = (name: string, gain: number) => {
    const p = linear(name, a, D, D, gain);
    const r = g.op('reshape', `${prefix}.${name}.split`, [p], { shape: [T, H, d] });
    return g.op('transpose', `${prefix}.${name}.heads`, [r], { perm: [1, 0, 2] });
  };
  const q = heads('attn.q', 1.2);
  const k = heads('attn.k', 1.2);
  const v = heads('attn.v', 1);
  const o = g.op('attention', `${prefix}.attn`, [q, k, v]);
  const merged = g.op('reshape', `${prefix}.attn.merge`, [g.op('transpose', `${prefix}.attn.unheads`, [o], { perm: [1, 0, 2] })], { shape: [T, D] });
  const h1 = g.op('add', `${prefix}.res1`, [h, linear('attn.proj', merged, D, D, 0.5)]);
  // MLP
  const m = ln('ln2', h1);
  const fc = g.op('gelu', `${prefix}.mlp.act`, [linear('mlp.fc', m, D, F, 1)]);
  return g.op('add', `${prefix}.res2`, [h1, linear('mlp.proj', fc, F, D, 0.5)]);
}

/**
 * GPT-2 on `tokens` token ids (≤ context): logits of the last position
 * [1, vocabulary] (the next-token distribution).
 */
export function buildGpt2(c: TransformerConfig, options: { tokens: number; seed?: string; name?: string; allPositions?: boolean }): Graph {
  const seed = options.seed ?? 'gpt2';
  const T = options.tokens;
  const { width: D, vocabulary: V, context } = c;
  if (!Number.isInteger(T) || T < 1 || T > context) throw new GraphError(`gpt2: expected 1 ≤ tokens ≤ context ${context}, got ${T}`);
  const g = new GraphBuilder(options.name ?? 'gpt2');
  const ids = g.input('tokens', [T], 'ids', V);
  const wte = g.weight('wte', [V, D], syntheticWeights(seed, 'wte', V * D, { fanIn: 3, gain: 0.7 }));
  // position embeddings: only the first T rows are used; they are generated as a [T, D] weight
  const wpeAll = syntheticWeights(seed, 'wpe', context * D, { fanIn: 3, gain: 0.3 });
  const wpe = g.weight('wpe', [T, D], () => wpeAll().slice(0, T * D));
  let h = g.op('add', 'embed', [g.op('gather', 'embed.tokens', [wte, ids]), wpe]);
  for (let l = 0; l < c.layers; l++) h = transformerBlock(g, c, h, T, `h${l}`, seed);
  const gamma = g.weight('ln_f.g', [D], syntheticWeights(seed, 'ln_f.g', D, { fanIn: 3, gain: 0.2, center: 1 }));
  const beta = g.weight('ln_f.b', [D], (c.bias ?? true) ? syntheticWeights(seed, 'ln_f.b', D, { fanIn: 3, gain: 0.1 }) : syntheticWeights(seed, 'ln_f.b', D, { fill: 0 }));
  const last = options.allPositions || T === 1 ? h : g.op('slice', 'last', [h], { start: T - 1, end: T });
  const x = g.op('layernorm', 'ln_f', [last, gamma, beta]);
  const logits = g.op('matmul', 'lm_head', [x, g.op('transpose', 'wte.T', [wte], { perm: [1, 0] })]);
  return g.build([logits]);
}
