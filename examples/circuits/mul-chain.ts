/**
 * (a) Arithmetic chain with a custom cubic gate.
 *
 * Region "chain", rows 0 … L−1:
 *
 *   | a     | b   | c   | d           | q_mul | q_chain      |
 *   |-------|-----|-----|-------------|-------|--------------|
 *   | a_i   | b_i | c_i | a_i·b_i·c_i |   1   | 1 if i < L−1 |
 *
 * Gates:
 *   mul:   q_mul · (a·b·c − d) = 0          (a cubic product; degree 4 with the selector)
 *   chain: q_chain · (a(ωX) − d) = 0        (a_{i+1} = d_i, a rotation by +1)
 *
 * Columns are filled with the bulk API (whole arrays), or `Value.unknown()`
 * with an explicit length when there is no witness (keygen).
 */
import { Fr } from '../../src/field/bn254.js';
import {
  type AdviceColumn,
  type Circuit,
  type ConstraintSystem,
  type Layouter,
  type Selector,
  Value,
} from '../../src/plonkish/frontend/index.js';
import { type ExampleCase, seededRng } from './common.js';

export interface MulChainConfig {
  readonly a: AdviceColumn;
  readonly b: AdviceColumn;
  readonly c: AdviceColumn;
  readonly d: AdviceColumn;
  readonly qMul: Selector;
  readonly qChain: Selector;
}
export interface MulChainParams {
  readonly length: number;
}
/** Full columns of the chain (length L each). */
export interface MulChainWitness {
  readonly a: readonly bigint[];
  readonly b: readonly bigint[];
  readonly c: readonly bigint[];
  readonly d: readonly bigint[];
}

export class MulChainCircuit implements Circuit<MulChainConfig, MulChainParams> {
  constructor(
    readonly params: MulChainParams,
    readonly witness?: MulChainWitness,
  ) {}

  configure(cs: ConstraintSystem): MulChainConfig {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => cs.adviceColumn({ name })) as [AdviceColumn, AdviceColumn, AdviceColumn, AdviceColumn];
    const qMul = cs.selector({ name: 'q_mul' });
    const qChain = cs.selector({ name: 'q_chain' });
    cs.createGate('mul', (meta) => [
      ['a*b*c=d', meta.querySelector(qMul).mul(meta.query(a).mul(meta.query(b)).mul(meta.query(c)).sub(meta.query(d)))],
    ]);
    cs.createGate('chain', (meta) => [meta.querySelector(qChain).mul(meta.query(a, 1).sub(meta.query(d)))]);
    return { a, b, c, d, qMul, qChain };
  }

  synthesize(layouter: Layouter, config: MulChainConfig): void {
    const length = this.params.length;
    const w = Value.fromOptional(this.witness);
    layouter.region('chain', (region) => {
      region.assignAdviceColumn(config.a, 0, w.map((x) => x.a), length);
      region.assignAdviceColumn(config.b, 0, w.map((x) => x.b), length);
      region.assignAdviceColumn(config.c, 0, w.map((x) => x.c), length);
      region.assignAdviceColumn(config.d, 0, w.map((x) => x.d), length);
      region.enableSelectorRange(config.qMul, 0, length);
      region.enableSelectorRange(config.qChain, 0, length - 1);
    });
  }
}

/** A valid chain from seeded random small factors. */
export function mulChainWitness(length: number, seed = 1): MulChainWitness {
  const rng = seededRng(seed);
  const a: bigint[] = [BigInt(2 + (rng() % 5))];
  const b: bigint[] = [];
  const c: bigint[] = [];
  const d: bigint[] = [];
  for (let i = 0; i < length; i++) {
    b.push(BigInt(1 + (rng() % 7)));
    c.push(Fr.random(rng));
    d.push(Fr.mul(Fr.mul(a[i]!, b[i]!), c[i]!));
    if (i + 1 < length) a.push(d[i]!);
  }
  return { a, b, c, d };
}

export function mulChainValid(length = 8, seed = 1): ExampleCase<MulChainConfig, MulChainParams> {
  return { circuit: new MulChainCircuit({ length }, mulChainWitness(length, seed)), instances: [], k: 4 };
}

/** d at `row` is off by one: gate "mul" fails at `row` (and "chain" too unless row is last). */
export function mulChainBad(length = 8, row = 3, seed = 1): ExampleCase<MulChainConfig, MulChainParams> {
  const w = mulChainWitness(length, seed);
  const d = [...w.d];
  d[row] = Fr.add(d[row]!, 1n);
  return { circuit: new MulChainCircuit({ length }, { ...w, d }), instances: [], k: 4 };
}
