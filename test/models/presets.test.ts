/**
 * Preset range-check limbs: nanogpt sets 14-bit limbs (its circuit needs
 * k = 16 anyway, so a 2^14-row range table adds no rows); the estimate stays
 * at k = 16 with the table that large, and the circuit has fewer committed
 * columns and range lookups than with the default 8-bit limbs.
 */
import { describe, expect, it } from 'vitest';
import { compileModel, estimateCost, getPreset, presetGraph, presetQuant } from '../../src/models/index.js';

describe('preset limb widths', () => {
  it('nanogpt: 14-bit limbs keep k = 16 and cut committed columns and lookups against 8-bit limbs', () => {
    const pre = getPreset('nanogpt');
    const quant = presetQuant(pre);
    expect(quant.limbBits).toBe(14);
    const cost = (limbBits: number) =>
      estimateCost(compileModel(presetGraph(pre, pre.config.context), { ...quant, limbBits }, { visibility: { weights: 'committed' }, fixedColumns: pre.fixedColumns }));
    const wide = cost(14);
    const narrow = cost(8);
    expect(wide.k).toBe(16);
    expect(narrow.k).toBe(16);
    expect(wide.tableRows).toBeGreaterThanOrEqual(2 ** 14);
    expect(wide.columns.committed).toBeLessThan(narrow.columns.committed - 40);
    expect(wide.lookups).toBeLessThan(narrow.lookups - 20);
    // gpt2-tiny keeps the default (its k = 11 circuit has no room for a large table)
    expect(getPreset('gpt2-tiny').limbBits).toBeUndefined();
  });
});
