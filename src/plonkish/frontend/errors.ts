import type { VerifyFailure } from './mock-failures.js';
import { ZkTensorError } from '../../field/errors.js';

/**
 * Typed errors of the PLONKish frontend. Messages state the facts a user can
 * act on (column, row, limit, region), in the style `what: expected X, got Y`.
 */

export class PlonkishError extends ZkTensorError {
  override readonly name: string = 'PlonkishError';
}

/** Misuse of the constraint system while configuring (unknown column, bad phase, equality not enabled…). */
export class ConstraintSystemError extends PlonkishError {
  override readonly name: string = 'ConstraintSystemError';
}

/** Misuse of the layouter while synthesizing (nested regions, bad values, unknown witness…). */
export class SynthesisError extends PlonkishError {
  override readonly name: string = 'SynthesisError';
}

/** A cell assigned at a bad offset or with a bad value. */
export class AssignmentError extends SynthesisError {
  override readonly name: string = 'AssignmentError';
  constructor(
    message: string,
    /** Column label, e.g. `advice[2]`. */
    readonly column: string,
    /** Absolute row (or the offending offset). */
    readonly row: number,
  ) {
    super(message);
  }
}

/**
 * A circuit needs more rows than `usableRows(n)`: the last `blindingFactors + 1`
 * rows are reserved for zero knowledge (halo2's `Error::NotEnoughRowsAvailable`).
 */
export class NotEnoughRowsError extends AssignmentError {
  override readonly name: string = 'NotEnoughRowsError';
  constructor(
    column: string,
    row: number,
    /** The number of usable rows: valid rows are 0 … limit − 1. */
    readonly limit: number,
    readonly k: number,
    /** Where the assignment happened (region or table name). */
    readonly where: string,
  ) {
    super(
      `${where}: ${column} row ${row} is beyond the usable rows (expected row < ${limit} at k = ${k}; ` +
        `the last rows are reserved for blinding); increase k`,
      column,
      row,
    );
  }
}

/** `Value.get()` on an unknown value (halo2's `Value::unknown()`). */
export class UnknownValueError extends PlonkishError {
  override readonly name: string = 'UnknownValueError';
}

/** `MockProver.assertSatisfied()` found failures; `failures` holds them all. */
export class ConstraintFailureError extends PlonkishError {
  override readonly name: string = 'ConstraintFailureError';
  constructor(
    message: string,
    readonly failures: readonly VerifyFailure[],
  ) {
    super(message);
  }
}
