/**
 * ONNX window and normalisation operators lowered to existing IR ops
 * (window geometry — pads, strides, dilations, auto_pad, ceil_mode — from
 * onnx-eval-nn.ts, so circuit and reference agree on every window):
 *
 *   Conv (N-D, any group)  im2col: a view [N·P, C·Πk] of x (padding reads a constant 0),
 *                          matmul by the weights as [C·Πk, M] (block diagonal for group > 1)
 *                          + bias, then a transpose view to [N, M, …out]
 *   MaxPool                windows as a view [N·C·P, Πk] (a padded position repeats a
 *                          valid entry of its window: the max is unchanged), rowmax
 *   AveragePool            windows as a view (padding reads 0), matmul by the column 1/count
 *                          (or by ones, then · 1/count per window when counts differ)
 *   BatchNormalization     inference: x·a + b per channel (a = γ/√(σ²+ε), b = β − μ·a),
 *                          or folded into the Conv before it (`foldBatchNorm`)
 *   ReduceMean             reduced axes moved last (transpose view), matmul by 1/K
 *
 * Rounding: 1/count and a, b are weights at the circuit's scale s, so an
 * average carries a relative error ≤ count·2^−(s+1) besides the rescale's ½ ulp.
 */
import { AttrReader, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx.js';
import { forEachIndex, size, stridesOf, windowGeometry } from './onnx-eval-nn.js';
import { type Dyn, type Lowering, scalar } from './onnx-lower.js';

const tensorOf = (dims: readonly number[], data: Float64Array): OnnxTensor => ({ dims, dtype: 1, data });

/** Per window (row-major over batch, channel-or-not, output position): the flat input index of each kernel position, −1 outside. */
function windows(x: readonly number[], geo: ReturnType<typeof windowGeometry>, allChannels: boolean): { rows: number; k: number; idx: Int32Array; padded: Uint8Array } {
  const [N, C] = x as [number, number];
  const spatial = x.slice(2);
  const xs = stridesOf(x);
  const P = size(geo.out);
  const KK = size(geo.kernel);
  const k = allChannels ? C * KK : KK;
  const rows = allChannels ? N * P : N * C * P;
  const idx = new Int32Array(rows * k);
  const padded = new Uint8Array(rows * k);
  let f = 0;
  const visit = (b: number, c: number, o: readonly number[]) => {
    forEachIndex(geo.kernel, (kk) => {
      let xi = b * xs[0]! + c * xs[1]!;
      let inside = true;
      let inPadded = true;
      for (let a = 0; a < kk.length; a++) {
        const pos = o[a]! * geo.strides[a]! - geo.padBegin[a]! + kk[a]! * geo.dilations[a]!;
        if (pos < 0 || pos >= spatial[a]!) inside = false;
        if (pos < -geo.padBegin[a]! || pos >= spatial[a]! + geo.padEnd[a]!) inPadded = false;
        xi += pos * xs[a + 2]!;
      }
      idx[f] = inside ? xi : -1;
      padded[f++] = !inside && inPadded ? 1 : 0;
    });
  };
  for (let b = 0; b < N; b++) {
    if (allChannels) forEachIndex(geo.out, (o) => { for (let c = 0; c < C; c++) visit(b, c, o); });
    else for (let c = 0; c < C; c++) forEachIndex(geo.out, (o) => visit(b, c, o));
  }
  return { rows, k, idx, padded };
}

/** x [N, C, …spatial] with at least one spatial axis. */
function spatialInput(L: Lowering, n: OnnxNode): Dyn {
  const x = L.dynOf(n, n.inputs[0]!);
  if (x.dims.length < 3) L.fail(n, `expected an input [N, C, …spatial], got [${x.dims.join(', ')}]`);
  return x;
}

export function lowerConv(L: Lowering, n: OnnxNode, out: string): Dyn {
  const x = spatialInput(L, n);
  const at = new AttrReader(n);
  const group = at.int('group', 1);
  const w = L.operand(n, 1);
  const wd = w.const?.dims ?? w.dyn!.dims;
  const [N, C] = x.dims as [number, number];
  const [M, Cg] = wd as [number, number];
  if (wd.length !== x.dims.length || !(group >= 1) || Cg * group !== C || M % group !== 0) L.fail(n, `weight [${wd.join(', ')}] does not fit input [${x.dims.join(', ')}] with group ${group}`);
  const kernel = wd.slice(2);
  const declared = at.ints('kernel_shape');
  if (declared && declared.join() !== kernel.join()) L.fail(n, `kernel_shape [${declared.join(', ')}] differs from the weight's [${kernel.join(', ')}]`);
  const geo = windowGeometry(n, x.dims.slice(2), kernel);
  const KK = size(kernel);
  const K = C * KK;
  const { rows, idx } = windows(x.dims, geo, true);
  const zero = size(x.dims);
  const needsPad = idx.some((i) => i < 0);
  const cols = L.view(`${out}:im2col`, needsPad ? [x, L.weight(scalar(0), `${out}:pad`)] : [x], idx.map((i) => (i < 0 ? zero : i)), [rows, K]);
  let wm: Dyn;
  if (w.const) {
    // [K, M]: row (c, kernel position), column m; zero outside m's group
    const data = new Float64Array(K * M);
    const Mg = M / group;
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      for (let cg = 0; cg < Cg; cg++) for (let kk = 0; kk < KK; kk++) data[((g * Cg + cg) * KK + kk) * M + m] = w.const.data[(m * Cg + cg) * KK + kk]!;
    }
    wm = L.weight(tensorOf([K, M], data), `${n.inputs[1]}:im2col`);
  } else {
    if (group !== 1) L.fail(n, `group ${group} needs a constant weight (computed weights support group 1)`);
    wm = L.transpose(L.reshape(w.dyn!, [M, K], `${out}:W`), [1, 0], `${out}:Wt`);
  }
  const b = n.inputs[2] ? L.operand(n, 2) : undefined;
  if (b && size(b.const?.dims ?? b.dyn!.dims) !== M) L.fail(n, `bias of ${size(b.const?.dims ?? b.dyn!.dims)} entries, expected ${M}`);
  const P = size(geo.out);
  let prod = L.op('matmul', `${out}:mm`, b?.const ? [cols, wm, L.weight(b.const, n.inputs[2]!, [M])] : [cols, wm], [rows, M]);
  if (b?.dyn) prod = L.op('add', `${out}:bias`, [prod, L.reshape(b.dyn, [M], `${out}:B`)], [rows, M]);
  const t = L.transpose(L.reshape(prod, [N, P, M], `${out}:npm`), [0, 2, 1], `${out}:nmp`);
  return L.reshape(t, [N, M, ...geo.out], out);
}

function poolGeometry(L: Lowering, n: OnnxNode, x: Dyn) {
  const at = new AttrReader(n);
  const kernel = at.ints('kernel_shape') ?? L.fail(n, 'missing attribute kernel_shape');
  return { at, geo: windowGeometry(n, x.dims.slice(2), kernel) };
}

export function lowerMaxPool(L: Lowering, n: OnnxNode, out: string): Dyn {
  const x = spatialInput(L, n);
  const { at, geo } = poolGeometry(L, n, x);
  if (at.int('storage_order', 0) !== 0) L.fail(n, 'storage_order 1 is not supported');
  const { rows, k, idx } = windows(x.dims, geo, false);
  for (let r = 0; r < rows; r++) {
    const w = idx.subarray(r * k, (r + 1) * k);
    const first = w.find((i) => i >= 0) ?? L.fail(n, `window ${r} lies entirely in the padding`);
    w.forEach((i, j) => i < 0 && (w[j] = first));
  }
  const outDims = [x.dims[0]!, x.dims[1]!, ...geo.out];
  if (k === 1) return L.view(out, [x], idx, outDims);
  const win = L.view(`${out}:windows`, [x], idx, [rows, k]);
  return L.reshape(L.op('rowmax', `${out}:max`, [win], [rows]), outDims, out);
}

export function lowerAveragePool(L: Lowering, n: OnnxNode, out: string): Dyn {
  const x = spatialInput(L, n);
  const { at, geo } = poolGeometry(L, n, x);
  const includePad = at.int('count_include_pad', 0) === 1;
  const { rows, k, idx, padded } = windows(x.dims, geo, false);
  const counts = Array.from({ length: rows }, (_, r) => {
    let c = 0;
    for (let j = r * k; j < (r + 1) * k; j++) if (idx[j]! >= 0 || (includePad && padded[j])) c++;
    return c || L.fail(n, `window ${r} lies entirely in the padding`);
  });
  const zero = size(x.dims);
  const needsPad = idx.some((i) => i < 0);
  const win = L.view(`${out}:windows`, needsPad ? [x, L.weight(scalar(0), `${out}:pad`)] : [x], idx.map((i) => (i < 0 ? zero : i)), [rows, k]);
  const outDims = [x.dims[0]!, x.dims[1]!, ...geo.out];
  const uniform = counts.every((c) => c === counts[0]);
  const col = L.weight(tensorOf([k, 1], new Float64Array(k).fill(uniform ? 1 / counts[0]! : 1)), uniform ? `${out}:mean${counts[0]}` : `${out}:ones`);
  let y = L.op('matmul', uniform ? `${out}:avg` : `${out}:sum`, [win, col], [rows, 1]);
  if (!uniform) y = L.op('mul', `${out}:avg`, [y, L.weight(tensorOf([rows, 1], Float64Array.from(counts, (c) => 1 / c)), `${out}:inv_count`)], [rows, 1]);
  return L.reshape(y, outDims, out);
}

/** Inference BatchNormalization as per-channel a, b (a = γ/√(σ² + ε), b = β − μ·a). */
function batchNormAffine(L: Lowering, n: OnnxNode): { a: Float64Array; b: Float64Array } {
  const at = new AttrReader(n);
  if (at.int('training_mode', 0) !== 0) L.fail(n, 'training mode (running statistics outputs) is not supported');
  const eps = at.float('epsilon', 1e-5);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => L.constInput(n, i, ['', 'scale', 'B', 'input_mean', 'input_var'][i]!));
  const a = Float64Array.from(scale!.data, (g, c) => g / Math.sqrt(variance!.data[c]! + eps));
  const b = Float64Array.from(a, (ac, c) => bias!.data[c]! - mean!.data[c]! * ac);
  return { a, b };
}

export function lowerBatchNorm(L: Lowering, n: OnnxNode, out: string): Dyn {
  const x = L.dynOf(n, n.inputs[0]!);
  if (x.dims.length < 2) L.fail(n, `expected an input [N, C, …], got [${x.dims.join(', ')}]`);
  const { a, b } = batchNormAffine(L, n);
  const C = x.dims[1]!;
  if (a.length !== C) L.fail(n, `${a.length} channel statistics for ${C} channels`);
  const perChannel = [C, ...x.dims.slice(2).map(() => 1)];
  const scaled = L.elementwise(n, 'mul', `${out}:scale`, { dyn: x }, { const: tensorOf(perChannel, a) }, `${out}:a`);
  return L.elementwise(n, 'add', out, { dyn: scaled }, { const: tensorOf(perChannel, b) }, `${out}:b`);
}

export function lowerReduceMean(L: Lowering, n: OnnxNode, out: string): Dyn {
  const x = L.dynOf(n, n.inputs[0]!);
  const at = new AttrReader(n);
  const r = x.dims.length;
  const given = L.model.opset >= 18 ? (n.inputs[1] ? Array.from(L.constInput(n, 1, 'axes').data) : undefined) : at.ints('axes');
  if (given !== undefined && given.length === 0 && at.int('noop_with_empty_axes', 0) === 1) return x;
  const axes = given && given.length > 0 ? given.map((v) => (v < 0 ? v + r : v)) : [...x.dims.keys()];
  if (axes.some((v) => !(v >= 0 && v < r))) L.fail(n, `axes [${given}] outside rank ${r}`);
  const keep = at.int('keepdims', 1) === 1;
  const kept = [...x.dims.keys()].filter((i) => !axes.includes(i));
  const outDims = keep ? x.dims.map((d, i) => (axes.includes(i) ? 1 : d)) : kept.map((i) => x.dims[i]!);
  const K = size(axes.map((i) => x.dims[i]!));
  const rows = size(x.dims) / K;
  const dims = outDims.length ? outDims : [1];
  if (K === 1) return L.reshape(x, dims, out);
  const moved = L.transpose(x, [...kept, ...[...x.dims.keys()].filter((i) => axes.includes(i))], `${out}:moved`);
  const col = L.weight(tensorOf([K, 1], new Float64Array(K).fill(1 / K)), `${out}:mean${K}`);
  return L.reshape(L.op('matmul', `${out}:mm`, [L.reshape(moved, [rows, K], `${out}:rows`), col], [rows, 1]), dims, out);
}

/**
 * Conv → BatchNormalization with constant weights and statistics, the Conv's
 * output read by the BatchNormalization only: one Conv with W' = W·a (per
 * output channel) and bias' = bias·a + b. Returns the model unchanged when
 * nothing folds.
 */
export function foldBatchNorm(model: OnnxModel): OnnxModel {
  const g = model.graph;
  const inits = new Map(g.initializers);
  const nodes = [...g.nodes];
  const readers = (name: string) => nodes.filter((m) => m.inputs.includes(name)).length + (g.outputs.some((o) => o.name === name) ? 1 : 0);
  let changed = false;
  for (const bn of g.nodes) {
    if (bn.opType !== 'BatchNormalization' || new AttrReader(bn).int('training_mode', 0) !== 0 || bn.outputs.slice(1).some(Boolean)) continue;
    const stats = bn.inputs.slice(1, 5).map((i) => inits.get(i));
    const ci = nodes.findIndex((m) => m.opType === 'Conv' && m.outputs[0] === bn.inputs[0]);
    const conv = nodes[ci];
    if (!conv || stats.some((t) => !t) || readers(bn.inputs[0]!) !== 1) continue;
    const W = inits.get(conv.inputs[1]!);
    const B = conv.inputs[2] ? inits.get(conv.inputs[2]) : undefined;
    if (!W || (conv.inputs[2] && !B)) continue;
    const M = W.dims[0]!;
    const [scale, bias, mean, variance] = stats as OnnxTensor[];
    if ([scale, bias, mean, variance].some((t) => t!.data.length !== M)) continue;
    const eps = new AttrReader(bn).float('epsilon', 1e-5);
    const a = Float64Array.from(scale!.data, (s, c) => s / Math.sqrt(variance!.data[c]! + eps));
    const per = W.data.length / M;
    const w2 = tensorOf(W.dims, Float64Array.from(W.data, (v, i) => v * a[Math.floor(i / per)]!));
    const b2 = tensorOf([M], Float64Array.from(a, (ac, c) => (B ? B.data[c]! : 0) * ac + bias!.data[c]! - mean!.data[c]! * ac));
    const [wName, bName] = [`${conv.inputs[1]}:${bn.name || bn.outputs[0]}`, `${conv.inputs[2] || conv.outputs[0]}:${bn.name || bn.outputs[0]}:bias`];
    inits.set(wName, w2);
    inits.set(bName, b2);
    nodes[ci] = { ...conv, inputs: [conv.inputs[0]!, wName, bName], outputs: [bn.outputs[0]!] };
    nodes.splice(nodes.indexOf(bn), 1);
    changed = true;
  }
  if (!changed) return model;
  const graph: OnnxGraph = { ...g, nodes, initializers: inits };
  return { ...model, graph };
}
