/**
 * The float64 reference evaluator for ONNX graphs, op by op after the ONNX
 * operator specification (numpy broadcasting, negative axes, opset-dependent
 * attributes-vs-inputs). It is the oracle the importer is checked against:
 * ONNX's own node test cases run here (test/models/onnx-conformance.test.ts),
 * and the lowered circuit IR's `evaluateFloat` is compared with it.
 *
 * Integer tensors are computed in float64 and wrapped to their type's range
 * (uint8 addition wraps mod 256, integer Div truncates toward zero).
 */
import { AttrReader, dtypeName, isFloatType, type OnnxGraph, type OnnxModel, type OnnxNode, OnnxImportError, type OnnxTensor } from './onnx.js';
import { erfFloat } from './float-eval.js';
import { SHAPE_KERNELS } from './onnx-eval-shape.js';
import { batchNormFloat, broadcastIndex, broadcastShape, convFloat, forEachIndex, gemmFloat, matmulFloat, poolFloat, size, stridesOf } from './onnx-eval-nn.js';

export interface OpContext {
  readonly opset: number;
}

type Kernel = (n: OnnxNode, x: readonly (OnnxTensor | undefined)[], ctx: OpContext) => OnnxTensor[];

const fail = (n: OnnxNode, msg: string): never => {
  throw new OnnxImportError(msg, n.name, n.opType);
};
const need = (n: OnnxNode, x: readonly (OnnxTensor | undefined)[], i: number): OnnxTensor => x[i] ?? fail(n, `missing input ${i}`);
const axisOf = (n: OnnxNode, axis: number, rank: number, inclusive = false): number => {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank + (inclusive ? 1 : 0))) fail(n, `axis ${axis} is outside rank ${rank}`);
  return a;
};

const INT_RANGE: Record<number, [number, number]> = { 2: [0, 2 ** 8], 3: [-(2 ** 7), 2 ** 8], 4: [0, 2 ** 16], 5: [-(2 ** 15), 2 ** 16], 6: [-(2 ** 31), 2 ** 32], 12: [0, 2 ** 32] };
/** Wrap a value to an integer type (two's complement), identity for float types. */
function wrap(dtype: number, v: number): number {
  if (dtype === 9) return v ? 1 : 0;
  const r = INT_RANGE[dtype];
  if (!r) return dtype === 1 ? Math.fround(v) : v;
  const [lo, span] = r;
  return ((((Math.trunc(v) - lo) % span) + span) % span) + lo;
}

function elementwise(dtype: number, ins: readonly OnnxTensor[], f: (...v: number[]) => number, n: OnnxNode): OnnxTensor {
  let dims: number[] = [];
  for (const t of ins) dims = broadcastShape(dims, t.dims, () => `node ${n.name}`);
  const idx = ins.map((t) => broadcastIndex(t.dims, dims));
  const data = new Float64Array(size(dims));
  const args = new Array<number>(ins.length);
  for (let i = 0; i < data.length; i++) {
    for (let j = 0; j < ins.length; j++) args[j] = ins[j]!.data[idx[j]![i]!]!;
    data[i] = wrap(dtype, f(...args));
  }
  return { dims, dtype, data };
}

const binary = (f: (a: number, b: number, intType: boolean) => number): Kernel => (n, x) => {
  const a = need(n, x, 0);
  return [elementwise(a.dtype, [a, need(n, x, 1)], (p, q) => f(p, q, !isFloatType(a.dtype)), n)];
};
const unary = (f: (v: number, at: AttrReader) => number): Kernel => (n, x) => {
  const a = need(n, x, 0);
  const at = new AttrReader(n);
  return [elementwise(a.dtype, [a], (v) => f(v, at), n)];
};

/** erf(x), |error| < 1.2e-7 (the IR's float evaluator has the one implementation). */
export const erf = erfFloat;

const reshaped = (t: OnnxTensor, dims: readonly number[]): OnnxTensor => ({ dims, dtype: t.dtype, data: t.data });
const ints = (t: OnnxTensor | undefined): number[] | undefined => (t ? Array.from(t.data) : undefined);

/** Softmax over axes [axis, rank) flattened (opset < 13) or over one axis (opset ≥ 13). */
function softmaxKernel(n: OnnxNode, x: readonly (OnnxTensor | undefined)[], ctx: OpContext): OnnxTensor[] {
  const a = need(n, x, 0);
  const r = a.dims.length;
  const axis = axisOf(n, new AttrReader(n).int('axis', ctx.opset >= 13 ? -1 : 1), r);
  const [outer, len, inner] = ctx.opset >= 13 ? [size(a.dims.slice(0, axis)), a.dims[axis]!, size(a.dims.slice(axis + 1))] : [size(a.dims.slice(0, axis)), size(a.dims.slice(axis)), 1];
  const out = new Float64Array(a.data.length);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    const at = (j: number) => o * len * inner + j * inner + i;
    let mx = -Infinity;
    for (let j = 0; j < len; j++) mx = Math.max(mx, a.data[at(j)]!);
    let s = 0;
    for (let j = 0; j < len; j++) s += out[at(j)] = Math.exp(a.data[at(j)]! - mx);
    for (let j = 0; j < len; j++) out[at(j)]! /= s;
  }
  return [{ dims: a.dims, dtype: a.dtype, data: out }];
}

function layerNormKernel(n: OnnxNode, x: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const a = need(n, x, 0);
  const at = new AttrReader(n);
  const axis = axisOf(n, at.int('axis', -1), a.dims.length);
  const eps = at.float('epsilon', 1e-5);
  const outer = size(a.dims.slice(0, axis));
  const w = size(a.dims.slice(axis));
  const tail = a.dims.slice(axis);
  const sIdx = broadcastIndex(need(n, x, 1).dims, tail);
  const bIdx = x[2] ? broadcastIndex(x[2].dims, tail) : undefined;
  const out = new Float64Array(a.data.length);
  const means = new Float64Array(outer);
  const invStd = new Float64Array(outer);
  for (let o = 0; o < outer; o++) {
    let mu = 0;
    for (let j = 0; j < w; j++) mu += a.data[o * w + j]!;
    mu /= w;
    let v = 0;
    for (let j = 0; j < w; j++) v += (a.data[o * w + j]! - mu) ** 2;
    const inv = 1 / Math.sqrt(v / w + eps);
    means[o] = mu;
    invStd[o] = inv;
    for (let j = 0; j < w; j++) out[o * w + j] = (a.data[o * w + j]! - mu) * inv * x[1]!.data[sIdx[j]!]! + (bIdx ? x[2]!.data[bIdx[j]!]! : 0);
  }
  const statDims = [...a.dims.slice(0, axis), ...tail.map(() => 1)];
  return [{ dims: a.dims, dtype: a.dtype, data: out }, { dims: statDims, dtype: a.dtype, data: means }, { dims: statDims, dtype: a.dtype, data: invStd }];
}

/** Reshape target: 0 copies the input dimension (unless allowzero), −1 is inferred. */
export function reshapeDims(n: OnnxNode, input: readonly number[], target: readonly number[]): number[] {
  const allowZero = new AttrReader(n).int('allowzero', 0) === 1;
  const dims = target.map((d, i) => (d === 0 && !allowZero ? (input[i] ?? fail(n, `shape entry ${i} is 0 but the input has rank ${input.length}`)) : d));
  const unknown = dims.indexOf(-1);
  if (unknown >= 0) {
    const known = size(dims.filter((_, i) => i !== unknown));
    if (known === 0 || size(input) % known !== 0) fail(n, `cannot infer -1 reshaping [${input.join(', ')}] to [${target.join(', ')}]`);
    dims[unknown] = size(input) / known;
  }
  if (size(dims) !== size(input) || dims.some((d) => d < 0)) fail(n, `cannot reshape [${input.join(', ')}] to [${target.join(', ')}]`);
  return dims;
}

export function transposeDims(n: OnnxNode, dims: readonly number[]): number[] {
  const perm = new AttrReader(n).ints('perm') ?? dims.map((_, i) => dims.length - 1 - i);
  if (perm.length !== dims.length || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) fail(n, `perm [${perm.join(', ')}] is not a permutation of ${dims.length} axes`);
  return perm;
}

function transposeKernel(n: OnnxNode, x: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const a = need(n, x, 0);
  const perm = transposeDims(n, a.dims);
  const st = stridesOf(a.dims);
  const dims = perm.map((p) => a.dims[p]!);
  const out = new Float64Array(a.data.length);
  forEachIndex(dims, (idx, f) => {
    let s = 0;
    for (let i = 0; i < idx.length; i++) s += idx[i]! * st[perm[i]!]!;
    out[f] = a.data[s]!;
  });
  return [{ dims, dtype: a.dtype, data: out }];
}

/** Squeeze / Unsqueeze / Flatten output shapes (axes from the attribute before opset 13, the input after). */
export function squeezeDims(n: OnnxNode, dims: readonly number[], axesIn: number[] | undefined): number[] {
  const axes = (axesIn ?? new AttrReader(n).ints('axes'))?.map((a) => axisOf(n, a, dims.length));
  if (axes?.some((a) => dims[a] !== 1)) fail(n, `cannot squeeze axes [${axes.join(', ')}] of [${dims.join(', ')}]`);
  return dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
}
export function unsqueezeDims(n: OnnxNode, dims: readonly number[], axesIn: number[] | undefined): number[] {
  const raw = axesIn ?? new AttrReader(n).ints('axes') ?? fail(n, 'missing axes');
  const rank = dims.length + raw.length;
  const axes = raw.map((a) => axisOf(n, a, rank));
  if (new Set(axes).size !== axes.length) fail(n, `repeated axes [${raw.join(', ')}]`);
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : dims[j++]!);
  return out;
}
export function flattenDims(n: OnnxNode, dims: readonly number[]): number[] {
  const axis = axisOf(n, new AttrReader(n).int('axis', 1), dims.length, true);
  return [size(dims.slice(0, axis)), size(dims.slice(axis))];
}

function reduceMeanKernel(n: OnnxNode, x: readonly (OnnxTensor | undefined)[], ctx: OpContext): OnnxTensor[] {
  const a = need(n, x, 0);
  const at = new AttrReader(n);
  const given = ctx.opset >= 18 ? ints(x[1]) : at.ints('axes');
  if (given !== undefined && given.length === 0 && at.int('noop_with_empty_axes', 0) === 1) return [a];
  const axes = given && given.length > 0 ? given.map((v) => axisOf(n, v, a.dims.length)) : a.dims.map((_, i) => i);
  const keep = at.int('keepdims', 1) === 1;
  const kept = a.dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const idx = broadcastIndex(kept, a.dims);
  const out = new Float64Array(size(kept));
  for (let i = 0; i < a.data.length; i++) out[idx[i]!]! += a.data[i]!;
  const count = a.data.length / out.length;
  for (let i = 0; i < out.length; i++) out[i]! /= count;
  return [{ dims: keep ? kept : a.dims.filter((_, i) => !axes.includes(i)), dtype: a.dtype, data: out }];
}

function concatKernel(n: OnnxNode, x: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const ts = x.filter((t): t is OnnxTensor => t !== undefined);
  const first = ts[0] ?? fail(n, 'no inputs');
  const axis = axisOf(n, new AttrReader(n).int('axis', 0), first.dims.length);
  for (const t of ts) if (t.dims.length !== first.dims.length || t.dims.some((d, i) => i !== axis && d !== first.dims[i])) fail(n, `shapes [${first.dims.join(', ')}] and [${t.dims.join(', ')}] differ off axis ${axis}`);
  const dims = first.dims.map((d, i) => (i === axis ? ts.reduce((s, t) => s + t.dims[axis]!, 0) : d));
  const outer = size(dims.slice(0, axis));
  const out = new Float64Array(size(dims));
  let o = 0;
  for (let i = 0; i < outer; i++) for (const t of ts) {
    const chunk = size(t.dims.slice(axis));
    out.set(t.data.subarray(i * chunk, (i + 1) * chunk), o);
    o += chunk;
  }
  return [{ dims, dtype: first.dtype, data: out }];
}

/** Output dims and flat source indices of a Slice (numpy semantics: clamped, negative from the end, any step ≠ 0). */
export function sliceIndices(n: OnnxNode, dims: readonly number[], starts: readonly number[], ends: readonly number[], axesIn?: readonly number[], stepsIn?: readonly number[]): { dims: number[]; indices: Int32Array } {
  const r = dims.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((v) => axisOf(n, v, r));
  const steps = stepsIn ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) fail(n, `starts, ends, axes and steps differ in length`);
  const begin = dims.map(() => 0);
  const step = dims.map(() => 1);
  const out = [...dims];
  axes.forEach((ax, i) => {
    const d = dims[ax]!;
    const s = steps[i]!;
    if (s === 0) fail(n, 'step 0');
    const clampS = (v: number) => (v < 0 ? v + d : v);
    let st = clampS(starts[i]!);
    let en = clampS(ends[i]!);
    if (s > 0) {
      st = Math.min(Math.max(st, 0), d);
      en = Math.min(Math.max(en, 0), d);
      out[ax] = Math.max(0, Math.ceil((en - st) / s));
    } else {
      st = Math.min(Math.max(st, -1), d - 1);
      en = Math.min(Math.max(en, -1), d - 1);
      out[ax] = Math.max(0, Math.ceil((st - en) / -s));
    }
    begin[ax] = st;
    step[ax] = s;
  });
  const st = stridesOf(dims);
  const indices = new Int32Array(size(out));
  forEachIndex(out, (idx, f) => {
    let s = 0;
    for (let i = 0; i < r; i++) s += (begin[i]! + idx[i]! * step[i]!) * st[i]!;
    indices[f] = s;
  });
  return { dims: out, indices };
}

function sliceKernel(n: OnnxNode, x: readonly (OnnxTensor | undefined)[], ctx: OpContext): OnnxTensor[] {
  const a = need(n, x, 0);
  const at = new AttrReader(n);
  const starts = (ctx.opset >= 10 ? ints(x[1]) : at.ints('starts')) ?? fail(n, 'missing starts');
  const ends = (ctx.opset >= 10 ? ints(x[2]) : at.ints('ends')) ?? fail(n, 'missing ends');
  const axes = ctx.opset >= 10 ? ints(x[3]) : at.ints('axes');
  const steps = ctx.opset >= 10 ? ints(x[4]) : undefined;
  const { dims, indices } = sliceIndices(n, a.dims, starts, ends, axes, steps);
  return [{ dims, dtype: a.dtype, data: Float64Array.from(indices, (i) => a.data[i]!) }];
}

/** Output dims and flat source indices of Gather along `axis` (negative indices count from the end). */
export function gatherIndices(n: OnnxNode, dims: readonly number[], indices: OnnxTensor): { dims: number[]; indices: Int32Array } {
  const axis = axisOf(n, new AttrReader(n).int('axis', 0), dims.length);
  const len = dims[axis]!;
  const inner = size(dims.slice(axis + 1));
  const outer = size(dims.slice(0, axis));
  const out = [...dims.slice(0, axis), ...indices.dims, ...dims.slice(axis + 1)];
  const idx = new Int32Array(size(out));
  let f = 0;
  for (let o = 0; o < outer; o++) for (let j = 0; j < indices.data.length; j++) {
    const raw = indices.data[j]!;
    const k = raw < 0 ? raw + len : raw;
    if (!(Number.isInteger(k) && k >= 0 && k < len)) fail(n, `index ${raw} is outside axis ${axis} of length ${len}`);
    for (let i = 0; i < inner; i++) idx[f++] = (o * len + k) * inner + i;
  }
  return { dims: out, indices: idx };
}

/** Output dims and flat indices into the concatenation of the inputs (row-major each) of Concat along `axis`. */
export function concatIndices(n: OnnxNode, parts: readonly (readonly number[])[]): { dims: number[]; indices: Int32Array } {
  const first = parts[0] ?? fail(n, 'no inputs');
  const axis = axisOf(n, new AttrReader(n).int('axis', 0), first.length);
  for (const t of parts) if (t.length !== first.length || t.some((d, i) => i !== axis && d !== first[i])) fail(n, `shapes [${first.join(', ')}] and [${t.join(', ')}] differ off axis ${axis}`);
  const dims = first.map((d, i) => (i === axis ? parts.reduce((s, t) => s + t[axis]!, 0) : d));
  const outer = size(dims.slice(0, axis));
  const offsets: number[] = [];
  parts.reduce((o, t) => (offsets.push(o), o + size(t)), 0);
  const indices = new Int32Array(size(dims));
  let f = 0;
  for (let i = 0; i < outer; i++) parts.forEach((t, p) => {
    const chunk = size(t.slice(axis));
    for (let j = 0; j < chunk; j++) indices[f++] = offsets[p]! + i * chunk + j;
  });
  return { dims, indices };
}

function constantKernel(n: OnnxNode): OnnxTensor[] {
  const at = new AttrReader(n);
  const t = at.tensor('value');
  if (t) return [t];
  const v = n.attrs;
  if (v.has('value_float')) return [{ dims: [], dtype: 1, data: Float64Array.of(at.float('value_float', 0)) }];
  if (v.has('value_int')) return [{ dims: [], dtype: 7, data: Float64Array.of(at.int('value_int', 0)) }];
  if (v.has('value_floats')) return [{ dims: [(v.get('value_floats') as number[]).length], dtype: 1, data: Float64Array.from(v.get('value_floats') as number[]) }];
  if (v.has('value_ints')) return [{ dims: [at.ints('value_ints')!.length], dtype: 7, data: Float64Array.from(at.ints('value_ints')!) }];
  return fail(n, `only tensor, float(s) and int(s) constants are supported (attributes: ${[...v.keys()].join(', ')})`);
}

const castTo = (n: OnnxNode, a: OnnxTensor, to: number): OnnxTensor => {
  if (!dtypeName(to).match(/^[A-Z]/) || to === 8 || to === 16 || a.dtype === 16) fail(n, `cast from ${dtypeName(a.dtype)} to ${dtypeName(to)} is not supported`);
  // FLOAT16 / BFLOAT16 results are kept at full precision (within their tolerance)
  return { dims: a.dims, dtype: to, data: a.data.map((v) => (isFloatType(to) ? wrap(to, v) : wrap(to, Math.trunc(v)))) };
};

/** The supported ONNX operators (default domain). */
export const ONNX_KERNELS: Readonly<Record<string, Kernel>> = {
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b, intType) => (intType ? Math.trunc(a / b) : a / b)),
  Pow: binary((a, b) => a ** b),
  Relu: unary((v) => Math.max(0, v)),
  Sigmoid: unary((v) => 1 / (1 + Math.exp(-v))),
  Tanh: unary(Math.tanh),
  Sqrt: unary(Math.sqrt),
  Exp: unary(Math.exp),
  Neg: unary((v) => -v),
  Abs: unary(Math.abs),
  Erf: unary(erf),
  Gelu: unary((v, at) => (at.str('approximate', 'none') === 'tanh' ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))) : 0.5 * v * (1 + erf(v / Math.SQRT2)))),
  Where: (n, x) => [elementwise(need(n, x, 1).dtype, [need(n, x, 0), need(n, x, 1), need(n, x, 2)], (c, a, b) => (c ? a : b), n)],
  Softmax: softmaxKernel,
  LayerNormalization: layerNormKernel,
  MatMul: (n, x) => [matmulFloat(n, need(n, x, 0), need(n, x, 1))],
  Gemm: (n, x) => [gemmFloat(n, need(n, x, 0), need(n, x, 1), x[2])],
  Conv: (n, x) => [convFloat(n, need(n, x, 0), need(n, x, 1), x[2])],
  MaxPool: (n, x) => [poolFloat(n, need(n, x, 0), 'max')],
  AveragePool: (n, x) => [poolFloat(n, need(n, x, 0), 'average')],
  BatchNormalization: (n, x) => [batchNormFloat(n, need(n, x, 0), need(n, x, 1), need(n, x, 2), need(n, x, 3), need(n, x, 4))],
  Reshape: (n, x) => [reshaped(need(n, x, 0), reshapeDims(n, need(n, x, 0).dims, ints(need(n, x, 1))!))],
  Transpose: transposeKernel,
  Flatten: (n, x) => [reshaped(need(n, x, 0), flattenDims(n, need(n, x, 0).dims))],
  Squeeze: (n, x, ctx) => [reshaped(need(n, x, 0), squeezeDims(n, need(n, x, 0).dims, ctx.opset >= 13 ? ints(x[1]) : undefined))],
  Unsqueeze: (n, x, ctx) => [reshaped(need(n, x, 0), unsqueezeDims(n, need(n, x, 0).dims, ctx.opset >= 13 ? ints(x[1]) : undefined))],
  Identity: (n, x) => [need(n, x, 0)],
  Constant: constantKernel,
  ReduceMean: reduceMeanKernel,
  Concat: concatKernel,
  Slice: sliceKernel,
  Gather: (n, x) => {
    const a = need(n, x, 0);
    const { dims, indices } = gatherIndices(n, a.dims, need(n, x, 1));
    return [{ dims, dtype: a.dtype, data: Float64Array.from(indices, (i) => a.data[i]!) }];
  },
  Cast: (n, x) => [castTo(n, need(n, x, 0), new AttrReader(n).int('to', 0))],
  Shape: (n, x) => {
    const dims = need(n, x, 0).dims;
    const at = new AttrReader(n);
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
    const part = dims.slice(clamp(at.int('start', 0)), clamp(at.int('end', dims.length)));
    return [{ dims: [part.length], dtype: 7, data: Float64Array.from(part) }];
  },
  ...SHAPE_KERNELS,
};

export const SUPPORTED_ONNX_OPS: readonly string[] = Object.keys(ONNX_KERNELS);

/** Run one node (used by the evaluator and by constant folding in the lowering). */
export function runOnnxNode(n: OnnxNode, inputs: readonly (OnnxTensor | undefined)[], ctx: OpContext): OnnxTensor[] {
  if (n.domain && n.domain !== 'ai.onnx') fail(n, `domain "${n.domain}" is not supported`);
  const kernel = ONNX_KERNELS[n.opType] ?? fail(n, `unsupported operator (supported: ${SUPPORTED_ONNX_OPS.join(', ')})`);
  try {
    return kernel(n, inputs, ctx);
  } catch (e) {
    if (e instanceof OnnxImportError) throw e;
    throw new OnnxImportError(`evaluation failed: ${(e as Error).message}`, n.name, n.opType);
  }
}

/**
 * Evaluate an ONNX graph in float64. Inputs by name (a tensor, or values in
 * the declared static shape). Returns every tensor by name.
 */
export function evaluateOnnx(model: OnnxModel | { graph: OnnxGraph; opset: number }, inputs: Readonly<Record<string, OnnxTensor | ArrayLike<number>>>): Map<string, OnnxTensor> {
  const g = model.graph;
  const env = new Map<string, OnnxTensor>(g.initializers);
  for (const i of g.inputs) {
    const v = inputs[i.name];
    if (v === undefined) throw new OnnxImportError(`missing input "${i.name}"`);
    if ('dims' in v) {
      const t = v as OnnxTensor;
      if (t.dtype !== i.dtype) throw new OnnxImportError(`input "${i.name}": expected ${dtypeName(i.dtype)} values, got ${dtypeName(t.dtype)}`);
      env.set(i.name, t);
    }
    else {
      const dims = i.shape?.map((d) => (typeof d === 'number' ? d : NaN));
      if (!dims || dims.some(Number.isNaN)) throw new OnnxImportError(`input "${i.name}" has a dynamic shape; pass a tensor with dims`);
      if (size(dims) !== v.length) throw new OnnxImportError(`input "${i.name}" needs ${size(dims)} values, got ${v.length}`);
      env.set(i.name, { dims, dtype: i.dtype, data: Float64Array.from(v as ArrayLike<number>) });
    }
  }
  const ctx = { opset: model.opset };
  for (const n of g.nodes) {
    const ins = n.inputs.map((name) => {
      if (!name) return undefined;
      return env.get(name) ?? fail(n, `input "${name}" is not defined before this node`);
    });
    const outs = runOnnxNode(n, ins, ctx);
    n.outputs.forEach((name, i) => name && outs[i] && env.set(name, outs[i]));
  }
  for (const o of g.outputs) if (!env.has(o.name)) throw new OnnxImportError(`output "${o.name}" is never computed`);
  return env;
}
