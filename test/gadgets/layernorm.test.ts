import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/bn254.js';
import { LayerNormChip, type LayerNormParams, layerNormSpec, rsqrtBounds, rsqrtOf, rsqrtResiduals, rsqrtTableSpec } from '../../src/gadgets/layernorm.js';
import type { RangeConfig } from '../../src/gadgets/range.js';
import { buildTable } from '../../src/gadgets/tables.js';
import { dequantize, divRound, GadgetError, roundShift, tensor } from '../../src/gadgets/tensor.js';
import type { Cell, Column, MockProver } from '../../src/plonkish/frontend/index.js';
import { expectCost } from './cost.js';
import { costOf, errors, expectSatisfied, expectTamperFails, failureName, type GadgetCase, type MockRun, regionCells, rng, runGadget, sample } from './harness.js';

const S = 8;
const P: LayerNormParams = { scale: S, bits: 16, width: 8, varBits: 11 };
const K = 12;
const ROWS = 2;

const ln: GadgetCase<LayerNormChip> = {
  name: 'layernorm',
  inputs: [{ name: 'x', shape: [ROWS, P.width], scale: S }],
  configure: (ctx) => LayerNormChip.configure(ctx, P),
  synthesize: (layouter, chip, [x], ctx) => [chip.assign(layouter, ctx, x!)],
};

function floatLayerNorm(x: Float64Array, rows: number, n: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * n, r * n + n));
    const mu = row.reduce((a, b) => a + b, 0) / n;
    const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
    for (const z of row) out.push((z - mu) / Math.sqrt(v + 1e-5));
  }
  return out;
}

// inputs within ±2.0 keep the variance (< 4) inside the 2^11 / 2^8 = 8 table range
const inputs = fc.array(fc.integer({ min: -512, max: 511 }), { minLength: ROWS * P.width, maxLength: ROWS * P.width });

describe('layernorm', () => {
  it('random rows satisfy the mock prover and equal the spec', () => {
    fc.assert(
      fc.property(inputs, (xs) => {
        const run = runGadget(K, ln, [tensor([ROWS, P.width], xs, S)]);
        expectSatisfied(run.prover);
        expect(run.outputs[0]!.values.get()).toEqual(layerNormSpec(xs.map(BigInt), ROWS, P));
      }),
      { numRuns: 2 },
    );
  });

  it('changing outputs and internal cells fails; accuracy; cost', () => {
    const r = rng(11);
    const xs = tensor([ROWS, P.width], Array.from({ length: ROWS * P.width }, () => Math.round((r() * 2 - 1) * 512)), S);
    const run = runGadget(K, ln, [xs]);
    expectSatisfied(run.prover);
    expectTamperFails(run.prover, run.outputs[0]!.cells, 'layernorm');
    expectTamperFails(run.prover, sample(regionCells(run.prover, 'layernorm'), 50), 'layernorm');
    const got = Array.from(run.outputs[0]!.values.get(), (v) => Number(v) / 2 ** S);
    const { abs } = errors(got, floatLayerNorm(dequantize(xs), ROWS, P.width));
    // μ and v are rounded to 2^−8, ι to 2^−8 relative to ~1/σ: a few output ulps for σ ≳ 0.3
    expect(abs).toBeLessThanOrEqual(0.05);
    expectCost('layernorm 2x8', costOf(run, 'layernorm'));
  });
});

// ---------------------------------------------------------------- rsqrt by inequalities

const caseOf = (p: LayerNormParams, rows: number): GadgetCase<LayerNormChip> => ({
  name: 'layernorm',
  inputs: [{ name: 'x', shape: [rows, p.width], scale: p.scale }],
  configure: (ctx) => LayerNormChip.configure(ctx, p),
  synthesize: (layouter, chip, [x], ctx) => [chip.assign(layouter, ctx, x!)],
});

/** The variance a row gets (the gadget's rounding, written out again). */
function varianceOf(row: readonly bigint[], s: number): bigint {
  const n = BigInt(row.length);
  const mu = divRound(row.reduce((a, b) => a + b, 0n), n);
  return divRound(row.reduce((a, b) => a + (b - mu) ** 2n, 0n), n << BigInt(s));
}

/** The largest a whose width-2 row [a, −a] (variance round(a² / 2^s)) has variance < 2^R. */
function lastA(p: LayerNormParams): bigint {
  let a = 0n;
  while (varianceOf([a + 1n, -a - 1n], p.scale) < 1n << BigInt(p.varBits)) a++;
  return a;
}

/** Rows [a, −a] for a = 0 … lastA (every a, or `count` spread evenly with both ends). */
function spreadRows(p: LayerNormParams, count = 400): bigint[][] {
  const top = lastA(p);
  const as = top < BigInt(count) ? Array.from({ length: Number(top) + 1 }, (_, i) => BigInt(i)) : Array.from({ length: count }, (_, i) => (top * BigInt(i)) / BigInt(count - 1));
  return as.map((a) => [a, -a]);
}

interface Block {
  readonly prover: MockProver<unknown>;
  readonly chip: LayerNormChip;
  readonly start: number;
}
const blockOf = (run: MockRun<LayerNormChip>): Block => ({
  prover: run.prover,
  chip: run.prover.config.chip,
  start: run.prover.assignment.regions.find((r) => r.name === 'layernorm')!.start,
});
const cellAt = (b: Block, column: Column, row: number): Cell => ({ column, row: b.start + row });
const read = (b: Block, column: Column, row: number): bigint => Fr.toSigned(b.prover.assignment.advice[column.index]![b.start + row]!);

/** Writes the limbs of v as assignRange does (v mod 2^bits, shifted if signed). */
function writeLimbs(b: Block, cfg: RangeConfig, row: number, v: bigint): void {
  const mod = 1n << BigInt(cfg.bits);
  let u = (((v + (cfg.signed ? mod >> 1n : 0n)) % mod) + mod) % mod;
  for (const l of cfg.limbs) {
    b.prover.setCell(cellAt(b, l, row), u & ((1n << BigInt(cfg.limbBits)) - 1n));
    u >>= BigInt(cfg.limbBits);
  }
}

/**
 * A prover claiming ι = `inv` for LayerNorm row r, with everything else made
 * consistent with it: ι on every row, y and r_y recomputed (and their limbs),
 * ι's, lo's and hi's limbs and z. Only the rsqrt inequalities can object.
 */
function claimRsqrt(b: Block, r: number, inv: bigint, z?: bigint): void {
  const { chip } = b;
  const n = chip.params.width;
  const s = chip.params.scale;
  const last = r * n + n - 1;
  const range = (k: Parameters<typeof chip.ranges.get>[0]) => chip.ranges.get(k)!;
  for (let j = 0; j < n; j++) {
    const row = r * n + j;
    const c = read(b, chip.cols.x, row) - read(b, chip.cols.mu, row);
    const y = roundShift(c * inv, s);
    const ry = c * inv + (1n << BigInt(s - 1)) - (y << BigInt(s));
    b.prover.setCell(cellAt(b, chip.cols.inv, row), inv);
    b.prover.setCell(cellAt(b, chip.cols.y, row), y);
    b.prover.setCell(cellAt(b, chip.cols.ry, row), ry);
    writeLimbs(b, range('y'), row, y);
    writeLimbs(b, range('ry'), row, ry);
  }
  const v = read(b, chip.cols.v, last);
  const res = rsqrtResiduals(chip.rsqrt, v, inv);
  // a forced z moves lo by (z − z_honest)·W
  const zz = z ?? res.z;
  writeLimbs(b, range('inv'), last, inv);
  writeLimbs(b, range('lo'), last, res.lo + (zz - res.z) * (v * chip.rsqrt.b + chip.rsqrt.aS));
  writeLimbs(b, range('hi'), last, res.hi);
  if (chip.cols.z) b.prover.setCell(cellAt(b, chip.cols.z, last), zz);
}

/** Claims ι + delta (and z, if given) on row r, returns the failure names, restores the honest ι. */
function failuresWith(b: Block, r: number, delta: bigint, z?: bigint): string[] {
  const n = b.chip.params.width;
  const honest = read(b, b.chip.cols.inv, r * n + n - 1);
  claimRsqrt(b, r, honest + delta, z);
  const names = [...new Set(b.prover.verify().map(failureName))];
  claimRsqrt(b, r, honest);
  return names;
}

const ORACLE: LayerNormParams[] = [
  { scale: 8, bits: 16, width: 2, varBits: 12 },
  { scale: 5, bits: 16, width: 2, varBits: 12, eps: [1n, 1000n] },
  // some variances round ι to 0 here (4K < W): the z column
  { scale: 2, bits: 16, width: 2, varBits: 9 },
  // ε = 1/9 makes exact ties: at v = 28, √(K/W) = √(2304/256) / 2 = 1.5 rounds up to 2 (lo = 0)
  { scale: 2, bits: 16, width: 2, varBits: 9, eps: [1n, 9n] },
];
const TIES = ORACLE[3]!;

/** A width-2 row [a, 0] with variance v (searched). */
function rowWithVariance(p: LayerNormParams, v: bigint): bigint[] {
  for (let a = 0n; a < 1n << 20n; a++) if (varianceOf([a, 0n], p.scale) === v) return [a, 0n];
  throw new Error(`no row [a, 0] has variance ${v}`);
}

describe('layernorm rsqrt by inequalities', () => {
  it.each(ORACLE)('ι equals the rsqrt table at every v < 2^R, and only ι passes the inequalities (s = $scale, R = $varBits, ε = $eps)', (p) => {
    const table = buildTable(rsqrtTableSpec(p));
    const rb = rsqrtBounds(p);
    const inRange = (x: bigint, bits: number) => x >= 0n && x < 1n << BigInt(bits);
    const passes = (v: bigint, inv: bigint) => {
      const { lo, hi } = rsqrtResiduals(rb, v, inv);
      return inRange(inv, rb.invBits) && inRange(lo, rb.loBits) && inRange(hi, rb.hiBits);
    };
    expect(table.outputs.length).toBe(2 ** p.varBits);
    expect(rb.invMax).toBe(table.outputs[0]);
    let zeros = 0;
    let ties = 0;
    for (let i = 0; i < table.outputs.length; i++) {
      const v = BigInt(i);
      const want = table.outputs[i]!;
      expect(rsqrtOf(rb, v)).toBe(want);
      expect(passes(v, want), `v = ${v}`).toBe(true);
      expect(passes(v, want + 1n), `v = ${v}, ι + 1`).toBe(false);
      if (want > 0n) expect(passes(v, want - 1n), `v = ${v}, ι − 1`).toBe(false);
      if (want === 0n) zeros++;
      if (want > 0n && rsqrtResiduals(rb, v, want).lo === 0n) ties++;
    }
    expect(rb.zeroable).toBe(zeros > 0);
    // the tie config has ties (hi's − 1 is what rejects ι − 1 there)
    if (p === TIES) expect(ties).toBeGreaterThan(0);
  });

  it.each(ORACLE)('every variance through the circuit: ι is the table value (s = $scale, R = $varBits, ε = $eps)', (p) => {
    const rows = spreadRows(p);
    const x = rows.flat();
    const run = runGadget(K, caseOf(p, rows.length), [tensor([rows.length, 2], x, p.scale)]);
    expectSatisfied(run.prover);
    expect(run.outputs[0]!.values.get()).toEqual(layerNormSpec(x, rows.length, p));
    const b = blockOf(run);
    const table = buildTable(rsqrtTableSpec(p));
    for (let r = 0; r < rows.length; r++) {
      const v = read(b, b.chip.cols.v, 2 * r + 1);
      expect(v).toBe(varianceOf(rows[r]!, p.scale));
      expect(read(b, b.chip.cols.inv, 2 * r + 1)).toBe(table.outputs[Number(v)]);
    }
    if (b.chip.rsqrt.zeroable) {
      expect(rows.some((row) => table.outputs[Number(varianceOf(row, p.scale))] === 0n)).toBe(true);
      expectTamperFails(run.prover, rows.map((_, r) => cellAt(b, b.chip.cols.z!, 2 * r + 1)), 'layernorm');
    }
  });

  it('ι ± 1 on an honest row, with every other cell made consistent, fails exactly the lo / hi check', () => {
    const LO = 'layernorm.lo: decompose';
    const HI = 'layernorm.hi: decompose';
    const spread = spreadRows(ORACLE[2]!);
    const tie = rowWithVariance(TIES, 28n);
    const cases: [LayerNormParams, bigint[][], number[]][] = [
      // P's rows; spread rows with ι = 0 (a ≥ 32), ι = 1 (a = 31) and large ι; a tie (ι = 2 exactly half up)
      [P, [Array.from({ length: ROWS * P.width }, (_, i) => BigInt(((i * 97) % 1000) - 500))], [0, 1]],
      [ORACLE[2]!, spread, [0, 1, 2, 10, 30, 31, 32, 33, 34, spread.length - 1]],
      [TIES, [tie, [5n, -5n]], [0, 1]],
    ];
    for (const [p, rows, picks] of cases) {
      const x = rows.flat();
      const count = x.length / p.width;
      const b = blockOf(runGadget(K, caseOf(p, count), [tensor([count, p.width], x, p.scale)]));
      expect(b.prover.verify()).toEqual([]);
      for (const r of picks) {
        expect(failuresWith(b, r, 0n), `row ${r}: the re-witness itself is consistent`).toEqual([]);
        // ι + 1 makes lo negative; hi may also leave its width (it grows with ι)
        const up = failuresWith(b, r, 1n);
        expect(up, `row ${r}: ι + 1`).toContain(LO);
        expect(up.filter((f) => f !== LO && f !== HI), `row ${r}: ι + 1`).toEqual([]);
        const inv = read(b, b.chip.cols.inv, r * p.width + p.width - 1);
        const down = failuresWith(b, r, -1n);
        // ι − 1 makes hi negative (−1 at a tie); at ι = 0 it is −1, which ι's own range check rejects
        expect(down, `row ${r}: ι − 1`).toContain(inv > 0n ? HI : 'layernorm.inv: decompose');
        expect(down.filter((f) => f !== LO && f !== HI && !f.startsWith('layernorm.inv')), `row ${r}: ι − 1`).toEqual([]);
      }
      expect(b.prover.verify()).toEqual([]);
    }
    // the tie row: ι − 1 leaves hi = −1 exactly
    const rb = rsqrtBounds(TIES);
    expect(rsqrtOf(rb, 28n)).toBe(2n);
    expect(rsqrtResiduals(rb, 28n, 1n).hi).toBe(-1n);
  });

  it('z: a bit, and 1 only where ι = 0', () => {
    const p = ORACLE[2]!;
    const rows = spreadRows(p);
    const b = blockOf(runGadget(K, caseOf(p, rows.length), [tensor([rows.length, 2], rows.flat(), p.scale)]));
    expect(b.prover.verify()).toEqual([]);
    const ZERO = 'layernorm: rsqrt zero';
    let alone = 0;
    rows.forEach((_, r) => {
      const inv = read(b, b.chip.cols.inv, 2 * r + 1);
      if (inv > 0n) {
        // z = 1 beside ι ≥ 1 (lo re-witnessed to lo + W): the z gate objects, often alone
        const f = failuresWith(b, r, 0n, 1n);
        expect(f, `row ${r}`).toContain(ZERO);
        if (f.length === 1) alone++;
      } else {
        // ι = 0 without z: lo = 4K − W < 0; z = 2: not a bit
        expect(failuresWith(b, r, 0n, 0n), `row ${r}`).toEqual(['layernorm.lo: decompose']);
        expect(failuresWith(b, r, 0n, 2n), `row ${r}`).toContain(ZERO);
      }
    });
    expect(alone).toBeGreaterThan(0);
    expect(b.prover.verify()).toEqual([]);
  });

  it('a changed limb of lo or hi fails', () => {
    const x = Array.from({ length: ROWS * P.width }, (_, i) => BigInt(((i * 37) % 900) - 450));
    const run = runGadget(K, ln, [tensor([ROWS, P.width], x, S)]);
    expectSatisfied(run.prover);
    const b = blockOf(run);
    const limbs = (['lo', 'hi'] as const).flatMap((k) => b.chip.ranges.get(k)!.limbs);
    const cells = Array.from({ length: ROWS }, (_, r) => limbs.map((l) => cellAt(b, l, r * P.width + P.width - 1))).flat();
    expect(cells.length).toBeGreaterThan(4);
    expectTamperFails(run.prover, cells, ['layernorm.lo', 'layernorm.hi']);
  });

  it('a row variance of 2^R / 2^s or more fails the v range check and the spec', () => {
    const p = ORACLE[0]!;
    const R = 1n << BigInt(p.varBits);
    // the smallest a with variance ≥ 2^R, and the one before it (the largest accepted)
    const a = lastA(p);
    const rows = [
      [a, -a],
      [a + 1n, -a - 1n],
    ];
    expect(varianceOf(rows[0]!, p.scale)).toBeLessThan(R);
    expect(varianceOf(rows[1]!, p.scale)).toBeGreaterThanOrEqual(R);
    expect(() => layerNormSpec(rows[1]!, 1, p)).toThrow(GadgetError);
    expect(() => layerNormSpec(rows[1]!, 1, p)).toThrow(/outside the calibrated range \[0, 2\^12\)/);
    expect(() => layerNormSpec(rows[0]!, 1, p)).not.toThrow();
    expectSatisfied(runGadget(K, caseOf(p, 1), [tensor([1, 2], rows[0]!, p.scale)]).prover);
    const bad = runGadget(K, caseOf(p, 1), [tensor([1, 2], rows[1]!, p.scale)]).prover.verify().map(failureName);
    expect(bad).toContain('layernorm.v: decompose');
    // far beyond: P's width-8 rows of ±3.0 (variance 9 ≥ 2^11 / 2^8 = 8)
    const far = Array.from({ length: ROWS * P.width }, (_, i) => (i % 2 ? 768n : -768n));
    expect(() => layerNormSpec(far, ROWS, P)).toThrow(GadgetError);
    expect(runGadget(K, ln, [tensor([ROWS, P.width], far, S)]).prover.verify().map(failureName)).toContain('layernorm.v: decompose');
  });

  it('bit widths and the ε check', () => {
    // gpt2-small's LayerNorm: s = 8, R = 20, ε = 1e-5
    const rb = rsqrtBounds({ scale: 8, bits: 24, width: 768, varBits: 20 });
    expect([rb.invBits, rb.loBits, rb.hiBits, rb.zeroable]).toEqual([17, 42, 42, false]);
    expect(() => rsqrtBounds({ ...P, eps: [0n, 1n] })).toThrow(GadgetError);
  });
});
