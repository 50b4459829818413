/**
 * Committed columns and the forms the prover needs: Lagrange values on H
 * (n rows), coefficients (commitments and openings) and values on the
 * extended coset g·H_ext (the quotient), computed part by part.
 *
 * The extended coset has N = 2^e·n points with 2^e ≥ degree − 1: the
 * quotient h = C / Z_H has degree < (degree − 1)·n, so N values of h fix it
 * (C itself may have higher degree; it is only evaluated pointwise). The
 * coset is the union of 2^e cosets of H, part j = g·ζ^j·H with ζ = ω_N; a
 * column's values on part j come from one size-n NTT of its coefficients,
 * a rotation by r rows is a cyclic shift by r within a part, and Z_H is the
 * constant (g·ζ^j)^n − 1 on it. The prover evaluates the constraints one part
 * at a time, so only n values per column are ever resident.
 *
 * Columns not in use live outside wasm memory (`StoredColumn`, raw packed
 * limbs in a JS buffer): the 4 GiB wasm32 limit then bounds the working set
 * of one part, not the whole circuit.
 */
import { ELEMENT_BYTES, Fr, packedFr, type FieldVec, type PackedField } from '../../field/index.js';
import { defineTask } from '../../curve/tasks.js';
import { runTasks, type TaskRunner } from '../../curve/worker-pool.js';
import { Ntt } from '../../poly/ntt.js';
import type { AffinePoint } from '../../curve/types.js';
import type { Argument } from './argument.js';

/** What keygen and the prover need from the commitment scheme. */
export interface ProverParams {
  /** log2 of the SRS size. */
  readonly k: number;
  readonly ntt: Ntt;
  /** Commit a coefficient vector of length ≤ 2^k. */
  commit(coeffs: FieldVec): AffinePoint;
  /**
   * Commit the polynomial with these values on H (same point as committing
   * its coefficients); cheaper when the values are small integers.
   */
  commitLagrange?(values: FieldVec): AffinePoint;
  /** `commitLagrange` of several columns at once (e.g. on worker threads). */
  commitLagrangeMany?(values: readonly FieldVec[]): AffinePoint[];
  /** Bytes identifying the SRS's G2 side (bound into the VK digest). */
  readonly srsId: Uint8Array;
  /** Worker threads for independent prover jobs (inverse NTTs, the quotient's coset parts), if any. */
  readonly pool?: TaskRunner | undefined;
}

/** log2 of the extended coset's size over n: 2^e ≥ max(2, degree − 1). */
export function extendedLog(arg: Pick<Argument, 'degree'>): number {
  return Math.ceil(Math.log2(Math.max(2, arg.degree - 1)));
}

/** Bytes in shared memory where it exists (worker threads read them without a copy). */
export function sharedBytes(length: number): Uint8Array {
  return typeof SharedArrayBuffer === 'undefined' ? new Uint8Array(length) : new Uint8Array(new SharedArrayBuffer(length));
}

/**
 * A vector parked outside wasm memory: its packed limbs as bytes, in a
 * SharedArrayBuffer where there is one, so worker threads can load it too.
 */
export class StoredColumn {
  private constructor(
    readonly field: PackedField,
    readonly bytes: Uint8Array,
    readonly length: number,
  ) {}

  /** Copy `v` out (the caller still owns `v`). */
  static from(v: FieldVec): StoredColumn {
    const bytes = sharedBytes(v.byteLength);
    bytes.set(v.raw());
    return new StoredColumn(v.field, bytes, v.length);
  }

  /** Copy `v` out and free it. */
  static take(v: FieldVec): StoredColumn {
    const s = StoredColumn.from(v);
    v.free();
    return s;
  }

  /** A column over bytes another thread stored (no copy). */
  static wrap(field: PackedField, bytes: Uint8Array, length: number): StoredColumn {
    if (bytes.byteLength !== length * ELEMENT_BYTES) throw new RangeError(`StoredColumn.wrap: expected ${length * ELEMENT_BYTES} bytes for ${length} elements, got ${bytes.byteLength}`);
    return new StoredColumn(field, bytes, length);
  }

  /** A new wasm vector holding the column. */
  load(): FieldVec {
    const v = this.field.allocUninit(this.length);
    v.raw().set(this.bytes);
    return v;
  }
}

/** Coefficients from Lagrange values (a new vector). */
export function interpolate(values: FieldVec, params: ProverParams): FieldVec {
  const c = values.clone();
  params.ntt.inverse(c);
  return c;
}

/** A pool task: coefficients (packed bytes) of a column whose values on H are in shared bytes. */
export const interpolateTask = defineTask<{ readonly k: number; readonly values: Uint8Array }, Uint8Array>('interpolate', {
  resultBytes: (p) => p.values.byteLength,
  run(p, out) {
    const F = packedFr();
    const v = StoredColumn.wrap(F, p.values, 1 << p.k).load();
    Ntt.for(F).inverse(v);
    out.set(v.raw());
    v.free();
  },
  read: (out) => out,
});

/**
 * Park columns (values on H, freed here) with their coefficients, both as
 * StoredColumns; the inverse NTTs run on the pool's threads when there is one.
 */
export function parkWithCoefficients(values: readonly FieldVec[], params: ProverParams): { values: StoredColumn[]; coeffs: StoredColumn[] } {
  const [first] = values;
  if (!first) return { values: [], coeffs: [] };
  const F = first.field;
  const n = first.length;
  const k = Math.log2(n);
  const stored = values.map((v) => StoredColumn.take(v));
  // the coefficients land in one shared block (the pool's result block): workers read them later
  const coeffs = runTasks(
    values.length > 1 ? params.pool : undefined,
    interpolateTask,
    stored.map((s) => ({ k, values: s.bytes })),
    {
      local: (i, out) => {
        const c = stored[i]!.load();
        params.ntt.inverse(c);
        out.set(c.raw());
        c.free();
      },
    },
  );
  return { values: stored, coeffs: coeffs.map((b) => StoredColumn.wrap(F, b, n)) };
}

/** Commit columns given their values on H (Lagrange when the params can, in one batch when they can). */
export function commitColumns(values: readonly FieldVec[], coeffs: readonly FieldVec[], params: ProverParams): AffinePoint[] {
  if (params.commitLagrangeMany) return params.commitLagrangeMany(values);
  return values.map((v, i) => commitColumn(v, coeffs[i]!, params));
}

/** Commit a column given both forms (Lagrange when the params can: small values are cheap there). */
export function commitColumn(values: FieldVec, coeffs: FieldVec, params: ProverParams): AffinePoint {
  return params.commitLagrange ? params.commitLagrange(values) : params.commit(coeffs);
}

/** The shift g·ζ^part of part `part` of the extended coset. */
export function partShift(arg: Pick<Argument, 'degree' | 'k'>, part: number): bigint {
  const e = extendedLog(arg);
  return Fr.mul(Fr.generator, Fr.pow(Fr.rootOfUnityOfOrder(arg.k + e), BigInt(part)));
}

/** Values of a polynomial (coefficients, length n) on part `part` of the extended coset (a new vector). */
export function cosetPart(coeffs: FieldVec, arg: Pick<Argument, 'degree' | 'k'>, params: ProverParams, part: number): FieldVec {
  const v = coeffs.clone();
  params.ntt.cosetForward(v, partShift(arg, part));
  return v;
}

/** out[i] = v[(i + shift) mod N]: the column at a rotation. */
export function rotate(v: FieldVec, shift: number): FieldVec {
  const N = v.length;
  const s = ((shift % N) + N) % N;
  const out = v.field.allocUninit(N);
  if (s === 0) {
    out.copyFrom(v);
    return out;
  }
  out.slice(0, N - s).copyFrom(v.slice(s, N - s));
  out.slice(N - s, s).copyFrom(v.slice(0, s));
  return out;
}
