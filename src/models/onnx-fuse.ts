/**
 * Pattern recognition in ONNX graphs: exporters (PyTorch's nanoGPT / GPT-2
 * among them) write LayerNorm, GELU and causal attention as chains of small
 * ops. Lowered one by one they would cost a division by a computed tensor
 * (which the IR has no op for), an x³ of extra products, and a dense T × T
 * batched matmul with a mask; the IR has each as one op with its own circuit
 * (layernorm, gelu, attention). A match covers the chain's nodes; the lowering
 * skips them and lowers one synthetic node in their place.
 *
 *   LayerNorm   ReduceMean(x) → Sub(x, ·) → Pow(·, 2) | Mul(d, d) → ReduceMean
 *               → Add(·, ε) → Sqrt → Div(d, ·) [→ Mul(·, γ)] [→ Add(·, β)]
 *               over the trailing axes, γ and β constant → LayerNormalization
 *   GELU        any chain of Mul / Add / Sub / Div / Pow by scalar constants
 *               around one Tanh or Erf whose only computed input is x, checked
 *               numerically against the tanh or erf form on [−8, 8] → Gelu
 *   attention   MatMul(Q, Kᵀ) [→ Mul(·, c) | Div(·, c)] → Where(mask, fill, ·)
 *               | Add(·, mask) → Softmax(last axis) → MatMul(·, V), the mask
 *               constant and exactly causal (entry j of row i kept iff j ≤ i)
 *               → the IR's causal attention (scores scaled by c·√d folded into Q)
 *
 * A masked entry of the fused attention weighs exactly 0. An export that fills
 * masked scores with a finite value (nanoGPT's `masked_fill(…, -10)` in EZKL's
 * model) leaves each masked entry a weight of e^(fill − max score) relative to
 * the row's largest; fills above MASK_FLOOR are not taken for a mask, and the
 * EZKL fixture's test checks the fused graph's top-1 against onnxruntime.
 *
 * Every intermediate tensor of a match must be read only inside the match (and
 * not be a graph output), so skipping the covered nodes loses nothing.
 */
import { AttrReader, type OnnxNode, type OnnxTensor } from './onnx.js';
import { runOnnxNode } from './onnx-eval.js';
import { size } from './onnx-eval-nn.js';
import { type Dyn, type Lowering, scalar } from './onnx-lower.js';

/** Fill values at or below this mark masked attention scores. */
export const MASK_FLOOR = -10;
/** The synthetic op type of a recognised causal attention (inputs Q, Kᵀ, V; attribute scale). */
export const FUSED_ATTENTION = 'zktensor.CausalAttention';

export interface Fusion {
  readonly kind: 'layernorm' | 'gelu' | 'attention';
  /** Nodes the match replaces (the anchor included). */
  readonly covered: ReadonlySet<OnnxNode>;
  /** The node lowered in their place (output: the match's last output). */
  readonly node: OnnxNode;
}

const ELEMENTWISE = new Set(['Mul', 'Add', 'Sub', 'Div', 'Pow']);

class Matcher {
  constructor(
    readonly L: Lowering,
    readonly graphOutputs: ReadonlySet<string>,
  ) {}
  /** The one node reading `t`, when exactly one does and `t` is not a graph output. */
  soleConsumer(t: string, op?: string | readonly string[]): OnnxNode | undefined {
    const c = this.L.consumers.get(t) ?? [];
    if (c.length !== 1 || this.graphOutputs.has(t)) return undefined;
    const n = c[0]!;
    return op === undefined || (typeof op === 'string' ? n.opType === op : op.includes(n.opType)) ? n : undefined;
  }
  scalar(t: string | undefined): number | undefined {
    const c = t ? this.L.constValue(t) : undefined;
    return c && c.data.length === 1 ? c.data[0] : undefined;
  }
  /** The other input of a binary node, when `t` is one of its inputs. */
  other(n: OnnxNode, t: string): string | undefined {
    return n.inputs[0] === t ? n.inputs[1] : n.inputs[1] === t ? n.inputs[0] : undefined;
  }
  /** ReduceMean's axes as trailing axes of a rank-r tensor with keepdims, or undefined. */
  trailingMean(n: OnnxNode, r: number): number | undefined {
    const at = new AttrReader(n);
    const axes = this.L.model.opset >= 18 ? (n.inputs[1] ? Array.from(this.L.constValue(n.inputs[1])?.data ?? [NaN]) : undefined) : at.ints('axes');
    if (!axes || axes.length === 0 || at.int('keepdims', 1) !== 1) return undefined;
    const norm = [...new Set(axes.map((a) => (a < 0 ? a + r : a)))].sort((a, b) => a - b);
    return norm.every((a, i) => a === r - norm.length + i) ? r - norm.length : undefined;
  }
}

function synthetic(anchor: OnnxNode, opType: string, inputs: string[], output: string, attrs: Record<string, number | string>): OnnxNode {
  return { name: `${anchor.name}:${opType}`, opType, domain: '', inputs, outputs: [output], attrs: new Map(Object.entries(attrs)) };
}

function matchLayerNorm(M: Matcher, mean: OnnxNode): Fusion | undefined {
  const L = M.L;
  const x = mean.inputs[0] ?? '';
  const dims = L.onnxDims(x);
  if (!dims) return undefined;
  const axis = M.trailingMean(mean, dims.length);
  if (axis === undefined) return undefined;
  const sub = M.soleConsumer(mean.outputs[0]!, 'Sub');
  if (!sub || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) return undefined;
  const d = sub.outputs[0]!;
  const uses = L.consumers.get(d) ?? [];
  if (uses.length !== 2 || M.graphOutputs.has(d)) return undefined;
  const sq = uses.find((u) => (u.opType === 'Pow' && u.inputs[0] === d && M.scalar(u.inputs[1]) === 2) || (u.opType === 'Mul' && u.inputs[0] === d && u.inputs[1] === d));
  const div = uses.find((u) => u.opType === 'Div' && u.inputs[0] === d);
  if (!sq || !div) return undefined;
  const mean2 = M.soleConsumer(sq.outputs[0]!, 'ReduceMean');
  if (!mean2 || M.trailingMean(mean2, dims.length) !== axis) return undefined;
  const addEps = M.soleConsumer(mean2.outputs[0]!, 'Add');
  const eps = addEps && M.scalar(M.other(addEps, mean2.outputs[0]!));
  if (!addEps || eps === undefined || !(eps > 0)) return undefined;
  const sqrt = M.soleConsumer(addEps.outputs[0]!, 'Sqrt');
  if (!sqrt || M.soleConsumer(sqrt.outputs[0]!) !== div || div.inputs[1] !== sqrt.outputs[0]) return undefined;
  const covered = new Set([mean, sub, sq, mean2, addEps, sqrt, div]);
  let out = div.outputs[0]!;
  const w = size(dims.slice(axis));
  // γ and β: constants over the normalized axes only (Mul / Add by a constant of w entries at most)
  const affine = (op: string): string | undefined => {
    const n = M.soleConsumer(out, op);
    const c = n && M.other(n, out);
    const t = c ? L.constValue(c) : undefined;
    if (!n || !t || size(t.dims) > w || t.dims.length > dims.length - axis + t.dims.filter((v) => v === 1).length) return undefined;
    covered.add(n);
    out = n.outputs[0]!;
    return c;
  };
  let gamma = affine('Mul');
  const beta = gamma ? affine('Add') : undefined;
  if (!gamma) {
    gamma = `${out}:ones`;
    L.consts.set(gamma, { dims: [w], dtype: 1, data: new Float64Array(w).fill(1) });
  }
  const node = synthetic(mean, 'LayerNormalization', [x, gamma, beta ?? ''], out, { axis, epsilon: eps });
  return { kind: 'layernorm', covered, node };
}

/** Elementwise nodes between `x` and `y` (y's ancestors that descend from x), or undefined if not a closed region. */
function region(M: Matcher, x: string, y: string): OnnxNode[] | undefined {
  const nodes = new Set<OnnxNode>();
  const stack = [y];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t === x || M.L.constValue(t)) continue;
    const p = M.L.producer.get(t);
    if (!p || !(ELEMENTWISE.has(p.opType) || p.opType === 'Tanh' || p.opType === 'Erf')) return undefined;
    if (nodes.has(p)) continue;
    nodes.add(p);
    stack.push(...p.inputs.filter(Boolean));
  }
  const outs = new Set([...nodes].map((n) => n.outputs[0]!));
  for (const n of nodes) {
    const o = n.outputs[0]!;
    if (o !== y && (M.graphOutputs.has(o) || (M.L.consumers.get(o) ?? []).some((c) => !nodes.has(c)))) return undefined;
    if (n.inputs.some((i) => i && i !== x && !outs.has(i) && (M.L.constValue(i)?.data.length ?? 2) !== 1)) return undefined;
  }
  return M.L.model.graph.nodes.filter((n) => nodes.has(n));
}

const GELU_TANH = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));

/** Whether the region computes GELU (tanh or erf form) of x, to 1e-4 on [−8, 8]. */
function computesGelu(M: Matcher, nodes: readonly OnnxNode[], x: string, y: string): boolean {
  const xs = Float64Array.from({ length: 65 }, (_, i) => -8 + i / 4);
  const env = new Map<string, OnnxTensor>([[x, { dims: [xs.length], dtype: 1, data: xs }]]);
  for (const n of nodes) {
    const outs = runOnnxNode(n, n.inputs.map((i) => (i ? env.get(i) ?? M.L.constValue(i) : undefined)), M.L.model);
    env.set(n.outputs[0]!, outs[0]!);
  }
  const got = env.get(y);
  if (!got || got.data.length !== xs.length) return false;
  const erfForm = runOnnxNode({ name: 'gelu', opType: 'Gelu', domain: '', inputs: ['x'], outputs: ['y'], attrs: new Map() }, [env.get(x)!], M.L.model)[0]!.data;
  const near = (f: (i: number) => number) => xs.every((_, i) => Math.abs(got.data[i]! - f(i)) < 1e-4);
  return near((i) => GELU_TANH(xs[i]!)) || near((i) => erfForm[i]!);
}

function matchGelu(M: Matcher, t: OnnxNode): Fusion | undefined {
  const L = M.L;
  // x: the one computed tensor feeding the elementwise chain into the Tanh / Erf
  const leaves = new Set<string>();
  const stack = [t.inputs[0] ?? ''];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v) || L.constValue(v)) continue;
    seen.add(v);
    const p = L.producer.get(v);
    if (p && ELEMENTWISE.has(p.opType) && !L.dyn.has(v)) stack.push(...p.inputs.filter(Boolean));
    else leaves.add(v);
  }
  if (leaves.size !== 1) return undefined;
  const x = [...leaves][0]!;
  if (!L.dyn.has(x)) return undefined;
  let y = t.outputs[0]!;
  for (let step = 0; step < 4; step++) {
    const next = M.soleConsumer(y, [...ELEMENTWISE]);
    if (!next) return undefined;
    y = next.outputs[0]!;
    const nodes = region(M, x, y);
    if (nodes && nodes.includes(t) && computesGelu(M, nodes, x, y)) {
      return { kind: 'gelu', covered: new Set(nodes), node: synthetic(t, 'Gelu', [x], y, { approximate: 'tanh' }) };
    }
  }
  return undefined;
}

/** Whether a constant mask (true = masked) broadcast over [..., T, T] is exactly causal. */
function causal(mask: (i: number) => boolean, dims: readonly number[], T: number): boolean {
  for (let f = 0; f < size(dims); f++) {
    const [i, j] = [Math.floor(f / T) % T, f % T];
    if (mask(f) !== j > i) return false;
  }
  return true;
}

function matchAttention(M: Matcher, qk: OnnxNode): Fusion | undefined {
  const L = M.L;
  const [q, kt] = [qk.inputs[0] ?? '', qk.inputs[1] ?? ''];
  const [qd, kd] = [L.dyn.get(q)?.dims, L.dyn.get(kt)?.dims];
  if (!qd || !kd || qd.length < 3 || qd.length !== kd.length) return undefined;
  const [T, d] = qd.slice(-2) as [number, number];
  if (kd[kd.length - 2] !== d || kd[kd.length - 1] !== T || qd.slice(0, -2).some((v, i) => v !== kd[i])) return undefined;
  const covered = new Set([qk]);
  let s = qk.outputs[0]!;
  let scale = 1;
  const sc = M.soleConsumer(s, ['Mul', 'Div']);
  const c = sc && M.scalar(M.other(sc, s));
  if (sc && c !== undefined && (sc.opType === 'Mul' || sc.inputs[0] === s)) {
    scale = sc.opType === 'Mul' ? c : 1 / c;
    covered.add(sc);
    s = sc.outputs[0]!;
  }
  const masker = M.soleConsumer(s, ['Where', 'Add']);
  if (!masker) return undefined;
  const full = [...qd.slice(0, -1), T];
  const at = (t: OnnxTensor) => {
    // entry f of [..., T, T] in t (numpy broadcasting from the right)
    const strides = t.dims.map((_, a) => size(t.dims.slice(a + 1)));
    return (f: number) => {
      let src = 0;
      for (let a = 0, rest = f; a < full.length; a++) {
        const stride = size(full.slice(a + 1));
        const v = Math.floor(rest / stride);
        rest -= v * stride;
        const ta = a - (full.length - t.dims.length);
        if (ta >= 0 && t.dims[ta] !== 1) src += v * strides[ta]!;
      }
      return t.data[src]!;
    };
  };
  if (masker.opType === 'Where') {
    const cond = L.constValue(masker.inputs[0] ?? '');
    const sIsX = masker.inputs[1] === s;
    const fill = M.scalar(sIsX ? masker.inputs[2] : masker.inputs[1]);
    if (!cond || fill === undefined || fill > MASK_FLOOR || (!sIsX && masker.inputs[2] !== s)) return undefined;
    const cv = at(cond);
    if (!causal((f) => (sIsX ? !cv(f) : !!cv(f)), full, T)) return undefined;
  } else {
    const add = L.constValue(M.other(masker, s) ?? '');
    if (!add) return undefined;
    const av = at(add);
    if (!causal((f) => av(f) <= MASK_FLOOR, full, T)) return undefined;
    for (let f = 0; f < size(full); f++) if (av(f) > MASK_FLOOR && av(f) !== 0) return undefined;
  }
  covered.add(masker);
  const soft = M.soleConsumer(masker.outputs[0]!, 'Softmax');
  const axis = soft ? new AttrReader(soft).int('axis', L.model.opset >= 13 ? -1 : 1) : undefined;
  if (!soft || !(axis === -1 || axis === full.length - 1)) return undefined;
  covered.add(soft);
  const pv = M.soleConsumer(soft.outputs[0]!, 'MatMul');
  const v = pv && pv.inputs[0] === soft.outputs[0] ? pv.inputs[1] ?? '' : '';
  const vd = L.dyn.get(v)?.dims;
  if (!pv || !vd || vd.length !== qd.length || vd.some((x, i) => x !== qd[i])) return undefined;
  covered.add(pv);
  return { kind: 'attention', covered, node: synthetic(qk, FUSED_ATTENTION, [q, kt, v], pv.outputs[0]!, { scale: scale * Math.sqrt(d) }) };
}

/** The fusion anchored at `n`, if its pattern matches here. */
export function matchFusion(L: Lowering, graphOutputs: ReadonlySet<string>, n: OnnxNode): Fusion | undefined {
  const M = new Matcher(L, graphOutputs);
  if (n.opType === 'ReduceMean') return matchLayerNorm(M, n);
  if (ELEMENTWISE.has(n.opType) || n.opType === 'Tanh' || n.opType === 'Erf') {
    // GELU's chain starts before its Tanh / Erf: look a few nodes ahead for it, and take
    // the match only if `n` is its first node (nothing of it lowered yet)
    const order = L.model.graph.nodes;
    const first = order.indexOf(n);
    // from the nodes reading n's computed inputs (the chain may branch off x before n's own output)
    const queue: [OnnxNode, number][] = n.inputs.filter((i) => L.dyn.has(i)).flatMap((i) => (L.consumers.get(i) ?? []).map((c): [OnnxNode, number] => [c, 0]));
    const seen = new Set<OnnxNode>();
    while (queue.length > 0) {
      const [c, depth] = queue.shift()!;
      if (seen.has(c)) continue;
      seen.add(c);
      if (c.opType === 'Tanh' || c.opType === 'Erf') {
        const m = matchGelu(M, c);
        if (m && m.covered.has(n) && [...m.covered].every((x) => order.indexOf(x) >= first)) return m;
      }
      if (depth < 6) for (const next of L.consumers.get(c.outputs[0] ?? '') ?? []) queue.push([next, depth + 1]);
    }
  }
  if (n.opType === 'MatMul') return matchAttention(M, n);
  return undefined;
}

/** Lower a recognised attention: [..., T, d] → [G, T, d] heads, the IR's causal attention, and back. */
export function lowerFusedAttention(L: Lowering, n: OnnxNode, out: string): Dyn {
  const [q, kt, v] = n.inputs.map((i) => L.dynOf(n, i)) as [Dyn, Dyn, Dyn];
  const [T, d] = q.dims.slice(-2) as [number, number];
  const G = size(q.dims) / (T * d);
  let q3 = L.reshape(q, [G, T, d], `${out}:q`);
  // the scores' scale c times √d: the IR divides by √d itself
  const f = new AttrReader(n).float('scale', 1);
  if (Math.abs(f - 1) > 1e-6) q3 = L.elementwise(n, 'mul', `${out}:qscale`, { dyn: q3 }, { const: scalar(f) }, `${out}:scale`);
  const k3 = L.transpose(L.reshape(kt, [G, d, T], `${out}:kt`), [0, 2, 1], `${out}:k`);
  const v3 = L.reshape(v, [G, T, d], `${out}:v`);
  return L.reshape(L.op('attention', `${out}:heads`, [q3, k3, v3], [G, T, d]), q.dims, out);
}
