/**
 * Float kernels of the ONNX operators that exports use to compute shapes and
 * masks (PyTorch's `torch.arange`, `split`, `mask == 0`), merged into the
 * evaluator's table (onnx-eval.ts). The lowering folds them at import when
 * their inputs are constant; `Split` of a computed tensor lowers to views with
 * the index map `splitParts` computes here.
 *
 *   ConstantOfShape(shape)      a tensor of `value` (default float 0)
 *   NonZero(x)                  [rank, count] int64 coordinates, row-major order
 *   Equal, Less, Greater        bool (numpy broadcasting)
 *   Split(x[, split])           pieces along `axis`: sizes from the attribute
 *                               (opset < 13), input 1 (≥ 13), or equal parts
 */
import { AttrReader, type OnnxNode, OnnxImportError, type OnnxTensor } from './onnx.js';
import { broadcastIndex, broadcastShape, size } from './onnx-eval-nn.js';

interface Ctx {
  readonly opset: number;
}
type Kernel = (n: OnnxNode, x: readonly (OnnxTensor | undefined)[], ctx: Ctx) => OnnxTensor[];

const fail = (n: OnnxNode, msg: string): never => {
  throw new OnnxImportError(msg, n.name, n.opType);
};
const need = (n: OnnxNode, x: readonly (OnnxTensor | undefined)[], i: number): OnnxTensor => x[i] ?? fail(n, `missing input ${i}`);

function constantOfShape(n: OnnxNode, x: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const dims = Array.from(need(n, x, 0).data);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) fail(n, `expected a shape of non-negative integers, got [${dims.join(', ')}]`);
  const value = new AttrReader(n).tensor('value');
  if (value && value.data.length !== 1) fail(n, `attribute value: expected one element, got ${value.data.length}`);
  return [{ dims, dtype: value?.dtype ?? 1, data: new Float64Array(size(dims)).fill(value?.data[0] ?? 0) }];
}

function nonZero(n: OnnxNode, x: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const a = need(n, x, 0);
  const r = a.dims.length;
  const hits: number[] = [];
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== 0) hits.push(i);
  // a scalar input counts as rank 1 (onnxruntime and the reference agree)
  const dims = r === 0 ? [1] : a.dims;
  const out = new Float64Array(dims.length * hits.length);
  hits.forEach((flat, j) => {
    for (let d = dims.length - 1, f = flat; d >= 0; d--) {
      out[d * hits.length + j] = f % dims[d]!;
      f = Math.floor(f / dims[d]!);
    }
  });
  return [{ dims: [dims.length, hits.length], dtype: 7, data: out }];
}

const compare = (f: (a: number, b: number) => boolean): Kernel => (n, x) => {
  const [a, b] = [need(n, x, 0), need(n, x, 1)];
  const dims = broadcastShape(a.dims, b.dims, () => `node ${n.name}`);
  const [ai, bi] = [broadcastIndex(a.dims, dims), broadcastIndex(b.dims, dims)];
  return [{ dims, dtype: 9, data: Float64Array.from({ length: size(dims) }, (_, i) => (f(a.data[ai[i]!]!, b.data[bi[i]!]!) ? 1 : 0)) }];
};

/** Split's pieces: the output dims and, for each, the flat input index of each entry. */
export function splitParts(n: OnnxNode, dims: readonly number[], sizesIn: readonly number[] | undefined, ctx: Ctx): { dims: number[]; indices: Int32Array }[] {
  const at = new AttrReader(n);
  const raw = at.int('axis', 0);
  const axis = raw < 0 ? raw + dims.length : raw;
  if (!(axis >= 0 && axis < dims.length)) fail(n, `axis ${raw} is outside rank ${dims.length}`);
  const len = dims[axis]!;
  const count = n.outputs.length;
  let sizes = sizesIn ?? (ctx.opset < 13 ? at.ints('split') : undefined);
  if (!sizes) {
    const parts = ctx.opset >= 18 ? at.int('num_outputs', count) : count;
    const chunk = Math.ceil(len / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, len - i * chunk)));
  }
  if (sizes.length !== count) fail(n, `${sizes.length} split sizes for ${count} outputs`);
  if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== len) fail(n, `split sizes [${sizes.join(', ')}] do not add up to axis ${axis}'s length ${len}`);
  const outer = size(dims.slice(0, axis));
  const inner = size(dims.slice(axis + 1));
  let start = 0;
  return sizes.map((s) => {
    const d = dims.map((v, i) => (i === axis ? s : v));
    const indices = new Int32Array(size(d));
    let f = 0;
    for (let o = 0; o < outer; o++) for (let j = 0; j < s * inner; j++) indices[f++] = o * len * inner + start * inner + j;
    start += s;
    return { dims: d, indices };
  });
}

function split(n: OnnxNode, x: readonly (OnnxTensor | undefined)[], ctx: Ctx): OnnxTensor[] {
  const a = need(n, x, 0);
  const sizes = ctx.opset >= 13 && x[1] ? Array.from(x[1].data) : undefined;
  return splitParts(n, a.dims, sizes, ctx).map(({ dims, indices }) => ({ dims, dtype: a.dtype, data: Float64Array.from(indices, (i) => a.data[i]!) }));
}

export const SHAPE_KERNELS: Readonly<Record<string, Kernel>> = {
  ConstantOfShape: constantOfShape,
  NonZero: nonZero,
  Equal: compare((a, b) => a === b),
  Less: compare((a, b) => a < b),
  Greater: compare((a, b) => a > b),
  Split: split,
};
