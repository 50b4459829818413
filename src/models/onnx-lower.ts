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
  private readonly weights = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(
    readonly model: OnnxModel,
    name: string,
  ) {
    this.g = new GraphBuilder(name);
    this.consts = new Map(model.graph.initializers);
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
