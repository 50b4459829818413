import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DotChip, dotSpec } from '../../src/gadgets/dot.js';
import { freivaldsRows, MatmulChip, matmulSpec, type MatmulStrategy } from '../../src/gadgets/matmul.js';
import { dequantize, tensor } from '../../src/gadgets/tensor.js';
import { expectCost } from './cost.js';
import { costOf, expectSatisfied, expectTamperFails, type GadgetCase, regionCells, runGadget, sample } from './harness.js';

const S = 8;
const [M, N, P] = [3, 4, 5];
const K = 8;
const ints = (len: number) => fc.array(fc.integer({ min: -(1 << 12), max: (1 << 12) - 1 }), { minLength: len, maxLength: len });

function matmul(strategy: MatmulStrategy, causal = false): GadgetCase<MatmulChip> {
  const m = causal ? N : M;
  return {
    name: 'matmul',
    inputs: [
      { name: 'A', shape: causal ? [(N * (N + 1)) / 2] : [M, N], scale: S },
      { name: 'B', shape: [N, P], scale: S },
    ],
    configure: (ctx) => MatmulChip.configure(ctx, { strategy }),
    synthesize: (layouter, chip, [a, b]) => [chip.assign(layouter, a!, b!, { causal, m })],
  };
}

const dot: GadgetCase<DotChip> = {
  name: 'dot',
  inputs: [
    { name: 'a', shape: [N], scale: S },
    { name: 'b', shape: [N], scale: S },
  ],
  configure: (ctx) => DotChip.configure(ctx),
  synthesize: (layouter, chip, [a, b]) => [chip.dot(layouter, a!, b!)],
};

describe('dot product gate', () => {
  it('random vectors: satisfied, equals the spec; tamper fails; cost', () => {
    fc.assert(
      fc.property(ints(N), ints(N), (xs, ys) => {
        const run = runGadget(K, dot, [tensor([N], xs, S), tensor([N], ys, S)]);
        expectSatisfied(run.prover);
        expect(run.outputs[0]!.values.get()[0]).toBe(dotSpec(xs.map(BigInt), ys.map(BigInt)));
      }),
      { numRuns: 3 },
    );
    const run = runGadget(K, dot, [tensor([N], [1, 2, 3, 4], S), tensor([N], [-5, 6, -7, 8], S)]);
    expectTamperFails(run.prover, regionCells(run.prover, 'dot'), 'dot');
    expectCost('dot n=4', costOf(run, 'dot'));
  });
});

describe('matmul', () => {
  for (const strategy of ['freivalds', 'dot'] as const) {
    it(`${strategy}: random matrices satisfy the mock prover and equal the spec`, () => {
      fc.assert(
        fc.property(ints(M * N), ints(N * P), (as, bs) => {
          const run = runGadget(K, matmul(strategy), [tensor([M, N], as, S), tensor([N, P], bs, S)]);
          expectSatisfied(run.prover);
          expect([...run.outputs[0]!.values.get()]).toEqual([...matmulSpec(as.map(BigInt), bs.map(BigInt), M, N, P)]);
        }),
        { numRuns: 3 },
      );
    });

    it(`${strategy}: changing any entry of C or a sample of internal cells fails; cost`, () => {
      const as = tensor([M, N], Array.from({ length: M * N }, (_, i) => (i * 37) % 200 - 100), S);
      const bs = tensor([N, P], Array.from({ length: N * P }, (_, i) => (i * 53) % 300 - 150), S);
      const run = runGadget(K, matmul(strategy), [as, bs]);
      expectSatisfied(run.prover);
      expectTamperFails(run.prover, run.outputs[0]!.cells, 'matmul');
      expectTamperFails(run.prover, sample(regionCells(run.prover, 'matmul'), 24), 'matmul');
      // exact: integers well below 2^53, so float64 agrees
      const fa = dequantize(as);
      const fb = dequantize(bs);
      const got = dequantize({ ...as, scale: 2 * S, data: run.outputs[0]!.values.get() });
      for (let i = 0; i < M; i++) for (let j = 0; j < P; j++) {
        let s = 0;
        for (let k = 0; k < N; k++) s += fa[i * N + k]! * fb[k * P + j]!;
        expect(got[i * P + j]).toBe(s);
      }
      expectCost(`matmul ${strategy} ${M}x${N}x${P}`, costOf(run, 'matmul'));
    });
  }

  it('freivalds: rows are n·p + m·p + m·n', () => {
    const run = runGadget(K, matmul('freivalds'), [tensor([M, N], Array(M * N).fill(1), S), tensor([N, P], Array(N * P).fill(2), S)]);
    expect(costOf(run, 'matmul').rows).toBe(freivaldsRows(M, N, P));
  });

  it('freivalds, causal (packed lower-triangular A): satisfied and tamper fails', () => {
    const la = (N * (N + 1)) / 2;
    const as = tensor([la], Array.from({ length: la }, (_, i) => i - 4), S);
    const bs = tensor([N, P], Array.from({ length: N * P }, (_, i) => 3 * i - 20), S);
    const run = runGadget(K, matmul('freivalds', true), [as, bs]);
    expectSatisfied(run.prover);
    expect([...run.outputs[0]!.values.get()]).toEqual([...matmulSpec(as.data, bs.data, N, N, P, true)]);
    expectTamperFails(run.prover, run.outputs[0]!.cells, 'matmul');
  });
});
