/**
 * ONNX operators that only move entries, lowered to the IR's `view` op (no
 * constraints: the output's cells are input cells picked by index). Their
 * index maps are the float evaluator's own (onnx-eval.ts), so the circuit
 * picks exactly what the reference picks.
 *
 *   Concat                  inputs side by side along the axis (constants become weights)
 *   Slice                   starts / ends / axes / steps constant, any step ≠ 0
 *   Gather(data, indices)   indices constant; Gather(table, ids) with integer ids → IR gather
 *   Where(c, x, y)          c constant: entry i from x or y (broadcast)
 *   Split                   sizes constant: one view per output
 */
import { AttrReader, type OnnxNode } from './onnx.js';
import { concatIndices, gatherIndices, sliceIndices } from './onnx-eval.js';
import { splitParts } from './onnx-eval-shape.js';
import { broadcastIndex, broadcastShape, size } from './onnx-eval-nn.js';
import type { Dyn, Lowering } from './onnx-lower.js';

const nonEmpty = (L: Lowering, n: OnnxNode, dims: readonly number[]) => {
  if (dims.some((d) => d === 0)) L.fail(n, `the result [${dims.join(', ')}] is empty`);
};

export function lowerConcat(L: Lowering, n: OnnxNode, out: string): Dyn {
  const parts = n.inputs.map((name, i) => L.asDyn(L.operand(n, i), name));
  const { dims, indices } = concatIndices(n, parts.map((p) => p.dims));
  return L.view(out, parts, indices, dims);
}

export function lowerSlice(L: Lowering, n: OnnxNode, out: string): Dyn {
  const x = L.dynOf(n, n.inputs[0]!);
  const at = new AttrReader(n);
  const ints = (i: number, what: string) => (n.inputs[i] ? Array.from(L.constInput(n, i, what).data) : undefined);
  const [starts, ends, axes, steps] =
    L.model.opset >= 10 ? [ints(1, 'starts'), ints(2, 'ends'), ints(3, 'axes'), ints(4, 'steps')] : [at.ints('starts'), at.ints('ends'), at.ints('axes'), undefined];
  if (!starts || !ends) L.fail(n, 'missing starts or ends');
  const { dims, indices } = sliceIndices(n, x.dims, starts!, ends!, axes, steps);
  nonEmpty(L, n, dims);
  return L.view(out, [x], indices, dims);
}

export function lowerGather(L: Lowering, n: OnnxNode, out: string): Dyn {
  const data = L.operand(n, 0);
  const idx = L.constOf(n.inputs[1]!);
  if (data.dyn && idx) {
    const { dims, indices } = gatherIndices(n, data.dyn.dims, idx);
    nonEmpty(L, n, dims);
    return L.view(out, [data.dyn], indices, dims);
  }
  const ids = L.dyn.get(n.inputs[1]!);
  const isIds = ids && L.g.inputs.some((i) => i.name === ids.ir && i.kind === 'ids');
  if (data.const && isIds) {
    const table = L.weight(data.const, n.inputs[0]!);
    const D = data.const.dims[1]!;
    // ids held 1-D for a [1, T] input: gather [T, D], then the ONNX dims [1, T, D]
    const onnxDims = [...(L.idsDims.get(n.inputs[1]!) ?? ids.dims), D];
    const rows = L.op('gather', onnxDims.length === 2 ? out : `${out}:rows`, [table, ids], [ids.dims[0]!, D]);
    return L.reshape(rows, onnxDims, out);
  }
  return L.fail(n, 'only constant indices (or integer token ids from a graph input into a constant table) are supported');
}

export function lowerWhere(L: Lowering, n: OnnxNode, out: string): Dyn {
  const cond = L.constOf(n.inputs[0]!) ?? L.fail(n, 'the condition (input 0) must be a constant (a mask): a computed condition has no circuit lowering');
  const [x, y] = [L.operand(n, 1), L.operand(n, 2)];
  const xd = L.asDyn(x, n.inputs[1]!);
  const yd = L.asDyn(y, n.inputs[2]!);
  const shape = (o: typeof x, d: Dyn) => o.const?.dims ?? d.dims;
  let dims = broadcastShape(cond.dims, shape(x, xd), () => `node ${n.name}`);
  dims = broadcastShape(dims, shape(y, yd), () => `node ${n.name}`);
  const ci = broadcastIndex(cond.dims, dims);
  const xi = broadcastIndex(xd.dims.length > dims.length ? [size(xd.dims)] : xd.dims, dims);
  const yi = broadcastIndex(yd.dims.length > dims.length ? [size(yd.dims)] : yd.dims, dims);
  const nx = size(xd.dims);
  const indices = Array.from({ length: size(dims) }, (_, i) => (cond.data[ci[i]!] ? xi[i]! : nx + yi[i]!));
  return L.view(out, [xd, yd], indices, dims);
}

export function lowerSplit(L: Lowering, n: OnnxNode): Dyn[] {
  const x = L.dynOf(n, n.inputs[0]!);
  const sizes = L.model.opset >= 13 && n.inputs[1] ? Array.from(L.constInput(n, 1, 'split').data) : undefined;
  return splitParts(n, x.dims, sizes, L.model).map(({ dims, indices }, i) => {
    nonEmpty(L, n, dims);
    return L.view(n.outputs[i] || `${n.name}:${i}`, [x], indices, dims);
  });
}
