/**
 * The committed-weights rewrite (models/committed-graph.ts): biases become
 * the last row of their committed matrix (quantized model unchanged, bit for
 * bit: every tensor of the MLP and of gpt2-tiny without the LayerNorm fold);
 * LayerNorm γ/β fold into the matmuls that read the normalised value (the
 * float model unchanged to 1e-9, the quantized one within gpt2-tiny's
 * documented logit error); a LayerNorm with any other reader stays as it is;
 * and with all of it, no weight read inside a transformer block is loaded
 * into the circuit (only the position embedding is). Through the real
 * prover: a bias is bound by the matrix commitments (a prover holding another
 * bias is rejected against the honest model's commitments).
 */
import { describe, expect, it } from 'vitest';
import { commitModelWeights, proveCommitted, verifyCommitted } from '../../src/models/committed.js';
import { foldedName, withCommittedMatmuls } from '../../src/models/committed-graph.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { keygen } from '../../src/plonkish/backend/keygen.js';
import {
  buildGpt2,
  buildMlp,
  calibrate,
  committedWeightNames,
  compileModel,
  encodeText,
  estimateCost,
  evaluateFloat,
  getPreset,
  type Graph,
  GraphBuilder,
  loadedWeights,
  ModelCircuit,
  presetGraph,
  presetQuant,
  publicInstances,
  QuantEvaluator,
  QuantizedWeights,
  quantizeValues,
  weightData,
} from '../../src/models/index.js';
import { MockProver } from '../../src/plonkish/frontend/index.js';

const tiny = getPreset('gpt2-tiny');
const tinyQuant = presetQuant(tiny);
/** gpt2-tiny's documented bound (test/models/models.test.ts): |quantized − float| ≤ 0.1 per logit at scale 2^7. */
const LOGIT_BOUND = 0.1;

/** Every tensor both evaluations have, equal. */
function expectSameTensors(a: ReadonlyMap<string, { data: BigInt64Array }>, b: ReadonlyMap<string, { data: BigInt64Array }>, names: readonly string[]) {
  for (const name of names) expect(b.get(name)?.data, name).toEqual(a.get(name)!.data);
}

const w = (g: Graph, name: string) => weightData(g.weights.find((x) => x.name === name)!);

describe('bias rows: the quantized model is unchanged bit for bit', () => {
  it('MLP with biases: every matmul multiplies by [W; b]; every tensor equals the original’s; no add rows, nothing loaded; MockProver accepts', () => {
    const g = buildMlp({ widths: [4, 8, 6, 3], batch: 2, seed: 'bias-row' });
    const sample = { x: [0.5, -1, 0.25, 2, 1, 1, -0.5, 0.1] };
    const { quant } = calibrate(g, [sample], { scale: 8 });
    const p = compileModel(g, quant, { visibility: { weights: 'committed' } });
    expect(p.graph.nodes.filter((n) => n.op === 'matmul_committed').map((n) => n.inputs)).toEqual([
      ['x', 'fc0.w⊕fc0.b'],
      ['act0', 'fc1.w⊕fc1.b'],
      ['act1', 'fc2.w⊕fc2.b'],
    ]);
    expect(p.graph.weights.map((x) => x.name)).toEqual(['fc0.w⊕fc0.b', 'fc1.w⊕fc1.b', 'fc2.w⊕fc2.b']);
    expect(p.info.get('fc1.w⊕fc1.b')!.shape).toEqual([9, 6]);
    // [q(W); q(b)]: the bias quantized exactly as the add chip had it
    const base = new QuantizedWeights(g, quant.scale);
    expect(p.weights.get('fc1.w⊕fc1.b')).toEqual(BigInt64Array.from([...base.get('fc1.w'), ...base.get('fc1.b')]));
    expect(withCommittedMatmuls(g, base).weights!.get('fc1.w⊕fc1.b')).toEqual(p.weights.get('fc1.w⊕fc1.b'));
    const orig = new QuantEvaluator(g, quant);
    const qin = orig.quantizeInputs(sample);
    const want = orig.run(qin);
    const got = new QuantEvaluator(p.graph, quant, p.weights).run(qin);
    expectSameTensors(want, got, g.nodes.map((n) => n.output));
    expect(loadedWeights(p)).toEqual([]);
    expect(estimateCost(p).rowsByOp['add']).toBeUndefined();
    const circuit = new ModelCircuit(p, qin);
    expect(MockProver.run(10, circuit, publicInstances(p, got)).verify()).toEqual([]);
    expect(circuit.outputs.get('fc2')!.values.get()).toEqual(want.get('fc2')!.data);
  });

  it('gpt2-tiny without the LayerNorm fold: every tensor equals the original’s', () => {
    const g = presetGraph(tiny, 4);
    const { graph } = withCommittedMatmuls(g, undefined, { foldLayerNorm: false });
    expect(graph.nodes.filter((n) => n.op === 'layernorm').every((n) => n.inputs.length === 3)).toBe(true);
    expect(graph.weights.map((x) => x.name)).toContain('h0.attn.q.w⊕h0.attn.q.b');
    const orig = new QuantEvaluator(g, tinyQuant);
    for (const text of ['the ', 'moon', 'sun.']) {
      const qin = orig.quantizeInputs({ tokens: encodeText(tiny, text) });
      expectSameTensors(orig.run(qin), new QuantEvaluator(graph, tinyQuant).run(qin), graph.nodes.map((n) => n.output));
    }
  });
});

describe('LayerNorm γ/β folded into the matmuls that read it', () => {
  const g = presetGraph(tiny, 4);
  const { graph } = withCommittedMatmuls(g);

  it('gpt2-tiny: every LayerNorm loses γ, β; q, k, v, fc and lm_head multiply by [diag(γ)·W; β·W + b]', () => {
    const lns = graph.nodes.filter((n) => n.op === 'layernorm');
    expect(lns.map((n) => n.inputs)).toEqual([['embed'], ['h0.res1'], ['last']]);
    const names = committedWeightNames({ graph });
    expect(names).toEqual(
      expect.arrayContaining([
        foldedName('h0.ln1', 'h0.attn.q.w', 'h0.attn.q.b'),
        foldedName('h0.ln1', 'h0.attn.v.w', 'h0.attn.v.b'),
        foldedName('h0.ln2', 'h0.mlp.fc.w', 'h0.mlp.fc.b'),
        foldedName('ln_f', 'wteᵀ'),
        'h0.attn.proj.w⊕h0.attn.proj.b',
      ]),
    );
    // no γ, β, folded W or b left among the graph's weights; lm_head's matrix is its own weight (no longer wte's transpose)
    expect(graph.weights.map((x) => x.name)).toEqual([
      'wte',
      'wpe',
      'h0.ln1∘h0.attn.q.w⊕h0.attn.q.b',
      'h0.ln1∘h0.attn.k.w⊕h0.attn.k.b',
      'h0.ln1∘h0.attn.v.w⊕h0.attn.v.b',
      'h0.attn.proj.w⊕h0.attn.proj.b',
      'h0.ln2∘h0.mlp.fc.w⊕h0.mlp.fc.b',
      'h0.mlp.proj.w⊕h0.mlp.proj.b',
      'ln_f∘wteᵀ',
    ]);
    expect(graph.nodes.some((n) => n.op === 'transpose' && n.inputs[0] === 'wte')).toBe(false);
    // the slow oracle: entry by entry from the original weights
    const [D, V] = [tiny.config.width, tiny.config.vocabulary];
    const [gamma, beta, wte] = [w(g, 'ln_f.g'), w(g, 'ln_f.b'), w(g, 'wte')];
    const want = new Float64Array((D + 1) * V);
    for (let k = 0; k < D; k++) for (let j = 0; j < V; j++) want[k * V + j] = gamma[k]! * wte[j * D + k]!;
    for (let j = 0; j < V; j++) for (let k = 0; k < D; k++) want[D * V + j]! += beta[k]! * wte[j * D + k]!;
    const got = w(graph, foldedName('ln_f', 'wteᵀ'));
    expect(Math.max(...got.map((x, i) => Math.abs(x - want[i]!)))).toBeLessThan(1e-12);
    const fc = w(graph, foldedName('h0.ln2', 'h0.mlp.fc.w', 'h0.mlp.fc.b'));
    const [g2, b2, W, bias] = [w(g, 'h0.ln2.g'), w(g, 'h0.ln2.b'), w(g, 'h0.mlp.fc.w'), w(g, 'h0.mlp.fc.b')];
    const F = bias.length;
    for (let j = 0; j < F; j++) {
      let s = bias[j]!;
      for (let k = 0; k < D; k++) s += b2[k]! * W[k * F + j]!;
      expect(fc[D * F + j]).toBeCloseTo(s, 12);
      expect(fc[3 * F + j]).toBeCloseTo(g2[3]! * W[3 * F + j]!, 12);
    }
    // quantized: the float fold quantized once (the caller's grid values when it brings its own weights)
    expect(new QuantizedWeights(graph, tinyQuant.scale).get(foldedName('ln_f', 'wteᵀ'))).toEqual(quantizeValues(want, tinyQuant.scale, 'oracle'));
  });

  it('float outputs equal the original model’s within 1e-9 relative; quantized logits within the documented 0.1', () => {
    for (const text of ['the ', 'moon', 'ha', 'cold']) {
      const tokens = encodeText(tiny, text);
      const gt = presetGraph(tiny, tokens.length);
      const rt = withCommittedMatmuls(gt).graph;
      const want = evaluateFloat(gt, { tokens });
      const got = evaluateFloat(rt, { tokens });
      // every matmul's output (a LayerNorm's is the normalised value now, not the same tensor)
      for (const n of rt.nodes.filter((x) => x.op === 'matmul_committed')) {
        const a = want.get(n.output)!.data;
        const b = got.get(n.output)!.data;
        const scale = Math.max(...a.map(Math.abs));
        expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!))) / scale, n.name).toBeLessThan(1e-9);
      }
      const q = new QuantEvaluator(rt, tinyQuant);
      const logits = q.run(q.quantizeInputs({ tokens })).get('lm_head')!.data;
      const float = want.get('lm_head')!.data;
      expect(Math.max(...Array.from(logits, (v, i) => Math.abs(Number(v) / 2 ** tinyQuant.scale - float[i]!)))).toBeLessThanOrEqual(LOGIT_BOUND);
    }
  });

  it('with the caller’s quantized weights: the fold of their grid values, quantized once', () => {
    const base = new QuantizedWeights(g, tinyQuant.scale);
    const own = withCommittedMatmuls(g, base);
    const name = foldedName('h0.ln1', 'h0.attn.k.w', 'h0.attn.k.b');
    const grid = (n: string) => Array.from(base.get(n), (x) => Number(x) / 2 ** tinyQuant.scale);
    const [gamma, beta, W, bias] = [grid('h0.ln1.g'), grid('h0.ln1.b'), grid('h0.attn.k.w'), grid('h0.attn.k.b')];
    const D = gamma.length;
    const want = Array.from({ length: (D + 1) * D }, (_, i) => {
      const [k, j] = [Math.floor(i / D), i % D];
      return k < D ? gamma[k]! * W[i]! : bias[j]! + beta.reduce((s, bk, r) => s + bk * W[r * D + j]!, 0);
    });
    expect(own.weights!.get(name)).toEqual(quantizeValues(want, tinyQuant.scale, 'oracle'));
    // and it answers for the weights it kept
    expect(own.weights!.get('wpe')).toEqual(base.get('wpe'));
  });

  it('a LayerNorm read by anything but such a matmul is not folded', () => {
    const build = (extra: (b: GraphBuilder, y: string, x: string) => string[]) => {
      const b = new GraphBuilder('ln');
      const x = b.input('x', [2, 4]);
      const y = b.op('layernorm', 'ln', [x, b.weight('g', [4], Float64Array.from([1, 0.5, 2, -1])), b.weight('be', [4], Float64Array.from([0.1, 0, -0.2, 0.3]))]);
      const m = b.op('matmul', 'mm', [y, b.weight('w', [4, 4], Float64Array.from({ length: 16 }, (_, i) => Math.sin(i))), b.weight('bias', [4], Float64Array.from([1, 2, 3, 4]))]);
      return b.build([m, ...extra(b, y, x)]);
    };
    const lnInputs = (g: Graph) => withCommittedMatmuls(g).graph.nodes.find((n) => n.name === 'ln')!.inputs.length;
    // only the matmul reads it: folded
    const alone = withCommittedMatmuls(build(() => []));
    expect(alone.graph.nodes.find((n) => n.name === 'ln')!.inputs).toEqual(['x']);
    expect(alone.graph.nodes.find((n) => n.name === 'mm')!.inputs).toEqual(['ln', foldedName('ln', 'w', 'bias')]);
    // a residual add also reads it
    const residual = build((b, y) => [b.op('add', 'res', [y, b.input('r', [2, 4])])]);
    expect(lnInputs(residual)).toBe(3);
    const rewritten = withCommittedMatmuls(residual).graph;
    // the matmul still gets its bias row; γ and β stay (loaded) weights
    expect(rewritten.nodes.find((n) => n.name === 'mm')!.inputs).toEqual(['ln', 'w⊕bias']);
    const { quant } = calibrate(residual, [{ x: [1, 2, 3, 4, -1, 0, 1, 2], r: [0, 0, 0, 0, 1, 1, 1, 1] }], { scale: 8 });
    expect(loadedWeights(compileModel(residual, quant, { visibility: { weights: 'committed' } }))).toEqual(['g', 'be']);
    // a graph output
    expect(lnInputs(build((_, y) => [y]))).toBe(3);
    // a matmul that reads it with a computed bias, or as its B
    expect(lnInputs(build((b, y) => [b.op('matmul', 'mm2', [y, b.weight('w2', [4, 3], new Float64Array(12)), b.input('c', [3])])]))).toBe(3);
    expect(lnInputs(build((b, y) => [b.op('matmul', 'mm3', [b.input('z', [3, 2]), b.op('reshape', 'yr', [y], { shape: [2, 4] })])]))).toBe(3);
    // a matmul whose B is not a weight
    expect(lnInputs(build((b, y) => [b.op('matmul', 'mm4', [y, b.input('v', [4, 2])])]))).toBe(3);
  });
});

describe('no fixed weight inside a transformer block', () => {
  it('gpt2-tiny with 2 layers: no weight read inside the blocks is loaded; only wpe is; no mul rows, adds are residual and embedding only', () => {
    const T = 3;
    const g = buildGpt2({ ...tiny.config, layers: 2, context: 4 }, { tokens: T, seed: tiny.seed, name: 'gpt2-tiny-2' });
    const p = compileModel(g, tinyQuant, { visibility: { weights: 'committed' }, fixedColumns: tiny.fixedColumns });
    const loaded = new Set(loadedWeights(p));
    expect([...loaded]).toEqual(['wpe']);
    const blocks = p.graph.nodes.filter((n) => /^h\d\./.test(n.name));
    expect(blocks.length).toBeGreaterThan(20);
    const weights = new Set(p.graph.weights.map((x) => x.name));
    const committed = new Set(committedWeightNames(p));
    for (const n of blocks) {
      for (const x of n.inputs) {
        expect(loaded.has(x), `${n.name} loads ${x}`).toBe(false);
        if (weights.has(x)) expect(committed.has(x), `${n.name} reads ${x}, not committed`).toBe(true);
      }
    }
    const rows = estimateCost(p).rowsByOp;
    expect(rows['mul']).toBeUndefined();
    expect(rows['add']).toBe((2 * 2 + 1) * T * tiny.config.width); // two residuals per block, the embedding
    // the circuit: MockProver accepts and computes the rewritten graph's evaluation
    const q = new QuantEvaluator(p.graph, tinyQuant, p.weights);
    const qin = q.quantizeInputs({ tokens: encodeText(tiny, 'the') });
    const values = q.run(qin);
    const circuit = new ModelCircuit(p, qin);
    expect(MockProver.run(12, circuit, publicInstances(p, values)).verify().slice(0, 3)).toEqual([]);
    expect(circuit.outputs.get('lm_head')!.values.get()).toEqual(values.get('lm_head')!.data);
  });

  it('nanogpt (no biases; β = 0): only wpe is loaded', () => {
    const pre = getPreset('nanogpt');
    const g = presetGraph(pre, 4);
    const p = compileModel(g, { scale: 8, bits: 16, gelu: { min: -64, max: 64 }, varBits: 16 }, { visibility: { weights: 'committed' } });
    expect(loadedWeights(p)).toEqual(['wpe']);
    expect(p.graph.nodes.filter((n) => n.op === 'layernorm').every((n) => n.inputs.length === 1)).toBe(true);
  });
});

describe('bias rows through the real prover (MLP, tiny k)', () => {
  it('the honest proof verifies against the model’s commitments; a prover holding another bias (same VK) is rejected', () => {
    const K = 9;
    const g = buildMlp({ widths: [4, 6, 3], batch: 2, seed: 'bias-prove' });
    const other: Graph = { ...g, weights: g.weights.map((x) => (x.name === 'fc1.b' ? { ...x, data: weightData(x).map((v, i) => (i === 1 ? v + 0.25 : v)) } : x)) };
    const sample = { x: [0.5, -1, 0.25, 2, 1, 1, -0.5, 0.1] };
    const { quant } = calibrate(g, [sample], { scale: 8 });
    const compile = (graph: Graph) => compileModel(graph, quant, { visibility: { weights: 'committed' } });
    const [p, cheat] = [compile(g), compile(other)];
    expect(committedWeightNames(p)).toEqual(['fc0.w⊕fc0.b', 'fc1.w⊕fc1.b']);
    const witness = (m: typeof p) => {
      const q = new QuantEvaluator(m.graph, quant, m.weights);
      const qin = q.quantizeInputs(sample);
      return { circuit: new ModelCircuit(m, qin), instances: publicInstances(m, q.run(qin)) };
    };
    const params = new KzgParams(unsafeDevSrs(K, 'committed-graph-bias'));
    const pk = keygen(new ModelCircuit(p), params, K);
    // nothing of the weights is in the circuit: the other bias compiles to the same verifying key
    expect(keygen(new ModelCircuit(cheat), params, K).vk.digest).toEqual(pk.vk.digest);
    const { commitment } = commitModelWeights(params, p, { hiding: false });
    const vp = params.verifierParams();
    const honest = witness(p);
    expect(verifyCommitted(pk.vk, proveCommitted(pk, honest.circuit, honest.instances, params, commitment), honest.instances, vp, commitment, p)).toMatchObject({ ok: true });
    const bad = witness(cheat);
    expect(bad.instances[0]).not.toEqual(honest.instances[0]); // its claimed outputs are those of the other bias
    const proof = proveCommitted(pk, bad.circuit, bad.instances, params, commitment);
    const r = verifyCommitted(pk.vk, proof, bad.instances, vp, commitment, p);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/folded opening does not match the committed weights/);
  });
});

