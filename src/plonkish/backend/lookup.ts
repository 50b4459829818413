/**
 * The logUp lookup argument (Haböck 2022; the argument behind zkLLM's
 * tlookup and halo2's mv-lookup): its column layout, its constraints (what
 * both the prover's quotient and the verifier evaluate) and its two prover
 * rounds.
 *
 * Per table t with inputs f_i compressed by θ, and the helper
 * h_g = Σ_{i∈g} 1/(β + f_i) per group g of inputs (groups keep the degree):
 *   l_active·(h_g·Π_{i∈g}(β + f_i) − Σ_{i∈g} Π_{l∈g,l≠i}(β + f_l)) = 0,
 *   l_active·((φ(ωX) − φ(X) − Σ_g h_g)·(β + t) + m) = 0,  l_0·φ = 0,  l_last·φ = 0,
 * so Σ_rows Σ_i 1/(β + f_i) = Σ_rows m/(β + t): every input is a table row.
 * The committed helper is offset, h'_g = h_g − |g|/β: a row where the lookup
 * is off has inputs 0, so h'_g is 0 there and its commitment (an MSM over
 * its non-zero values) costs what the active rows cost. Substituting
 * h_g = h'_g + |g|/β and multiplying by β (≠ 0) keeps the degrees:
 *   l_active·((β·h'_g + |g|)·Π(β + f_i) − β·Σ_i Π_{l≠i}(β + f_l)) = 0,
 *   l_active·(β·((φ(ωX) − φ(X) − Σ_g h'_g)·(β + t) + m) − G·(β + t)) = 0,  G = Σ_g |g|.
 *
 * Rounds: after θ the multiplicities m (`lookupCommitMultiplicities`), after
 * β the helpers h'_g and accumulators φ (`lookupCommitAccumulators`).
 */
import { Fr, type FieldVec } from '../../field/index.js';
import { degreeOf, type ExprNode } from '../frontend/index.js';
import { add, advice, challenge, constant, instance, mul, prodAll, sub, sumAll, type ArgumentContext, type NamedConstraint } from './expr.js';
import { StoredColumn } from './columns.js';
import { ProverError } from './errors.js';
import type { ProverState } from './prover-state.js';

export interface LookupLayout {
  readonly table: number;
  /** Advice index of m. */
  readonly m: number;
  /** Input lookups (indices into compiled.lookups) per helper group, with the helper's advice index. */
  readonly groups: readonly { readonly inputs: readonly number[]; readonly helper: number }[];
  readonly phi: number;
}

/**
 * Columns and constraints of every lookup table: first one multiplicity
 * column per table (its own stage), then per table its helpers and φ.
 */
export function lookupArgument(ctx: ArgumentContext): { layouts: LookupLayout[]; constraints: NamedConstraint[] } {
  const { circuit } = ctx;
  const theta = challenge(ctx.challenges.theta);
  const beta = challenge(ctx.challenges.beta);
  const lActive = instance(ctx.virtual.lActive);
  const l0 = instance(ctx.virtual.l0);
  const lLast = instance(ctx.virtual.lLast);
  const compress = (exprs: readonly ExprNode[]): ExprNode => {
    const [first, ...rest] = exprs;
    if (!first) throw new RangeError('lookupArgument: a lookup with no expressions');
    return rest.reduce((acc, e) => add(mul(acc, theta), e), first);
  };
  const lookupInputs = (li: number) => {
    const l = circuit.lookups[li];
    if (!l) throw new RangeError(`lookupArgument: no lookup ${li}`);
    return l;
  };

  const mCols = circuit.lookupTables.map(() => ctx.allocAdvice());
  const layouts: LookupLayout[] = [];
  const constraints: NamedConstraint[] = [];
  const maxDegree = Math.max(3, circuit.degree);
  circuit.lookupTables.forEach((table, t) => {
    const m = mCols[t]!;
    // inputs grouped so that l_active · h · Π(β + f_i) stays within the circuit's degree
    const groups: { inputs: number[]; helper: number }[] = [];
    let current: number[] = [];
    let currentDegree = 2; // l_active · h
    for (const li of table.lookups) {
      const l = lookupInputs(li);
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
    for (const g of groups) g.helper = ctx.allocAdvice();
    const phi = ctx.allocAdvice();
    layouts.push({ table: t, m, groups, phi });

    const tExpr = add(beta, compress(table.expressions));
    const terms: ExprNode[] = [];
    for (const g of groups) {
      const factors = g.inputs.map((li) => add(beta, compress(lookupInputs(li).inputs)));
      const numerator = sumAll(factors.map((_, i) => prodAll(factors.filter((__, j) => j !== i))));
      const helper = add(mul(beta, advice(g.helper)), constant(BigInt(g.inputs.length)));
      constraints.push({
        name: `lookup table ${t}: helper ${g.helper}`,
        expression: mul(lActive, sub(mul(helper, prodAll(factors)), mul(beta, numerator))),
      });
      terms.push(advice(g.helper));
    }
    const G = BigInt(table.lookups.length);
    const step = add(mul(sub(sub(advice(phi, 1), advice(phi)), sumAll(terms)), tExpr), advice(m));
    constraints.push({
      name: `lookup table ${t}: accumulator`,
      expression: mul(lActive, sub(mul(beta, step), mul(constant(G), tExpr))),
    });
    constraints.push({ name: `lookup table ${t}: φ starts at 0`, expression: mul(l0, advice(phi)) });
    constraints.push({ name: `lookup table ${t}: φ ends at 0`, expression: mul(lLast, advice(phi)) });
  });
  return { layouts, constraints };
}

/**
 * The first row of each value of a compressed table (canonical 32-byte
 * words), found by a 52-bit key from the low word and confirmed on all 32
 * bytes: no bigint per row (a model's lookups look up millions of rows).
 */
export class TableRows {
  private readonly words: Uint32Array;
  /** key → first row with that key; keys shared by different values list their rows in `shared`. */
  private readonly first = new Map<number, number>();
  private readonly shared = new Map<number, number[]>();

  constructor(bytes: Uint8Array, rows: number) {
    this.words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    for (let r = 0; r < rows; r++) {
      const key = keyOf(this.words, r);
      const at = this.first.get(key);
      if (at === undefined) this.first.set(key, r);
      else if (!sameWord(this.words, at, this.words, r)) {
        const list = this.shared.get(key) ?? [at];
        if (!list.some((x) => sameWord(this.words, x, this.words, r))) list.push(r);
        this.shared.set(key, list);
      }
    }
  }

  /** The first table row equal to element `r` of `bytes` (canonical words), or −1. */
  find(bytes: Uint8Array, r: number): number {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    const key = keyOf(words, r);
    const list = this.shared.get(key);
    if (list) return list.find((x) => sameWord(this.words, x, words, r)) ?? -1;
    const at = this.first.get(key);
    return at !== undefined && sameWord(this.words, at, words, r) ? at : -1;
  }
}

/** The low 52 bits of element r (8 words of 32 bits, little-endian). */
const keyOf = (w: Uint32Array, r: number): number => w[8 * r]! + (w[8 * r + 1]! & 0xfffff) * 2 ** 32;
const sameWord = (a: Uint32Array, i: number, b: Uint32Array, j: number): boolean => {
  for (let k = 0; k < 8; k++) if (a[8 * i + k] !== b[8 * j + k]) return false;
  return true;
};

/** The compressed tables and inputs (Lagrange values, parked) that round 3 turns into helpers. */
export interface CompressedLookups {
  /** Per table (in `arg.lookups` order). */
  readonly tables: readonly StoredColumn[];
  /** Per input lookup index. */
  readonly inputs: ReadonlyMap<number, StoredColumn>;
}

/**
 * Round 2 (after θ): compress every table and input by θ, count how often
 * each table row is looked up (m, at the first row holding the value) and
 * hand m, blinded, to the state for the stage's commitment. Throws a
 * ProverError naming the lookup when an input is not in its table.
 */
export function lookupCommitMultiplicities(s: ProverState, challenges: readonly bigint[], theta: bigint): CompressedLookups {
  const { arg, n, usableRows: u } = s;
  const tables: StoredColumn[] = [];
  const inputs = new Map<number, StoredColumn>();
  for (const l of arg.lookups) {
    const table = arg.circuit.lookupTables[l.table];
    if (!table) throw new ProverError(`prove: no lookup table ${l.table}`);
    const ctx = s.lagrangeEvaluator(challenges);
    try {
      const t = s.compress(ctx.ev, table.expressions, theta);
      const rows = new TableRows(t.toBytes(), u);
      tables.push(StoredColumn.take(t));
      const counts = new Float64Array(n);
      for (const li of table.lookups) {
        const lookup = arg.circuit.lookups[li];
        if (!lookup) throw new ProverError(`prove: no lookup ${li}`);
        const f = s.compress(ctx.ev, lookup.inputs, theta);
        const fv = f.toBytes();
        inputs.set(li, StoredColumn.take(f));
        for (let r = 0; r < u; r++) {
          const at = rows.find(fv, r);
          if (at < 0) throw new ProverError(`prove: lookup "${lookup.name}": the input at row ${r} is not in its table`);
          counts[at]! += 1;
        }
      }
      const m = Array.from(counts, (c) => BigInt(c));
      s.setAdvice(l.m, s.F.fromBigints(s.blind(m, u)));
    } finally {
      ctx.close();
    }
  }
  return { tables, inputs };
}

/**
 * Round 3 (after β): per table the offset helpers h'_g = Σ_{i∈g} 1/(β + f_i) − |g|/β
 * and the running sum φ_{r+1} = φ_r + Σ_g h_g − m/(β + t) over the usable rows,
 * each blinded past them. Throws a ProverError when a table's sums do not balance.
 */
export function lookupCommitAccumulators(s: ProverState, compressed: CompressedLookups, beta: bigint): void {
  const { F, arg, n, usableRows: u } = s;
  const ones = s.ones();
  if (beta === 0n) throw new ProverError('prove: β = 0 (probability 2^-254): retry');
  const betaInv = Fr.inv(beta);
  // 1/(β + v) of a parked column (a new vector)
  const plusBetaInv = (col: StoredColumn | undefined): FieldVec => {
    if (!col) throw new ProverError('prove: a lookup column was not compressed');
    const o = col.load();
    F.axpy(o, beta, ones);
    F.batchInv(o, o);
    return o;
  };
  arg.lookups.forEach((l, ti) => {
    const diff = F.alloc(n);
    for (const g of l.groups) {
      const h = F.alloc(n);
      for (const li of g.inputs) {
        const inv = plusBetaInv(compressed.inputs.get(li));
        F.add(h, h, inv);
        inv.free();
      }
      F.add(diff, diff, h);
      // committed offset by |g|/β: zero where the lookup is off
      F.axpy(h, Fr.neg(Fr.mul(BigInt(g.inputs.length), betaInv)), ones);
      s.blindVec(h, u);
      s.setAdvice(g.helper, h);
    }
    const tInv = plusBetaInv(compressed.tables[ti]);
    const mv = s.loadValues('advice', l.m).vec;
    F.mul(tInv, tInv, mv);
    mv.free();
    F.sub(diff, diff, tInv);
    tInv.free();
    // φ_{r+1} = φ_r + d_r on the usable rows (rows past u are blinded below)
    const phi = F.allocUninit(n);
    F.prefixSum(phi, 0n, diff);
    diff.free();
    if (phi.get(u) !== 0n) {
      phi.free();
      throw new ProverError(`prove: lookup table ${ti}: the logUp sums do not balance (a witness error)`);
    }
    s.blindVec(phi, u + 1);
    s.setAdvice(l.phi, phi);
  });
}
