/**
 * ONNX import, part 2: lower a parsed ONNX graph to the circuit IR (ir.ts).
 *
 * Tensors split in two kinds while lowering (onnx-lower.ts):
 *   constant  initializers, Constant nodes, and every node whose inputs are
 *             all constant (folded here with the ONNX float kernels); they
 *             become IR weights only where an IR op consumes them;
 *   dynamic   computed from the graph inputs: each is an IR tensor with a
 *             static shape (symbolic input dims need a value in `dims`).
 *
 *   ONNX                      IR
 *   Gemm(A, B, C)             [transpose A] matmul(A, αBᵀ?, βC)   (B, C constant or computed)
 *   MatMul(A, B)              matmul; N-D A by a 2-D B reshaped, batched B per batch entry + view
 *   Add / Mul / Sub / Neg     add / mul with numpy broadcasting (views); Sub = add(−B), Neg = mul(−1)
 *   Div                       mul(1/B), B constant; div(A, B), B computed (positive divisors)
 *   Pow                       x² … by mul (integer exponents ≤ 8, one per entry allowed: view), √ for 0.5
 *   Relu, Gelu(tanh)          relu, gelu   (Gelu 'none' also maps to the tanh form: |Δ| < 1e-3)
 *   Abs                       add(relu(x), relu(−x))
 *   Sigmoid, Tanh, Exp, Erf, Sqrt   fn (lookup table over the calibrated range)
 *   Softmax                   softmax over the last axis; other axes by transposes / reshapes
 *   LayerNormalization        layernorm of x reshaped [outer, Π dims[axis:]], any ε (one per width)
 *   ReduceMean                transpose + reshape, matmul by the constant column 1/K
 *   Reshape, Flatten, Squeeze, Unsqueeze   reshape (target shape constant)
 *   Transpose                 transpose
 *   Concat, Slice, Gather, Where, Split   view (indices / condition / sizes constant)   onnx-ops-view.ts
 *   Conv, MaxPool, AveragePool, BatchNormalization                         onnx-ops-nn.ts
 *   Identity, Cast (to a float type)   alias;  Shape of a dynamic tensor: a constant
 *   Gather(table, ids)        gather (embedding) when ids is an integer graph input
 *                             ([T] or [1, T]; Shape may read it too)
 *   decomposed LayerNorm, GELU, masked causal attention → layernorm, gelu,
 *                             attention (onnx-fuse.ts; `fuse: false` turns it off)
 * Constant subgraphs (shape arithmetic: Shape, Gather, Cast, Unsqueeze,
 * ConstantOfShape, NonZero, Concat, Equal, …) fold, also ahead of their turn
 * when a pattern needs them (`Lowering.constValue`).
 * Anything else throws `OnnxImportError` naming the node and op.
 */
import type { Graph } from './ir.js';
import { AttrReader, isFloatType, type OnnxModel, type OnnxNode, OnnxImportError } from './onnx.js';
import { flattenDims, reshapeDims, runOnnxNode, squeezeDims, transposeDims, unsqueezeDims } from './onnx-eval.js';
import { broadcastIndex, broadcastShape, size } from './onnx-eval-nn.js';
import { type Dyn, Lowering, type Operand, sameDims, scalar, trailingPart } from './onnx-lower.js';
import { foldBatchNorm, lowerAveragePool, lowerBatchNorm, lowerConv, lowerMaxPool, lowerReduceMean } from './onnx-ops-nn.js';
import { lowerConcat, lowerGather, lowerSlice, lowerSplit, lowerWhere } from './onnx-ops-view.js';
import { FUSED_ATTENTION, type Fusion, lowerFusedAttention, matchFusion } from './onnx-fuse.js';

export interface OnnxLowerOptions {
  /** Values of symbolic input dimensions (dim_param), by name. */
  readonly dims?: Readonly<Record<string, number>>;
  readonly name?: string;
  /** Fold BatchNormalization into the Conv before it when both are constant (default true). */
  readonly foldBatchNorm?: boolean;
  /** Recognise decomposed LayerNorm, GELU and causal attention (onnx-fuse.ts; default true). */
  readonly fuse?: boolean;
}

export interface LoweredOnnx {
  readonly graph: Graph;
  /** IR tensor name of each ONNX graph output. */
  readonly outputs: ReadonlyMap<string, string>;
  /** The patterns recognised (onnx-fuse.ts), in graph order. */
  readonly fused: readonly ('layernorm' | 'gelu' | 'attention')[];
  /** How each ONNX node was handled: folded at import, lowered, or covered by a recognised pattern. */
  readonly handling: ReadonlyMap<OnnxNode, 'folded' | 'lowered' | 'layernorm' | 'gelu' | 'attention'>;
}

type OpLowering = (L: Lowering, n: OnnxNode, out: string) => Dyn;

const unary = (op: 'relu' | 'gelu'): OpLowering => (L, n, out) => {
  const x = L.dynOf(n, n.inputs[0]!);
  return L.op(op, out, [x], x.dims);
};
const tableFn = (fn: 'sigmoid' | 'tanh' | 'exp' | 'erf' | 'sqrt'): OpLowering => (L, n, out) => {
  const x = L.dynOf(n, n.inputs[0]!);
  return L.op('fn', out, [x], x.dims, { fn });
};
const negate = (L: Lowering, n: OnnxNode, x: Dyn, out: string): Dyn => L.elementwise(n, 'mul', out, { dyn: x }, { const: scalar(-1) }, `${out}:minus1`);

function lowerSubDiv(L: Lowering, n: OnnxNode, out: string): Dyn {
  const [a, b] = [L.operand(n, 0), L.operand(n, 1)];
  if (b.const) {
    const inv = { ...b.const, data: b.const.data.map((v) => (n.opType === 'Sub' ? -v : 1 / v)) };
    if (n.opType === 'Div' && b.const.data.some((v) => v === 0)) L.fail(n, 'division by a constant with a zero entry');
    return L.elementwise(n, n.opType === 'Sub' ? 'add' : 'mul', out, a, { const: inv }, `${n.inputs[1]}${n.opType === 'Sub' ? ':neg' : ':inv'}`);
  }
  if (n.opType === 'Div') return lowerDivide(L, n, out, a, b.dyn!);
  return L.elementwise(n, 'add', out, a, { dyn: negate(L, n, b.dyn!, `${out}:neg`) }, '');
}

/** a / b with b computed: the IR's div (positive divisors), a at the output shape, b at its trailing part or broadcast in full. */
function lowerDivide(L: Lowering, n: OnnxNode, out: string, a: Operand, b: Dyn): Dyn {
  const dims = broadcastShape(a.dyn ? a.dyn.dims : a.const!.dims, b.dims, () => `node ${n.name}`);
  const x = a.dyn ? L.broadcast(a.dyn, dims, `${out}:a`) : L.weight(a.const!, `${n.inputs[0]}:num`, dims);
  const tail = trailingPart(b.dims, dims);
  const y = size(b.dims) === size(tail) ? L.reshape(b, tail, `${out}:b`) : L.broadcast(b, dims, `${out}:bcastb`);
  return L.op('div', out, [x, y], dims);
}

/** Pow with a constant exponent: 1, 2, … 8 by products (a different one per entry through a view), 0.5 by √. */
function lowerPow(L: Lowering, n: OnnxNode, out: string): Dyn {
  const x = L.dynOf(n, n.inputs[0]!);
  const e = L.constInput(n, 1, 'exponent');
  const dims = broadcastShape(x.dims, e.dims, () => `node ${n.name}`);
  const xs = L.broadcast(x, dims, `${out}:base`);
  if (e.data.every((v) => v === 0.5)) return L.op('fn', out, [xs], dims, { fn: 'sqrt' });
  if (!e.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 8)) L.fail(n, `exponents [${[...new Set(e.data)].slice(0, 4).join(', ')}…]: only 0.5 or integers 0 … 8 are supported`);
  const top = Math.max(...e.data);
  // powers[k] = x^k by repeated squaring and products
  const powers: Dyn[] = [];
  powers[1] = xs;
  for (let k = 2; k <= top; k++) {
    const [p, q] = [Math.floor(k / 2), k - Math.floor(k / 2)];
    powers[k] = L.op('mul', `${out}:pow${k}`, [powers[p]!, powers[q]!], dims);
  }
  const one = e.data.some((v) => v === 0) ? L.weight(scalar(1), `${out}:one`) : undefined;
  if (e.data.every((v) => v === e.data[0]) && top > 0) return L.reshape(powers[top]!, dims, out);
  // per-entry exponent: pick entry i of x^(e_i) from the concatenation [1?, x, x², …]
  const parts: Dyn[] = [];
  const offset = new Map<number, number>();
  let o = 0;
  if (one) (parts.push(one), offset.set(0, o), (o += 1));
  for (let k = 1; k <= top; k++) (parts.push(powers[k]!), offset.set(k, o), (o += size(dims)));
  const ei = broadcastIndex(e.dims, dims);
  const idx = Array.from({ length: size(dims) }, (_, i) => {
    const k = e.data[ei[i]!]!;
    return k === 0 ? offset.get(0)! : offset.get(k)! + i;
  });
  return L.view(out, parts, idx, dims);
}

/** MatMul with numpy semantics: 1-D operands promoted, batch dims broadcast. */
function lowerMatMul(L: Lowering, n: OnnxNode, out: string): Dyn {
  const [a0, b0] = [L.operand(n, 0), L.operand(n, 1)];
  const a = L.asDyn(a0, n.inputs[0]!);
  const b = L.asDyn(b0, n.inputs[1]!);
  const ad = a0.const ? a0.const.dims : a.dims;
  const bd = b0.const ? b0.const.dims : b.dims;
  const A = ad.length === 1 ? L.reshape(a, [1, ad[0]!], `${out}:a2`) : L.reshape(a, ad, `${out}:a`);
  const B = bd.length === 1 ? L.reshape(b, [bd[0]!, 1], `${out}:b2`) : L.reshape(b, bd, `${out}:b`);
  const [m, k] = A.dims.slice(-2) as [number, number];
  const [k2, p] = B.dims.slice(-2) as [number, number];
  if (k !== k2) L.fail(n, `cannot multiply [${ad.join(', ')}] by [${bd.join(', ')}]`);
  const outDims = [...broadcastShape(A.dims.slice(0, -2), B.dims.slice(0, -2), () => `node ${n.name}`), ...(ad.length === 1 ? [] : [m]), ...(bd.length === 1 ? [] : [p])];
  if (B.dims.length === 2) {
    const rows = size(A.dims) / k;
    const prod = L.op('matmul', `${out}:2d`, [L.reshape(A, [rows, k], `${out}:in`), B], [rows, p]);
    return L.reshape(prod, outDims, out);
  }
  const batch = broadcastShape(A.dims.slice(0, -2), B.dims.slice(0, -2), () => `node ${n.name}`);
  const ai = broadcastIndex(A.dims.slice(0, -2), batch);
  const bi = broadcastIndex(B.dims.slice(0, -2), batch);
  const block = (t: number, rows: number, cols: number) => Array.from({ length: rows * cols }, (_, i) => t * rows * cols + i);
  const parts = Array.from({ length: size(batch) }, (_, t) => {
    const at = L.view(`${out}:a${t}`, [A], block(ai[t]!, m, k), [m, k]);
    const bt = L.view(`${out}:b${t}`, [B], block(bi[t]!, k, p), [k, p]);
    return L.op('matmul', `${out}:${t}`, [at, bt], [m, p]);
  });
  return L.view(out, parts, Array.from({ length: size(outDims) }, (_, i) => i), outDims);
}

function lowerGemm(L: Lowering, n: OnnxNode, out: string): Dyn {
  const at = new AttrReader(n);
  let x = L.asDyn(L.operand(n, 0), n.inputs[0]!);
  if (x.dims.length !== 2) L.fail(n, `expected a 2-D A, got [${x.dims.join(', ')}]`);
  if (at.int('transA', 0)) x = L.transpose(x, [1, 0], `${out}:At`);
  const [alpha, beta] = [at.float('alpha', 1), at.float('beta', 1)];
  const b = L.operand(n, 1);
  let w: Dyn;
  let scaled = alpha === 1;
  if (b.const) {
    const bt = at.int('transB', 0) ? runOnnxNode({ ...n, opType: 'Transpose', attrs: new Map() }, [b.const], L.model)[0]! : b.const;
    w = L.weight(alpha === 1 ? bt : { ...bt, data: bt.data.map((v) => v * alpha) }, alpha === 1 && !at.int('transB', 0) ? n.inputs[1]! : `${n.inputs[1]}:gemm`);
    scaled = true;
  } else w = at.int('transB', 0) ? L.transpose(b.dyn!, [1, 0], `${out}:Bt`) : b.dyn!;
  if (w.dims.length !== 2 || w.dims[0] !== x.dims[1]) L.fail(n, `cannot multiply [${x.dims.join(', ')}] by [${w.dims.join(', ')}]`);
  const [M, N] = [x.dims[0]!, w.dims[1]!];
  const cName = n.inputs[2] ?? '';
  const c = cName ? L.operand(n, 2) : undefined;
  if (c) {
    const cd = c.const ? c.const.dims : c.dyn!.dims;
    const full = broadcastShape([M, N], cd, () => `node ${n.name} bias`);
    if (!sameDims(full, [M, N])) L.fail(n, `bias [${cd.join(', ')}] does not broadcast to [${M}, ${N}]`);
  }
  // constant bias (and α folded into B): one matmul with bias
  if (scaled && c?.const) {
    const cs = beta === 1 ? c.const : { ...c.const, data: c.const.data.map((v) => v * beta) };
    const bias = L.weight(cs, beta === 1 ? cName : `${cName}:beta`, c.const.dims.length === 2 && c.const.dims[0] === M && M > 1 ? [M, N] : [N]);
    return L.op('matmul', out, [x, w, bias], [M, N]);
  }
  let y = L.op('matmul', c || !scaled ? `${out}:mm` : out, [x, w], [M, N]);
  if (!scaled) y = L.elementwise(n, 'mul', c ? `${out}:alpha` : out, { dyn: y }, { const: scalar(alpha) }, `${out}:alpha`);
  if (!c) return y;
  const cb = c.const ? { const: { ...c.const, data: c.const.data.map((v) => v * beta) } } : beta === 1 ? c : { dyn: L.elementwise(n, 'mul', `${out}:betaC`, c, { const: scalar(beta) }, `${out}:beta`) };
  return L.elementwise(n, 'add', out, { dyn: y }, cb as Operand, `${cName}:beta`);
}

function lowerSoftmax(L: Lowering, n: OnnxNode, out: string): Dyn {
  const x = L.dynOf(n, n.inputs[0]!);
  const r = x.dims.length;
  const raw = new AttrReader(n).int('axis', L.model.opset >= 13 ? -1 : 1);
  const axis = raw < 0 ? raw + r : raw;
  if (!(axis >= 0 && axis < r)) L.fail(n, `axis ${raw} is outside rank ${r}`);
  if (L.model.opset < 13) {
    // softmax over the flattened axes [axis, r)
    const flat = L.reshape(x, [size(x.dims.slice(0, axis)), size(x.dims.slice(axis))], `${out}:flat`);
    return L.reshape(L.op('softmax', `${out}:2d`, [flat], flat.dims), x.dims, out);
  }
  if (axis === r - 1) return L.op('softmax', out, [x], x.dims);
  const perm = [...x.dims.keys()].map((i) => (i === axis ? r - 1 : i === r - 1 ? axis : i));
  const t = L.transpose(x, perm, `${out}:in`);
  return L.transpose(L.op('softmax', `${out}:last`, [t], t.dims), perm, out);
}

function lowerLayerNorm(L: Lowering, n: OnnxNode, out: string, epsByWidth: Map<number, number>): Dyn {
  const x = L.dynOf(n, n.inputs[0]!);
  const at = new AttrReader(n);
  const r = x.dims.length;
  const raw = at.int('axis', -1);
  const axis = raw < 0 ? raw + r : raw;
  if (!(axis >= 0 && axis < r)) L.fail(n, `axis ${raw} is outside rank ${r}`);
  const eps = at.float('epsilon', 1e-5);
  const tail = x.dims.slice(axis);
  const w = size(tail);
  const seen = epsByWidth.get(w);
  if (seen !== undefined && seen !== eps) L.fail(n, `epsilon ${eps} differs from ${seen} of another normalization over ${w} entries (the circuit shares one LayerNorm per width)`);
  epsByWidth.set(w, eps);
  const gamma = L.constInput(n, 1, 'Scale');
  const beta = n.inputs[2] ? L.constInput(n, 2, 'B') : { dims: [w], dtype: 1, data: new Float64Array(w) };
  const flat = (t: typeof gamma) => {
    broadcastShape(tail, t.dims, () => `node ${n.name} scale/bias`);
    return { dims: [w], dtype: 1, data: Float64Array.from(broadcastIndex(t.dims.length > tail.length ? t.dims.slice(t.dims.length - tail.length) : t.dims, tail), (j) => t.data[j]!) };
  };
  const rows = L.reshape(x, [size(x.dims) / w, w], `${out}:rows`);
  const y = L.op('layernorm', `${out}:2d`, [rows, L.weight(flat(gamma), `${n.inputs[1]}:ln${w}`), L.weight(flat(beta), `${n.inputs[2] || `${out}:beta`}:ln${w}`)], rows.dims, eps === 1e-5 ? {} : { eps });
  return L.reshape(y, x.dims, out);
}

function lowerReshapeLike(L: Lowering, n: OnnxNode, out: string): Dyn {
  const x = L.dynOf(n, n.inputs[0]!);
  const axesInput = () => (n.inputs[1] ? Array.from(L.constInput(n, 1, 'axes').data) : undefined);
  const dims =
    n.opType === 'Reshape' ? reshapeDims(n, x.dims, Array.from(L.constInput(n, 1, 'shape').data))
    : n.opType === 'Flatten' ? flattenDims(n, x.dims)
    : n.opType === 'Squeeze' ? squeezeDims(n, x.dims, axesInput())
    : unsqueezeDims(n, x.dims, axesInput());
  if (dims.some((d) => d === 0)) L.fail(n, `the result [${dims.join(', ')}] is empty`);
  return L.op('reshape', out, [x], dims, { shape: dims });
}

const LOWERINGS: Readonly<Record<string, OpLowering>> = {
  Identity: (L, n) => L.dynOf(n, n.inputs[0]!),
  Cast: (L, n) => {
    const to = new AttrReader(n).int('to', 0);
    if (!isFloatType(to)) L.fail(n, `cast of a computed tensor to element type ${to}: only float types are supported (the circuit holds fixed-point reals)`);
    return L.dynOf(n, n.inputs[0]!);
  },
  Relu: unary('relu'),
  Gelu: unary('gelu'),
  Sigmoid: tableFn('sigmoid'),
  Tanh: tableFn('tanh'),
  Exp: tableFn('exp'),
  Erf: tableFn('erf'),
  Sqrt: tableFn('sqrt'),
  Neg: (L, n, out) => negate(L, n, L.dynOf(n, n.inputs[0]!), out),
  Abs: (L, n, out) => {
    const x = L.dynOf(n, n.inputs[0]!);
    const pos = L.op('relu', `${out}:pos`, [x], x.dims);
    const neg = L.op('relu', `${out}:negpart`, [negate(L, n, x, `${out}:neg`)], x.dims);
    return L.op('add', out, [pos, neg], x.dims);
  },
  Add: (L, n, out) => L.elementwise(n, 'add', out, L.operand(n, 0), L.operand(n, 1), L.constOf(n.inputs[0]!) ? n.inputs[0]! : n.inputs[1]!),
  Mul: (L, n, out) => L.elementwise(n, 'mul', out, L.operand(n, 0), L.operand(n, 1), L.constOf(n.inputs[0]!) ? n.inputs[0]! : n.inputs[1]!),
  Sub: lowerSubDiv,
  Div: lowerSubDiv,
  Pow: lowerPow,
  MatMul: lowerMatMul,
  Gemm: lowerGemm,
  Softmax: lowerSoftmax,
  Transpose: (L, n, out) => {
    const x = L.dynOf(n, n.inputs[0]!);
    const perm = transposeDims(n, x.dims);
    return L.op('transpose', out, [x], perm.map((p) => x.dims[p]!), { perm });
  },
  Reshape: lowerReshapeLike,
  Flatten: lowerReshapeLike,
  Squeeze: lowerReshapeLike,
  Unsqueeze: lowerReshapeLike,
  Concat: lowerConcat,
  Slice: lowerSlice,
  Gather: lowerGather,
  Where: lowerWhere,
  Conv: lowerConv,
  MaxPool: lowerMaxPool,
  AveragePool: lowerAveragePool,
  BatchNormalization: lowerBatchNorm,
  ReduceMean: lowerReduceMean,
  [FUSED_ATTENTION]: lowerFusedAttention,
};

/** ONNX operators with a circuit lowering (on computed tensors; any evaluator op folds on constants). */
export const LOWERED_ONNX_OPS: readonly string[] = [...Object.keys(LOWERINGS).filter((k) => k !== FUSED_ATTENTION), 'LayerNormalization', 'Split'].sort();

/**
 * Integer graph inputs: allowed as token ids when every use is
 * Gather(constant 2-D table, ids) on axis 0, or a Shape (which reads only the dims).
 */
function idsInputs(model: OnnxModel): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of model.graph.inputs) {
    if (isFloatType(i.dtype)) continue;
    const uses = model.graph.nodes.filter((n) => n.inputs.includes(i.name) && n.opType !== 'Shape');
    const vocab = uses.map((n) => {
      const table = model.graph.initializers.get(n.inputs[0]!);
      const ok = n.opType === 'Gather' && n.inputs[1] === i.name && n.inputs[0] !== i.name && table?.dims.length === 2 && new AttrReader(n).int('axis', 0) === 0;
      return ok ? table!.dims[0]! : undefined;
    });
    if (uses.length === 0 || vocab.some((v) => v === undefined)) continue;
    out.set(i.name, Math.min(...(vocab as number[])));
  }
  return out;
}

export function onnxToGraph(model: OnnxModel, options: OnnxLowerOptions = {}): LoweredOnnx {
  const m = options.foldBatchNorm === false ? model : foldBatchNorm(model);
  const og = m.graph;
  const L = new Lowering(m, options.name ?? og.name);
  const ids = idsInputs(m);
  const epsByWidth = new Map<number, number>();

  for (const i of og.inputs) {
    if (!isFloatType(i.dtype) && !ids.has(i.name)) {
      throw new OnnxImportError(`input "${i.name}": only float inputs (or integer token ids feeding a Gather of a constant table) are supported by the circuit, got element type ${i.dtype}`);
    }
    if (!i.shape) throw new OnnxImportError(`input "${i.name}": its shape is not declared`);
    const dims = i.shape.map((d, a) => {
      const v = typeof d === 'number' ? d : d === undefined ? undefined : options.dims?.[d];
      if (v === undefined || !Number.isInteger(v) || v < 1) throw new OnnxImportError(`input "${i.name}": dimension ${a} is dynamic (${d ?? 'unnamed'}); give its value${typeof d === 'string' ? ` with dims: { ${d}: … }` : ''}`);
      return v;
    });
    if (ids.has(i.name)) {
      // [1, …, 1, T] (a batch of one) is held as the IR's 1-D ids; Shape and Gather see the ONNX dims
      if (dims.slice(0, -1).some((d) => d !== 1)) throw new OnnxImportError(`input "${i.name}": token ids must be one sequence ([T] or [1, T]), got [${dims.join(', ')}]`);
      const T = dims[dims.length - 1]!;
      L.define(i.name, { ir: L.g.input(L.name(i.name), [T], 'ids', ids.get(i.name)), dims: [T] });
      L.idsDims.set(i.name, dims);
      continue;
    }
    L.define(i.name, { ir: L.g.input(L.name(i.name), dims, 'real'), dims });
  }

  // outputs read by some later node or by the graph (secondary outputs nobody reads are allowed)
  const read = new Set<string>([...og.nodes.flatMap((n) => n.inputs), ...og.outputs.map((o) => o.name)]);
  const graphOutputs = new Set(og.outputs.map((o) => o.name));
  const covered = new Set<OnnxNode>();
  const fusions: Fusion[] = [];
  const handling = new Map<OnnxNode, LoweredOnnx['handling'] extends ReadonlyMap<OnnxNode, infer H> ? H : never>();
  for (const node of og.nodes) {
    if (covered.has(node)) continue;
    let n = node;
    if (n.domain && n.domain !== 'ai.onnx') L.fail(n, `domain "${n.domain}" is not supported`);
    const present = n.inputs.filter(Boolean);
    // Shape of a computed tensor, and nodes of constants only, fold (perhaps already, on demand)
    if (n.opType === 'Shape' ? L.onnxDims(n.inputs[0]!) : present.every((i) => L.consts.has(i))) {
      for (const o of n.outputs) if (o) L.constValue(o);
      handling.set(n, 'folded');
      continue;
    }
    const fusion = options.fuse === false ? undefined : matchFusion(L, graphOutputs, n);
    if (fusion) {
      fusion.covered.forEach((c) => (covered.add(c), handling.set(c, fusion.kind)));
      fusions.push(fusion);
      n = fusion.node;
    }
    const out = n.outputs[0] ?? L.fail(n, 'no output');
    if (!fusion) handling.set(n, 'lowered');
    if (n.opType === 'Split') {
      lowerSplit(L, n).forEach((d, i) => n.outputs[i] && L.define(n.outputs[i]!, d));
      continue;
    }
    const extra = n.outputs.slice(1).find((o) => o && read.has(o));
    if (extra) L.fail(n, `only the first output is supported; output "${extra}" is used`);
    const lower = n.opType === 'LayerNormalization' ? (LL: Lowering, nn: OnnxNode, o: string) => lowerLayerNorm(LL, nn, o, epsByWidth) : LOWERINGS[n.opType];
    if (!lower) L.fail(n, `this operator has no circuit lowering (supported on computed tensors: ${LOWERED_ONNX_OPS.join(', ')})`);
    L.define(out, lower!(L, n, out));
  }
  const outputs = new Map<string, string>();
  for (const o of og.outputs) {
    let d = L.dyn.get(o.name);
    if (!d) throw new OnnxImportError(`output "${o.name}" is a constant or never computed; the circuit needs it computed from the inputs`);
    // an output that is an input, or another output, passes through its own (reshape) node
    if (og.inputs.some((i) => L.dyn.get(i.name)?.ir === d!.ir) || [...outputs.values()].includes(d.ir)) d = L.op('reshape', o.name, [d], d.dims, { shape: [...d.dims] });
    outputs.set(o.name, d.ir);
  }
  return { graph: L.g.build([...outputs.values()]), outputs, fused: fusions.map((f) => f.kind), handling };
}

export { rescaleStreams, rescaleTokenModel, type StreamScale, weightColumns } from './onnx-rescale.js';
