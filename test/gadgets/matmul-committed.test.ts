/**
 * The committed-weights Freivalds chip: MockProver completeness on random
 * matrices (C equals the spec, v (row 0 of the fold column) equals the bigint fold of
 * B·r), tamper tests over every cell it assigns, the cost against the
 * Freivalds chip that holds B, and the folded opening against B's
 * commitments (accepts B, rejects a prover holding B′ ≠ B). The bias row
 * (B′ = [B; b], C = A·B + 2^s·b): the same checks, the rescaled output equal
 * to rescale(A·B) + b, the 2^s entry tied to the constants column, and a
 * prover holding another bias under B′'s commitments rejected.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Fr } from '../../src/field/index.js';
import { KzgParams, unsafeDevSrs } from '../../src/pcs/kzg.js';
import { commitMatrixRows, openFoldedRows, rowEvaluations, verifyFoldedOpening } from '../../src/pcs/matrix-commit.js';
import { MockProver, Value } from '../../src/plonkish/frontend/index.js';
import {
  CommittedMatmulChip,
  committedFreivaldsRows,
  committedMatmulSpec,
  committedRowEvaluations,
  foldSpec,
} from '../../src/gadgets/matmul-committed.js';
import { freivaldsRows, MatmulChip, matmulSpec } from '../../src/gadgets/matmul.js';
import { rescaleSpec } from '../../src/gadgets/rescale.js';
import { GadgetError } from '../../src/gadgets/tensor.js';
import { tensor, type FixedPointTensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { chipRows, costOf, expectSatisfied, expectTamperFails, foldValue, type GadgetCase, GadgetCircuit, regionCells, runGadget, sample } from './harness.js';

const S = 8;
const K = 8;
const ints = (len: number) => fc.array(fc.integer({ min: -(1 << 12), max: (1 << 12) - 1 }), { minLength: len, maxLength: len });
const det = (len: number, a: number, b: number) => Array.from({ length: len }, (_, i) => ((i * a) % b) - (b >> 1));

/** One or more matmuls A_i·B_i with B_i committed (index i); B given as plain values the prover holds. */
function committed(shapes: readonly (readonly [number, number, number])[], weights: readonly (FixedPointTensor | undefined)[], indices = shapes.map((_, i) => i)): GadgetCase<CommittedMatmulChip> {
  return {
    name: 'cmatmul',
    inputs: shapes.map(([m, n], i) => ({ name: `A${i}`, shape: [m, n], scale: S })),
    configure: (ctx) => CommittedMatmulChip.configure(ctx),
    synthesize: (layouter, chip, as) => {
      const out = shapes.map(([, n, p], i) =>
        chip.assign(layouter, as[i]!, { index: indices[i]!, rows: n, cols: p, scale: S, values: weights[i] ? Value.known(weights[i]!.data) : Value.unknown() }),
      );
      chip.fold.finish(layouter);
      return out;
    },
  };
}

function run(k: number, gadget: GadgetCase<CommittedMatmulChip>, witness: readonly FixedPointTensor[]) {
  const circuit = new GadgetCircuit(gadget, witness);
  const prover = MockProver.run(k, circuit, []);
  return { prover, circuit, outputs: circuit.outputs };
}

const challengesOf = (prover: MockProver<unknown>) => {
  const named = (name: string) => prover.challenges[prover.compiled.challenges.find((c) => c.name === name)!.index]!;
  return { rho: named('freivalds.rho'), gamma: named('weights.gamma') };
};

/** The slow oracle: (B·r)_k by bigint Horner. */
const hornerRows = (b: ArrayLike<bigint>, n: number, p: number, rho: bigint) =>
  Array.from({ length: n }, (_, k) => {
    let acc = 0n;
    for (let j = p - 1; j >= 0; j--) acc = Fr.add(Fr.mul(acc, rho), Fr.create(b[k * p + j]!));
    return acc;
  });

describe('committed-weights matmul', () => {
  it('B·r (packed inner products) equals a bigint Horner, for small signed, large (≥ 2^53) and plain bigint entries', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 9 }),
        fc.bigInt({ min: 0n, max: Fr.p - 1n }),
        fc.array(fc.oneof(fc.bigInt({ min: -300n, max: 300n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), { minLength: 45, maxLength: 45 }),
        (n, p, rho, pool) => {
          const b = BigInt64Array.from({ length: n * p }, (_, i) => pool[i % pool.length]!);
          const want = hornerRows(b, n, p, rho);
          expect(committedRowEvaluations(b, n, p, rho)).toEqual(want);
          expect(committedRowEvaluations(Array.from(b), n, p, rho)).toEqual(want);
          expect(rowEvaluations({ rows: n, cols: p, values: b }, rho)).toEqual(want);
          expect(rowEvaluations({ rows: n, cols: p, values: Array.from(b, (x) => Fr.create(x)) }, rho)).toEqual(want);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('B·r by Horner is the commitment side’s row evaluations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.bigInt({ min: 0n, max: Fr.p - 1n }), (n, p, rho) => {
        const b = BigInt64Array.from(det(n * p, 37 + n, 301), BigInt);
        expect(committedRowEvaluations(b, n, p, rho)).toEqual(rowEvaluations({ rows: n, cols: p, values: Array.from(b) }, rho));
      }),
      { numRuns: 20 },
    );
  });

  it('random matrices: satisfied, C equals the spec, v = Σ γ^i·(B·r)_i', () => {
    const [M, N, P] = [3, 4, 5];
    fc.assert(
      fc.property(ints(M * N), ints(N * P), (as, bs) => {
        const b = tensor([N, P], bs, S);
        const r = run(K, committed([[M, N, P]], [b]), [tensor([M, N], as, S)]);
        expectSatisfied(r.prover);
        expect([...r.outputs[0]!.values.get()]).toEqual([...matmulSpec(as.map(BigInt), bs.map(BigInt), M, N, P)]);
        const { rho, gamma } = challengesOf(r.prover);
        expect(foldValue(r.prover)).toBe(foldSpec(committedRowEvaluations(b.data, N, P, rho), gamma));
      }),
      { numRuns: 3 },
    );
  });

  it('two matrices fold in index order (whatever the assign order); a matrix used twice is folded once', () => {
    const b0 = tensor([4, 3], det(12, 11, 97), S);
    const b1 = tensor([2, 5], det(10, 13, 89), S);
    const a0 = tensor([2, 4], det(8, 7, 51), S);
    const a1 = tensor([3, 2], det(6, 5, 41), S);
    // assigned as (matrix 1, matrix 0): the fold still runs over u of matrix 0 then 1
    const r = run(K, committed([[3, 2, 5], [2, 4, 3]], [b1, b0], [1, 0]), [a1, a0]);
    expectSatisfied(r.prover);
    const { rho, gamma } = challengesOf(r.prover);
    const u = [...committedRowEvaluations(b0.data, 4, 3, rho), ...committedRowEvaluations(b1.data, 2, 5, rho)];
    expect(foldValue(r.prover)).toBe(foldSpec(u, gamma));
    const twice = run(K, committed([[2, 4, 3], [2, 4, 3]], [b0, b0], [0, 0]), [a0, a0]);
    expectSatisfied(twice.prover);
    expect(foldValue(twice.prover)).toBe(foldSpec(committedRowEvaluations(b0.data, 4, 3, rho), gamma));
    expect(() => run(K, committed([[2, 4, 3]], [b0], [1]), [a0])).toThrow(/not matrix 0/);
  });

  it('changing any cell it assigns (u, C·r, A·u, fold), any C or A cell, or v (row 0 of the fold column) fails, naming the gate/region', () => {
    const [M, N, P] = [3, 4, 5];
    const b = tensor([N, P], det(N * P, 53, 300), S);
    const r = run(K, committed([[M, N, P]], [b]), [tensor([M, N], det(M * N, 37, 200), S)]);
    expectSatisfied(r.prover);
    const fold = regionCells(r.prover, 'weights');
    expect(fold).toHaveLength(2 * N);
    expectTamperFails(r.prover, regionCells(r.prover, 'cmatmul: u'), ['cmatmul', 'weights']);
    expectTamperFails(r.prover, fold, 'weights');
    expectTamperFails(r.prover, sample(regionCells(r.prover, 'cmatmul'), 40), ['cmatmul', 'weights']);
    expectTamperFails(r.prover, r.outputs[0]!.cells, 'cmatmul');
    expectTamperFails(r.prover, regionCells(r.prover, 'load A0'), ['cmatmul']);
    // v sits at row 0 of the fold column (the prover opens it there, hidden): changing it breaks the fold's first step
    const acc = r.prover.compiled.advice.find((c) => c.name === 'weights.acc')!;
    const vCell = { column: { kind: 'advice' as const, index: acc.index, phase: 2 as const }, row: 0 };
    r.prover.setCell(vCell, Fr.add(foldValue(r.prover), 1n));
    const failures = r.prover.verify();
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]!.message).toMatch(/weights: fold step/);
  });

  it('cost: the n·p Horner rows over B are gone (T·(n + p) + 2n rows vs n·p + T·(n + p))', () => {
    const [M, N, P] = [2, 8, 16];
    const b = tensor([N, P], det(N * P, 7, 100), S);
    const a = tensor([M, N], det(M * N, 3, 50), S);
    const r = run(K, committed([[M, N, P]], [b]), [a]);
    const rows = chipRows(r.prover, 'cmatmul') + chipRows(r.prover, 'weights');
    expect(rows).toBe(committedFreivaldsRows(M, N, P));
    const held: GadgetCase<MatmulChip> = {
      name: 'matmul',
      inputs: [
        { name: 'A', shape: [M, N], scale: S },
        { name: 'B', shape: [N, P], scale: S },
      ],
      configure: (ctx) => MatmulChip.configure(ctx),
      synthesize: (layouter, chip, [x, y]) => [chip.assign(layouter, x!, y!)],
    };
    const old = runGadget(K + 1, held, [a, b]);
    expect(chipRows(old.prover, 'matmul')).toBe(freivaldsRows(M, N, P));
    expect(freivaldsRows(M, N, P) - rows).toBe(N * P - 2 * N); // 176 → 64
    const entry = costOf(r, 'cmatmul');
    expectCost(`matmul committed ${M}x${N}x${P}`, { ...entry, rows });
  });
});

describe('committed weights: the folded opening against the fingerprint', () => {
  let params: KzgParams;
  beforeAll(() => {
    params = new KzgParams(unsafeDevSrs(5, 'matmul-committed-tests'));
  });

  it('accepts v (row 0 of the fold column) for the committed B; a prover holding B′ ≠ B satisfies the circuit but fails the opening; a wrong point fails', () => {
    const [M, N, P] = [2, 4, 6];
    const b = tensor([N, P], det(N * P, 29, 400), S);
    const b2 = tensor([N, P], [...b.data].map((x, i) => Number(i === 5 ? x + 1n : x)), S);
    const a = tensor([M, N], det(M * N, 3, 50), S);
    const matrix = (t: FixedPointTensor) => ({ rows: N, cols: P, values: Array.from(t.data) });
    const fingerprint = [commitMatrixRows(params, matrix(b))];
    const vp = params.verifierParams();

    const honest = run(K, committed([[M, N, P]], [b]), [a]);
    expectSatisfied(honest.prover);
    const { rho, gamma } = challengesOf(honest.prover);
    const opening = openFoldedRows(params, [matrix(b)], gamma, rho);
    expect(opening.value).toBe(foldValue(honest.prover));
    expect(verifyFoldedOpening(fingerprint, gamma, rho, opening, vp)).toBe(true);
    expect(verifyFoldedOpening(fingerprint, gamma, Fr.add(rho, 1n), opening, vp)).toBe(false);

    const cheat = run(K, committed([[M, N, P]], [b2]), [a]);
    expectSatisfied(cheat.prover); // the circuit alone cannot tell: B is not in it
    const v2 = foldValue(cheat.prover);
    expect(v2).not.toBe(opening.value); // so the honest opening of B does not match v (row 0 of the fold column)
    const forged = openFoldedRows(params, [matrix(b2)], gamma, rho);
    expect(forged.value).toBe(v2);
    expect(verifyFoldedOpening(fingerprint, gamma, rho, forged, vp)).toBe(false); // and B′'s opening is not one of B
  });
});

/** A·B′ with B′ = [B; b] ((n + 1) × p) committed under index 0 as one matrix with a bias row. */
function biased(m: number, n: number, p: number, weights: FixedPointTensor | undefined, rows = n + 1): GadgetCase<CommittedMatmulChip> {
  return {
    name: 'cmatmul',
    inputs: [{ name: 'A', shape: [m, n], scale: S }],
    configure: (ctx) => CommittedMatmulChip.configure(ctx),
    synthesize: (layouter, chip, [a]) => {
      const out = chip.assign(layouter, a!, { index: 0, rows, cols: p, scale: S, values: weights ? Value.known(weights.data) : Value.unknown(), bias: true });
      chip.fold.finish(layouter);
      return [out];
    },
  };
}

/** [B; b] as one (n + 1) × p tensor. */
const stack = (b: readonly number[], bias: readonly number[], n: number, p: number) => tensor([n + 1, p], [...b, ...bias], S);

describe('committed-weights matmul with a bias row (B′ = [B; b])', () => {
  const [M, N, P] = [3, 4, 5];
  const A = det(M * N, 37, 200);
  const B = det(N * P, 53, 300);
  const b = det(P, 17, 90);

  it('random matrices: satisfied; C = A·B + 2^s·b; the rescaled output is rescale(A·B) + b; v folds all n + 1 rows of B′·r', () => {
    fc.assert(
      fc.property(ints(M * N), ints(N * P), ints(P), (as, bs, bias) => {
        const w = stack(bs, bias, N, P);
        const r = run(K, biased(M, N, P, w), [tensor([M, N], as, S)]);
        expectSatisfied(r.prover);
        const c = r.outputs[0]!.values.get();
        // the slow oracle: the plain product plus the bias at the product's scale, entry by entry
        const plain = matmulSpec(as.map(BigInt), bs.map(BigInt), M, N, P);
        expect([...c]).toEqual([...plain].map((x, i) => x + (1n << BigInt(S)) * BigInt(bias[i % P]!)));
        expect([...c]).toEqual([...committedMatmulSpec(as.map(BigInt), w.data, M, N, P, 1n << BigInt(S))]);
        expect([...rescaleSpec(c, S)]).toEqual([...rescaleSpec(plain, S)].map((x, i) => x + BigInt(bias[i % P]!)));
        const { rho, gamma } = challengesOf(r.prover);
        expect(foldValue(r.prover)).toBe(foldSpec(committedRowEvaluations(w.data, N + 1, P, rho), gamma));
      }),
      { numRuns: 3 },
    );
  });

  it('a tampered output cell, bias entry of u′ or 2^s entry of the dot products fails; so does any cell it assigns', () => {
    const r = run(K, biased(M, N, P, stack(B, b, N, P)), [tensor([M, N], A, S)]);
    expectSatisfied(r.prover);
    expectTamperFails(r.prover, r.outputs[0]!.cells, 'cmatmul');
    const u = regionCells(r.prover, 'cmatmul: u');
    expect(u).toHaveLength(N + 1);
    expectTamperFails(r.prover, [u[N]!], ['cmatmul', 'weights']); // u′_n = b·r
    expectTamperFails(r.prover, u, ['cmatmul', 'weights']);
    // the a-column cell that carries 2^s into each row's dot product: copy-constrained to the constants column
    const chip = r.prover.config.chip;
    const dot = r.prover.assignment.regions.find((x) => x.name === 'cmatmul: A·(B·r)')!;
    const twos = Array.from({ length: M }, (_, i) => ({ column: chip.inner.dot.a, row: dot.start + i * (N + 1) + N }));
    for (const c of twos) expect(r.prover.assignment.advice[c.column.index]![c.row]).toBe(1n << BigInt(S));
    expectTamperFails(r.prover, twos, 'copy');
    expectTamperFails(r.prover, sample(regionCells(r.prover, 'cmatmul'), 40), ['cmatmul', 'weights']);
    expectTamperFails(r.prover, regionCells(r.prover, 'weights'), 'weights');
  });

  it('a B without the bias row (n rows) is refused; rows: one more dot row per output row and 2 fold rows, no add rows', () => {
    expect(() => run(K, biased(M, N, P, tensor([N, P], B, S), N), [tensor([M, N], A, S)])).toThrow(GadgetError);
    expect(() => run(K, biased(M, N, P, tensor([N, P], B, S), N), [tensor([M, N], A, S)])).toThrow(/expected \[4 \+ 1 \(bias row\), p\]/);
    const r = run(K, biased(M, N, P, stack(B, b, N, P)), [tensor([M, N], A, S)]);
    const rows = chipRows(r.prover, 'cmatmul') + chipRows(r.prover, 'weights');
    expect(rows).toBe(committedFreivaldsRows(M, N + 1, P));
    expect(rows - committedFreivaldsRows(M, N, P)).toBe(M + 2);
  });
});

describe('committed weights with a bias row: the folded opening against [B; b]', () => {
  let params: KzgParams;
  beforeAll(() => {
    params = new KzgParams(unsafeDevSrs(5, 'matmul-committed-bias-tests'));
  });

  it('the honest [B; b] opens to v (row 0 of the fold column); a prover holding another bias satisfies the circuit but not the commitments', () => {
    const [M, N, P] = [2, 4, 6];
    const B = det(N * P, 29, 400);
    const b = det(P, 11, 60);
    const b2 = b.map((x, j) => (j === 2 ? x + 1 : x));
    const w = stack(B, b, N, P);
    const w2 = stack(B, b2, N, P);
    const a = tensor([M, N], det(M * N, 3, 50), S);
    const matrix = (t: FixedPointTensor) => ({ rows: N + 1, cols: P, values: Array.from(t.data) });
    const fingerprint = [commitMatrixRows(params, matrix(w))];
    const vp = params.verifierParams();

    const honest = run(K, biased(M, N, P, w), [a]);
    expectSatisfied(honest.prover);
    const { rho, gamma } = challengesOf(honest.prover);
    const opening = openFoldedRows(params, [matrix(w)], gamma, rho);
    expect(opening.value).toBe(foldValue(honest.prover));
    expect(verifyFoldedOpening(fingerprint, gamma, rho, opening, vp)).toBe(true);

    const cheat = run(K, biased(M, N, P, w2), [a]);
    expectSatisfied(cheat.prover); // the bias is not in the circuit either
    expect(cheat.outputs[0]!.values.get()).not.toEqual(honest.outputs[0]!.values.get());
    const v2 = foldValue(cheat.prover);
    expect(v2).not.toBe(opening.value);
    const forged = openFoldedRows(params, [matrix(w2)], gamma, rho);
    expect(forged.value).toBe(v2);
    expect(verifyFoldedOpening(fingerprint, gamma, rho, forged, vp)).toBe(false);
  });
});
