/**
 * The standard benchmark circuit of the `prove` benchmark suite: 8 advice
 * columns, a degree-3 custom gate, a lookup and copies, filling the usable rows.
 *
 *   | a0 | a1 | a2 | a3 | a4 | a5 | a6                     | a7   | q_gate | q_byte |
 *   | x  | y  | z  | w  | u  | v  | x·y·z + u·v − w        | byte |   1    |   1    |
 *
 * Gates:   q_gate·(a0·a1·a2 + a4·a5 − a3 − a6) = 0       (degree 4 with the selector)
 * Lookup:  q_byte·a7 ∈ {0 … 255}
 * Copies:  a0 of row i+1 equals a3 of row i (a permutation over two columns).
 */
import { Fr } from '../../src/field/bn254.js';
import { type AdviceColumn, type Circuit, type ConstraintSystem, type Layouter, type Selector, type TableColumn, Value } from '../../src/plonkish/frontend/index.js';
import { type ExampleCase, seededRng } from './common.js';

export interface StandardConfig {
  readonly a: readonly AdviceColumn[];
  readonly qGate: Selector;
  readonly qByte: Selector;
  readonly table: TableColumn;
}
export interface StandardParams {
  readonly rows: number;
}
export type StandardWitness = readonly (readonly bigint[])[];

export class StandardCircuit implements Circuit<StandardConfig, StandardParams> {
  constructor(
    readonly params: StandardParams,
    readonly witness?: StandardWitness,
  ) {}

  configure(cs: ConstraintSystem): StandardConfig {
    const a = Array.from({ length: 8 }, (_, i) => cs.adviceColumn({ name: `a${i}` }));
    cs.enableEquality(a[0]!);
    cs.enableEquality(a[3]!);
    const qGate = cs.selector({ name: 'q_gate' });
    const qByte = cs.selector({ name: 'q_byte' });
    const table = cs.lookupTableColumn({ name: 'byte' });
    cs.createGate('cubic', (meta) => {
      const q = (i: number) => meta.query(a[i]!);
      return [meta.querySelector(qGate).mul(q(0).mul(q(1)).mul(q(2)).add(q(4).mul(q(5))).sub(q(3)).sub(q(6)))];
    });
    cs.lookup('byte', (meta) => [[meta.querySelector(qByte).mul(meta.query(a[7]!)), table]]);
    return { a, qGate, qByte, table };
  }

  synthesize(layouter: Layouter, config: StandardConfig): void {
    const rows = this.params.rows;
    layouter.assignTable('bytes', (t) => t.assignColumn(config.table, Uint16Array.from({ length: 256 }, (_, i) => i)));
    const w = Value.fromOptional(this.witness);
    layouter.region('standard', (region) => {
      config.a.forEach((col, i) => region.assignAdviceColumn(col, 0, w.map((x) => x[i]!), rows));
      region.enableSelectorRange(config.qGate, 0, rows);
      region.enableSelectorRange(config.qByte, 0, rows);
      for (let r = 0; r + 1 < rows; r++) region.constrainEqual(region.cell(config.a[3]!, r), region.cell(config.a[0]!, r + 1));
    });
  }
}

/** Rows that fit 2^k with the blinding rows of this circuit. */
export function standardRows(k: number): number {
  return 2 ** k - 6;
}

export function standardWitness(rows: number, seed = 7): StandardWitness {
  const rng = seededRng(seed);
  const rand = () => (BigInt(rng()) << 32n) | BigInt(rng());
  const cols = Array.from({ length: 8 }, () => new Array<bigint>(rows));
  let carry = rand();
  for (let r = 0; r < rows; r++) {
    const [x, y, z, w, u, v] = [carry, rand(), rand(), rand(), rand(), rand()];
    cols[0]![r] = x;
    cols[1]![r] = y;
    cols[2]![r] = z;
    cols[3]![r] = w;
    cols[4]![r] = u;
    cols[5]![r] = v;
    cols[6]![r] = Fr.sub(Fr.add(Fr.mul(Fr.mul(x, y), z), Fr.mul(u, v)), w);
    cols[7]![r] = BigInt(rng() & 0xff);
    carry = w;
  }
  return cols;
}

export function standardValid(k: number, seed = 7): ExampleCase<StandardConfig, StandardParams> {
  const rows = standardRows(k);
  return { circuit: new StandardCircuit({ rows }, standardWitness(rows, seed)), instances: [], k };
}
