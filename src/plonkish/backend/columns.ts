/**
 * Committed columns in the three forms the prover needs: Lagrange values on
 * H (n rows), coefficients (for commitments and openings) and values on the
 * extended coset g·H_ext (for the quotient), plus the commitments.
 *
 * The extended domain has 2^e·n points with 2^e ≥ the argument's degree, so
 * a constraint of degree d in columns of degree < n is determined there. A
 * rotation by r rows is a shift by r·2^e points on the extended coset.
 */
import { Fr, type FieldVec } from '../../field/index.js';
import type { Ntt } from '../../poly/ntt.js';
import type { AffinePoint } from '../../poly/types.js';
import type { Argument } from './argument.js';

/** What keygen and the prover need from the commitment scheme. */
export interface ProverParams {
  /** log2 of the SRS size. */
  readonly k: number;
  readonly ntt: Ntt;
  /** Commit a coefficient vector of length ≤ 2^k. */
  commit(coeffs: FieldVec): AffinePoint;
  /** Bytes identifying the SRS's G2 side (bound into the VK digest). */
  readonly srsId: Uint8Array;
}

export function extendedLog(arg: Argument): number {
  return Math.ceil(Math.log2(Math.max(2, arg.degree)));
}

export class ColumnPolys {
  private constructor(
    readonly coeffs: FieldVec[],
    readonly extended: FieldVec[],
    readonly commitments: AffinePoint[],
  ) {}

  /** Interpolate, optionally commit, and extend each column (the inputs are not kept). */
  static fromLagrange(values: readonly FieldVec[], arg: Argument, params: ProverParams, commit: boolean): ColumnPolys {
    const out = new ColumnPolys([], [], []);
    for (const v of values) out.push(v, arg, params, commit);
    return out;
  }

  static empty(): ColumnPolys {
    return new ColumnPolys([], [], []);
  }

  push(values: FieldVec, arg: Argument, params: ProverParams, commit: boolean): AffinePoint {
    const F = params.ntt.F;
    const c = values.clone();
    params.ntt.inverse(c);
    const commitment = commit ? params.commit(c) : null;
    this.coeffs.push(c);
    this.commitments.push(commitment);
    this.extended.push(extend(c, arg, params));
    void F;
    return commitment;
  }

  free(): void {
    for (const v of [...this.coeffs, ...this.extended]) v.free();
    this.coeffs.length = 0;
    this.extended.length = 0;
  }
}

/** Coefficients → values on the extended coset (a new vector). */
export function extend(coeffs: FieldVec, arg: Argument, params: ProverParams): FieldVec {
  const N = arg.n << extendedLog(arg);
  const e = params.ntt.F.alloc(N);
  e.slice(0, coeffs.length).copyFrom(coeffs);
  params.ntt.cosetForward(e, Fr.generator);
  return e;
}

/** out[i] = v[(i + shift) mod N]: the column at a rotation. */
export function rotate(v: FieldVec, shift: number): FieldVec {
  const N = v.length;
  const s = ((shift % N) + N) % N;
  const out = v.field.alloc(N);
  if (s === 0) {
    out.copyFrom(v);
    return out;
  }
  out.slice(0, N - s).copyFrom(v.slice(s, N - s));
  out.slice(N - s, s).copyFrom(v.slice(0, s));
  return out;
}
