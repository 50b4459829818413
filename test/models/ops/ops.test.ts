/**
 * Each op definition on a small instance (one node): shape inference, the
 * quantized evaluation against the float reference within the op's own
 * `maxError`, the circuit (MockProver) computing exactly the quantized
 * evaluation, and the op's cost formula against the rows the compiled
 * circuit's regions actually take (measured by the floor plan).
 */
import { describe, expect, it } from 'vitest';
import {
  calibrate,
  compileModel,
  dequantizeValues,
  evaluateFloat,
  GraphBuilder,
  GraphError,
  inferShapes,
  ModelCircuit,
  modelRows,
  nodeShapes,
  opDef,
  type OpType,
  publicInstances,
  QuantEvaluator,
} from '../../../src/models/index.js';
import { configure, floorPlan, MockProver } from '../../../src/plonkish/frontend/index.js';
import { layerNormSpec } from '../../../src/gadgets/index.js';
import { layerNormParamsFor } from '../../../src/models/quant-params.js';

/** Deterministic values in [−a, a]. */
const vals = (n: number, a = 1, seed = 1) => Array.from({ length: n }, (_, i) => a * Math.sin(seed * 12.9898 + i * 78.233));
const weight = (n: number, a = 1, seed = 7) => Float64Array.from(vals(n, a, seed));

interface Case {
  readonly name: string;
  readonly op: OpType;
  /** Builds the one-node graph; returns its output. */
  build(g: GraphBuilder): string;
  readonly sample: Record<string, number[]>;
  readonly shape: readonly number[];
  /** A variant of the node that shape inference rejects (message pattern). */
  readonly bad?: { build(g: GraphBuilder): void; message: RegExp };
}

const cases: Case[] = [
  {
    name: 'matmul + bias',
    op: 'matmul',
    build: (g) => g.op('matmul', 'y', [g.input('x', [3, 4]), g.weight('w', [4, 5], weight(20)), g.weight('b', [5], weight(5, 0.5, 3))]),
    sample: { x: vals(12) },
    shape: [3, 5],
    bad: { build: (g) => g.op('matmul', 'y', [g.input('x', [3, 4]), g.weight('w', [5, 5], weight(25))]), message: /node y \(matmul\): cannot multiply \[3, 4\] by \[5, 5\]/ },
  },
  { name: 'matmul', op: 'matmul', build: (g) => g.op('matmul', 'y', [g.input('x', [2, 3]), g.weight('w', [3, 2], weight(6))]), sample: { x: vals(6) }, shape: [2, 2] },
  {
    name: 'add (broadcast)',
    op: 'add',
    build: (g) => g.op('add', 'y', [g.input('x', [2, 3]), g.weight('b', [3], weight(3))]),
    sample: { x: vals(6) },
    shape: [2, 3],
    bad: { build: (g) => g.op('add', 'y', [g.input('x', [2, 3]), g.weight('b', [2], weight(2))]), message: /node y \(add\): \[2\] does not broadcast over \[2, 3\]/ },
  },
  { name: 'mul (broadcast)', op: 'mul', build: (g) => g.op('mul', 'y', [g.input('x', [2, 3]), g.weight('b', [3], weight(3))]), sample: { x: vals(6) }, shape: [2, 3] },
  { name: 'relu', op: 'relu', build: (g) => g.op('relu', 'y', [g.input('x', [2, 3])]), sample: { x: vals(6) }, shape: [2, 3] },
  { name: 'gelu', op: 'gelu', build: (g) => g.op('gelu', 'y', [g.input('x', [2, 3])]), sample: { x: vals(6, 2) }, shape: [2, 3] },
  { name: 'softmax', op: 'softmax', build: (g) => g.op('softmax', 'y', [g.input('x', [2, 4])]), sample: { x: vals(8, 2) }, shape: [2, 4] },
  {
    name: 'layernorm',
    op: 'layernorm',
    build: (g) => g.op('layernorm', 'y', [g.input('x', [2, 4]), g.weight('g', [4], weight(4, 1)), g.weight('b', [4], weight(4, 0.5, 5))]),
    sample: { x: vals(8, 2) },
    shape: [2, 4],
    bad: { build: (g) => g.op('layernorm', 'y', [g.input('x', [2, 4]), g.weight('g', [3], weight(3)), g.weight('b', [4], weight(4))]), message: /node y \(layernorm\): expected g of shape \[4\], got \[3\]/ },
  },
  {
    // no γ, β: the normalised value itself (γ, β folded elsewhere)
    name: 'layernorm (no affine)',
    op: 'layernorm',
    build: (g) => g.op('layernorm', 'y', [g.input('x', [3, 5])]),
    sample: { x: vals(15, 2, 3) },
    shape: [3, 5],
    bad: { build: (g) => g.op('layernorm', 'y', [g.input('x', [2, 4]), g.weight('g', [4], weight(4))]), message: /node y \(layernorm\): expected inputs \[x\] or \[x, γ, β\], got 2 inputs/ },
  },
  {
    name: 'attention',
    op: 'attention',
    build: (g) => g.op('attention', 'y', [g.input('q', [2, 3, 4]), g.input('k', [2, 3, 4]), g.input('v', [2, 3, 4])]),
    sample: { q: vals(24, 1, 1), k: vals(24, 1, 2), v: vals(24, 1, 3) },
    shape: [2, 3, 4],
    bad: { build: (g) => g.op('attention', 'y', [g.input('q', [2, 3, 4]), g.input('k', [2, 3, 4]), g.input('v', [2, 4, 3])]), message: /Q, K, V shapes differ/ },
  },
  {
    name: 'gather',
    op: 'gather',
    build: (g) => g.op('gather', 'y', [g.weight('table', [5, 3], weight(15)), g.input('ids', [4], 'ids', 5)]),
    sample: { ids: [4, 0, 2, 2] },
    shape: [4, 3],
    bad: { build: (g) => g.op('gather', 'y', [g.input('t', [5, 3]), g.input('ids', [4], 'ids', 5)]), message: /expected a weight table \[V, D\] as first input/ },
  },
  {
    name: 'reshape',
    op: 'reshape',
    build: (g) => g.op('reshape', 'y', [g.input('x', [2, 3])], { shape: [3, 2] }),
    sample: { x: vals(6) },
    shape: [3, 2],
    bad: { build: (g) => g.op('reshape', 'y', [g.input('x', [2, 3])], { shape: [4, 2] }), message: /cannot reshape \[2, 3\] to \[4, 2\]/ },
  },
  { name: 'transpose', op: 'transpose', build: (g) => g.op('transpose', 'y', [g.input('x', [2, 3, 2])], { perm: [2, 0, 1] }), sample: { x: vals(12) }, shape: [2, 2, 3] },
  {
    name: 'slice',
    op: 'slice',
    build: (g) => g.op('slice', 'y', [g.input('x', [4, 2])], { start: 1, end: 3 }),
    sample: { x: vals(8) },
    shape: [2, 2],
    bad: { build: (g) => g.op('slice', 'y', [g.input('x', [4, 2])], { start: 3, end: 5 }), message: /rows 3…5 are not inside axis 0 of \[4, 2\]/ },
  },
  {
    name: 'view (concat + pick)',
    op: 'view',
    build: (g) => g.op('view', 'y', [g.input('a', [2, 2]), g.input('b', [3])], { shape: [2, 3], indices: [6, 0, 1, 4, 4, 3] }),
    sample: { a: vals(4), b: vals(3, 1, 2) },
    shape: [2, 3],
    bad: { build: (g) => g.op('view', 'y', [g.input('a', [2, 2])], { shape: [2], indices: [0, 4] }), message: /index 1 = 4 is outside the 4 input entries/ },
  },
  { name: 'rowmax', op: 'rowmax', build: (g) => g.op('rowmax', 'y', [g.input('x', [3, 4])]), sample: { x: vals(12) }, shape: [3] },
  ...(['sigmoid', 'tanh', 'exp', 'erf', 'sqrt'] as const).map(
    (fn): Case => ({
      name: `fn ${fn}`,
      op: 'fn',
      build: (g) => g.op('fn', 'y', [g.input('x', [2, 3])], { fn }),
      sample: { x: vals(6, 1.5).map((v) => (fn === 'sqrt' ? Math.abs(v) : v)) },
      shape: [2, 3],
      bad: { build: (g) => g.op('fn', 'y', [g.input('x', [2, 3])], { fn: 'log' as never }), message: /attrs.fn "log" is not one of sigmoid, tanh, exp, erf, sqrt/ },
    }),
  ),
];

describe.each(cases)('op $name', (c) => {
  const b = new GraphBuilder(c.name);
  const out = c.build(b);
  const g = b.build([out]);
  const node = g.nodes[0]!;
  const def = opDef(c.op);
  const info = inferShapes(g);
  const { quant } = calibrate(g, [c.sample], { scale: 8 });

  it('infers the output shape (and rejects a bad node naming it)', () => {
    expect(g.nodes.length).toBe(1);
    expect(info.get(out)!.shape).toEqual(c.shape);
    if (c.bad) {
      const bb = new GraphBuilder('bad');
      c.bad.build(bb);
      expect(() => bb.build(['y'])).toThrow(GraphError);
      expect(() => bb.build(['y'])).toThrow(c.bad.message);
    }
  });

  it('quantized evaluation is within the documented error of the float reference', () => {
    const p = compileModel(g, quant);
    const q = new QuantEvaluator(g, quant, p.weights);
    const qin = q.quantizeInputs(c.sample);
    const got = q.run(qin).get(out)!.data;
    // the float reference on the quantization grid: inputs and weights as the circuit sees them
    const grid = Object.fromEntries(g.inputs.map((i) => [i.name, i.kind === 'ids' ? Array.from(qin[i.name]!, Number) : Array.from(dequantizeValues(qin[i.name]!, quant.scale))]));
    const want = evaluateFloat(g, grid, p.weights.dequantized()).get(out)!.data;
    const bound = def.maxError(nodeShapes(node, info), quant);
    const err = Math.max(...Array.from(got, (v, i) => Math.abs(Number(v) / 2 ** quant.scale - want[i]!)));
    expect(err).toBeLessThanOrEqual(bound + 1e-12);
  });

  it('the circuit computes the quantized evaluation, and the cost formula equals the measured region rows', () => {
    const p = compileModel(g, quant);
    const q = new QuantEvaluator(g, quant, p.weights);
    const qin = q.quantizeInputs(c.sample);
    const circuit = new ModelCircuit(p, qin);
    const rows = modelRows(p);
    const configured = configure(circuit);
    const plan = floorPlan(circuit, configured, 16);
    expect(plan.rows.reduce((a, r) => a + r, 0)).toBe(rows.regions);
    const ownRows = def.cost(nodeShapes(node, info), quant).rows.reduce((a, [, r]) => a + r, 0);
    expect(rows.regions - (rows.byOp['load'] ?? 0)).toBe(ownRows);
    let k = 8;
    while (2 ** k < Math.max(plan.height, rows.tables) + 16) k++;
    expect(MockProver.run(k, circuit, publicInstances(p, q.run(qin))).verify()).toEqual([]);
  });
});

describe('layernorm without γ, β', () => {
  const x = vals(15, 2, 3);
  const one = new GraphBuilder('ln1');
  const g1 = one.build([one.op('layernorm', 'y', [one.input('x', [3, 5])])]);
  // the same LayerNorm with γ = 1, β = 0 (·γ rescales y·2^s exactly, +0 is exact)
  const three = new GraphBuilder('ln3');
  const g3 = three.build([three.op('layernorm', 'y', [three.input('x', [3, 5]), three.weight('g', [5], new Float64Array(5).fill(1)), three.weight('b', [5], new Float64Array(5))])]);
  const { quant } = calibrate(g1, [{ x }], { scale: 8 });

  it('is the normalised value layerNormSpec gives, equal to γ = 1, β = 0; one chip, no tables', () => {
    const p1 = compileModel(g1, quant);
    const q1 = new QuantEvaluator(g1, quant, p1.weights);
    const qin = q1.quantizeInputs({ x });
    const got = q1.run(qin).get('y')!.data;
    expect(Array.from(got)).toEqual(Array.from(layerNormSpec(qin['x']!, 3, layerNormParamsFor(quant, 5))));
    const p3 = compileModel(g3, quant);
    expect(Array.from(new QuantEvaluator(g3, quant, p3.weights).run(qin).get('y')!.data)).toEqual(Array.from(got));
    // the float reference without γ, β: (x − μ) / √(σ² + ε)
    const f = evaluateFloat(g1, { x }, p1.weights.dequantized()).get('y')!.data;
    const row = x.slice(0, 5);
    const mu = row.reduce((a, b) => a + b, 0) / 5;
    const sd = Math.sqrt(row.reduce((a, b) => a + (b - mu) ** 2, 0) / 5 + 1e-5);
    expect(f[0]).toBeCloseTo((row[0]! - mu) / sd, 12);
    const s = nodeShapes(g1.nodes[0]!, inferShapes(g1));
    expect(opDef('layernorm').chips(s, quant)).toEqual([{ kind: 'layernorm', width: 5 }]);
    expect(opDef('layernorm').cost(s, quant)).toEqual({ rows: [[{ kind: 'layernorm', width: 5 }, 15]], tables: [] });
    expect(modelRows(p1).tables).toBe(2 ** (quant.limbBits ?? 8));
  });
});
