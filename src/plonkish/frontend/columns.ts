/**
 * Columns, selectors, challenges and cells of a PLONKish table.
 *
 * Halo2's model (`halo2_proofs::plonk::circuit`): a circuit is a matrix of
 * field elements with `n = 2^k` rows and three kinds of columns:
 *
 * - advice: private witness, committed by the prover. Each advice column has a
 *   phase (0, 1 or 2): columns of phase p are committed after the challenges
 *   of phase p − 1 are drawn, so they may depend on them (halo2's
 *   `FirstPhase`/`SecondPhase`/`ThirdPhase`).
 * - fixed: constants of the circuit, fixed at keygen (tables, constants,
 *   selectors once compiled).
 * - instance: public inputs. Phase 0 (the default): supplied by the verifier
 *   and absorbed before anything else. Phase p > 0 (a "late" instance):
 *   computed by the prover from its phase-p witness (`Layouter.exposeInstance`),
 *   sent in the proof after the phase-p advice commitments and absorbed there,
 *   before any later challenge — so a value that depends on challenges (a
 *   folded evaluation to be checked against an external commitment opening)
 *   can be made public. Its length is fixed at configure time, so the proof's
 *   shape follows the verifying key.
 *
 * A selector is a fixed column of 0/1 (halo2's simple selector); it keeps its
 * own handle so authors can tell it apart, and `compile()` turns each selector
 * into one extra fixed column (no selector compression).
 *
 * Handles are small frozen plain objects `{ kind, index }`: they serialize,
 * compare by value and never carry a reference to the constraint system.
 */

/** An advice phase. Phase p > 0 columns may depend on challenges drawn after phase p − 1. */
export type Phase = 0 | 1 | 2;
/** The largest supported phase (halo2 supports three phases too). */
export const MAX_PHASE: Phase = 2;

export interface AdviceColumn {
  readonly kind: 'advice';
  readonly index: number;
  readonly phase: Phase;
}
export interface FixedColumn {
  readonly kind: 'fixed';
  readonly index: number;
}
export interface InstanceColumn {
  readonly kind: 'instance';
  readonly index: number;
  /**
   * Absent (= 0): verifier-supplied; p > 0: prover-supplied after the
   * phase-p advice (see the module comment). Absent rather than 0 so the
   * handles, compiled circuits and VK digests of circuits without late
   * instances are what they were before late instances existed.
   */
  readonly phase?: Phase;
}
/** Any column of the table. */
export type Column = AdviceColumn | FixedColumn | InstanceColumn;
export type ColumnKind = Column['kind'];

/** A simple selector: a 0/1 fixed column, enabled per row by the layouter. */
export interface Selector {
  readonly kind: 'selector';
  readonly index: number;
}

/**
 * A fixed column reserved for a lookup table (halo2's `TableColumn`). It is
 * filled from row 0 by `Layouter.assignTable`, never by regions, and padded
 * with its first value up to the usable rows so no spurious entry appears.
 */
export interface TableColumn {
  readonly kind: 'table';
  /** Index of the underlying fixed column. */
  readonly index: number;
  readonly column: FixedColumn;
}

/** A verifier challenge drawn after all advice of `phase` is committed. */
export interface Challenge {
  readonly kind: 'challenge';
  readonly index: number;
  /** The phase after which the challenge is drawn; usable by advice of later phases. */
  readonly phase: Phase;
}

/** A column reference without phase, as stored in compiled circuits. */
export interface ColumnRef {
  readonly kind: ColumnKind;
  readonly index: number;
}

/**
 * A cell handle: a column and an absolute row. Rows are absolute (region
 * start + offset) so handles from different regions can be compared and
 * copied freely.
 */
export interface Cell {
  readonly column: Column;
  readonly row: number;
}

/** Named rotations; any integer is a valid rotation. */
export const Rotation = Object.freeze({ cur: 0, next: 1, prev: -1 });

export function isPhase(p: unknown): p is Phase {
  return p === 0 || p === 1 || p === 2;
}

export function adviceColumn(index: number, phase: Phase = 0): AdviceColumn {
  return Object.freeze({ kind: 'advice', index, phase });
}
export function fixedColumn(index: number): FixedColumn {
  return Object.freeze({ kind: 'fixed', index });
}
export function instanceColumn(index: number, phase: Phase = 0): InstanceColumn {
  return phase === 0 ? Object.freeze({ kind: 'instance', index }) : Object.freeze({ kind: 'instance', index, phase });
}

/** The phase of an instance column (0 when absent). */
export function instancePhase(column: { readonly phase?: Phase }): Phase {
  return column.phase ?? 0;
}

/** `advice[3]`, `fixed[0]`, `instance[1]`, `selector[2]`. */
export function columnLabel(column: ColumnRef | Selector | TableColumn): string {
  const kind = column.kind === 'table' ? 'fixed' : column.kind;
  return `${kind}[${column.index}]`;
}

/** Same kind and index (the phase of an advice column is implied by its index). */
export function sameColumn(a: ColumnRef, b: ColumnRef): boolean {
  return a.kind === b.kind && a.index === b.index;
}

/** Strip a column handle to `{ kind, index }`. */
export function columnRef(column: ColumnRef): ColumnRef {
  return Object.freeze({ kind: column.kind, index: column.index });
}
