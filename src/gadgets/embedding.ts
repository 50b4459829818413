/**
 * Embedding lookup (ONNX Gather on a fixed table): token id → its row of
 * the embedding matrix E (vocab × dim, fixed at keygen), as one vector
 * lookup per token.
 *
 *   | id (copy) | o_0 (eq) | … | o_{dim−1} (eq) | q |
 *
 *   lookup (q, q·id, q·o_0, …, q·o_{dim−1}) ∈ (tag, i, E_i0, …, E_i,dim−1)
 *
 * The table has vocab + 1 rows (row 0 is the tag-0 row for off rows) and
 * dim + 2 fixed columns; ids outside [0, vocab) fail the lookup.
 */
import type { AdviceColumn, Layouter, Selector } from '../plonkish/frontend/index.js';
import type { CustomTableColumns, GadgetContext } from './context.js';
import { copyIn, spanCells } from './range.js';
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
    readonly out: readonly AdviceColumn[],
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
    const out = Array.from({ length: dim }, (_, j) => cs.adviceColumn({ name: `${name}.o${j}` }));
    out.forEach((c) => cs.enableEquality(c));
    const q = cs.selector({ name: `${name}.q` });
    const table = ctx.customTable(`${name}.E`, dim + 1, () => [
      BigInt64Array.from({ length: vocab }, (_, i) => BigInt(i)),
      ...Array.from({ length: dim }, (_, j) => BigInt64Array.from({ length: vocab }, (_, i) => weights.data[i * dim + j]!)),
    ]);
    cs.lookup(`${name}: row`, (meta) => {
      const s = meta.querySelector(q);
      return [[s, table.tag], [s.mul(meta.query(id)), table.columns[0]!], ...out.map((c, j) => [s.mul(meta.query(c)), table.columns[j + 1]!] as const)];
    });
    return new EmbeddingChip(name, weights, id, out, q, table);
  }

  /** ids: [T] at scale 0 → [T, dim] at the table's scale. */
  assign(layouter: Layouter, ids: AssignedTensor): AssignedTensor {
    const [vocab, dim] = this.weights.shape as [number, number];
    const T = ids.cells.length;
    const rows = ids.values.map((v) => {
      const out = Array.from({ length: dim }, () => new BigInt64Array(T));
      for (let t = 0; t < T; t++) {
        const i = Number(v[t]);
        // unknown ids get zeros and fail the lookup in the prover
        if (i >= 0 && i < vocab) for (let j = 0; j < dim; j++) out[j]![t] = this.weights.data[i * dim + j]!;
      }
      return out;
    });
    const cells = layouter.region(this.name, (region) => {
      copyIn(region, this.id, 0, ids);
      const cols = this.out.map((c, j) => spanCells(region.assignAdviceColumn(c, 0, rows.map((r) => r[j]!), T)));
      region.enableSelectorRange(this.q, 0, T);
      return Array.from({ length: T * dim }, (_, i) => cols[i % dim]![Math.floor(i / dim)]!);
    });
    const values = rows.map((r) => BigInt64Array.from({ length: T * dim }, (_, i) => r[i % dim]![Math.floor(i / dim)]!));
    return assignedTensor([T, dim], this.weights.scale, cells, values);
  }
}
