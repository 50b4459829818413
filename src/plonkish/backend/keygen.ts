/**
 * Key generation: lay the circuit out without a witness, compute the fixed
 * polynomials (the circuit's fixed and selector columns, and the permutation
 * σ_i), commit them, and precompute what the prover needs on the extended
 * coset. The verifying key is the compiled circuit, k and the fixed
 * commitments; its digest opens every transcript.
 * σ (the permutation's fixed columns) comes from permutation.ts.
 */
import { Fr, type FieldVec } from '../../field/index.js';
import { g1Add } from '../../curve/g1.js';
import type { AffinePoint } from '../../curve/types.js';
import type { Circuit } from '../frontend/index.js';
import { configure, synthesizeKeygen } from '../frontend/index.js';
import { buildArgument, DELTA, type Argument } from './argument.js';
import { KeygenError } from './errors.js';
import { permutationCycles, permutationSigmas } from './permutation.js';
import { commitColumns, interpolate, parkWithCoefficients, StoredColumn, type ProverParams } from './columns.js';
import { vkDigest, type VerifyingKey } from './vk.js';

export { KeygenError } from './errors.js';
export { permutationCycles } from './permutation.js';

export interface ProvingKey {
  readonly vk: VerifyingKey;
  readonly arg: Argument;
  /** Fixed columns (circuit fixed, selectors, σ) as coefficients, parked outside wasm memory. */
  readonly fixedCoeffs: readonly StoredColumn[];
  /** The same columns' Lagrange values (the permutation product and lookups read them). */
  readonly fixedValues: readonly StoredColumn[];
  /** Virtual columns l_0, l_last, l_active, X as coefficients. */
  readonly virtualCoeffs: readonly StoredColumn[];
  /** Release what the key holds (nothing stays in wasm memory; kept for API symmetry). */
  free(): void;
}

/** Coefficients of l_0, l_last, l_active and X (the verifier evaluates them by formula). */
export function virtualColumns(arg: Argument, params: ProverParams): StoredColumn[] {
  const { n, usableRows: u } = arg;
  const F = params.ntt.F;
  const omega = Fr.rootOfUnityOfOrder(arg.k);
  const lagrangeColumn = (f: (r: number) => bigint) => F.fromBigints(Array.from({ length: n }, (_, r) => f(r)));
  const x = F.alloc(n);
  F.powers(x, 1n, omega);
  const values = [
    lagrangeColumn((r) => (r === 0 ? 1n : 0n)),
    lagrangeColumn((r) => (r === u ? 1n : 0n)),
    lagrangeColumn((r) => (r < u ? 1n : 0n)),
    x,
  ];
  return values.map((v) => {
    const c = interpolate(v, params);
    v.free();
    return StoredColumn.take(c);
  });
}

export interface KeygenOptions {
  /** Called as each step starts (progress reports): step name, steps done, steps in all. */
  readonly onStep?: (step: string, done: number, total: number) => void;
}

export function keygen<Config, Params>(circuit: Circuit<Config, Params>, params: ProverParams, k: number, options: KeygenOptions = {}): ProvingKey {
  const step = (name: string, done: number) => options.onStep?.(name, done, 4);
  if (!Number.isInteger(k) || k < 1 || k > params.k) throw new KeygenError(`keygen: expected 1 ≤ k ≤ ${params.k} (the SRS size), got ${k}`);
  const configured = configure(circuit);
  const compiled = configured.compiled;
  if (2 ** k < compiled.minimumRows) throw new KeygenError(`keygen: k = ${k} gives ${2 ** k} rows, the circuit needs at least ${compiled.minimumRows}`);
  step('synthesize', 0);
  const assignment = synthesizeKeygen(circuit, { k, configured: configured as never });
  const arg = buildArgument(compiled, k);
  const n = arg.n;
  const F = params.ntt.F;

  step('copy cycles', 1);
  const mapping = permutationCycles(arg.permutation.columns, n, assignment.copies);
  const commitments: AffinePoint[] = [];
  const fixedValues: StoredColumn[] = [];
  const fixedCoeffs: StoredColumn[] = [];
  // columns are committed in batches (worker threads share a batch when the params have them)
  const BATCH = 32;
  let batch: { v: FieldVec; extra?: FieldVec; offset?: AffinePoint }[] = [];
  const flush = () => {
    // σ columns carry a sparse difference to commit instead, plus the point of δ^i·X
    const points = params.commitLagrange
      ? commitColumns(batch.map((b) => b.extra ?? b.v), [], params).map((p, i) => (batch[i]!.extra ? g1Add(p, batch[i]!.offset ?? null) : p))
      : [];
    batch.forEach((b) => b.extra?.free());
    // values parked, coefficients by inverse NTTs (on the pool's threads when there is one)
    const parked = parkWithCoefficients(batch.map((b) => b.v), params);
    parked.coeffs.forEach((c, i) => {
      if (!params.commitLagrange) {
        const v = c.load();
        points.push(params.commit(v));
        v.free();
      }
      commitments.push(points[i]!);
      fixedValues.push(parked.values[i]!);
      fixedCoeffs.push(c);
    });
    batch = [];
  };
  const add = (v: FieldVec, extra?: FieldVec, offset?: AffinePoint) => {
    batch.push({ v, ...(extra ? { extra } : {}), ...(offset !== undefined ? { offset } : {}) });
    if (batch.length >= BATCH) flush();
  };
  step('fixed commitments', 2);
  for (const vals of assignment.fixed) add(F.fromBigints(vals as bigint[]));
  flush();
  // σ_i(ω^r) = δ^col·ω^row of the successor cell (permutation.ts)
  step('permutation commitments', 3);
  const unit = F.alloc(n);
  permutationSigmas(arg, mapping, F, (sigma, i, x) => {
    if (!params.commitLagrange) return add(sigma);
    // σ_i = δ^i·X + (σ_i − δ^i·X): the difference is zero on every cell outside a copy, so its
    // Lagrange MSM costs only the copied cells, and [δ^i·X] is one point (coefficient vector δ^i·e_1)
    const di = Fr.pow(DELTA, BigInt(i));
    const diff = F.alloc(n);
    F.scale(diff, x, di);
    F.sub(diff, sigma, diff);
    if (n > 1) unit.set(1, di);
    add(sigma, diff, n > 1 ? params.commit(unit) : null);
  });
  flush();
  unit.free();

  const vk: VerifyingKey = { k, circuit: compiled, fixedCommitments: commitments, digest: 0n };
  const withDigest: VerifyingKey = { ...vk, digest: vkDigest(vk, params) };
  options.onStep?.('done', 4, 4);
  return assembleProvingKey(withDigest, arg, fixedCoeffs, fixedValues, params);
}

/** A proving key from its parts (keygen and decodePk); the virtual columns are derived here. */
export function assembleProvingKey(vk: VerifyingKey, arg: Argument, fixedCoeffs: StoredColumn[], fixedValues: StoredColumn[], params: ProverParams): ProvingKey {
  return {
    vk,
    arg,
    fixedCoeffs,
    fixedValues,
    virtualCoeffs: virtualColumns(arg, params),
    free() {},
  };
}
