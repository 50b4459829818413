/**
 * Pattern recognition (onnx-fuse.ts) on small graphs built in memory, each
 * checked against the ONNX float evaluator (the oracle): a recognised
 * pattern lowers to one IR op and computes the same values; a near miss
 * (an intermediate read elsewhere, a mask that is not causal, a function
 * that is not GELU) is left to the op-by-op lowering, which also matches
 * (to 1e-6: the ONNX evaluator rounds float32 results as onnxruntime does).
 */
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { evaluateFloat, evaluateOnnx, onnxToGraph, parseOnnx } from '../../src/models/index.js';

const { onnx } = onnxProto;
const T = onnx.AttributeProto.AttributeType;
const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const f32 = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: 1, floatData: data });
const bool = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: 9, int32Data: data });
const node = (opType: string, input: string[], output: string, attribute: proto.IAttributeProto[] = []) => ({ name: output, opType, input, output: [output], attribute });
const axes = (v: number[]) => ({ name: 'axes', type: T.INTS, ints: v });

function check(nodes: proto.INodeProto[], inputs: Record<string, [number[], number[]]>, out: [string, number[]], inits: proto.ITensorProto[], tol = 1e-6) {
  const m = parseOnnx(
    onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'g', node: nodes, input: Object.entries(inputs).map(([k, [d]]) => vi(k, d)), output: [vi(...out)], initializer: inits },
    }).finish(),
  );
  const lowered = onnxToGraph(m);
  const want = evaluateOnnx(m, Object.fromEntries(Object.entries(inputs).map(([k, [dims, v]]) => [k, { dims, dtype: 1, data: Float64Array.from(v) }]))).get(out[0])!.data;
  const got = evaluateFloat(lowered.graph, Object.fromEntries(Object.entries(inputs).map(([k, [, v]]) => [k, v]))).get(lowered.outputs.get(out[0])!)!.data;
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThan(tol));
  return { fused: lowered.fused, ops: lowered.graph.nodes.map((n) => n.op).filter((o) => !['reshape', 'transpose', 'view'].includes(o)) };
}

const vals = (n: number, seed = 1) => Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 1.5);

describe('LayerNorm written out', () => {
  const ln = (extraUse: boolean) => [
    node('ReduceMean', ['x'], 'mu', [axes([-1])]),
    node('Sub', ['x', 'mu'], 'd'),
    node('Mul', ['d', 'd'], 'd2'),
    node('ReduceMean', ['d2'], 'var', [axes([-1])]),
    node('Add', ['var', 'eps'], 've'),
    node('Sqrt', ['ve'], 'sd'),
    node('Div', ['d', 'sd'], 'n'),
    node('Mul', ['n', 'g'], 'ng'),
    node('Add', ['ng', 'b'], extraUse ? 'y0' : 'y'),
    ...(extraUse ? [node('Add', ['y0', 'd'], 'y')] : []),
  ];
  const inits = [f32('eps', [], [1e-3]), f32('g', [4], [1, 0.5, -1, 2]), f32('b', [4], [0.1, 0, -0.2, 0.3])];
  it('with γ, β and Mul(d, d) is one layernorm with its ε', () => {
    const r = check(ln(false), { x: [[3, 4], vals(12)] }, ['y', [3, 4]], inits);
    expect(r.fused).toEqual(['layernorm']);
    expect(r.ops).toEqual(['layernorm']);
  });
  it('is left op by op when the centred x is also read elsewhere (its Div then lowers to div)', () => {
    const r = check(ln(true), { x: [[3, 4], vals(12)] }, ['y', [3, 4]], inits);
    expect(r.fused).toEqual([]);
    expect(r.ops).toContain('div');
  });
});

describe('GELU written out', () => {
  it('the erf form 0.5·x·(1 + erf(x/√2)) is one gelu (tanh form, within 1e-3)', () => {
    const nodes = [node('Div', ['x', 'r2'], 'a'), node('Erf', ['a'], 'e'), node('Add', ['e', 'one'], 'e1'), node('Mul', ['x', 'e1'], 'xe'), node('Mul', ['xe', 'half'], 'y')];
    const r = check(nodes, { x: [[2, 5], vals(10)] }, ['y', [2, 5]], [f32('r2', [], [Math.SQRT2]), f32('one', [], [1]), f32('half', [], [0.5])], 1e-3);
    expect(r.fused).toEqual(['gelu']);
    expect(r.ops).toEqual(['gelu']);
  });
  it('x·tanh(x) is not GELU and stays op by op', () => {
    const r = check([node('Tanh', ['x'], 't'), node('Mul', ['x', 't'], 'y')], { x: [[2, 5], vals(10)] }, ['y', [2, 5]], []);
    expect(r.fused).toEqual([]);
    expect(r.ops).toEqual(['fn', 'mul']);
  });
});

describe('masked attention written out', () => {
  const [H, S, d] = [2, 4, 3];
  const causal = Array.from({ length: S * S }, (_, f) => (f % S > Math.floor(f / S) ? 1 : 0));
  const attn = (scale: number, mask: number[]) => ({
    nodes: [
      node('Transpose', ['k'], 'kt', [{ name: 'perm', type: T.INTS, ints: [0, 1, 3, 2] }]),
      node('MatMul', ['q', 'kt'], 's'),
      node('Mul', ['s', 'c'], 'sc'),
      node('Where', ['m', 'fill', 'sc'], 'sm'),
      node('Softmax', ['sm'], 'p', [{ name: 'axis', type: T.INT, i: -1 }]),
      node('MatMul', ['p', 'v'], 'y'),
    ],
    inits: [f32('c', [], [scale]), bool('m', [S, S], mask), f32('fill', [], [-1e9])],
  });
  const inputs = { q: [[1, H, S, d], vals(H * S * d, 1)], k: [[1, H, S, d], vals(H * S * d, 2)], v: [[1, H, S, d], vals(H * S * d, 3)] } as Record<string, [number[], number[]]>;
  it('scaled by 1/√d with a causal mask is one attention op', () => {
    const { nodes, inits } = attn(1 / Math.sqrt(d), causal);
    const r = check(nodes, inputs, ['y', [1, H, S, d]], inits, 1e-6);
    expect(r.fused).toEqual(['attention']);
    expect(r.ops).toEqual(['attention']);
  });
  it('another scale is folded into Q by one mul', () => {
    const { nodes, inits } = attn(0.8, causal);
    const r = check(nodes, inputs, ['y', [1, H, S, d]], inits, 1e-6);
    expect(r.fused).toEqual(['attention']);
    expect(r.ops).toEqual(['mul', 'attention']);
  });
  it('a mask that is not causal is left op by op (softmax and per-head matmuls)', () => {
    const { nodes, inits } = attn(1 / Math.sqrt(d), causal.map((v, f) => (f === 1 ? 0 : v)));
    const r = check(nodes, inputs, ['y', [1, H, S, d]], inits, 1e-6);
    expect(r.fused).toEqual([]);
    expect(r.ops).toContain('softmax');
  });
});
