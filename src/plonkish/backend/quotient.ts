/**
 * One part of the quotient: Σ y^(m−1−i)·C_i / Z_H on part g·ζ^j·H of the
 * extended coset (columns.ts), as n packed values. The parts are
 * independent, so the prover hands some of them to the pool's workers
 * (`quotientPartTask`, a task kind of curve/worker-pool.ts): the worker loads
 * the columns' coefficients from shared memory, runs the same code as the
 * main thread and writes the part's bytes into the pool's shared results.
 */
import { ELEMENT_BYTES, Fr, packedFr, type FieldVec, type PackedField } from '../../field/index.js';
import { defineTask } from '../../curve/tasks.js';
import { Ntt } from '../../poly/ntt.js';
import { degreeOf, type ExprNode } from '../frontend/index.js';
import { extendedLog, partShift, rotate, StoredColumn } from './columns.js';
import { SumPlan } from './evaluate.js';

type Kind = 'advice' | 'fixed' | 'instance';

/** Everything about a part but the columns (structured-clonable). */
export interface QuotientPart {
  readonly k: number;
  readonly degree: number;
  readonly part: number;
  /** The constraints' combining challenge. */
  readonly y: bigint;
  /** Every challenge by index (the circuit's, then θ, β, γ). */
  readonly challenges: readonly bigint[];
  readonly constraints: readonly ExprNode[];
  /** Bytes of column values the part may keep resident in wasm memory. */
  readonly cacheBytes: number;
}

/** A part for a worker: the columns' coefficients as shared bytes. */
export interface QuotientPartTask extends QuotientPart {
  /** Coefficients of every queried column, by `${kind}:${column}`. */
  readonly columns: Readonly<Record<string, Uint8Array>>;
}

/** `${kind}:${column}` of every column the expressions query. */
export function queriedColumns(exprs: readonly ExprNode[]): { kind: Kind; column: number }[] {
  const seen = new Map<string, { kind: Kind; column: number }>();
  const walk = (e: ExprNode): void => {
    switch (e.type) {
      case 'fixed':
      case 'advice':
      case 'instance':
        seen.set(`${e.type}:${e.column}`, { kind: e.type, column: e.column });
        return;
      case 'negated':
      case 'scaled':
        return walk(e.inner);
      case 'sum':
      case 'product':
        walk(e.left);
        return walk(e.right);
      default:
        return;
    }
  };
  exprs.forEach(walk);
  return [...seen.values()];
}

/**
 * Constraints that need the same parts of the extended coset. A constraint C
 * of degree d makes C/Z_H a polynomial of degree ≤ d·(n − 1) − n < (d − 1)·n
 * (when C vanishes on H), so its values on s = 2^⌈log2(d − 1)⌉ parts fix it
 * (s = 1 for d ≤ 2): parts 0, E/s, 2E/s, …, which together are the coset
 * g·H_{s·n} (part t·E/s holds its points t + s·i). Each group's sum is
 * evaluated on its s parts only and interpolated on its own
 * (`quotientCoefficients`): low-degree gates skip most parts, and columns
 * only they query skip those parts' coset NTTs.
 */
export interface QuotientGroup {
  /** Parts the group needs (a power of two ≤ E). */
  readonly parts: number;
  /** Indices of its constraints (ascending). */
  readonly constraints: readonly number[];
}

/** The constraints' groups, by ascending number of parts. */
export function quotientGroups(constraints: readonly ExprNode[], extended: number): QuotientGroup[] {
  const bySize = new Map<number, number[]>();
  constraints.forEach((c, i) => {
    const d = degreeOf(c);
    const parts = d <= 2 ? 1 : 2 ** Math.ceil(Math.log2(d - 1));
    if (parts > extended) throw new RangeError(`quotientGroups: constraint ${i} of degree ${d} needs ${parts} parts, the extended coset has ${extended}`);
    const g = bySize.get(parts) ?? [];
    g.push(i);
    bySize.set(parts, g);
  });
  return [...bySize].sort((a, b) => a[0] - b[0]).map(([parts, constraints]) => ({ parts, constraints }));
}

/** The groups part `part` evaluates (those whose parts include it), in `quotientGroups` order. */
export function groupsAt(groups: readonly QuotientGroup[], part: number, extended: number): QuotientGroup[] {
  return groups.filter((g) => part % (extended / g.parts) === 0);
}

/**
 * The part's values (a new vector): for each group of `groupsAt(part)`, n
 * values of Σ_{i in the group} y^(m−1−i)·C_i / Z_H, one group after the
 * other. Each queried column's coefficients (`coeffs` returns a new vector
 * the evaluator owns) are moved to the part by one coset NTT, kept in an LRU
 * cache of `cacheBytes`, and rotations are cyclic shifts within the part.
 */
export function evaluateQuotientPart(p: QuotientPart, F: PackedField, ntt: Ntt, coeffs: (kind: Kind, column: number) => FieldVec): FieldVec {
  const n = 1 << p.k;
  const shift = partShift(p, p.part);
  const cache = new Map<string, FieldVec>();
  let cachedBytes = 0;
  const challenge = (i: number) => {
    const c = p.challenges[i];
    if (c === undefined) throw new RangeError(`quotient part ${p.part}: no challenge ${i}`);
    return c;
  };
  // y^(m−1−i) / Z_H: Z_H = (g·ζ^j)^n − 1 is a constant on the part, folded into the weights
  const m = p.constraints.length;
  const zInv = Fr.inv(Fr.sub(Fr.pow(shift, BigInt(n)), 1n));
  const weights: bigint[] = new Array(m);
  for (let i = m - 1, w = zInv; i >= 0; i--, w = Fr.mul(w, p.y)) weights[i] = w;
  const E = 1 << extendedLog(p);
  const groups = groupsAt(quotientGroups(p.constraints, E), p.part, E);
  const ctx = {
    F,
    size: n,
    query(kind: Kind, column: number, rotation: number): FieldVec {
      const key = `${kind}:${column}:${rotation}`;
      let v = cache.get(key);
      if (v) {
        cache.delete(key);
        cache.set(key, v);
        return v;
      }
      if (rotation === 0) {
        v = coeffs(kind, column);
        ntt.cosetForward(v, shift);
      } else {
        v = rotate(ctx.query(kind, column, 0), rotation);
      }
      cache.set(key, v);
      cachedBytes += v.byteLength;
      return v;
    },
  };
  // evict least recently used columns between terms (never while in use)
  const evict = () => {
    for (const [key, vec] of cache) {
      if (cachedBytes <= p.cacheBytes) break;
      cache.delete(key);
      cachedBytes -= vec.byteLength;
      vec.free();
    }
  };
  const out = F.allocUninit(groups.length * n);
  try {
    groups.forEach((g, i) => {
      const plan = new SumPlan(
        g.constraints.map((c) => p.constraints[c]!),
        g.constraints.map((c) => weights[c]!),
        challenge,
      );
      const v = plan.evaluate(ctx, evict);
      out.slice(i * n, n).copyFrom(v);
      v.free();
    });
  } catch (e) {
    out.free();
    throw e;
  } finally {
    for (const v of cache.values()) v.free();
    cache.clear();
  }
  return out;
}

/**
 * h = Σ y^(m−1−i)·C_i / Z_H as E·n coefficients (a new vector) from the
 * parts' values (`evaluateQuotientPart`'s bytes, part by part): each group's
 * values on its s parts are its values on g·H_{s·n}, one coset inverse NTT
 * of size s·n gives its coefficients, and h is the sum. Undefined when a
 * group's top s coefficients are not zero (its C/Z_H is not a polynomial of
 * degree < s·n − s: the constraints do not vanish on H); the top group's
 * excess degree is `splitQuotient`'s check.
 */
export function quotientCoefficients(F: PackedField, ntt: Ntt, k: number, extended: number, groups: readonly QuotientGroup[], parts: readonly Uint8Array[]): FieldVec | undefined {
  const n = 1 << k;
  const E = extended;
  if (parts.length !== E) throw new RangeError(`quotientCoefficients: expected ${E} parts, got ${parts.length}`);
  const h = F.alloc(E * n);
  for (const g of groups) {
    const s = g.parts;
    const v = F.allocUninit(s * n);
    // after the allocation (which may grow the memory)
    const mem = new Uint8Array(F.runtime.buffer);
    for (let t = 0; t < s; t++) {
      const part = t * (E / s);
      const at = groupsAt(groups, part, E).indexOf(g);
      const bytes = parts[part]!;
      if (at < 0 || bytes.length < (at + 1) * n * ELEMENT_BYTES) throw new RangeError(`quotientCoefficients: part ${part} lacks the values of a group of ${s} parts`);
      const base = at * n * ELEMENT_BYTES;
      for (let i = 0; i < n; i++) mem.set(bytes.subarray(base + i * ELEMENT_BYTES, base + (i + 1) * ELEMENT_BYTES), v.at(t + s * i));
    }
    ntt.cosetInverse(v, Fr.generator);
    const low = s < E && v.slice(s * n - s, s).toBigints().some((c) => c !== 0n);
    if (!low) F.add(h.slice(0, s * n), h.slice(0, s * n), v);
    v.free();
    if (low) {
      h.free();
      return undefined;
    }
  }
  return h;
}

/** The pool task: the part's n packed values (bytes), from coefficients in shared memory. */
export const quotientPartTask = defineTask<QuotientPartTask, Uint8Array>('quotientPart', {
  resultBytes: (t) => {
    const E = 1 << extendedLog(t);
    return groupsAt(quotientGroups(t.constraints, E), t.part, E).length * (1 << t.k) * ELEMENT_BYTES;
  },
  run(t, out) {
    const F = packedFr();
    const n = 1 << t.k;
    const acc = evaluateQuotientPart(t, F, Ntt.for(F), (kind, column) => {
      const bytes = t.columns[`${kind}:${column}`];
      if (!bytes) throw new RangeError(`quotientPartTask: no coefficients for ${kind} column ${column}`);
      return StoredColumn.wrap(F, bytes, n).load();
    });
    out.set(acc.raw());
    acc.free();
  },
  read: (out) => out,
});

/**
 * Split h (coefficients, in place in `h`) into `chunks` pieces of n − 1
 * coefficients each, blinded as in PLONK: piece i gets b_i·X^(n−1) and
 * piece i + 1 gets −b_i, so every piece but the combination
 * h = Σ_i X^((n−1)·i)·t_i is masked by fresh randomness, and each piece still
 * has n coefficients (an SRS of n points commits it). h has degree at most
 * (d − 1)·(n − 1) − 1 (columns have degree ≤ n − 1, Z_H degree n), so d − 1
 * pieces hold it; a non-zero coefficient beyond them means the constraints
 * do not vanish on H, and `splitQuotient` returns undefined.
 */
export function splitQuotient(h: FieldVec, n: number, chunks: number, random: () => bigint): FieldVec[] | undefined {
  const F = h.field;
  const m = n - 1;
  if (chunks * m > h.length) throw new RangeError(`splitQuotient: ${chunks} pieces of ${m} need ${chunks * m} coefficients, got ${h.length}`);
  if (h.length > chunks * m && h.slice(chunks * m, h.length - chunks * m).toBigints().some((v) => v !== 0n)) return undefined;
  const pieces: FieldVec[] = [];
  let carry = 0n;
  for (let i = 0; i < chunks; i++) {
    const t = F.alloc(n);
    t.slice(0, m).copyFrom(h.slice(i * m, m));
    t.set(0, Fr.sub(t.get(0), carry));
    carry = i < chunks - 1 ? random() : 0n;
    t.set(m, carry);
    pieces.push(t);
  }
  return pieces;
}
