/**
 * Causal multi-head attention on projected Q, K, V ([H, T, d] at scale s):
 *   per head h:  S = Q_h·K_hᵀ                  (Freivalds, raw scale 2s)
 *                Z_ij = round(S_ij·c / 2^k)    for j ≤ i only (causal), scale s,
 *                                              c / 2^k = 1 / (2^s·√d)
 *                P = softmax over row i of Z_i,0…i   (zkAttn, softmax.ts)
 *                O_h = P·V_h                   (Freivalds, P packed lower triangular)
 *                out = round(O_h / 2^s)        (scale s)
 * Masked entries (j > i) are never materialised: softmax runs on rows of
 * length 1…T and P·V sums over k ≤ i, exactly as if the mask were −∞.
 * All heads share one chip of each kind; the rescales and the softmax of all
 * heads run as one region each.
 *
 * 1/√d: when √d is a power of two it folds into the shift (c = 1,
 * k = s + log2 √d); otherwise c = round(2^16/√d) and k = s + 16.
 */
import type { Layouter } from '../plonkish/frontend/index.js';
import type { GadgetContext } from './context.js';
import { MatmulChip, matmulSpec } from './matmul.js';
import { RescaleChip, rescaleSpec } from './rescale.js';
import { SoftmaxChip, softmaxSpec } from './softmax.js';
import { type AssignedTensor, assignedTensor, gather, GadgetError, slice0, stack, transpose } from './tensor.js';
import { Value } from '../plonkish/frontend/index.js';

export interface AttentionParams {
  readonly heads: number;
  readonly tokens: number;
  readonly headDim: number;
  /** s: scale of Q, K, V and the output. */
  readonly scale: number;
  /** B: signed bit bound of scores and outputs. */
  readonly bits: number;
  /** Softmax factor scale t (default 16). */
  readonly expScale?: number;
  readonly name?: string;
}

/** (c, k) with c / 2^k ≈ 1 / (2^s·√d). */
export function scoreScaling(scale: number, headDim: number): { multiplier: bigint; shift: number } {
  const root = Math.sqrt(headDim);
  const log = Math.log2(root);
  if (Number.isInteger(root) && Number.isInteger(log)) return { multiplier: 1n, shift: scale + log };
  return { multiplier: BigInt(Math.round(2 ** 16 / root)), shift: scale + 16 };
}

/** Flat indices (i, j ≤ i) of a T×T matrix, row by row. */
export function lowerIndices(tokens: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < tokens; i++) for (let j = 0; j <= i; j++) out.push(i * tokens + j);
  return out;
}

function softmaxParams(p: AttentionParams) {
  return { inScale: p.scale, inBits: p.bits, maxWidth: p.tokens, expScale: p.expScale ?? 16, outScale: p.scale, name: `${p.name ?? 'attention'}.softmax` };
}

/** The bigint reference: [H, T, d] at scale s. */
export function attentionSpec(q: ArrayLike<bigint>, k: ArrayLike<bigint>, v: ArrayLike<bigint>, p: AttentionParams, limbBits = 8): BigInt64Array {
  const { heads: H, tokens: T, headDim: d, scale: s } = p;
  const { multiplier, shift } = scoreScaling(s, d);
  const lengths = Array.from({ length: T }, (_, i) => i + 1);
  const out = new BigInt64Array(H * T * d);
  const lower = lowerIndices(T);
  for (let h = 0; h < H; h++) {
    const qh = Array.from({ length: T * d }, (_, i) => q[h * T * d + i]!);
    const kt = Array.from({ length: d * T }, (_, i) => k[h * T * d + (i % T) * d + Math.floor(i / T)]!);
    const vh = Array.from({ length: T * d }, (_, i) => v[h * T * d + i]!);
    const scores = matmulSpec(qh, kt, T, d, T);
    const z = rescaleSpec(lower.map((i) => scores[i]!), shift, multiplier);
    const probs = softmaxSpec(z, lengths, softmaxParams(p), limbBits);
    out.set(rescaleSpec(matmulSpec(probs, vh, T, T, d, true), s), h * T * d);
  }
  return out;
}

export class AttentionChip {
  private constructor(
    readonly params: AttentionParams,
    readonly matmul: MatmulChip,
    readonly scores: RescaleChip,
    readonly softmax: SoftmaxChip,
    readonly output: RescaleChip,
  ) {}

  static configure(ctx: GadgetContext, params: AttentionParams): AttentionChip {
    const name = params.name ?? 'attention';
    const { multiplier, shift } = scoreScaling(params.scale, params.headDim);
    return new AttentionChip(
      params,
      MatmulChip.configure(ctx, { name: `${name}.matmul` }),
      RescaleChip.configure(ctx, { shift, multiplier, outBits: params.bits, name: `${name}.scores` }),
      SoftmaxChip.configure(ctx, softmaxParams(params)),
      RescaleChip.configure(ctx, { shift: params.scale, outBits: params.bits, name: `${name}.out` }),
    );
  }

  assign(layouter: Layouter, ctx: GadgetContext, q: AssignedTensor, k: AssignedTensor, v: AssignedTensor): AssignedTensor {
    const { heads: H, tokens: T, headDim: d, scale: s } = this.params;
    for (const [label, t] of [['Q', q], ['K', k], ['V', v]] as const) {
      if (t.shape.join() !== [H, T, d].join() || t.scale !== s) {
        throw new GadgetError(`attention: expected ${label} of shape [${H}, ${T}, ${d}] at scale 2^${s}, got [${t.shape.join(', ')}] at 2^${t.scale}`);
      }
    }
    const lower = lowerIndices(T);
    const lengths = Array.from({ length: T }, (_, i) => i + 1);
    const heads = Array.from({ length: H }, (_, h) => h);
    const rawScores = heads.map((h) => this.matmul.assign(layouter, slice0(q, h), transpose(slice0(k, h))));
    const causal = concat(rawScores.map((sc) => gather(sc, lower)));
    const z = this.scores.assign(layouter, causal, s);
    const probs = this.softmax.assignGroups(layouter, ctx, z, heads.flatMap(() => lengths));
    const per = lower.length;
    const outs = heads.map((h) =>
      this.matmul.assign(layouter, gather(probs, Array.from({ length: per }, (_, i) => h * per + i)), slice0(v, h), { causal: true }),
    );
    const raw = stack(outs);
    return this.output.assign(layouter, raw, s);
  }
}

function concat(parts: readonly AssignedTensor[]): AssignedTensor {
  const cells = parts.flatMap((p) => p.cells);
  const values = Value.all(parts.map((p) => p.values)).map((vs) => {
    const out = new BigInt64Array(cells.length);
    let o = 0;
    for (const x of vs) (out.set(x, o), (o += x.length));
    return out;
  });
  return assignedTensor([cells.length], parts[0]!.scale, cells, values);
}
