/**
 * Whole circuits for the done-when shapes, ready for the backend:
 * - `SoftmaxCircuit`: softmax over rows of width 64 (any row count);
 * - `AttentionCircuit`: causal attention, 4 heads × 16 tokens × 16 dims.
 * Inputs are private, outputs public (an instance column, row-major).
 * Both fit k ≤ 14 with the default 8-bit limbs (see the tests for k).
 */
import type { Circuit, ConstraintSystem, Layouter } from '../plonkish/frontend/index.js';
import { AttentionChip, type AttentionParams, attentionSpec } from './attention.js';
import { GadgetContext } from './context.js';
import { TensorLoader } from './load.js';
import { SoftmaxChip, type SoftmaxParams, softmaxSpec } from './softmax.js';
import type { FixedPointTensor } from './tensor.js';

export interface SoftmaxCircuitParams {
  readonly rows: number;
  readonly width: number;
  readonly scale: number;
  readonly bits: number;
}

export interface SoftmaxCircuitConfig {
  readonly ctx: GadgetContext;
  readonly loader: TensorLoader;
  readonly softmax: SoftmaxChip;
}

export const SOFTMAX_64: SoftmaxCircuitParams = { rows: 4, width: 64, scale: 8, bits: 16 };

function softmaxParams(p: SoftmaxCircuitParams): SoftmaxParams {
  return { inScale: p.scale, inBits: p.bits, maxWidth: p.width };
}

export class SoftmaxCircuit implements Circuit<SoftmaxCircuitConfig, SoftmaxCircuitParams> {
  constructor(
    readonly params: SoftmaxCircuitParams = SOFTMAX_64,
    readonly x?: FixedPointTensor,
  ) {}

  configure(cs: ConstraintSystem, params: SoftmaxCircuitParams): SoftmaxCircuitConfig {
    const ctx = new GadgetContext(cs);
    const loader = TensorLoader.configure(ctx, { instance: true });
    return { ctx, loader, softmax: SoftmaxChip.configure(ctx, softmaxParams(params)) };
  }

  synthesize(layouter: Layouter, config: SoftmaxCircuitConfig): void {
    const { rows, width, scale } = this.params;
    config.ctx.assignTables(layouter);
    const x = config.loader.load(layouter, 'x', [rows, width], scale, this.x);
    config.loader.expose(layouter, config.softmax.assign(layouter, config.ctx, x));
  }

  /** The public outputs for input x (the spec). */
  static publicOutputs(params: SoftmaxCircuitParams, x: FixedPointTensor): bigint[] {
    return Array.from(softmaxSpec(x.data, Array(params.rows).fill(params.width), softmaxParams(params)), (v) => v);
  }
}

export const ATTENTION_4x16x16: AttentionParams = { heads: 4, tokens: 16, headDim: 16, scale: 8, bits: 16 };

export interface AttentionCircuitConfig {
  readonly ctx: GadgetContext;
  readonly loader: TensorLoader;
  readonly attention: AttentionChip;
}

export interface AttentionWitness {
  readonly q: FixedPointTensor;
  readonly k: FixedPointTensor;
  readonly v: FixedPointTensor;
}

export class AttentionCircuit implements Circuit<AttentionCircuitConfig, AttentionParams> {
  constructor(
    readonly params: AttentionParams = ATTENTION_4x16x16,
    readonly witness?: AttentionWitness,
  ) {}

  configure(cs: ConstraintSystem, params: AttentionParams): AttentionCircuitConfig {
    const ctx = new GadgetContext(cs);
    const loader = TensorLoader.configure(ctx, { instance: true });
    return { ctx, loader, attention: AttentionChip.configure(ctx, params) };
  }

  synthesize(layouter: Layouter, config: AttentionCircuitConfig): void {
    const { heads, tokens, headDim, scale } = this.params;
    const shape = [heads, tokens, headDim];
    config.ctx.assignTables(layouter);
    const q = config.loader.load(layouter, 'Q', shape, scale, this.witness?.q);
    const k = config.loader.load(layouter, 'K', shape, scale, this.witness?.k);
    const v = config.loader.load(layouter, 'V', shape, scale, this.witness?.v);
    config.loader.expose(layouter, config.attention.assign(layouter, config.ctx, q, k, v));
  }

  static publicOutputs(params: AttentionParams, w: AttentionWitness): bigint[] {
    return Array.from(attentionSpec(w.q.data, w.k.data, w.v.data, params));
  }
}
