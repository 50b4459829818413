/**
 * The chip kinds a model op can ask for, typed: each kind names the gadget
 * chip it configures and the parameters that distinguish two chips of the
 * kind. Ops list `ChipSpec`s; compile.ts configures one chip per distinct
 * `chipKey` (per replica, replicas.ts), so every node with an equal key
 * shares the chip's columns.
 *
 *   kind        gadget chip                        key (shared by equal keys)
 *   matmul      MatmulChip (Freivalds)             matmul
 *   cmatmul     CommittedMatmulChip (B committed)  cmatmul (all share the env's one WeightFold)
 *   cgather     CommittedEmbeddingChip (table committed) cgather (same fold)
 *   rescale     RescaleChip (shift s, B-bit out)   rescale
 *   add, mul    ElementwiseChip                    add, mul
 *   relu        ReluChip                           relu
 *   gelu        LookupFnChip (calibrated range)    gelu
 *   softmax     SoftmaxChip per row width          softmax<w>
 *   layernorm   LayerNormChip per row width        layernorm<w> (the first node's ε configures it)
 *   attention   AttentionChip per [H, T, d]        attention<H>x<T>x<d>
 *   gather      EmbeddingChip per table (fixed)    embed:<table>
 *   rowmax      RowMaxChip                         rowmax
 *   fn          LookupFnChip / ExactFnChip         the function's name
 *
 * Keys and column names are exactly those of the switch statements this
 * file replaced, so circuits (columns, rows, VK) are unchanged.
 */
import {
  AttentionChip,
  DivChip,
  ElementwiseChip,
  EmbeddingChip,
  type FixedPointTensor,
  type GadgetContext,
  LayerNormChip,
  LookupFnChip,
  MatmulChip,
  ReluChip,
  RescaleChip,
  RowMaxChip,
  SoftmaxChip,
} from '../../gadgets/index.js';
import { ExactFnChip } from '../../gadgets/lookup-exact.js';
import { CommittedMatmulChip } from '../../gadgets/matmul-committed.js';
import { type CommittedEnv, CommittedMatmulOpChip } from './matmul-committed.js';
import { CommittedEmbeddingChip } from '../../gadgets/embedding-committed.js';
import { CommittedEmbeddingOpChip } from './gather-committed.js';
import { GraphError, type TableFnName } from '../graph.js';
import { attentionParamsFor, fnTableFor, geluTableSpec, layerNormParamsFor, type QuantParams, softmaxParamsFor } from '../quant-params.js';

export type ChipSpec =
  | { readonly kind: 'matmul' }
  | { readonly kind: 'cmatmul' }
  | { readonly kind: 'cgather' }
  | { readonly kind: 'rescale' }
  | { readonly kind: 'add' }
  | { readonly kind: 'mul' }
  | { readonly kind: 'div' }
  | { readonly kind: 'relu' }
  | { readonly kind: 'gelu' }
  | { readonly kind: 'softmax'; readonly width: number }
  | { readonly kind: 'layernorm'; readonly width: number; readonly eps?: number }
  | { readonly kind: 'attention'; readonly shape: readonly number[] }
  | { readonly kind: 'gather'; readonly table: string }
  | { readonly kind: 'rowmax' }
  | { readonly kind: 'fn'; readonly fn: TableFnName };

export type ChipKind = ChipSpec['kind'];

/** The gadget chip each kind configures. */
export interface ChipTypes {
  matmul: MatmulChip;
  cmatmul: CommittedMatmulOpChip;
  cgather: CommittedEmbeddingOpChip;
  rescale: RescaleChip;
  add: ElementwiseChip;
  mul: ElementwiseChip;
  div: DivChip;
  relu: ReluChip;
  gelu: LookupFnChip;
  softmax: SoftmaxChip;
  layernorm: LayerNormChip;
  attention: AttentionChip;
  gather: EmbeddingChip;
  rowmax: RowMaxChip;
  fn: LookupFnChip | ExactFnChip;
}

export type ChipOf<S extends ChipSpec> = ChipTypes[S['kind']];

/** The sharing key: nodes whose specs have equal keys use one chip (per replica). */
export function chipKey(s: ChipSpec): string {
  switch (s.kind) {
    case 'softmax':
    case 'layernorm':
      return `${s.kind}${s.width}`;
    case 'attention':
      return `attention${s.shape.join('x')}`;
    case 'gather':
      return `embed:${s.table}`;
    case 'fn':
      return s.fn;
    default:
      return s.kind;
  }
}

/** The label the cost estimate counts rows under (`CostEstimate.rowsByOp`). */
export function chipLabel(s: ChipSpec): string {
  return s.kind === 'fn' ? s.fn : s.kind;
}

/** What configuring a chip needs besides its spec. */
export interface ChipEnv {
  readonly ctx: GadgetContext;
  readonly quant: QuantParams;
  /** A fixed tensor of the weight's quantized values, read lazily (keygen/proving only). */
  weightTensor(name: string): FixedPointTensor;
  /** Committed weights (visibility `committed`; ops/matmul-committed.ts). */
  readonly committed?: CommittedEnv;
}

/** Column prefix of a chip: its key up to any ':' part, with `#r` for replica r > 0. */
export function chipName(s: ChipSpec, replica: number): string {
  const base = chipKey(s).replace(/:.*/, '');
  return replica ? `${base}#${replica}` : base;
}

/** Configure the chip of a spec (its columns, gates and lookups) under `name`. */
export function configureChip<S extends ChipSpec>(s: S, env: ChipEnv, name: string): ChipOf<S>;
export function configureChip(s: ChipSpec, env: ChipEnv, name: string): ChipTypes[ChipKind] {
  const { ctx, quant: q } = env;
  const B = q.bits;
  switch (s.kind) {
    case 'matmul':
      return MatmulChip.configure(ctx, { name });
    case 'cmatmul': {
      if (!env.committed) throw new GraphError(`chip ${name}: committed matmul without committed weights (weights visibility 'committed')`);
      return new CommittedMatmulOpChip(CommittedMatmulChip.configure(ctx, { name, fold: env.committed.fold() }), env.committed);
    }
    case 'cgather': {
      if (!env.committed) throw new GraphError(`chip ${name}: committed embedding without committed weights (weights visibility 'committed')`);
      return new CommittedEmbeddingOpChip(CommittedEmbeddingChip.configure(ctx, { name, fold: env.committed.fold() }), env.committed);
    }
    case 'rescale':
      return RescaleChip.configure(ctx, { shift: q.scale, outBits: B, name });
    case 'add':
      return ElementwiseChip.configure(ctx, { op: 'add', outBits: B, name });
    case 'mul':
      return ElementwiseChip.configure(ctx, { op: 'mul', shift: q.scale, outBits: B, name });
    case 'div':
      // divisors are real tensors (|b| < 2^(B−1)), so B bits bound 2b
      return DivChip.configure(ctx, { shift: q.scale, divisorBits: B, outBits: B, name });
    case 'relu':
      return ReluChip.configure(ctx, { bits: B, name });
    case 'gelu':
      return LookupFnChip.configure(ctx, geluTableSpec(q), name);
    case 'softmax':
      return SoftmaxChip.configure(ctx, softmaxParamsFor(q, s.width, name));
    case 'layernorm':
      return LayerNormChip.configure(ctx, layerNormParamsFor(q, s.width, name, s.eps));
    case 'attention':
      return AttentionChip.configure(ctx, attentionParamsFor(q, s.shape, name));
    case 'gather':
      // the table's own name (not the replica name) names its fixed columns
      return EmbeddingChip.configure(ctx, env.weightTensor(s.table), `embed.${s.table}`);
    case 'rowmax':
      return RowMaxChip.configure(ctx, { bits: B, name });
    case 'fn': {
      const t = fnTableFor(q, s.fn);
      return t.kind === 'fn' ? LookupFnChip.configure(ctx, t.spec, name) : ExactFnChip.configure(ctx, t.spec, name);
    }
  }
}
