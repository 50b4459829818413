/**
 * The vanishing argument: the constraints C_i hold on H exactly when
 * Σ y^(m−1−i)·C_i is divisible by Z_H = X^n − 1. The prover commits the
 * quotient h = Σ y^(m−1−i)·C_i / Z_H in PLONK-blinded pieces t_j of n − 1
 * coefficients (quotient.ts `splitQuotient`) and opens them at x; the
 * verifier evaluates every constraint at x from the opened values and checks
 *     Σ y^(m−1−i)·C_i(x) = h(x)·(x^n − 1),  h(x) = Σ_j x^(j(n−1))·t_j(x).
 *
 * h is computed on the extended coset one part g·ζ^j·H at a time (columns.ts,
 * quotient.ts), each group of constraints only on the parts its degree needs
 * (quotient.ts `quotientGroups`); parts go to the pool's worker threads when
 * the params have one.
 */
import { Fr, type FieldVec } from '../../field/index.js';
import { runTasks } from '../../curve/worker-pool.js';
import type { Domain } from '../../poly/domain.js';
import type { ProverOpening } from '../../pcs/shplonk.js';
import type { AffinePoint } from '../../curve/types.js';
import type { Argument } from './argument.js';
import { extendedLog } from './columns.js';
import { ProverError } from './errors.js';
import type { ProverState } from './prover-state.js';
import { evaluateQuotientPart, queriedColumns, quotientCoefficients, quotientGroups, quotientPartTask, splitQuotient, type QuotientPart, type QuotientPartTask } from './quotient.js';
import type { TranscriptReader } from './transcript.js';

const NOT_VANISHING = 'prove: the constraints do not vanish on the domain (a witness error: the MockProver names the failing constraint)';

/** Bytes of column values a quotient part may keep resident in wasm memory (per thread). */
const PART_CACHE_BYTES = 2 ** 31;

/** Pieces of the quotient: degree − 1 pieces of n − 1 coefficients (each committed with n). */
export function vanishingPieces(arg: Pick<Argument, 'degree'>): number {
  return arg.degree - 1;
}

/**
 * Round 4 (after y): h on the extended coset, part by part (`onPart(j)` as
 * each starts), interpolated, split into blinded pieces, committed. Returns
 * the pieces (coefficients, resident in the state). Throws a ProverError when
 * the constraints do not vanish on H.
 */
export function vanishingCommit(s: ProverState, y: bigint, challenges: readonly bigint[], onPart: (part: number) => void): FieldVec[] {
  const { arg, F, params, n } = s;
  const { k } = arg;
  const E = 1 << extendedLog(arg);
  const constraints = arg.constraints.map((c) => c.expression);
  const partOf = (part: number): QuotientPart => ({ k, degree: arg.degree, part, y, challenges, constraints, cacheBytes: PART_CACHE_BYTES });
  const local = (part: number, out: Uint8Array) => {
    const acc = evaluateQuotientPart(partOf(part), F, params.ntt, (kind, column) => {
      // the instance columns' coefficients are resident: a copy the evaluator owns
      if (kind === 'instance' && column < arg.numInstance) {
        const c = s.instanceCoeffs[column];
        if (!c) throw new ProverError(`prove: no instance column ${column}`);
        return c.clone();
      }
      return s.storedCoeffs(kind, column).load();
    });
    out.set(acc.raw());
    acc.free();
  };
  // workers read the coefficients from shared memory (instance columns are parked for them)
  const columns: Record<string, Uint8Array> = {};
  if (params.pool) for (const { kind, column } of queriedColumns(constraints)) columns[`${kind}:${column}`] = s.storedCoeffs(kind, column).bytes;
  const payloads = Array.from({ length: E }, (_, part): QuotientPartTask => ({ ...partOf(part), columns }));
  const parts = runTasks(params.pool, quotientPartTask, payloads, { local, onStart: onPart });
  // each group's values interpolated on the parts it needs, summed into h's coefficients
  const accFull = quotientCoefficients(F, params.ntt, k, E, quotientGroups(constraints, E), parts);
  if (!accFull) throw new ProverError(NOT_VANISHING);
  // pieces of n − 1 coefficients, blinded: each committed piece looks random
  const pieces = splitQuotient(accFull, n, vanishingPieces(arg), s.random);
  accFull.free();
  if (!pieces) throw new ProverError(NOT_VANISHING);
  for (const c of pieces) {
    s.keep(c);
    s.transcript.writePoint(params.commit(c));
  }
  return pieces;
}

/** Round 5, the vanishing part: every piece opened at x (its value written to the transcript). */
export function vanishingEvaluate(s: ProverState, pieces: readonly FieldVec[], x: bigint): ProverOpening[] {
  return pieces.map((poly, i) => {
    const value = s.params.ntt.evaluate(poly, x);
    s.transcript.writeScalar(value);
    return { id: `vanishing ${i}`, poly, point: x, value };
  });
}

/** The verifier's reads of round 4: the pieces' commitments. */
export function vanishingReadCommitments(arg: Pick<Argument, 'degree'>, t: TranscriptReader): AffinePoint[] {
  return Array.from({ length: vanishingPieces(arg) }, (_, i) => t.readPoint(`vanishing chunk ${i}`));
}

/** The verifier's reads of round 5: the pieces' values at x. */
export function vanishingReadEvaluations(commitments: readonly AffinePoint[], x: bigint, t: TranscriptReader): { values: bigint[]; openings: { id: string; commitment: AffinePoint; point: bigint; value: bigint }[] } {
  const values: bigint[] = [];
  const openings = commitments.map((commitment, i) => {
    const value = t.readScalar(`vanishing chunk ${i} at x`);
    values.push(value);
    return { id: `vanishing ${i}`, commitment, point: x, value };
  });
  return { values, openings };
}

/**
 * The verifier's check: Σ y^(m−1−i)·C_i(x) (`combined`, from the opened
 * values) equals h(x)·Z_H(x), with h(x) from the pieces' values.
 */
export function vanishingVerify(domain: Pick<Domain, 'n' | 'vanishingAt'>, combined: bigint, pieceValues: readonly bigint[], x: bigint): boolean {
  const xm = Fr.pow(x, BigInt(domain.n - 1));
  let hx = 0n;
  for (let i = pieceValues.length - 1; i >= 0; i--) hx = Fr.add(Fr.mul(hx, xm), pieceValues[i]!);
  return combined === Fr.mul(hx, domain.vanishingAt(x));
}
