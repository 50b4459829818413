/**
 * The op registry: every op the IR knows has exactly one definition, every
 * op the builders and presets use is in it, and an unknown op is a typed
 * GraphError naming the op and the node.
 */
import { describe, expect, it } from 'vitest';
import { getPreset, type Graph, GraphError, inferShapes, isOpType, OP_NAMES, opDef, OPS, presetGraph, buildMlp } from '../../../src/models/index.js';

describe('op registry', () => {
  it('has one definition per op name, each a distinct object', () => {
    expect(new Set(OP_NAMES).size).toBe(OP_NAMES.length);
    const defs = OP_NAMES.map((n) => opDef(n));
    expect(new Set(defs).size).toBe(defs.length);
    for (const n of OP_NAMES) expect(OPS[n]).toBe(opDef(n));
    expect(OP_NAMES).toEqual(expect.arrayContaining(['matmul', 'add', 'mul', 'relu', 'gelu', 'softmax', 'layernorm', 'reshape', 'transpose', 'slice', 'gather', 'attention', 'view', 'rowmax', 'fn']));
  });

  it('every op used by the MLP and GPT-2 builders is registered', () => {
    const graphs: Graph[] = [buildMlp({ widths: [4, 8, 3], activation: 'gelu' }), presetGraph(getPreset('gpt2-tiny'), 3)];
    for (const g of graphs) for (const n of g.nodes) expect(isOpType(n.op), `${n.name}: ${n.op}`).toBe(true);
  });

  it('an unknown op is a GraphError naming the op and the node', () => {
    expect(() => opDef('conv3d')).toThrow(GraphError);
    expect(() => opDef('conv3d')).toThrow(/unsupported op "conv3d" \(expected one of matmul, /);
    expect(isOpType('toString')).toBe(false);
    const g = { name: 'g', inputs: [{ name: 'x', shape: [2], kind: 'real' as const }], weights: [], nodes: [{ name: 'n1', op: 'conv3d' as never, inputs: ['x'], output: 'n1', attrs: {} }], outputs: ['n1'] };
    expect(() => inferShapes(g)).toThrow(/node n1 \(conv3d\): unsupported op "conv3d"/);
  });

  it('arity is checked from the definition', () => {
    const g = { name: 'g', inputs: [{ name: 'x', shape: [2], kind: 'real' as const }], weights: [], nodes: [{ name: 'r', op: 'relu' as const, inputs: ['x', 'x'], output: 'r', attrs: {} }], outputs: ['r'] };
    expect(() => inferShapes(g)).toThrow(/node r \(relu\): expected 1 inputs, got 2/);
  });
});
