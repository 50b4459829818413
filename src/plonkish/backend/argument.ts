/**
 * The full argument as one list of polynomial constraints over one set of
 * columns: the circuit's gates, plus the constraints of the permutation
 * argument and of the logUp lookups, written as ordinary expressions over
 * extra columns. The prover evaluates the list over the extended coset (for
 * the quotient), the verifier at the challenge x — from the same expressions,
 * so the two cannot drift apart.
 *
 * Extra columns (indices continue after the circuit's own):
 * - advice: one multiplicity column m per lookup table (committed after θ);
 *   then per table its helper columns h_g and accumulator φ, then the
 *   permutation's grand products z_j (committed after β, γ).
 * - fixed: σ_i per permutation column (in the verifying key).
 * - instance-like, computed by both sides and never committed: l_0, l_last,
 *   l_active = 1 − l_last − l_blind, and X.
 * - challenges: θ, β, γ after the circuit's own.
 *
 * Permutation (halo2 / PLONK, columns chunked c = degree − 2 at a time):
 *   l_0·(1 − z_0) = 0,  l_last·(z_last − 1) = 0,  l_0·(z_j − z_{j−1}(ω^u X)) = 0,
 *   l_active·(z_j(ωX)·Π(v + β·σ + γ) − z_j(X)·Π(v + β·δ^i·X + γ)) = 0.
 * logUp (Haböck 2022; the argument behind zkLLM's tlookup and halo2's
 * mv-lookup), per table t with inputs f_i compressed by θ, and the helper
 * h_g = Σ_{i∈g} 1/(β + f_i):
 *   l_active·(h_g·Π_{i∈g}(β + f_i) − Σ_{i∈g} Π_{l∈g,l≠i}(β + f_l)) = 0,
 *   l_active·((φ(ωX) − φ(X) − Σ_g h_g)·(β + t) + m) = 0,  l_0·φ = 0,  l_last·φ = 0,
 * so Σ_rows Σ_i 1/(β + f_i) = Σ_rows m/(β + t): every input is a table row.
 * The committed helper is offset, h'_g = h_g − |g|/β: a row where the lookup
 * is off has inputs 0, so h'_g is 0 there and its commitment (an MSM over
 * its non-zero values) costs what the active rows cost. Substituting
 * h_g = h'_g + |g|/β and multiplying by β (≠ 0) keeps the degrees:
 *   l_active·((β·h'_g + |g|)·Π(β + f_i) − β·Σ_i Π_{l≠i}(β + f_l)) = 0,
 *   l_active·(β·((φ(ωX) − φ(X) − Σ_g h'_g)·(β + t) + m) − G·(β + t)) = 0,  G = Σ_g |g|.
 */
import { Fr } from '../../field/index.js';
import type { CompiledCircuit, ExprNode, Phase } from '../frontend/index.js';
import { degreeOf, queriesOf } from '../frontend/index.js';

const c = (value: bigint): ExprNode => ({ type: 'constant', value });
const add = (left: ExprNode, right: ExprNode): ExprNode => ({ type: 'sum', left, right });
const mul = (left: ExprNode, right: ExprNode): ExprNode => ({ type: 'product', left, right });
const neg = (inner: ExprNode): ExprNode => ({ type: 'negated', inner });
const sub = (a: ExprNode, b: ExprNode): ExprNode => add(a, neg(b));
const sumAll = (xs: ExprNode[]): ExprNode => (xs.length === 0 ? c(0n) : xs.reduce((a, b) => add(a, b)));
const prodAll = (xs: ExprNode[]): ExprNode => (xs.length === 0 ? c(1n) : xs.reduce((a, b) => mul(a, b)));

/** δ: generates cosets δ^i·H that are disjoint from each other (order = odd part of r − 1). */
export const DELTA = Fr.pow(Fr.generator, 1n << BigInt(Fr.twoAdicity));

export interface NamedConstraint {
  readonly name: string;
  readonly expression: ExprNode;
}

export interface LookupLayout {
  readonly table: number;
  /** Advice index of m. */
  readonly m: number;
  /** Input lookups (indices into compiled.lookups) per helper group, with the helper's advice index. */
  readonly groups: readonly { readonly inputs: readonly number[]; readonly helper: number }[];
  readonly phi: number;
}

export interface PermutationLayout {
  readonly columns: CompiledCircuit['permutation']['columns'];
  readonly chunkSize: number;
  /** Advice index of z_j per chunk. */
  readonly z: readonly number[];
  /** Fixed index of σ_i per permutation column. */
  readonly sigma: readonly number[];
}

export interface Argument {
  readonly circuit: CompiledCircuit;
  readonly k: number;
  readonly n: number;
  readonly usableRows: number;
  readonly numAdvice: number;
  readonly numFixed: number;
  readonly numInstance: number;
  /** Virtual instance-like columns. */
  readonly virtual: { readonly l0: number; readonly lLast: number; readonly lActive: number; readonly x: number };
  readonly challenges: { readonly theta: number; readonly beta: number; readonly gamma: number; readonly count: number };
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
  const A = circuit.advice.length;
  const Fx = circuit.fixed.length;
  const I = circuit.instance.length;
  const C = circuit.challenges.length;
  const virtual = { l0: I, lLast: I + 1, lActive: I + 2, x: I + 3 };
  const ch = { theta: C, beta: C + 1, gamma: C + 2, count: C + 3 };
  const challenge = (index: number): ExprNode => ({ type: 'challenge', challenge: index, phase: 0 as Phase });
  const advice = (column: number, rotation = 0): ExprNode => ({ type: 'advice', column, rotation, phase: 0 as Phase });
  const fixed = (column: number, rotation = 0): ExprNode => ({ type: 'fixed', column, rotation });
  const inst = (column: number, rotation = 0): ExprNode => ({ type: 'instance', column, rotation });
  const l0 = inst(virtual.l0);
  const lLast = inst(virtual.lLast);
  const lActive = inst(virtual.lActive);
  const theta = challenge(ch.theta);
  const beta = challenge(ch.beta);
  const gamma = challenge(ch.gamma);

  const constraints: NamedConstraint[] = [];
  for (const g of circuit.gates) {
    for (const k2 of g.constraints) constraints.push({ name: `gate ${g.name}: ${k2.name}`, expression: k2.expression });
  }

  let nextAdvice = A;
  const compress = (exprs: readonly ExprNode[]): ExprNode =>
    exprs.slice(1).reduce((acc, e) => add(mul(acc, theta), e), exprs[0]!);

  // multiplicity columns first (their own stage), then helpers and accumulators
  const mCols = circuit.lookupTables.map(() => nextAdvice++);
  const lookups: LookupLayout[] = [];
  const maxDegree = Math.max(3, circuit.degree);
  circuit.lookupTables.forEach((table, t) => {
    const inputs = table.lookups.map((li) => circuit.lookups[li]!);
    const groups: { inputs: number[]; helper: number }[] = [];
    let current: number[] = [];
    let currentDegree = 2; // l_active · h
    for (const l of inputs) {
      const d = Math.max(1, ...l.inputs.map(degreeOf));
      if (current.length > 0 && currentDegree + d > maxDegree) {
        groups.push({ inputs: current, helper: 0 });
        current = [];
        currentDegree = 2;
      }
      current.push(l.index);
      currentDegree += d;
    }
    if (current.length) groups.push({ inputs: current, helper: 0 });
    for (const g of groups) g.helper = nextAdvice++;
    lookups.push({ table: t, m: mCols[t]!, groups, phi: nextAdvice++ });

    const tExpr = add(beta, compress(table.expressions));
    const terms: ExprNode[] = [];
    for (const g of groups) {
      const factors = g.inputs.map((li) => add(beta, compress(circuit.lookups[li]!.inputs)));
      const numerator = sumAll(factors.map((_, i) => prodAll(factors.filter((__, j) => j !== i))));
      const helper = add(mul(beta, advice(g.helper)), c(BigInt(g.inputs.length)));
      constraints.push({
        name: `lookup table ${t}: helper ${g.helper}`,
        expression: mul(lActive, sub(mul(helper, prodAll(factors)), mul(beta, numerator))),
      });
      terms.push(advice(g.helper));
    }
    const phi = lookups[lookups.length - 1]!.phi;
    const G = BigInt(table.lookups.length);
    const step = add(mul(sub(sub(advice(phi, 1), advice(phi)), sumAll(terms)), tExpr), advice(mCols[t]!));
    constraints.push({
      name: `lookup table ${t}: accumulator`,
      expression: mul(lActive, sub(mul(beta, step), mul(c(G), tExpr))),
    });
    constraints.push({ name: `lookup table ${t}: φ starts at 0`, expression: mul(l0, advice(phi)) });
    constraints.push({ name: `lookup table ${t}: φ ends at 0`, expression: mul(lLast, advice(phi)) });
  });

  // permutation
  const pcols = circuit.permutation.columns;
  const chunkSize = Math.max(1, circuit.permutation.chunkSize);
  const chunks: number[][] = [];
  for (let i = 0; i < pcols.length; i += chunkSize) chunks.push(pcols.slice(i, i + chunkSize).map((_, j) => i + j));
  const sigma = pcols.map((_, i) => Fx + i);
  const z = chunks.map(() => nextAdvice++);
  const colExpr = (i: number): ExprNode => {
    const col = pcols[i]!;
    return col.kind === 'advice' ? advice(col.index) : col.kind === 'fixed' ? fixed(col.index) : inst(col.index);
  };
  chunks.forEach((chunk, j) => {
    const zj = advice(z[j]!);
    if (j === 0) constraints.push({ name: 'permutation: z_0 starts at 1', expression: mul(l0, sub(c(1n), zj)) });
    else constraints.push({ name: `permutation: z_${j} continues z_${j - 1}`, expression: mul(l0, sub(zj, advice(z[j - 1]!, usableRows))) });
    if (j === chunks.length - 1) constraints.push({ name: `permutation: z_${j} ends at 1`, expression: mul(lLast, sub(zj, c(1n))) });
    const left = prodAll(chunk.map((i) => add(add(colExpr(i), mul(beta, fixed(sigma[i]!))), gamma)));
    const right = prodAll(
      chunk.map((i) => add(add(colExpr(i), mul(beta, mul(c(Fr.pow(DELTA, BigInt(i))), inst(virtual.x)))), gamma)),
    );
    constraints.push({ name: `permutation: chunk ${j} product`, expression: mul(lActive, sub(mul(advice(z[j]!, 1), left), mul(zj, right))) });
  });

  const numAdvice = nextAdvice;
  const adviceRot = Array.from({ length: numAdvice }, () => new Set<number>());
  const fixedRot = Array.from({ length: Fx + sigma.length }, () => new Set<number>());
  for (const k2 of constraints) {
    for (const q of queriesOf(k2.expression)) {
      if (q.kind === 'advice') adviceRot[q.column]!.add(q.rotation);
      else if (q.kind === 'fixed') fixedRot[q.column]!.add(q.rotation);
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
    numFixed: Fx + sigma.length,
    numInstance: I,
    virtual,
    challenges: ch,
    lookups,
    permutation: { columns: pcols, chunkSize, z, sigma },
    constraints,
    degree: Math.max(2, ...constraints.map((k2) => degreeOf(k2.expression))),
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
