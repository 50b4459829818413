/**
 * The model layer: IR validation, the quantized evaluator against the
 * circuit (MockProver, exact) and against the float evaluator, visibility,
 * calibration errors that name the tensor, and the cost estimate against
 * the layouter.
 */
import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import {
  buildMlp,
  calibrate,
  compileModel,
  type CompileOptions,
  encodeText,
  estimateCost,
  estimateProveMemoryBytes,
  RUNTIME_BYTES,
  evaluateFloat,
  getPreset,
  type Graph,
  GraphBuilder,
  GraphError,
  ModelCircuit,
  presetGraph,
  presetQuant,
  publicInstances,
  QuantEvaluator,
  QuantRangeError,
  type QuantParams,
} from '../../src/models/index.js';
import { extendedLog } from '../../src/plonkish/backend/columns.js';
import { MockProver, synthesizeKeygen } from '../../src/plonkish/frontend/index.js';

function runMock(g: Graph, quant: QuantParams, inputs: Record<string, ArrayLike<number>>, k: number, options: CompileOptions = {}) {
  const p = compileModel(g, quant, options);
  const q = new QuantEvaluator(g, quant, p.weights);
  const qin = q.quantizeInputs(inputs);
  const values = q.run(qin);
  const instances = publicInstances(p, values);
  const circuit = new ModelCircuit(p, qin);
  const prover = MockProver.run(k, circuit, instances);
  return { p, values, instances, circuit, prover };
}

const mlpSample = { x: [0.5, -1, 0.25, 2, 1, 1, -0.5, 0.1] };

describe('graph IR', () => {
  it('rejects a shape mismatch naming the node', () => {
    const g = new GraphBuilder('bad');
    const x = g.input('x', [2, 3]);
    const w = g.weight('w', [4, 5], new Float64Array(20));
    g.op('matmul', 'fc', [x, w]);
    expect(() => g.build(['fc'])).toThrow(/node fc \(matmul\): cannot multiply \[2, 3\] by \[4, 5\]/);
  });
  it('rejects an undefined input and an unknown output', () => {
    const g = new GraphBuilder('bad');
    g.op('relu', 'r', ['nope']);
    expect(() => g.build(['r'])).toThrow(/input "nope" is not defined/);
  });
});

describe('MLP', () => {
  const g = buildMlp({ widths: [4, 8, 3], batch: 2 });
  const { quant } = calibrate(g, [mlpSample], { scale: 8 });

  it('the circuit computes exactly the quantized evaluator (MockProver), and a wrong output fails', () => {
    const { prover, values, instances, circuit } = runMock(g, quant, mlpSample, 10);
    expect(prover.verify()).toEqual([]);
    expect(circuit.outputs.get(g.outputs[0]!)!.values.get('out')).toEqual(values.get(g.outputs[0]!)!.data);
    const wrong = [instances[0]!.map((v, i) => (i === instances[0]!.length - 1 ? Fr.add(v, 1n) : v))];
    expect(MockProver.run(10, circuit, wrong).verify().length).toBeGreaterThan(0);
  });

  it('agrees with the float evaluator on the quantization grid (|error| ≤ 4 ulp)', () => {
    const p = compileModel(g, quant);
    const q = new QuantEvaluator(g, quant, p.weights);
    const out = q.run(q.quantizeInputs(mlpSample)).get(g.outputs[0]!)!.data;
    const f = evaluateFloat(g, mlpSample, p.weights.dequantized()).get(g.outputs[0]!)!.data;
    out.forEach((v, i) => expect(Math.abs(Number(v) / 2 ** quant.scale - f[i]!)).toBeLessThanOrEqual(4 / 2 ** quant.scale));
  });

  it('supports every visibility: private input, public weights, fixed output', () => {
    const base = runMock(g, quant, mlpSample, 10);
    const fixedValues = new Map([[g.outputs[0]!, base.values.get(g.outputs[0]!)!.data]]);
    const v = runMock(g, quant, mlpSample, 10, { visibility: { input: 'private', weights: 'public', output: 'fixed' }, fixedValues });
    expect(v.prover.verify()).toEqual([]);
    expect(v.instances[0]!.length).toBe(4 * 8 + 8 + 8 * 3 + 3);
    const p = runMock(g, quant, mlpSample, 10, { visibility: { input: 'fixed', weights: 'private', output: 'public' }, fixedValues: new Map([['x', new QuantEvaluator(g, quant).quantizeInputs(mlpSample)['x']!]]) });
    expect(p.prover.verify()).toEqual([]);
  });

  it('a tensor leaving its range is named', () => {
    expect(() => calibrate(g, [mlpSample], { scale: 8, margin: 1, minBits: 4 })).not.toThrow();
    const q = new QuantEvaluator(g, quant);
    const big = { x: mlpSample.x.map((v) => v * 400) };
    expect(() => q.run(q.quantizeInputs(big))).toThrow(QuantRangeError);
    expect(() => q.run(q.quantizeInputs(big))).toThrow(/tensor "x" leaves the \d+-bit range/);
  });

  it('cost estimate rows equal the layout', () => {
    const p = compileModel(g, quant);
    expect(estimateCost(p).rows).toBe(synthesizeKeygen(new ModelCircuit(p), { k: 10 }).rowsUsed);
  });

  it('the memory estimate is estimateProveMemoryBytes of the circuit, above the runtime, growing with k and columns', () => {
    const c = estimateCost(compileModel(g, quant));
    const stats = c.memory;
    expect(stats).toMatchObject({ k: c.k, extendedLog: extendedLog({ degree: c.degree }), committedColumns: c.columns.committed, adviceColumns: c.columns.advice });
    expect(c.estimate.memoryBytes).toBe(estimateProveMemoryBytes(stats));
    expect(estimateProveMemoryBytes(stats)).toBeGreaterThan(RUNTIME_BYTES);
    expect(estimateProveMemoryBytes({ ...stats, k: stats.k + 1 })).toBeGreaterThan(estimateProveMemoryBytes(stats));
    expect(estimateProveMemoryBytes({ ...stats, committedColumns: stats.committedColumns + 1 })).toBeGreaterThan(estimateProveMemoryBytes(stats));
  });
});

describe('GPT-2 (gpt2-tiny)', () => {
  const pre = getPreset('gpt2-tiny');
  const quant = presetQuant(pre);

  it('MockProver accepts the full-context circuit and its outputs equal the quantized evaluator', () => {
    const g = presetGraph(pre, 4);
    const { prover, values, circuit } = runMock(g, quant, { tokens: encodeText(pre, 'the ') }, 12, { fixedColumns: pre.fixedColumns });
    expect(prover.verify()).toEqual([]);
    expect(circuit.outputs.get('lm_head')!.values.get('out')).toEqual(values.get('lm_head')!.data);
  });

  // documented bound: |quantized − float| ≤ 0.1 per logit at scale 2^7 (gpt2-tiny, weights on the grid)
  const LOGIT_BOUND = 0.1;
  it.each(['the ', 'moon', 'ha', 'e', 'sun.', 'cold'])('agrees with float GPT-2 on %j: same top-1, logit error ≤ 0.1', (text) => {
    const ids = encodeText(pre, text);
    const g = presetGraph(pre, ids.length);
    const p = compileModel(g, quant);
    const q = new QuantEvaluator(g, quant, p.weights);
    const ql = Array.from(q.run(q.quantizeInputs({ tokens: ids })).get('lm_head')!.data, (v) => Number(v) / 2 ** quant.scale);
    const fl = Array.from(evaluateFloat(g, { tokens: ids }, p.weights.dequantized()).get('lm_head')!.data);
    const err = Math.max(...ql.map((v, i) => Math.abs(v - fl[i]!)));
    expect(err).toBeLessThanOrEqual(LOGIT_BOUND);
    const sorted = [...fl].sort((a, b) => b - a);
    if (sorted[0]! - sorted[1]! > 2 * LOGIT_BOUND) expect(ql.indexOf(Math.max(...ql))).toBe(fl.indexOf(sorted[0]!));
  });

  it('cost estimate rows equal the layout for 2, 3 and 4 tokens', () => {
    for (const T of [2, 3, 4]) {
      const p = compileModel(presetGraph(pre, T), quant, { fixedColumns: pre.fixedColumns });
      const cost = estimateCost(p);
      expect(cost.rows).toBe(synthesizeKeygen(new ModelCircuit(p), { k: 13 }).rowsUsed);
      expect(cost.k).toBeLessThanOrEqual(12);
    }
  });

  it('a GELU input outside the calibrated table is named', () => {
    const g = presetGraph(pre, 4);
    const narrow = { ...quant, gelu: { min: -4, max: 4 } };
    const q = new QuantEvaluator(g, narrow);
    expect(() => q.run(q.quantizeInputs({ tokens: encodeText(pre, 'the ') }))).toThrow(/tensor "h0.mlp.fc" leaves the gelu table's range/);
  });

  it('embedding needs fixed weights', () => {
    expect(() => compileModel(presetGraph(pre, 2), quant, { visibility: { weights: 'private' } })).toThrow(GraphError);
  });
});

describe('presets', () => {
  it('gpt2-small cost estimate without proving or generating weights', () => {
    const pre = getPreset('gpt2-small');
    const t = performance.now();
    const cost = estimateCost(compileModel(presetGraph(pre, 1024), presetQuant(pre), { fixedColumns: pre.fixedColumns }));
    expect(cost.parameters).toBe(124439808);
    // packed over chip replicas the rows fit BN254's 2^28 domain, but not a machine's memory
    expect(cost.k).toBeGreaterThanOrEqual(24);
    expect(cost.rows).toBeGreaterThan(2 ** 23);
    expect(cost.estimate.memoryBytes).toBeGreaterThan(1e12);
    expect(performance.now() - t).toBeLessThan(20_000);
  });
});
