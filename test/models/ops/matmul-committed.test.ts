/**
 * The matmul_committed op on one node, compiled with committed weights: a
 * weight bias becomes the last row of the committed matrix (B′ = [B; b]),
 * a computed bias stays on the add chip, no bias is plain. Each case: the
 * quantized evaluation is bit for bit the original matmul's and within ½ ulp
 * of the float reference on the grid, the circuit (MockProver) computes it,
 * the cost formula equals the measured region rows, and nothing is loaded
 * as a fixed weight. Shape inference accepts B of n or n + 1 rows only.
 */
import { describe, expect, it } from 'vitest';
import {
  calibrate,
  compileModel,
  committedWeightNames,
  dequantizeValues,
  evaluateFloat,
  type Graph,
  GraphBuilder,
  GraphError,
  loadedWeights,
  ModelCircuit,
  modelRows,
  nodeShapes,
  opDef,
  publicInstances,
  QuantEvaluator,
} from '../../../src/models/index.js';
import { configure, floorPlan, MockProver } from '../../../src/plonkish/frontend/index.js';

const vals = (n: number, a = 1, seed = 1) => Array.from({ length: n }, (_, i) => a * Math.sin(seed * 12.9898 + i * 78.233));
const weight = (n: number, a = 1, seed = 7) => Float64Array.from(vals(n, a, seed));

interface Case {
  readonly name: string;
  readonly graph: Graph;
  readonly sample: Record<string, number[]>;
  /** B of the committed node, and whether a third input (an add) remains. */
  readonly matrix: string;
  readonly add: boolean;
}

function mm(name: string, bias: 'weight' | 'input' | 'none'): Graph {
  const g = new GraphBuilder(name);
  const inputs = [g.input('x', [3, 4]), g.weight('w', [4, 5], weight(20))];
  if (bias === 'weight') inputs.push(g.weight('b', [5], weight(5, 0.5, 3)));
  if (bias === 'input') inputs.push(g.input('c', [5]));
  return g.build([g.op('matmul', 'y', inputs)]);
}

const cases: Case[] = [
  { name: 'weight bias → bias row', graph: mm('row', 'weight'), sample: { x: vals(12) }, matrix: 'w⊕b', add: false },
  { name: 'computed bias → add chip', graph: mm('add', 'input'), sample: { x: vals(12), c: vals(5, 0.5, 4) }, matrix: 'w', add: true },
  { name: 'no bias', graph: mm('plain', 'none'), sample: { x: vals(12) }, matrix: 'w', add: false },
];

describe.each(cases)('matmul_committed: $name', (c) => {
  const { quant } = calibrate(c.graph, [c.sample], { scale: 8 });
  const p = compileModel(c.graph, quant, { visibility: { weights: 'committed' } });
  const node = p.graph.nodes[0]!;

  it('is rewritten onto the committed matrix; nothing is loaded as a weight', () => {
    expect(p.graph.nodes).toHaveLength(1);
    expect(node.op).toBe('matmul_committed');
    expect(node.inputs[1]).toBe(c.matrix);
    expect(node.inputs.length === 3).toBe(c.add);
    expect(committedWeightNames(p)).toEqual([c.matrix]);
    expect(loadedWeights(p)).toEqual([]);
    expect(p.graph.weights.map((w) => w.name)).toEqual([c.matrix]);
  });

  it('quantized: bit for bit the original matmul, and within ½ ulp of the float reference on the grid', () => {
    const orig = new QuantEvaluator(c.graph, quant);
    const qin = orig.quantizeInputs(c.sample);
    const want = orig.run(qin).get('y')!.data;
    const q = new QuantEvaluator(p.graph, quant, p.weights);
    const got = q.run(qin).get('y')!.data;
    expect(got).toEqual(want);
    const grid = Object.fromEntries(p.graph.inputs.map((i) => [i.name, Array.from(dequantizeValues(qin[i.name]!, quant.scale))]));
    const float = evaluateFloat(p.graph, grid, p.weights.dequantized()).get('y')!.data;
    const err = Math.max(...Array.from(got, (v, i) => Math.abs(Number(v) / 2 ** quant.scale - float[i]!)));
    expect(err).toBeLessThanOrEqual(opDef('matmul_committed').maxError(nodeShapes(node, p.info), quant) + 1e-12);
  });

  it('the circuit computes the quantized evaluation; the cost formula equals the measured region rows', () => {
    const q = new QuantEvaluator(p.graph, quant, p.weights);
    const qin = q.quantizeInputs(c.sample);
    const values = q.run(qin);
    const circuit = new ModelCircuit(p, qin);
    const rows = modelRows(p);
    const plan = floorPlan(circuit, configure(circuit), 16);
    expect(plan.rows.reduce((a, r) => a + r, 0)).toBe(rows.regions);
    const own = opDef('matmul_committed')
      .cost(nodeShapes(node, p.info), quant)
      .rows.reduce((a, [, r]) => a + r, 0);
    expect(rows.regions - (rows.byOp['load'] ?? 0)).toBe(own);
    expect(rows.byOp['add'] ?? 0).toBe(c.add ? 15 : 0);
    const mock = MockProver.run(9, circuit, publicInstances(p, values));
    expect(mock.verify()).toEqual([]);
    expect(circuit.outputs.get('y')!.values.get()).toEqual(values.get('y')!.data);
  });
});

describe('matmul_committed shape inference', () => {
  const build = (rows: number, bias = false) => {
    const g = new GraphBuilder('bad');
    const inputs = [g.input('x', [3, 4]), g.weight('w', [rows, 5], weight(rows * 5))];
    if (bias) inputs.push(g.weight('b', [4], weight(4)));
    g.op('matmul_committed', 'y', inputs);
    return () => g.build(['y']);
  };

  it('takes B of n rows, or n + 1 (a bias row); any other is refused naming both shapes', () => {
    expect(build(4)).not.toThrow();
    expect(build(5)).not.toThrow();
    expect(build(6)).toThrow(GraphError);
    expect(build(6)).toThrow(/node y \(matmul_committed\): cannot multiply \[3, 4\] by \[6, 5\] \(expected B of 4 rows, or 5 with a bias row\)/);
    expect(build(3)).toThrow(/cannot multiply \[3, 4\] by \[3, 5\]/);
    expect(build(4, true)).toThrow(/bias \[4\] does not broadcast over \[3, 5\]/);
  });

  it('B must be a weight', () => {
    const g = new GraphBuilder('bad');
    g.op('matmul_committed', 'y', [g.input('x', [3, 4]), g.input('w', [4, 5])]);
    expect(() => g.build(['y'])).toThrow(/expected a weight as B/);
  });
});
