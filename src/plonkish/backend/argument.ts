/**
 * The full argument as one list of polynomial constraints over one set of
 * columns: the circuit's gates, then the logUp lookups (lookup.ts), then the
 * permutation (permutation.ts), each argument's constraints written as
 * ordinary expressions over extra columns by the argument's own module. The
 * prover evaluates the list over the extended coset (for the quotient,
 * vanishing.ts), the verifier at the challenge x — from the same
 * expressions, so the two cannot drift apart.
 *
 * Extra columns (indices continue after the circuit's own):
 * - advice: one multiplicity column m per lookup table (committed after θ);
 *   then per table its helper columns h_g and accumulator φ, then the
 *   permutation's grand products z_j (committed after β, γ).
 * - fixed: σ_i per permutation column (in the verifying key).
 * - instance-like, computed by both sides and never committed: l_0, l_last,
 *   l_active = 1 − l_last − l_blind, and X.
 * - challenges: θ, β, γ after the circuit's own.
 */
import type { CompiledCircuit } from '../frontend/index.js';
import { degreeOf, queriesOf } from '../frontend/index.js';
import type { BackendChallenges, NamedConstraint, VirtualColumns } from './expr.js';
import { lookupArgument, type LookupLayout } from './lookup.js';
import { permutationArgument, type PermutationLayout } from './permutation.js';

export { DELTA, type PermutationLayout } from './permutation.js';
export type { LookupLayout } from './lookup.js';
export type { NamedConstraint } from './expr.js';

export interface Argument {
  readonly circuit: CompiledCircuit;
  readonly k: number;
  readonly n: number;
  readonly usableRows: number;
  readonly numAdvice: number;
  readonly numFixed: number;
  readonly numInstance: number;
  /** Virtual instance-like columns. */
  readonly virtual: VirtualColumns;
  readonly challenges: BackendChallenges;
  readonly lookups: readonly LookupLayout[];
  readonly permutation: PermutationLayout;
  readonly constraints: readonly NamedConstraint[];
  /** Max constraint degree; the quotient has degree − 1 chunks. */
  readonly degree: number;
  /** Sorted rotations per advice / fixed column that the proof opens. */
  readonly adviceRotations: readonly (readonly number[])[];
  readonly fixedRotations: readonly (readonly number[])[];
}

export function buildArgument(circuit: CompiledCircuit, k: number): Argument {
  const n = 2 ** k;
  const usableRows = n - circuit.blindingFactors - 1;
  const Fx = circuit.fixed.length;
  const I = circuit.instance.length;
  const C = circuit.challenges.length;
  const virtual: VirtualColumns = { l0: I, lLast: I + 1, lActive: I + 2, x: I + 3 };
  const challenges: BackendChallenges = { theta: C, beta: C + 1, gamma: C + 2, count: C + 3 };
  let nextAdvice = circuit.advice.length;
  const ctx = { circuit, usableRows, virtual, challenges, allocAdvice: () => nextAdvice++ };

  // the order of the constraints is the order of y's powers: gates, lookups, permutation
  const constraints: NamedConstraint[] = [];
  for (const g of circuit.gates) {
    for (const c of g.constraints) constraints.push({ name: `gate ${g.name}: ${c.name}`, expression: c.expression });
  }
  const lookup = lookupArgument(ctx);
  constraints.push(...lookup.constraints);
  const permutation = permutationArgument(ctx, Fx);
  constraints.push(...permutation.constraints);

  const numAdvice = nextAdvice;
  const numFixed = Fx + permutation.layout.sigma.length;
  const adviceRot = Array.from({ length: numAdvice }, () => new Set<number>());
  const fixedRot = Array.from({ length: numFixed }, () => new Set<number>());
  for (const c of constraints) {
    for (const q of queriesOf(c.expression)) {
      if (q.kind === 'instance') continue;
      const rotations = (q.kind === 'advice' ? adviceRot : fixedRot)[q.column];
      if (!rotations) throw new RangeError(`buildArgument: "${c.name}" queries ${q.kind} column ${q.column}, which does not exist`);
      rotations.add(q.rotation);
    }
  }
  // every committed column is opened at least at x (keeps commitments bound to the proof)
  const sorted = (s: Set<number>) => (s.size ? [...s] : [0]).sort((a, b) => a - b);
  return {
    circuit,
    k,
    n,
    usableRows,
    numAdvice,
    numFixed,
    numInstance: I,
    virtual,
    challenges,
    lookups: lookup.layouts,
    permutation: permutation.layout,
    constraints,
    degree: Math.max(2, ...constraints.map((c) => degreeOf(c.expression))),
    adviceRotations: adviceRot.map(sorted),
    fixedRotations: fixedRot.map(sorted),
  };
}

/** Which stage commits an advice column: the circuit's phases, then m's, then helpers/φ/z. */
export function adviceStage(arg: Argument, column: number): number {
  const P = arg.circuit.numPhases;
  if (column < arg.circuit.advice.length) return arg.circuit.advice[column]!.phase;
  if (arg.lookups.some((l) => l.m === column)) return P;
  return P + 1;
}
