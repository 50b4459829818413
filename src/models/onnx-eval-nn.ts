/**
 * ONNX float kernels with windows and contractions: MatMul (numpy matmul
 * semantics), Gemm, Conv, MaxPool, AveragePool, BatchNormalization
 * (inference). Naive loops: this is the reference, not a fast path.
 *
 * Window geometry (ONNX Conv / Pool): effective kernel e = (k−1)·d + 1;
 *   explicit pads  out = ⌊(in + p_begin + p_end − e) / s⌋ + 1   (⌈⌉ with ceil_mode)
 *   SAME_UPPER/LOWER  out = ⌈in / s⌉, total pad max(0, (out−1)·s + e − in),
 *                  the odd unit at the end (UPPER) or the beginning (LOWER)
 *   VALID          out = ⌊(in − e) / s⌋ + 1, no padding
 */
import { AttrReader, type OnnxNode, OnnxImportError, type OnnxTensor } from './onnx.js';

export const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
export const stridesOf = (dims: readonly number[]): number[] => dims.map((_, i) => size(dims.slice(i + 1)));

/** Visit every multi-index of `dims` in row-major order. */
export function forEachIndex(dims: readonly number[], fn: (idx: readonly number[], flat: number) => void): void {
  const n = size(dims);
  const idx = new Array<number>(dims.length).fill(0);
  for (let f = 0; f < n; f++) {
    fn(idx, f);
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++idx[a]! < dims[a]!) break;
      idx[a] = 0;
    }
  }
}

/** numpy broadcasting of two shapes (multidirectional). */
export function broadcastShape(a: readonly number[], b: readonly number[], where: () => string): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new OnnxImportError(`${where()}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each flat index of `out`, the flat index into a tensor of shape `dims` broadcast to it. */
export function broadcastIndex(dims: readonly number[], out: readonly number[]): Int32Array {
  const st = stridesOf(dims);
  const off = out.length - dims.length;
  const res = new Int32Array(size(out));
  forEachIndex(out, (idx, f) => {
    let s = 0;
    for (let a = 0; a < dims.length; a++) if (dims[a] !== 1) s += idx[off + a]! * st[a]!;
    res[f] = s;
  });
  return res;
}

const fail = (n: OnnxNode, msg: string): never => {
  throw new OnnxImportError(msg, n.name, n.opType);
};

export function matmulFloat(n: OnnxNode, a: OnnxTensor, b: OnnxTensor): OnnxTensor {
  const ad = a.dims.length === 1 ? [1, a.dims[0]!] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0]!, 1] : b.dims;
  const [m, k] = ad.slice(-2) as [number, number];
  const [k2, p] = bd.slice(-2) as [number, number];
  if (k !== k2) fail(n, `cannot multiply [${a.dims.join(', ')}] by [${b.dims.join(', ')}]`);
  const batch = broadcastShape(ad.slice(0, -2), bd.slice(0, -2), () => `node ${n.name}`);
  const ai = broadcastIndex(ad.slice(0, -2), batch);
  const bi = broadcastIndex(bd.slice(0, -2), batch);
  const out = new Float64Array(size(batch) * m * p);
  for (let t = 0; t < size(batch); t++) {
    const ao = ai[t]! * m * k;
    const bo = bi[t]! * k * p;
    for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) {
      let s = 0;
      for (let r = 0; r < k; r++) s += a.data[ao + i * k + r]! * b.data[bo + r * p + j]!;
      out[t * m * p + i * p + j] = s;
    }
  }
  const dims = [...batch, ...(a.dims.length === 1 ? [] : [m]), ...(b.dims.length === 1 ? [] : [p])];
  return { dims, dtype: a.dtype, data: out };
}

export function gemmFloat(n: OnnxNode, a: OnnxTensor, b: OnnxTensor, c: OnnxTensor | undefined): OnnxTensor {
  const at = new AttrReader(n);
  const [transA, transB, alpha, beta] = [at.int('transA', 0), at.int('transB', 0), at.float('alpha', 1), at.float('beta', 1)];
  if (a.dims.length !== 2 || b.dims.length !== 2) fail(n, `expected 2-D A and B, got [${a.dims.join(', ')}] and [${b.dims.join(', ')}]`);
  const [M, K] = transA ? [a.dims[1]!, a.dims[0]!] : [a.dims[0]!, a.dims[1]!];
  const [K2, N] = transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
  if (K !== K2) fail(n, `inner dimensions differ: ${K} and ${K2}`);
  const A = (i: number, r: number) => (transA ? a.data[r * M + i]! : a.data[i * K + r]!);
  const B = (r: number, j: number) => (transB ? b.data[j * K + r]! : b.data[r * N + j]!);
  const cIdx = c ? broadcastIndex(c.dims, broadcastShape([M, N], c.dims, () => `node ${n.name} bias`)) : undefined;
  if (c && size(broadcastShape([M, N], c.dims, () => '')) !== M * N) fail(n, `bias [${c.dims.join(', ')}] does not broadcast to [${M}, ${N}]`);
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let r = 0; r < K; r++) s += A(i, r) * B(r, j);
    out[i * N + j] = alpha * s + (c ? beta * c.data[cIdx![i * N + j]!]! : 0);
  }
  return { dims: [M, N], dtype: a.dtype, data: out };
}

export interface Window {
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilations: number[];
  readonly padBegin: number[];
  readonly padEnd: number[];
  readonly out: number[];
}

export function windowGeometry(n: OnnxNode, spatial: readonly number[], kernel: readonly number[]): Window {
  const at = new AttrReader(n);
  const r = spatial.length;
  const strides = at.ints('strides') ?? new Array<number>(r).fill(1);
  const dilations = at.ints('dilations') ?? new Array<number>(r).fill(1);
  const pads = at.ints('pads') ?? new Array<number>(2 * r).fill(0);
  const autoPad = at.str('auto_pad', 'NOTSET');
  const ceil = at.int('ceil_mode', 0) === 1;
  if (kernel.length !== r || strides.length !== r || dilations.length !== r || pads.length !== 2 * r) fail(n, `kernel, strides, dilations or pads do not match ${r} spatial axes`);
  const padBegin = pads.slice(0, r);
  const padEnd = pads.slice(r);
  const out = spatial.map((len, i) => {
    const e = (kernel[i]! - 1) * dilations[i]! + 1;
    const s = strides[i]!;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const o = Math.ceil(len / s);
      const total = Math.max(0, (o - 1) * s + e - len);
      const small = Math.floor(total / 2);
      padBegin[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      padEnd[i] = total - padBegin[i]!;
      return o;
    }
    if (autoPad === 'VALID') {
      padBegin[i] = padEnd[i] = 0;
      return Math.floor((len - e) / s) + 1;
    }
    if (autoPad !== 'NOTSET') fail(n, `auto_pad "${autoPad}" is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
    const span = (len + padBegin[i]! + padEnd[i]! - e) / s;
    return (ceil ? Math.ceil(span) : Math.floor(span)) + 1;
  });
  if (out.some((o) => o < 1)) fail(n, `the window does not fit the input (output [${out.join(', ')}])`);
  return { kernel: [...kernel], strides, dilations, padBegin, padEnd, out };
}

export function convFloat(n: OnnxNode, x: OnnxTensor, w: OnnxTensor, bias: OnnxTensor | undefined): OnnxTensor {
  const group = new AttrReader(n).int('group', 1);
  const [N, C] = x.dims as [number, number];
  const spatial = x.dims.slice(2);
  const [M, Cg] = w.dims as [number, number];
  if (w.dims.length !== x.dims.length || Cg * group !== C || M % group !== 0) fail(n, `weight [${w.dims.join(', ')}] does not fit input [${x.dims.join(', ')}] with group ${group}`);
  const geo = windowGeometry(n, spatial, new AttrReader(n).ints('kernel_shape') ?? w.dims.slice(2));
  const xs = stridesOf(x.dims);
  const ws = stridesOf(w.dims);
  const outDims = [N, M, ...geo.out];
  const out = new Float64Array(size(outDims));
  const Mg = M / group;
  let f = 0;
  for (let b = 0; b < N; b++) for (let m = 0; m < M; m++) {
    const g = Math.floor(m / Mg);
    forEachIndex(geo.out, (o) => {
      let s = bias ? bias.data[m]! : 0;
      for (let c = 0; c < Cg; c++) {
        forEachIndex(geo.kernel, (k) => {
          let xi = b * xs[0]! + (g * Cg + c) * xs[1]!;
          for (let a = 0; a < k.length; a++) {
            const pos = o[a]! * geo.strides[a]! - geo.padBegin[a]! + k[a]! * geo.dilations[a]!;
            if (pos < 0 || pos >= spatial[a]!) return;
            xi += pos * xs[a + 2]!;
          }
          let wi = m * ws[0]! + c * ws[1]!;
          for (let a = 0; a < k.length; a++) wi += k[a]! * ws[a + 2]!;
          s += x.data[xi]! * w.data[wi]!;
        });
      }
      out[f++] = s;
    });
  }
  return { dims: outDims, dtype: x.dtype, data: out };
}

export function poolFloat(n: OnnxNode, x: OnnxTensor, kind: 'max' | 'average'): OnnxTensor {
  const at = new AttrReader(n);
  const kernel = at.ints('kernel_shape') ?? fail(n, 'missing attribute kernel_shape');
  if (kind === 'max' && at.int('storage_order', 0) !== 0) fail(n, 'storage_order 1 is not supported');
  if (n.outputs.length > 1 && n.outputs[1]) fail(n, 'the Indices output is not supported');
  const includePad = at.int('count_include_pad', 0) === 1;
  const spatial = x.dims.slice(2);
  const geo = windowGeometry(n, spatial, kernel);
  const xs = stridesOf(x.dims);
  const outDims = [x.dims[0]!, x.dims[1]!, ...geo.out];
  const out = new Float64Array(size(outDims));
  let f = 0;
  for (let b = 0; b < x.dims[0]!; b++) for (let c = 0; c < x.dims[1]!; c++) {
    forEachIndex(geo.out, (o) => {
      let acc = kind === 'max' ? -Infinity : 0;
      let count = 0;
      forEachIndex(geo.kernel, (k) => {
        let xi = b * xs[0]! + c * xs[1]!;
        let inside = true;
        let inPadded = true;
        for (let a = 0; a < k.length; a++) {
          const pos = o[a]! * geo.strides[a]! - geo.padBegin[a]! + k[a]! * geo.dilations[a]!;
          if (pos < 0 || pos >= spatial[a]!) inside = false;
          if (pos < -geo.padBegin[a]! || pos >= spatial[a]! + geo.padEnd[a]!) inPadded = false;
          xi += pos * xs[a + 2]!;
        }
        if (inside) {
          const v = x.data[xi]!;
          acc = kind === 'max' ? Math.max(acc, v) : acc + v;
          count++;
        } else if (includePad && inPadded) count++;
      });
      out[f++] = kind === 'max' ? acc : acc / count;
    });
  }
  return { dims: outDims, dtype: x.dtype, data: out };
}

export function batchNormFloat(n: OnnxNode, x: OnnxTensor, scale: OnnxTensor, bias: OnnxTensor, mean: OnnxTensor, variance: OnnxTensor): OnnxTensor {
  const at = new AttrReader(n);
  if (at.int('training_mode', 0) !== 0 || n.outputs.filter(Boolean).length > 1) fail(n, 'training mode (running statistics outputs) is not supported');
  const eps = at.float('epsilon', 1e-5);
  const C = x.dims[1] ?? 1;
  const inner = size(x.dims.slice(2));
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / inner) % C;
    out[i] = ((x.data[i]! - mean.data[c]!) / Math.sqrt(variance.data[c]! + eps)) * scale.data[c]! + bias.data[c]!;
  }
  return { dims: x.dims, dtype: x.dtype, data: out };
}
