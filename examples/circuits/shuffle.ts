/**
 * (c) Two-phase circuit: b is a permutation of a, by a grand product over a
 * challenge γ drawn after phase 0 (the classic multiset check behind PLONK's
 * permutation argument).
 *
 * Region "shuffle", rows 0 … L:
 *
 *   | a (ph 0) | b (ph 0) | z (ph 1)                      | q_prod | q_first | q_last |
 *   |----------|----------|-------------------------------|--------|---------|--------|
 *   | a_0      | b_0      | 1                             |   1    |    1    |        |
 *   | a_i      | b_i      | z_i = Π_{j<i} (a_j+γ)/(b_j+γ) |   1    |         |        |
 *   |          |          | z_L (= 1 iff multisets match) |        |         |   1    |
 *
 * Gates:
 *   grand-product: q_prod · (z(ωX)·(b + γ) − z·(a + γ)) = 0     (degree 3)
 *   boundary:      q_first · (z − 1) = 0,  q_last · (z − 1) = 0
 *
 * z depends on γ, so it lives in a phase-1 column: in the phase-0 pass γ is
 * unknown and so is z; the layout is the same in every pass.
 */
import { Fr } from '../../src/field/bn254.js';
import {
  type AdviceColumn,
  type Challenge,
  type Circuit,
  type ConstraintSystem,
  type Layouter,
  type Selector,
  Value,
} from '../../src/plonkish/frontend/index.js';
import { type ExampleCase, seededRng } from './common.js';

export interface ShuffleConfig {
  readonly a: AdviceColumn;
  readonly b: AdviceColumn;
  readonly z: AdviceColumn;
  readonly gamma: Challenge;
  readonly qProd: Selector;
  readonly qFirst: Selector;
  readonly qLast: Selector;
}
export interface ShuffleParams {
  readonly length: number;
}
export interface ShuffleWitness {
  readonly a: readonly bigint[];
  readonly b: readonly bigint[];
}

/** z_0 = 1, z_{i+1} = z_i·(a_i + γ)/(b_i + γ); length L + 1. */
export function grandProduct(a: readonly bigint[], b: readonly bigint[], gamma: bigint): bigint[] {
  const inv = Fr.batchInv(b.map((x) => Fr.add(x, gamma)));
  const z = [1n];
  for (let i = 0; i < a.length; i++) z.push(Fr.mul(Fr.mul(z[i]!, Fr.add(a[i]!, gamma)), inv[i]!));
  return z;
}

export class ShuffleCircuit implements Circuit<ShuffleConfig, ShuffleParams> {
  constructor(
    readonly params: ShuffleParams,
    readonly witness?: ShuffleWitness,
  ) {}

  configure(cs: ConstraintSystem): ShuffleConfig {
    const a = cs.adviceColumn({ name: 'a' });
    const b = cs.adviceColumn({ name: 'b' });
    const gamma = cs.challenge(0, { name: 'gamma' });
    const z = cs.adviceColumn({ phase: 1, name: 'z' });
    const qProd = cs.selector({ name: 'q_prod' });
    const qFirst = cs.selector({ name: 'q_first' });
    const qLast = cs.selector({ name: 'q_last' });
    cs.createGate('grand-product', (meta) => {
      const g = meta.queryChallenge(gamma);
      const step = meta.query(z, 1).mul(meta.query(b).add(g)).sub(meta.query(z).mul(meta.query(a).add(g)));
      return [meta.querySelector(qProd).mul(step)];
    });
    cs.createGate('boundary', (meta) => [
      ['z-first', meta.querySelector(qFirst).mul(meta.query(z).sub(1))],
      ['z-last', meta.querySelector(qLast).mul(meta.query(z).sub(1))],
    ]);
    return { a, b, z, gamma, qProd, qFirst, qLast };
  }

  synthesize(layouter: Layouter, config: ShuffleConfig): void {
    const length = this.params.length;
    const w = Value.fromOptional(this.witness);
    const z = w.zip(layouter.getChallenge(config.gamma)).map(([x, g]) => grandProduct(x.a, x.b, g));
    layouter.region('shuffle', (region) => {
      region.assignAdviceColumn(config.a, 0, w.map((x) => x.a), length);
      region.assignAdviceColumn(config.b, 0, w.map((x) => x.b), length);
      region.assignAdviceColumn(config.z, 0, z, length + 1);
      region.enableSelectorRange(config.qProd, 0, length);
      region.enableSelector(config.qFirst, 0);
      region.enableSelector(config.qLast, length);
    });
  }
}

export function shuffleWitness(length: number, seed = 3): ShuffleWitness {
  const rng = seededRng(seed);
  const a = Array.from({ length }, () => Fr.random(rng));
  const b = [...a];
  for (let i = length - 1; i > 0; i--) {
    const j = rng() % (i + 1);
    [b[i], b[j]] = [b[j]!, b[i]!];
  }
  return { a, b };
}

export function shuffleValid(length = 8, seed = 3): ExampleCase<ShuffleConfig, ShuffleParams> {
  return { circuit: new ShuffleCircuit({ length }, shuffleWitness(length, seed)), instances: [], k: 4 };
}

/** b[row] changed, so b is no permutation of a: "z-last" fails at row L. */
export function shuffleBad(length = 8, row = 2, seed = 3): ExampleCase<ShuffleConfig, ShuffleParams> {
  const w = shuffleWitness(length, seed);
  const b = [...w.b];
  b[row] = Fr.add(b[row]!, 1n);
  return { circuit: new ShuffleCircuit({ length }, { a: w.a, b }), instances: [], k: 4 };
}
