/**
 * The state of one ONNX → IR lowering and the helpers every op lowering
 * shares (onnx-ops.ts drives it; onnx-ops-nn.ts and onnx-ops-view.ts lower
 * the window and view operators with it).
 *
 * A tensor is either constant (an `OnnxTensor`, folded at import time) or
 * dynamic (an IR tensor with static dims). Constants become IR weights only
 * where an IR op reads them. Shapes with broadcasting are brought to what the
 * IR ops take with views:
 *   add/mul   a has the output shape; b is the output's trailing part
 *             (a constant is expanded to that part, a dynamic b is reshaped to
 *             it or, when it broadcasts over inner axes, gathered to the output shape)
 *   view      any index map (transpose, slice, broadcast, concat, pad, im2col)
 */
import { GraphBuilder, type NodeAttrs, type OpType } from './ir.js';
import { OnnxImportError, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx.js';
import { runOnnxNode } from './onnx-eval.js';
import { broadcastIndex, broadcastShape, size, stridesOf } from './onnx-eval-nn.js';
import { transposeIndices } from './ir.js';

export interface Dyn {
  readonly ir: string;
  readonly dims: readonly number[];
}

export type Operand = { readonly dyn: Dyn; readonly const?: undefined } | { readonly const: OnnxTensor; readonly dyn?: undefined };

export const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
export const scalar = (v: number): OnnxTensor => ({ dims: [], dtype: 1, data: Float64Array.of(v) });

export class Lowering {
  readonly g: GraphBuilder;
  readonly consts: Map<string, OnnxTensor>;
  readonly dyn = new Map<string, Dyn>();
  /** ONNX dims of token-id inputs whose IR tensor is 1-D (e.g. [1, T] → [T]). */
  readonly idsDims = new Map<string, readonly number[]>();
  /** The node that computes each tensor, and the nodes that read it. */
  readonly producer = new Map<string, OnnxNode>();
  readonly consumers = new Map<string, OnnxNode[]>();
  private readonly weights = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(
    readonly model: OnnxModel,
    name: string,
  ) {
    this.g = new GraphBuilder(name);
    this.consts = new Map(model.graph.initializers);
    for (const n of model.graph.nodes) {
      for (const o of n.outputs) if (o) this.producer.set(o, n);
      for (const i of new Set(n.inputs)) if (i) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
    }
  }

  /** ONNX dims of a computed tensor (token ids keep their graph-input dims). */
  onnxDims(name: string): readonly number[] | undefined {
    return this.idsDims.get(name) ?? this.dyn.get(name)?.dims;
  }

  /**
   * The value of `name` when it is a constant, folding the nodes that compute
   * it ahead of their turn (pattern matchers look ahead at masks, exponents
   * and ε that the graph computes later than the node they start from). A
   * Shape of a computed tensor folds once that tensor is defined.
   */
  constValue(name: string, seen = new Set<string>()): OnnxTensor | undefined {
    if (!name) return undefined;
    const known = this.consts.get(name);
    if (known || this.dyn.has(name) || seen.has(name)) return known;
    seen.add(name);
    const p = this.producer.get(name);
    if (!p) return undefined;
    let ins: (OnnxTensor | undefined)[];
    if (p.opType === 'Shape') {
      const dims = this.onnxDims(p.inputs[0] ?? '');
      if (!dims) return undefined;
      ins = [{ dims, dtype: 1, data: new Float64Array(size(dims)) }];
    } else {
      ins = p.inputs.map((i) => (i ? this.constValue(i, seen) : undefined));
      if (p.inputs.some((i, k) => i && !ins[k])) return undefined;
    }
    const outs = runOnnxNode(p, ins, this.model);
    p.outputs.forEach((o, k) => o && outs[k] && this.consts.set(o, outs[k]));
    return this.consts.get(name);
  }

  fail(n: OnnxNode, msg: string): never {
    throw new OnnxImportError(msg, n.name, n.opType);
  }

  /** A fresh IR name: `base` when unused, else `base#k`. */
  name(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}#${k}`;
    this.used.add(name);
    return name;
  }

  constOf(name: string): OnnxTensor | undefined {
    return name ? this.consts.get(name) : undefined;
  }
  dynOf(n: OnnxNode, name: string): Dyn {
    return this.dyn.get(name) ?? this.fail(n, `input "${name}" is neither a constant nor computed before this node`);
  }
  /** Input i as a constant or a dynamic tensor. */
  operand(n: OnnxNode, i: number): Operand {
    const name = n.inputs[i] ?? '';
    if (!name) this.fail(n, `missing input ${i}`);
    const c = this.constOf(name);
    return c ? { const: c } : { dyn: this.dynOf(n, name) };
  }
  constInput(n: OnnxNode, i: number, what: string): OnnxTensor {
    return this.constOf(n.inputs[i] ?? '') ?? this.fail(n, `${what} (input ${i}) must be a constant`);
  }
  define(name: string, d: Dyn): void {
    this.dyn.set(name, d);
  }

  /** An IR weight holding constant `t` (expanded to `dims` when given; scalars become [1]). Cached by label and dims. */
  weight(t: OnnxTensor, label: string, dims?: readonly number[]): Dyn {
    let data = t.data;
    let shape: readonly number[] = t.dims;
    if (dims && !sameDims(dims, t.dims)) {
      let cd = t.dims;
      while (cd.length > dims.length && cd[0] === 1) cd = cd.slice(1);
      data = Float64Array.from(broadcastIndex(cd, dims), (j) => t.data[j]!);
      shape = dims;
    }
    if (shape.length === 0) shape = [1];
    const key = `${label}@${shape.join('x')}`;
    const known = this.weights.get(key);
    if (known) return { ir: known, dims: shape };
    const ir = this.g.weight(this.name(label), shape, Float64Array.from(data));
    this.weights.set(key, ir);
    return { ir, dims: shape };
  }
  asDyn(x: Operand, label: string): Dyn {
    return x.dyn ?? this.weight(x.const!, label);
  }

  op(op: OpType, base: string, inputs: readonly Dyn[], dims: readonly number[], attrs: NodeAttrs = {}): Dyn {
    return { ir: this.g.op(op, this.name(base), inputs.map((i) => i.ir), attrs), dims };
  }
  view(base: string, parts: readonly Dyn[], indices: ArrayLike<number>, dims: readonly number[]): Dyn {
    // a view that is the whole of one input in order is that input reshaped
    if (parts.length === 1 && indices.length === size(parts[0]!.dims) && Array.prototype.every.call(indices, (v: number, i: number) => v === i)) return this.reshape(parts[0]!, dims, base);
    return this.op('view', base, parts, dims, { shape: [...dims], indices: Array.from(indices) });
  }
  reshape(x: Dyn, dims: readonly number[], base: string): Dyn {
    return sameDims(x.dims, dims) ? x : this.op('reshape', base, [x], dims, { shape: [...dims] });
  }
  transpose(x: Dyn, perm: readonly number[], base: string): Dyn {
    if (perm.every((p, i) => p === i)) return x;
    const dims = perm.map((p) => x.dims[p]!);
    return this.op('transpose', base, [x], dims, { perm: [...perm] });
  }
  /** x broadcast (numpy) to `dims`, by a view when it needs copies. */
  broadcast(x: Dyn, dims: readonly number[], base: string): Dyn {
    if (size(x.dims) === size(dims)) return this.reshape(x, dims, base);
    return this.view(base, [x], broadcastIndex(x.dims, dims), dims);
  }

  /** add / mul with numpy broadcasting (both commute, so a constant or smaller operand goes second). */
  elementwise(n: OnnxNode, op: 'add' | 'mul', out: string, a: Operand, b: Operand, label: string): Dyn {
    if (!a.dyn) [a, b] = [b, a];
    const x = a.dyn ?? this.fail(n, 'both operands are constant (should have been folded)');
    const bd = b.dyn ? b.dyn.dims : b.const!.dims;
    const dims = broadcastShape(x.dims, bd, () => `node ${n.name}`);
    if (b.dyn && size(b.dyn.dims) > size(x.dims)) return this.elementwise(n, op, out, b, a, label);
    const full = this.broadcast(x, dims, `${out}:bcast`);
    const tail = trailingPart(bd, dims);
    const y = b.const ? this.weight(b.const, label, tail) : size(b.dyn!.dims) === size(tail) ? this.reshape(b.dyn!, tail, `${out}:b`) : this.broadcast(b.dyn!, dims, `${out}:bcastb`);
    const res = this.op(op, out, [full, y], dims);
    return res;
  }

  /** The view of x [.., rows, cols] transposed on its last two axes. */
  swapLast(x: Dyn, base: string): Dyn {
    const r = x.dims.length;
    return this.transpose(x, [...x.dims.keys()].map((i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i)), base);
  }
}

/** The trailing part of `dims` that a tensor of shape `b` varies over (its leading 1s and missing axes dropped). */
export function trailingPart(b: readonly number[], dims: readonly number[]): number[] {
  let r = b.length;
  while (r > 0 && b[b.length - r] === 1) r--;
  return r === 0 ? dims.slice(-1) : dims.slice(dims.length - r);
}

/** Flat indices of a transposed tensor (re-export for the op files). */
export { transposeIndices, stridesOf };
