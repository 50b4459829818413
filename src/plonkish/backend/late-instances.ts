/**
 * Late instance columns on the wire (frontend compiled.ts: an instance
 * column with `phase` p > 0 and a fixed `length`). The caller passes [] for
 * such a column; the prover takes its values from the phase-p witness and
 * writes them into the proof right after the phase-p advice commitments, so
 * the transcript absorbs them before any challenge drawn after phase p
 * (Fiat–Shamir: everything the prover sends is absorbed before the next
 * challenge). The verifier reads them at the same point, uses them as the
 * column's values, and hands them back so the caller can check them against
 * something outside the circuit (a folded weight opening, pcs/matrix-commit.ts).
 * The count is the VK's `length`, never the prover's choice.
 */
import type { CompiledCircuit } from '../frontend/index.js';
import { InstanceError } from './proof.js';
import type { TranscriptReader, TranscriptWriter } from './transcript.js';

export interface LateValues {
  readonly index: number;
  readonly values: readonly bigint[];
}

const lateOf = (circuit: CompiledCircuit, phase: number) => circuit.instance.filter((c) => (c.phase ?? 0) === phase && phase > 0);

/** Prover: write the phase-`phase` late columns' values (from the witness's instance columns). */
export function sendLateInstances(t: TranscriptWriter, circuit: CompiledCircuit, phase: number, witness: readonly (readonly bigint[])[] | undefined): LateValues[] {
  return lateOf(circuit, phase).map((c) => {
    const column = witness?.[c.index];
    if (!column) throw new InstanceError(`prove: late instance column ${c.index} (phase ${phase}) has no values from the witness`);
    const values = column.slice(0, c.length ?? 0);
    for (const v of values) t.writeScalar(v);
    return { index: c.index, values };
  });
}

/** Verifier: read the phase-`phase` late columns' values (exactly `length` scalars each). */
export function readLateInstances(t: TranscriptReader, circuit: CompiledCircuit, phase: number): LateValues[] {
  return lateOf(circuit, phase).map((c) => ({
    index: c.index,
    values: Array.from({ length: c.length ?? 0 }, (_, r) => t.readScalar(`late instance ${c.index} row ${r}`)),
  }));
}

/** Throws unless the caller left every late column empty (its values come from the proof). */
export function checkLateEmpty(circuit: CompiledCircuit, instances: readonly (readonly bigint[])[]): void {
  for (const c of circuit.instance) {
    if ((c.phase ?? 0) > 0 && (instances[c.index]?.length ?? 0) !== 0) {
      throw new InstanceError(`instances: column ${c.index} is published by the prover (phase ${c.phase}); expected [] for it, got ${instances[c.index]!.length} values`);
    }
  }
}
