/**
 * The op registry: op name → its one definition (ops/<op>.ts). The IR's
 * `OpType` is this registry's key set, so adding an op is adding its file
 * and one line here; ir.ts, float-eval.ts, quant.ts, compile.ts, cost.ts and
 * replicas.ts all dispatch through `opDef`.
 *
 *   op          inputs                 output         notes
 *   matmul      a [m,n], b [n,p], bias? [m,p]          gemm when bias [p] is given
 *   matmul_committed  as matmul, b a weight committed outside the circuit (weights visibility 'committed')
 *   gather_committed  as gather, the table committed outside the circuit (weights visibility 'committed')
 *   add, mul    a, b                   shape of a     b may broadcast over a's leading axes
 *   div         a, b                   shape of a     a / b, b broadcast as for mul, every b > 0
 *   relu, gelu  x                      shape of x     gelu: tanh form (GPT-2 gelu_new)
 *   softmax     x                      shape of x     over the last axis
 *   layernorm   x, gamma, beta         shape of x     over the last axis, ε = attrs.eps (default 1e-5)
 *   reshape     x                      attrs.shape
 *   transpose   x                      permuted       attrs.perm
 *   slice       x                      rows start…end of axis 0
 *   gather      table [V,D] (weight), ids [T]   [T,D]   embedding lookup
 *   attention   q, k, v [H,T,d]        [H,T,d]        causal, scores / √d
 *   view        x₀, x₁, …              attrs.shape    entry i = concat(x₀, x₁, …)[attrs.indices[i]]
 *   rowmax      x [..., w]             [...]          max over the last axis ([1] for 1-D x)
 *   fn          x                      shape of x     attrs.fn: sigmoid, tanh, exp, erf, sqrt (table lookup)
 */
import { GraphError } from '../graph.js';
import { add } from './add.js';
import { attention } from './attention.js';
import { div } from './div.js';
import { fn } from './fn.js';
import { gather } from './gather.js';
import { gatherCommitted } from './gather-committed.js';
import { gelu } from './gelu.js';
import { layernorm } from './layernorm.js';
import { matmul } from './matmul.js';
import { matmulCommitted } from './matmul-committed.js';
import { mul } from './mul.js';
import { relu } from './relu.js';
import { reshape } from './reshape.js';
import { rowmax } from './rowmax.js';
import { slice } from './slice.js';
import { softmax } from './softmax.js';
import { transpose } from './transpose.js';
import type { OpDef } from './types.js';
import { view } from './view.js';

export const OPS = {
  matmul,
  matmul_committed: matmulCommitted,
  add,
  mul,
  div,
  relu,
  gelu,
  softmax,
  layernorm,
  reshape,
  transpose,
  slice,
  gather,
  gather_committed: gatherCommitted,
  attention,
  view,
  rowmax,
  fn,
} as const satisfies Readonly<Record<string, OpDef>>;

/** The IR's op names: the registry's keys. */
export type OpType = keyof typeof OPS;

export const OP_NAMES: readonly OpType[] = Object.keys(OPS) as OpType[];

export function isOpType(op: string): op is OpType {
  return Object.hasOwn(OPS, op);
}

/** The definition of an op; an op outside the registry is a GraphError naming it (and `where`). */
export function opDef(op: string, where = `op "${op}"`): OpDef {
  if (!isOpType(op)) throw new GraphError(`${where}: unsupported op "${op}" (expected one of ${OP_NAMES.join(', ')})`);
  return OPS[op];
}

export type { OpDef } from './types.js';
export * from './chips.js';
