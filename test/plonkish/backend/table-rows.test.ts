/**
 * TableRows (lookup.ts: the first row of each compressed table value, found
 * by a 52-bit key and confirmed on all 32 bytes) against a bigint Map:
 * random tables with repeated values, inputs in and out of the table, and
 * values forced to share their low 52 bits (so only the full comparison
 * tells them apart).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fr, packedFr } from '../../../src/field/index.js';
import { TableRows } from '../../../src/plonkish/backend/lookup.js';

const F = packedFr();
const bytesOf = (values: readonly bigint[]): Uint8Array => {
  const v = F.fromBigints([...values]);
  try {
    return v.toBytes();
  } finally {
    v.free();
  }
};

/** The oracle: first row of each value, by bigint. */
function firstRows(table: readonly bigint[]): Map<bigint, number> {
  const m = new Map<bigint, number>();
  table.forEach((v, r) => {
    if (!m.has(v)) m.set(v, r);
  });
  return m;
}

describe('TableRows', () => {
  it('finds the first row of every value like a bigint Map, and −1 for values not in the table', () => {
    const low = 2n ** 52n;
    const element = fc.oneof(
      fc.bigInt({ min: 0n, max: Fr.p - 1n }),
      fc.bigInt({ min: 0n, max: 40n }),
      // a low-52-bit class shared by values that differ above it
      fc.bigInt({ min: 1n, max: 2n ** 150n }).map((hi) => Fr.create(hi * low + 12345n)),
    );
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 60 }), fc.array(element, { minLength: 1, maxLength: 60 }), (table, probes) => {
        const rows = new TableRows(bytesOf(table), table.length);
        const oracle = firstRows(table);
        const all = [...table, ...probes];
        const pb = bytesOf(all);
        all.forEach((v, r) => expect(rows.find(pb, r)).toBe(oracle.get(v) ?? -1));
      }),
      { numRuns: 60 },
    );
  });

  it('tells apart values that share their low 52 bits', () => {
    const base = 0xabcdef12345n;
    const table = [base, base + 2n ** 52n, base + 2n ** 200n, base, 7n];
    const rows = new TableRows(bytesOf(table), table.length);
    const probes = [base + 2n ** 200n, base + 2n ** 52n, base, base + 2n ** 53n, 7n];
    const pb = bytesOf(probes);
    expect(probes.map((_, r) => rows.find(pb, r))).toEqual([2, 1, 0, -1, 4]);
    // only the first `rows` rows are the table's
    const short = new TableRows(bytesOf(table), 2);
    expect(short.find(pb, 0)).toBe(-1);
    expect(short.find(pb, 1)).toBe(1);
  });
});
