/**
 * (d) Copies across regions and constants: computes (x + y)² + 7.
 *
 * Three regions, one row each, on the same columns (all equality-enabled):
 *
 *   region   | l          | r          | o        | gate
 *   ---------|------------|------------|----------|-----
 *   "add"    | x          | y          | s = x+y  | add
 *   "square" | s (copy)   | s (copy)   | q = s·s  | mul
 *   "offset" | 7 (const)  | q (copy)   | 7 + q    | add
 *
 * Gates: add: q_add·(l + r − o) = 0, mul: q_mul·(l·r − o) = 0. The 7 comes
 * from the constants column via `assignAdviceFromConstant`; the copies tie
 * "square" to "add" and "offset" to "square".
 */
import { Fr } from '../../src/field/bn254.js';
import {
  type AdviceColumn,
  type AssignedCell,
  type Circuit,
  type ConstraintSystem,
  type FixedColumn,
  type Layouter,
  type Selector,
  Value,
} from '../../src/plonkish/frontend/index.js';
import type { ExampleCase } from './common.js';

export const OFFSET_CONSTANT = 7n;

export interface CopyRegionsConfig {
  readonly l: AdviceColumn;
  readonly r: AdviceColumn;
  readonly o: AdviceColumn;
  readonly constants: FixedColumn;
  readonly qAdd: Selector;
  readonly qMul: Selector;
}
export interface CopyRegionsWitness {
  readonly x: bigint;
  readonly y: bigint;
  /** Testing: put this value (instead of the copy) into the left input of "square". */
  readonly tamperSquareInput?: bigint;
}

export class CopyRegionsCircuit implements Circuit<CopyRegionsConfig, undefined> {
  readonly params = undefined;
  constructor(readonly witness?: CopyRegionsWitness) {}

  configure(cs: ConstraintSystem): CopyRegionsConfig {
    const l = cs.adviceColumn({ name: 'l' });
    const r = cs.adviceColumn({ name: 'r' });
    const o = cs.adviceColumn({ name: 'o' });
    for (const c of [l, r, o]) cs.enableEquality(c);
    const constants = cs.fixedColumn({ name: 'constants' });
    cs.enableConstant(constants);
    const qAdd = cs.selector({ name: 'q_add' });
    const qMul = cs.selector({ name: 'q_mul' });
    cs.createGate('add', (meta) => [meta.querySelector(qAdd).mul(meta.query(l).add(meta.query(r)).sub(meta.query(o)))]);
    cs.createGate('mul', (meta) => [meta.querySelector(qMul).mul(meta.query(l).mul(meta.query(r)).sub(meta.query(o)))]);
    return { l, r, o, constants, qAdd, qMul };
  }

  synthesize(layouter: Layouter, config: CopyRegionsConfig): void {
    const w = Value.fromOptional(this.witness);
    const sum = layouter.region('add', (region) => {
      region.enableSelector(config.qAdd, 0);
      const x = region.assignAdvice(config.l, 0, w.map((v) => v.x));
      const y = region.assignAdvice(config.r, 0, w.map((v) => v.y));
      return region.assignAdvice(config.o, 0, x.value.zip(y.value).map(([a, b]) => Fr.add(a, b)));
    });
    const square = layouter.region('square', (region) => {
      region.enableSelector(config.qMul, 0);
      let left: AssignedCell;
      const tamper = this.witness?.tamperSquareInput;
      if (tamper === undefined) {
        left = region.copyAdvice(sum, config.l, 0);
      } else {
        left = region.assignAdvice(config.l, 0, tamper);
        region.constrainEqual(sum, left);
      }
      const right = region.copyAdvice(sum, config.r, 0);
      return region.assignAdvice(config.o, 0, left.value.zip(right.value).map(([a, b]) => Fr.mul(a, b)));
    });
    layouter.region('offset', (region) => {
      region.enableSelector(config.qAdd, 0);
      const seven = region.assignAdviceFromConstant(config.l, 0, OFFSET_CONSTANT);
      const q = region.copyAdvice(square, config.r, 0);
      region.assignAdvice(config.o, 0, seven.value.zip(q.value).map(([a, b]) => Fr.add(a, b)));
    });
  }
}

/** The reference result (x + y)² + 7. */
export function copyRegionsSpec(x: bigint, y: bigint): bigint {
  return Fr.add(Fr.square(Fr.add(x, y)), OFFSET_CONSTANT);
}

export function copyRegionsValid(x = 3n, y = 4n): ExampleCase<CopyRegionsConfig, undefined> {
  return { circuit: new CopyRegionsCircuit({ x, y }), instances: [], k: 4 };
}

/** The left input of "square" is x + y + 1 instead of a copy of x + y: the copy "add" → "square" fails. */
export function copyRegionsBad(x = 3n, y = 4n): ExampleCase<CopyRegionsConfig, undefined> {
  return { circuit: new CopyRegionsCircuit({ x, y, tamperSquareInput: Fr.add(Fr.add(x, y), 1n) }), instances: [], k: 4 };
}
