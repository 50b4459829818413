/**
 * Div by a computed tensor: the ONNX import lowers it to the IR's `div` op
 * (ops/div.ts, the division gadget). Checked like every op: float IR vs the
 * ONNX evaluator, quantized within ½ ulp of the float on the grid, the
 * MockProver accepts the quantized outputs and rejects a changed one, the
 * cost formula equals the rows the regions take; a divisor that is not
 * positive is a QuantRangeError naming it. The second graph is an RMS norm
 * written out as ops (x / √(mean(x²) + ε)), which no pattern covers, so its
 * Div lowers as a division broadcast over the row.
 */
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import {
  calibrate,
  compileModel,
  dequantizeValues,
  estimateCost,
  evaluateFloat,
  evaluateOnnx,
  ModelCircuit,
  modelRows,
  onnxToGraph,
  parseOnnx,
  publicInstances,
  QuantEvaluator,
  QuantRangeError,
} from '../../src/models/index.js';
import { configure, floorPlan, MockProver } from '../../src/plonkish/frontend/index.js';

const { onnx } = onnxProto;
const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const model = (nodes: proto.INodeProto[], inputs: Record<string, number[]>, output: [string, number[]], inits: proto.ITensorProto[] = []) =>
  parseOnnx(
    onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'g', node: nodes, input: Object.entries(inputs).map(([k, d]) => vi(k, d)), output: [vi(...output)], initializer: inits },
    }).finish(),
  );

const cases: { name: string; m: ReturnType<typeof model>; sample: Record<string, number[]> }[] = [
  {
    name: 'x / z, z broadcast over rows',
    m: model([{ name: 'd', opType: 'Div', input: ['x', 'z'], output: ['y'] }], { x: [2, 3], z: [3] }, ['y', [2, 3]]),
    sample: { x: [0.5, -1.25, 2, -0.75, 1.5, 0.25], z: [0.5, 1.75, 1.25] },
  },
  {
    name: 'RMS norm written out: x / √(mean(x²) + ε)',
    m: model(
      [
        { name: 'sq', opType: 'Mul', input: ['x', 'x'], output: ['x2'] },
        { name: 'mean', opType: 'ReduceMean', input: ['x2'], output: ['ms'], attribute: [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [-1] }] },
        { name: 'eps', opType: 'Add', input: ['ms', 'e'], output: ['mse'] },
        { name: 'rt', opType: 'Sqrt', input: ['mse'], output: ['r'] },
        { name: 'd', opType: 'Div', input: ['x', 'r'], output: ['y'] },
      ],
      { x: [2, 4] },
      ['y', [2, 4]],
      [{ name: 'e', dims: [], dataType: 1, floatData: [1e-3] }],
    ),
    sample: { x: [0.5, -1.25, 2, -0.75, 1.5, 0.25, -1, 1.75] },
  },
];

describe.each(cases)('Div by a computed tensor: $name', ({ m, sample }) => {
  const { graph, outputs } = onnxToGraph(m);
  const out = outputs.get('y')!;
  const { quant } = calibrate(graph, [sample], { scale: 8 });
  const p = compileModel(graph, quant);
  const q = new QuantEvaluator(graph, quant, p.weights);
  const qin = q.quantizeInputs(sample);

  it('lowers to the IR div op; the float IR matches the ONNX evaluator', () => {
    expect(graph.nodes.filter((n) => n.op === 'div')).toHaveLength(1);
    const onnxIn = Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, { dims: m.graph.inputs.find((i) => i.name === k)!.shape as number[], dtype: 1, data: Float64Array.from(v) }]));
    const want = evaluateOnnx(m, onnxIn).get('y')!.data;
    const got = evaluateFloat(graph, sample).get(out)!.data;
    want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThan(1e-6));
  });

  it('the div node is within ½ ulp of the float division of its quantized operands', () => {
    const env = q.run(qin);
    const node = graph.nodes.find((n) => n.op === 'div')!;
    const [a, b, y] = [...node.inputs, node.output].map((t) => dequantizeValues(env.get(t)!.data, quant.scale));
    const err = Math.max(...Array.from(y!, (v, i) => Math.abs(v - a![i]! / b![i % b!.length]!)));
    expect(err).toBeLessThanOrEqual(2 ** -(quant.scale + 1) + 1e-12);
  });

  it('the MockProver accepts, a changed output fails, and the cost formula equals the measured region rows', () => {
    const circuit = new ModelCircuit(p, qin);
    const rows = modelRows(p);
    const plan = floorPlan(circuit, configure(circuit), 16);
    expect(plan.rows.reduce((a, r) => a + r, 0)).toBe(rows.regions);
    const k = estimateCost(p).k + 1;
    const inst = publicInstances(p, q.run(qin));
    expect(MockProver.run(k, circuit, inst).verify()).toEqual([]);
    const bad = inst.map((col) => [...col]);
    const last = bad.length - 1;
    bad[last]![bad[last]!.length - 1] = Fr.add(bad[last]![bad[last]!.length - 1]!, 1n);
    expect(MockProver.run(k, new ModelCircuit(p, qin), bad).verify()).not.toEqual([]);
  });
});

describe('Div by a computed tensor: divisor sign', () => {
  it('a divisor that is not positive at the grid is a QuantRangeError naming it', () => {
    const { graph } = onnxToGraph(cases[0]!.m);
    const { quant } = calibrate(graph, [cases[0]!.sample], { scale: 8 });
    const q = new QuantEvaluator(graph, quant, compileModel(graph, quant).weights);
    const e = (() => {
      try {
        q.run(q.quantizeInputs({ x: cases[0]!.sample['x']!, z: [0.5, -0.25, 1] }));
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(QuantRangeError);
    expect((e as Error).message).toMatch(/tensor "z" \(divisor of div y\): entry 1 = -0.25 is not positive/);
  });
});
