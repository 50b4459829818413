/**
 * Embedding lookup (ONNX Gather on a fixed table): token id → its row of
 * the embedding matrix E (vocab × dim, fixed at keygen), one entry per row
 * so the chip is three columns wide whatever the dimension:
 *
 *   | id (eq)  | j (fixed) | o (eq)   | q |
 *   |----------|-----------|----------|---|
 *   | id_t     | 0         | E[id_t,0]| 1 |
 *   | id_t     | 1         | E[id_t,1]| 1 |      rows t·dim … t·dim + dim − 1
 *   | …        | …         | …        |   |      (each id cell copied from the token)
 *
 *   lookup (q, q·id, q·j, q·o) ∈ (tag, i, j, E_ij)
 *
 * The table has vocab·dim + 1 rows (row 0 is the tag-0 row for off rows);
 * ids outside [0, vocab) fail the lookup.
 */
import type { AdviceColumn, FixedColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import type { CustomTableColumns, GadgetContext } from './context.js';
import { spanCells } from './range.js';
import { type AssignedTensor, assignedTensor, type FixedPointTensor, GadgetError } from './tensor.js';

export function embeddingSpec(table: FixedPointTensor, ids: ArrayLike<bigint>): BigInt64Array {
  const [vocab, dim] = table.shape as [number, number];
  const out = new BigInt64Array(ids.length * dim);
  for (let t = 0; t < ids.length; t++) {
    const id = Number(ids[t]);
    if (!(id >= 0 && id < vocab)) throw new GadgetError(`embeddingSpec: token id ${ids[t]} outside [0, ${vocab})`);
    out.set(table.data.subarray(id * dim, id * dim + dim), t * dim);
  }
  return out;
}

export class EmbeddingChip {
  private constructor(
    readonly name: string,
    readonly weights: FixedPointTensor,
    readonly id: AdviceColumn,
    readonly j: FixedColumn,
    readonly out: AdviceColumn,
    readonly q: Selector,
    readonly table: CustomTableColumns,
  ) {}

  /** `weights`: [vocab, dim] at the output scale (part of the circuit, fixed). */
  static configure(ctx: GadgetContext, weights: FixedPointTensor, name = 'embedding'): EmbeddingChip {
    if (weights.shape.length !== 2) throw new GadgetError(`${name}: expected a [vocab, dim] table, got [${weights.shape.join(', ')}]`);
    const [vocab, dim] = weights.shape as [number, number];
    const cs = ctx.cs;
    const id = cs.adviceColumn({ name: `${name}.id` });
    cs.enableEquality(id);
    const j = cs.fixedColumn({ name: `${name}.j` });
    const out = cs.adviceColumn({ name: `${name}.o` });
    cs.enableEquality(out);
    const q = cs.selector({ name: `${name}.q` });
    const table = ctx.customTable(`${name}.E`, 3, () => [
      BigInt64Array.from({ length: vocab * dim }, (_, r) => BigInt(Math.floor(r / dim))),
      BigInt64Array.from({ length: vocab * dim }, (_, r) => BigInt(r % dim)),
      BigInt64Array.from({ length: vocab * dim }, (_, r) => weights.data[r]!),
    ]);
    cs.lookup(`${name}: entry`, (meta) => {
      const s = meta.querySelector(q);
      return [
        [s, table.tag],
        [s.mul(meta.query(id)), table.columns[0]!],
        [s.mul(meta.query(j)), table.columns[1]!],
        [s.mul(meta.query(out)), table.columns[2]!],
      ];
    });
    return new EmbeddingChip(name, weights, id, j, out, q, table);
  }

  /** ids: [T] at scale 0 → [T, dim] at the table's scale. */
  assign(layouter: Layouter, ids: AssignedTensor): AssignedTensor {
    const [vocab, dim] = this.weights.shape as [number, number];
    const T = ids.cells.length;
    const n = T * dim;
    const idRows = ids.values.map((v) => BigInt64Array.from({ length: n }, (_, r) => v[Math.floor(r / dim)]!));
    // unknown ids get zeros and fail the lookup in the prover
    const values = ids.values.map((v) =>
      BigInt64Array.from({ length: n }, (_, r) => {
        const i = Number(v[Math.floor(r / dim)]);
        return i >= 0 && i < vocab ? this.weights.data[i * dim + (r % dim)]! : 0n;
      }),
    );
    const cells = layouter.region(this.name, (region) => {
      const idCells = spanCells(region.assignAdviceColumn(this.id, 0, idRows, n));
      idCells.forEach((c, r) => region.constrainEqual(ids.cells[Math.floor(r / dim)]!, c));
      region.assignFixedColumn(this.j, 0, BigInt64Array.from({ length: n }, (_, r) => BigInt(r % dim)));
      region.enableSelectorRange(this.q, 0, n);
      return spanCells(region.assignAdviceColumn(this.out, 0, values, n));
    });
    return assignedTensor([T, dim], this.weights.scale, cells, values);
  }
}
