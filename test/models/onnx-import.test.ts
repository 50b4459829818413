/**
 * ONNX import end to end on the committed fixtures (test/fixtures/onnx, made
 * by make_models.py with python3-onnx; reference outputs from numpy):
 * parse → ONNX float evaluator ≈ numpy; lower to the IR → evaluateFloat ≈
 * numpy; calibrate, compile, MockProver accepts and a changed output fails.
 * Typed errors: unsupported op, dynamic dimension without a value,
 * malformed bytes.
 */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import {
  calibrate,
  compileModel,
  evaluateFloat,
  evaluateOnnx,
  ModelCircuit,
  onnxToGraph,
  OnnxImportError,
  parseOnnx,
  publicInstances,
  QuantEvaluator,
} from '../../src/models/index.js';
import { MockProver } from '../../src/plonkish/frontend/index.js';

const { onnx } = onnxProto;
const fixture = (name: string) => ({
  model: parseOnnx(readFileSync(new URL(`../fixtures/onnx/${name}.onnx`, import.meta.url))),
  ref: JSON.parse(readFileSync(new URL(`../fixtures/onnx/${name}.json`, import.meta.url), 'utf8')) as { inputs: Record<string, number[]>; outputs: Record<string, number[]> },
});
const close = (got: ArrayLike<number>, want: readonly number[], tol: number) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThan(tol));
};

describe.each([
  { name: 'mlp', dims: {} as Record<string, number>, k: 10 },
  { name: 'block', dims: { T: 4 }, k: 13 },
])('ONNX fixture $name', ({ name, dims, k }) => {
  const { model, ref } = fixture(name);
  const { graph, outputs } = onnxToGraph(model, { dims });
  const out = outputs.get('y')!;

  it('the ONNX float evaluator and the lowered IR both match numpy', () => {
    const shape = name === 'block' ? [4, 8] : [2, 4];
    close(evaluateOnnx(model, { x: { dims: shape, dtype: 1, data: Float64Array.from(ref.inputs['x']!) } }).get('y')!.data, ref.outputs['y']!, 1e-5);
    close(evaluateFloat(graph, ref.inputs).get(out)!.data, ref.outputs['y']!, 1e-5);
  });

  it('compiles, the MockProver accepts, and a changed output fails', () => {
    const { quant } = calibrate(graph, [ref.inputs], { scale: 8 });
    const p = compileModel(graph, quant);
    const q = new QuantEvaluator(graph, quant, p.weights);
    const qin = q.quantizeInputs(ref.inputs);
    const values = q.run(qin);
    const instances = publicInstances(p, values);
    const circuit = new ModelCircuit(p, qin);
    expect(MockProver.run(k, circuit, instances).verify()).toEqual([]);
    const y = values.get(out)!.data;
    close(Array.from(y, (v) => Number(v) / 2 ** quant.scale), ref.outputs['y']!, 0.25);
    const wrong = [instances[0]!.map((v, i) => (i === instances[0]!.length - 1 ? Fr.add(v, 1n) : v))];
    expect(MockProver.run(k, circuit, wrong).verify().length).toBeGreaterThan(0);
  });
});

/** A one-node model built in memory. */
function oneNode(op: string, inputDims: (number | string)[], extra: Partial<proto.INodeProto> = {}): Uint8Array {
  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: inputDims.map(dim) } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'one', node: [{ name: 'n0', opType: op, input: ['x'], output: ['y'], ...extra }], input: [vi('x')], output: [vi('y')] },
  }).finish();
}

describe('ONNX import errors', () => {
  it('an unsupported op names the node and the op', () => {
    const m = parseOnnx(oneNode('Hardmax', [2, 3]));
    expect(() => onnxToGraph(m)).toThrow(OnnxImportError);
    expect(() => onnxToGraph(m)).toThrow(/onnx node n0 \(Hardmax\)/);
    expect(() => evaluateOnnx(m, { x: [1, 2, 3, 4, 5, 6] })).toThrow(/n0 \(Hardmax\): unsupported operator/);
  });
  it('a dynamic dimension without a value names the input and the dim', () => {
    const m = parseOnnx(oneNode('Relu', ['batch', 3]));
    expect(() => onnxToGraph(m)).toThrow(/input "x": dimension 0 is dynamic \(batch\); give its value with dims: \{ batch: … \}/);
    expect(onnxToGraph(m, { dims: { batch: 2 } }).graph.inputs[0]!.shape).toEqual([2, 3]);
  });
  it('malformed bytes and a truncated file give OnnxImportError', () => {
    expect(() => parseOnnx(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f))).toThrow(OnnxImportError);
    const bytes = readFileSync(new URL('../fixtures/onnx/mlp.onnx', import.meta.url));
    for (const cut of [7, 100, bytes.length - 5]) expect(() => parseOnnx(bytes.subarray(0, cut))).toThrow(OnnxImportError);
  });
  it('an unsupported lowering (softmax on a middle axis) is rejected, not miscompiled', () => {
    const m = parseOnnx(oneNode('Softmax', [2, 3], { attribute: [{ name: 'axis', type: 2, i: 0 }] }));
    expect(() => onnxToGraph(m)).toThrow(/n0 \(Softmax\): softmax over axis 0/);
  });
});
