/**
 * ONNX import, part 2: lower a parsed ONNX graph to the circuit IR (ir.ts).
 *
 * Tensors split in two kinds while lowering:
 *   constant  initializers, Constant nodes, and every node whose inputs are
 *             all constant (folded here with the ONNX float kernels); they
 *             become IR weights only where an IR op consumes them;
 *   dynamic   computed from the graph inputs: each is an IR tensor with a
 *             static shape (symbolic input dims need a value in `dims`).
 *
 *   ONNX                      IR
 *   Gemm(A, B, C)             [transpose A] matmul(A, αBᵀ?, βC)   B, C constant
 *   MatMul(A, B)              reshape to 2-D, matmul, reshape back  (B 2-D)
 *   Add / Mul                 add / mul (constants expanded to the broadcast tail; commuted when A is constant)
 *   Sub / Div                 add(−B) / mul(1/B) for constant B; Sub of two dynamic tensors: mul(B, −1), add
 *   Relu, Gelu(tanh)          relu, gelu   (Gelu 'none' also maps to the tanh form: |Δ| < 1e-3)
 *   Softmax                   softmax, last axis only
 *   LayerNormalization        layernorm, last axis, ε = 1e-5 only
 *   Reshape, Flatten, Squeeze, Unsqueeze   reshape (target shape constant)
 *   Transpose                 transpose
 *   Identity                  alias;  Shape of a dynamic tensor: a constant
 * Anything else throws `OnnxImportError` naming the node and op.
 */
import { GraphBuilder, type Graph } from './ir.js';
import { type OnnxModel, type OnnxNode, OnnxImportError, type OnnxTensor, AttrReader, isFloatType } from './onnx.js';
import { flattenDims, reshapeDims, runOnnxNode, squeezeDims, transposeDims, unsqueezeDims } from './onnx-eval.js';
import { broadcastIndex, broadcastShape, size } from './onnx-eval-nn.js';

export interface OnnxLowerOptions {
  /** Values of symbolic input dimensions (dim_param), by name. */
  readonly dims?: Readonly<Record<string, number>>;
  readonly name?: string;
}

export interface LoweredOnnx {
  readonly graph: Graph;
  /** IR tensor name of each ONNX graph output. */
  readonly outputs: ReadonlyMap<string, string>;
}

const fail = (n: OnnxNode, msg: string): never => {
  throw new OnnxImportError(msg, n.name, n.opType);
};

export function onnxToGraph(model: OnnxModel, options: OnnxLowerOptions = {}): LoweredOnnx {
  const og = model.graph;
  const g = new GraphBuilder(options.name ?? og.name);
  const consts = new Map<string, OnnxTensor>(og.initializers);
  const dyn = new Map<string, { ir: string; dims: number[] }>();
  const weights = new Map<string, string>();
  let fresh = 0;

  for (const i of og.inputs) {
    if (!isFloatType(i.dtype)) throw new OnnxImportError(`input "${i.name}": only float inputs are supported by the circuit, got element type ${i.dtype}`);
    if (!i.shape) throw new OnnxImportError(`input "${i.name}": its shape is not declared`);
    const dims = i.shape.map((d, a) => {
      const v = typeof d === 'number' ? d : d === undefined ? undefined : options.dims?.[d];
      if (v === undefined || !Number.isInteger(v) || v < 1) throw new OnnxImportError(`input "${i.name}": dimension ${a} is dynamic (${d ?? 'unnamed'}); give its value${typeof d === 'string' ? ` with dims: { ${d}: … }` : ''}`);
      return v;
    });
    dyn.set(i.name, { ir: g.input(i.name, dims), dims });
  }

  /** An IR weight holding constant `t` (expanded to `dims` when given). */
  const weight = (t: OnnxTensor, label: string, dims?: readonly number[]): string => {
    let data = t.data;
    let shape: readonly number[] = t.dims;
    if (dims) {
      const idx = broadcastIndex(t.dims, dims);
      data = Float64Array.from(idx, (j) => t.data[j]!);
      shape = dims;
    }
    if (shape.length === 0) shape = [1];
    const key = `${label}@${shape.join('x')}`;
    const known = weights.get(key);
    if (known && !dims) return known;
    const name = g.weight(weights.has(key) || dyn.has(label) ? `${label}#${fresh++}` : label, shape, Float64Array.from(data));
    weights.set(key, name);
    return name;
  };
  const constOf = (name: string) => consts.get(name);
  const dynOf = (n: OnnxNode, name: string) => dyn.get(name) ?? fail(n, `input "${name}" is neither a constant nor computed before this node`);
  const define = (name: string, ir: string, dims: number[]) => dyn.set(name, { ir, dims });
  const constInput = (n: OnnxNode, i: number, what: string): OnnxTensor => constOf(n.inputs[i] ?? '') ?? fail(n, `${what} (input ${i}) must be a constant`);
  /** The tail a constant operand covers after broadcasting over `dims`. */
  const constTail = (n: OnnxNode, c: OnnxTensor, dims: readonly number[]): number[] => {
    const out = broadcastShape(dims, c.dims, () => `node ${n.name}`);
    if (out.join() !== dims.join()) fail(n, `constant [${c.dims.join(', ')}] would enlarge the dynamic operand [${dims.join(', ')}]`);
    let r = c.dims.length;
    while (r > 0 && c.dims[c.dims.length - r] === 1) r--;
    return r === 0 ? dims.slice(-1) : dims.slice(dims.length - r);
  };
  const elementwise = (n: OnnxNode, op: 'add' | 'mul', out: string, aName: string, b: { const?: OnnxTensor; dyn?: { ir: string; dims: number[] } }, label: string) => {
    const a = dynOf(n, aName);
    if (b.const) return define(out, g.op(op, out, [a.ir, weight(b.const, label, constTail(n, b.const, a.dims))]), a.dims);
    const bd = b.dyn!;
    const fits = (x: readonly number[], y: readonly number[]) => y.length <= x.length && x.slice(x.length - y.length).join() === y.join();
    if (fits(a.dims, bd.dims)) return define(out, g.op(op, out, [a.ir, bd.ir]), a.dims);
    if (fits(bd.dims, a.dims)) return define(out, g.op(op, out, [bd.ir, a.ir]), bd.dims);
    return fail(n, `dynamic shapes [${a.dims.join(', ')}] and [${bd.dims.join(', ')}] need a broadcast the circuit does not have`);
  };

  for (const n of og.nodes) {
    if (n.domain && n.domain !== 'ai.onnx') fail(n, `domain "${n.domain}" is not supported`);
    const out = n.outputs[0] ?? fail(n, 'no output');
    const present = n.inputs.filter(Boolean);
    if (n.opType === 'Shape' && dyn.has(n.inputs[0]!)) {
      const dims = dyn.get(n.inputs[0]!)!.dims;
      consts.set(out, runOnnxNode(n, [{ dims, dtype: 1, data: new Float64Array(size(dims)) }], model)[0]!);
      continue;
    }
    if (present.every((i) => consts.has(i))) {
      const outs = runOnnxNode(n, n.inputs.map((i) => (i ? consts.get(i) : undefined)), model);
      n.outputs.forEach((o, i) => o && outs[i] && consts.set(o, outs[i]));
      continue;
    }
    if (n.outputs.slice(1).some(Boolean)) fail(n, 'only the first output is supported');
    const at = new AttrReader(n);
    const [a, b] = [n.inputs[0] ?? '', n.inputs[1] ?? ''];
    switch (n.opType) {
      case 'Identity':
        dyn.set(out, dynOf(n, a));
        break;
      case 'Relu':
      case 'Gelu':
        define(out, g.op(n.opType === 'Relu' ? 'relu' : 'gelu', out, [dynOf(n, a).ir]), dynOf(n, a).dims);
        break;
      case 'Add':
      case 'Mul': {
        const op = n.opType === 'Add' ? 'add' : 'mul';
        if (constOf(a)) elementwise(n, op, out, b, { const: constOf(a)! }, a);
        else elementwise(n, op, out, a, constOf(b) ? { const: constOf(b)! } : { dyn: dynOf(n, b) }, b);
        break;
      }
      case 'Sub':
      case 'Div': {
        const c = constOf(b);
        if (c) {
          const inv = { ...c, data: c.data.map((v) => (n.opType === 'Sub' ? -v : 1 / v)) };
          elementwise(n, n.opType === 'Sub' ? 'add' : 'mul', out, a, { const: inv }, `${b}${n.opType === 'Sub' ? ':neg' : ':inv'}`);
        } else if (n.opType === 'Sub') {
          const bd = dynOf(n, b);
          const neg = g.op('mul', `${out}:neg`, [bd.ir, weight({ dims: [], dtype: 1, data: Float64Array.of(-1) }, `${out}:minus1`, bd.dims.slice(-1))]);
          define(`${out}:neg`, neg, bd.dims);
          if (constOf(a)) elementwise(n, 'add', out, `${out}:neg`, { const: constOf(a)! }, a);
          else elementwise(n, 'add', out, a, { dyn: dynOf(n, `${out}:neg`) }, '');
        } else fail(n, 'division by a computed tensor is not supported (only by a constant)');
        break;
      }
      case 'MatMul': {
        const x = dynOf(n, a);
        const w = constOf(b);
        const bd = w ? w.dims : dynOf(n, b).dims;
        if (bd.length !== 2 || x.dims.length < 2) fail(n, `expected A [..., m, k] by a 2-D B, got [${x.dims.join(', ')}] and [${bd.join(', ')}]`);
        const [k, p] = bd as [number, number];
        if (x.dims[x.dims.length - 1] !== k) fail(n, `cannot multiply [${x.dims.join(', ')}] by [${bd.join(', ')}]`);
        const rows = size(x.dims) / k;
        const flat = x.dims.length === 2 ? x.ir : g.op('reshape', `${out}:in`, [x.ir], { shape: [rows, k] });
        const outDims = [...x.dims.slice(0, -1), p];
        const prod = g.op('matmul', x.dims.length === 2 ? out : `${out}:2d`, [flat, w ? weight(w, b) : dynOf(n, b).ir]);
        define(out, x.dims.length === 2 ? prod : g.op('reshape', out, [prod], { shape: outDims }), outDims);
        break;
      }
      case 'Gemm': {
        let x = dynOf(n, a);
        if (x.dims.length !== 2) fail(n, `expected a 2-D A, got [${x.dims.join(', ')}]`);
        if (at.int('transA', 0)) x = { ir: g.op('transpose', `${out}:At`, [x.ir], { perm: [1, 0] }), dims: [x.dims[1]!, x.dims[0]!] };
        const w = constInput(n, 1, 'B');
        const [alpha, beta] = [at.float('alpha', 1), at.float('beta', 1)];
        const bt = at.int('transB', 0) ? runOnnxNode({ ...n, opType: 'Transpose', attrs: new Map() }, [w], model)[0]! : w;
        const wScaled = alpha === 1 ? bt : { ...bt, data: bt.data.map((v) => v * alpha) };
        const [M, N] = [x.dims[0]!, bt.dims[1]!];
        const ins = [x.ir, weight(wScaled, alpha === 1 && !at.int('transB', 0) ? b : `${b}:gemm`)];
        const c = n.inputs[2] ? constInput(n, 2, 'C') : undefined;
        if (c) {
          const cs = beta === 1 ? c : { ...c, data: c.data.map((v) => v * beta) };
          const full = broadcastShape([M, N], c.dims, () => `node ${n.name} bias`);
          if (full.join() !== `${M},${N}`) fail(n, `bias [${c.dims.join(', ')}] does not broadcast to [${M}, ${N}]`);
          ins.push(weight(cs, n.inputs[2]!, c.dims.length === 2 && c.dims[0] === M && M > 1 ? [M, N] : [N]));
        }
        define(out, g.op('matmul', out, ins), [M, N]);
        break;
      }
      case 'Softmax': {
        const x = dynOf(n, a);
        const axis = at.int('axis', model.opset >= 13 ? -1 : 1);
        if (axis !== -1 && axis !== x.dims.length - 1) fail(n, `softmax over axis ${axis} of [${x.dims.join(', ')}]: only the last axis is supported`);
        define(out, g.op('softmax', out, [x.ir]), x.dims);
        break;
      }
      case 'LayerNormalization': {
        const x = dynOf(n, a);
        const axis = at.int('axis', -1);
        const eps = at.float('epsilon', 1e-5);
        if (axis !== -1 && axis !== x.dims.length - 1) fail(n, `normalization from axis ${axis} of [${x.dims.join(', ')}]: only the last axis is supported`);
        if (Math.abs(eps - 1e-5) > 1e-9) fail(n, `epsilon ${eps}: the circuit's LayerNorm uses 1e-5`);
        const w = x.dims[x.dims.length - 1]!;
        const gamma = constInput(n, 1, 'Scale');
        const beta = n.inputs[2] ? constInput(n, 2, 'B') : { dims: [w], dtype: 1, data: new Float64Array(w) };
        define(out, g.op('layernorm', out, [x.ir, weight(gamma, n.inputs[1]!, [w]), weight(beta, n.inputs[2] || `${out}:beta`, [w])]), x.dims);
        break;
      }
      case 'Transpose': {
        const x = dynOf(n, a);
        const perm = transposeDims(n, x.dims);
        define(out, g.op('transpose', out, [x.ir], { perm }), perm.map((p) => x.dims[p]!));
        break;
      }
      case 'Reshape':
      case 'Flatten':
      case 'Squeeze':
      case 'Unsqueeze': {
        const x = dynOf(n, a);
        const axesInput = () => (b ? Array.from(constInput(n, 1, 'axes').data) : undefined);
        const dims =
          n.opType === 'Reshape' ? reshapeDims(n, x.dims, Array.from(constInput(n, 1, 'shape').data))
          : n.opType === 'Flatten' ? flattenDims(n, x.dims)
          : n.opType === 'Squeeze' ? squeezeDims(n, x.dims, axesInput())
          : unsqueezeDims(n, x.dims, axesInput());
        define(out, g.op('reshape', out, [x.ir], { shape: dims }), dims);
        break;
      }
      default:
        fail(n, 'this operator has no circuit lowering (supported on computed tensors: Gemm, MatMul, Add, Sub, Mul, Div by a constant, Relu, Gelu, Softmax, LayerNormalization, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Identity)');
    }
  }
  const outputs = new Map<string, string>();
  for (const o of og.outputs) {
    const d = dyn.get(o.name);
    if (!d || og.inputs.some((i) => i.name === d.ir)) {
      throw new OnnxImportError(`output "${o.name}" is ${d ? 'a graph input' : 'a constant or never computed'}; the circuit needs it computed from the inputs`);
    }
    outputs.set(o.name, d.ir);
  }
  return { graph: g.build([...outputs.values()]), outputs };
}
