/**
 * EZKL's nanoGPT benchmark model (test/fixtures/ezkl-nanogpt, unchanged from
 * EZKL's examples): it imports as shipped — shape arithmetic (Shape, Gather,
 * Cast, Unsqueeze, ConstantOfShape, NonZero, Concat …) folded at import, the
 * mask's Slice / Equal folded, Split lowered to views, and the exporter's
 * decomposed LayerNorm, tanh-GELU and masked attention recognised as the IR's
 * layernorm, gelu and attention ops (onnx-fuse.ts). The reference is
 * onnxruntime's logits (reference.json): our ONNX float evaluator matches
 * them closely, and the lowered IR in float picks the same top-1 token at all
 * 64 positions. Its untrained weights (std 0.02) give LayerNorm inputs of row
 * variance ≈ 10⁻³, below what the LayerNorm gadget resolves at scale 2^8:
 * `rescaleStreams` scales the residual stream by 32 (exact, ε·32²), after
 * which the quantized model at 2^8 also picks the same top-1 everywhere.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calibrate, compileModel, dequantizeValues, estimateCost, getPreset, presetGraph, presetQuant, evaluateFloat, evaluateOnnx, GraphBuilder, onnxToGraph, parseOnnx, QuantEvaluator, QuantizedWeights, rescaleStreams, rescaleTokenModel, weightColumns } from '../../src/models/index.js';

const dir = new URL('../fixtures/ezkl-nanogpt/', import.meta.url);
const model = parseOnnx(readFileSync(new URL('network.onnx', dir)));
const ref = JSON.parse(readFileSync(new URL('reference.json', dir), 'utf8')) as { input: number[]; dims: number[]; logits: number[] };
const input = JSON.parse(readFileSync(new URL('input.json', dir), 'utf8')) as { input_data: number[][] };
const V = 65;
const T = 64;

const argmax = (a: ArrayLike<number>, row: number) => {
  let best = 0;
  for (let j = 1; j < V; j++) if (a[row * V + j]! > a[row * V + best]!) best = j;
  return best;
};
const maxDiff = (a: ArrayLike<number>, b: readonly number[]) => b.reduce((m, v, i) => Math.max(m, Math.abs(a[i]! - v)), 0);

describe("EZKL's nanoGPT ONNX file", () => {
  it('is the shipped model: opset 10, int64 ids [batch_size, 64], logits [batch_size, ·, 65]', () => {
    expect(model.opset).toBe(10);
    expect(model.graph.inputs.map((i) => [i.name, i.dtype, i.shape])).toEqual([['input', 7, ['batch_size', 64]]]);
    expect(ref.input).toEqual(input.input_data[0]);
    expect(ref.dims).toEqual([1, T, V]);
  });

  it('the ONNX float evaluator matches onnxruntime (ConstantOfShape, NonZero, Equal, Split included)', () => {
    const out = evaluateOnnx(model, { input: { dims: [1, T], dtype: 7, data: Float64Array.from(ref.input) } }).get('output')!;
    expect(out.dims).toEqual([1, T, V]);
    expect(maxDiff(out.data, ref.logits)).toBeLessThan(1e-5);
  });

  const lowered = onnxToGraph(model, { dims: { batch_size: 1 } });

  it('imports: shape ops folded, LayerNorm / GELU / attention recognised, no arithmetic left over', () => {
    const count = (k: string) => lowered.fused.filter((f) => f === k).length;
    expect([count('layernorm'), count('gelu'), count('attention')]).toEqual([9, 4, 4]);
    const ops = new Map<string, number>();
    for (const n of lowered.graph.nodes) ops.set(n.op, (ops.get(n.op) ?? 0) + 1);
    // 4 × (qkv, proj, fc, fc-proj) + lm head; embeddings + 8 residuals; nothing else computes
    expect(Object.fromEntries([...ops].filter(([op]) => !['reshape', 'transpose', 'view'].includes(op)))).toEqual({ gather: 1, add: 9, layernorm: 9, matmul: 17, attention: 4, gelu: 4 });
    expect(lowered.graph.inputs).toEqual([{ name: 'input', shape: [T], kind: 'ids', vocab: V }]);
  });

  it('the lowered IR in float picks the same top-1 token as onnxruntime at all 64 positions', () => {
    const out = evaluateFloat(lowered.graph, { input: ref.input }).get(lowered.outputs.get('output')!)!;
    expect(out.shape).toEqual([1, T, V]);
    const differ = Array.from({ length: T }, (_, r) => r).filter((r) => argmax(out.data, r) !== argmax(ref.logits, r));
    expect(differ).toEqual([]);
    // the fused attention gives masked entries weight 0 where the export's −10 fill leaves e^−10-ish
    expect(maxDiff(out.data, ref.logits)).toBeLessThan(5e-3);
  });

  it('without pattern recognition it imports op by op (Div → div) and the float IR matches onnxruntime closely', () => {
    const plain = onnxToGraph(model, { dims: { batch_size: 1 }, fuse: false });
    expect(plain.fused).toEqual([]);
    const ops = plain.graph.nodes.map((n) => n.op);
    expect(ops.filter((o) => o === 'div')).toHaveLength(9);
    expect(ops.filter((o) => o === 'layernorm' || o === 'attention' || o === 'gelu')).toEqual([]);
    const out = evaluateFloat(plain.graph, { input: ref.input }).get(plain.outputs.get('output')!)!;
    // the −10 mask fill is kept here, so this path follows the ONNX graph to float32 rounding
    expect(maxDiff(out.data, ref.logits)).toBeLessThan(1e-5);
  });
});

describe('rescaleStreams', () => {
  const lowered = onnxToGraph(model, { dims: { batch_size: 1 } });
  const out = lowered.outputs.get('output')!;
  const sample = { input: ref.input };

  it("scales EZKL nanoGPT's residual stream by 32 without changing the float outputs; quantized at 2^8 the top-1 matches everywhere", () => {
    const { graph, streams } = rescaleStreams(lowered.graph, sample);
    expect(streams.map((s) => [s.factor, s.norms.length])).toEqual([[32, 9]]);
    expect(graph.nodes.filter((n) => n.op === 'layernorm').every((n) => Math.abs(n.attrs.eps! / (1e-5 * 1024) - 1) < 1e-6)).toBe(true);
    const before = evaluateFloat(lowered.graph, sample).get(out)!.data;
    const after = evaluateFloat(graph, sample).get(out)!.data;
    expect(maxDiff(after, Array.from(before))).toBeLessThan(1e-9);
    // without the rescale the LayerNorm's variance rounds to ~0 at 2^8
    expect(() => calibrate(lowered.graph, [sample], { scale: 8 })).toThrow(/ln_1.*range/);
    const { quant } = calibrate(graph, [sample], { scale: 8 });
    const q = new QuantEvaluator(graph, quant, new QuantizedWeights(graph, 8));
    const logits = dequantizeValues(q.run(q.quantizeInputs(sample)).get(out)!.data, 8);
    expect(Array.from({ length: T }, (_, r) => r).filter((r) => argmax(logits, r) !== argmax(ref.logits, r))).toEqual([]);
    expect(maxDiff(logits, ref.logits)).toBeLessThan(0.1);
  });

  it('without a sample (token ids 0, 1, 2, … as the probe) it picks the same factor; 7 fixed columns hold the weights', () => {
    const probed = rescaleTokenModel(lowered.graph);
    expect(probed.streams.map((s) => s.factor)).toEqual(rescaleStreams(lowered.graph, sample).streams.map((s) => s.factor));
    expect(weightColumns(probed.graph)).toBe(Math.ceil(probed.graph.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0) / 2 ** 15));
    expect(weightColumns(probed.graph)).toBe(7);
  });

  it('leaves a stream alone when it is read by another op, and when its variance is already large', () => {
    const g = new GraphBuilder('s');
    const x = g.input('x', [2, 4]);
    const w = g.weight('w', [4, 4], Float64Array.from({ length: 16 }, (_, i) => ((i * 7) % 5) / 500));
    const h = g.op('matmul', 'h', [x, w]);
    const one = g.weight('one', [4], new Float64Array(4).fill(1));
    const zero = g.weight('zero', [4], new Float64Array(4));
    const y = g.op('layernorm', 'ln', [h, one, zero]);
    const small = { x: [1, 2, 3, 4, 4, 3, 2, 1] };
    const plain = g.build([y]);
    const [s] = rescaleStreams(plain, small).streams;
    // scaled so that the variance lands within a factor 2 of 1
    expect(Math.abs(Math.log2(s!.factor ** 2 * s!.variance))).toBeLessThanOrEqual(1);
    expect(rescaleStreams(plain, { x: small.x.map((v) => v * 1000) }).streams).toEqual([]);
    g.op('relu', 'r', [h]);
    expect(rescaleStreams(g.build([y, 'r']), small).streams).toEqual([]);
  });
});

describe('EZKL nanoGPT compiled', () => {
  it("fits k = 16 with rows within 1 % of our own nanogpt preset's (same shape)", () => {
    const sample = { input: ref.input };
    const { graph } = rescaleStreams(onnxToGraph(model, { dims: { batch_size: 1 } }).graph, sample);
    const pre = getPreset('nanogpt');
    // the same range-check limbs as the preset (14 bits: its k = 16 has room for the table)
    const { quant } = calibrate(graph, [sample], { scale: 8, limbBits: presetQuant(pre).limbBits! });
    const cost = estimateCost(compileModel(graph, quant, { fixedColumns: 8 }));
    const own = estimateCost(compileModel(presetGraph(pre, pre.config.context), presetQuant(pre), { fixedColumns: pre.fixedColumns }));
    expect(cost.k).toBe(16);
    expect(own.k).toBe(16);
    expect(Math.abs(cost.rows / own.rows - 1)).toBeLessThan(0.01);
    // within 3 % of the preset's committed columns: 331 each before range lookups lost their selector,
    // 296 vs 289 after (both fell; the preset's fell more); with the same 14-bit limbs
    expect(cost.columns.committed).toBeLessThanOrEqual(Math.ceil(own.columns.committed * 1.03));
  });
});
