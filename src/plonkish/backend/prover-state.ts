/**
 * What the prover's rounds share, as one explicit object: the key, the
 * params, the transcript, the blinding source, and the committed columns in
 * their forms — Lagrange values and coefficients, parked outside wasm memory
 * as `StoredColumn`s (columns.ts) — plus the vectors that stay resident until
 * the proof is done. Each argument's prover side (lookup.ts, permutation.ts,
 * vanishing.ts) reads and fills it; prover.ts orders the rounds.
 */
import { Fr, type FieldVec, type PackedField } from '../../field/index.js';
import type { ExprNode } from '../frontend/index.js';
import { adviceStage, type Argument } from './argument.js';
import { commitColumns, interpolate, parkWithCoefficients, rotate, StoredColumn, type ProverParams } from './columns.js';
import { ProverError } from './errors.js';
import { VectorEvaluator } from './evaluate.js';
import type { ProvingKey } from './keygen.js';
import type { TranscriptWriter } from './transcript.js';

export type ColumnKind = 'advice' | 'fixed' | 'instance';

/** crypto.getRandomValues reduced into Fr: the default blinding source. */
export function cryptoRandom(): bigint {
  const b = new Uint32Array(16);
  globalThis.crypto.getRandomValues(b);
  let x = 0n;
  for (const w of b) x = (x << 32n) | BigInt(w);
  return x % Fr.p;
}

/** An evaluator over Lagrange values (n points; rotation = shift by r rows) and the columns it loaded. */
export interface LagrangeEvaluator {
  readonly ev: VectorEvaluator;
  /** Free the evaluator and every column it loaded. */
  close(): void;
}

export class ProverState {
  readonly arg: Argument;
  readonly F: PackedField;
  readonly n: number;
  readonly usableRows: number;
  /** Instance values and coefficients stay resident (few); everything else is parked. */
  readonly instanceValues: readonly FieldVec[];
  readonly instanceCoeffs: readonly FieldVec[];
  private readonly adviceValues: (StoredColumn | undefined)[];
  private readonly adviceCoeffs: (StoredColumn | undefined)[];
  /** Advice values computed but not yet committed, by column. */
  private readonly pending = new Map<number, FieldVec>();
  /** Vectors freed when the proof is done. */
  private readonly resident: FieldVec[] = [];
  private onesVec: FieldVec | undefined;

  constructor(
    readonly pk: ProvingKey,
    readonly params: ProverParams,
    readonly transcript: TranscriptWriter,
    readonly random: () => bigint,
    instances: readonly (readonly bigint[])[],
  ) {
    this.arg = pk.arg;
    this.F = params.ntt.F;
    this.n = this.arg.n;
    this.usableRows = this.arg.usableRows;
    this.adviceValues = new Array<StoredColumn | undefined>(this.arg.numAdvice);
    this.adviceCoeffs = new Array<StoredColumn | undefined>(this.arg.numAdvice);
    this.instanceValues = instances.map((col) => this.keep(this.F.fromBigints([...col, ...new Array<bigint>(this.n - col.length).fill(0n)])));
    this.instanceCoeffs = this.instanceValues.map((v) => this.keep(interpolate(v, params)));
  }

  /** A late instance column's values, known after its phase (late-instances.ts): overwrite the zeros, re-interpolate. */
  setInstance(column: number, values: readonly bigint[]): void {
    const v = this.instanceValues[column];
    const c = this.instanceCoeffs[column];
    if (!v || !c) throw new ProverError(`prove: no instance column ${column}`);
    this.F.writeBigints(v, values);
    const coeffs = interpolate(v, this.params);
    c.copyFrom(coeffs);
    coeffs.free();
  }

  /** Keep `v` until the proof is done (then freed). */
  keep(v: FieldVec): FieldVec {
    this.resident.push(v);
    return v;
  }

  /** The all-ones vector on H (resident). */
  ones(): FieldVec {
    if (!this.onesVec) {
      this.onesVec = this.keep(this.F.alloc(this.n));
      this.F.powers(this.onesVec, 1n, 1n);
    }
    return this.onesVec;
  }

  /** Rows from..n−1 of `values` get fresh randomness (zero knowledge for the openings). */
  blind(values: bigint[], from: number): bigint[] {
    for (let r = from; r < this.n; r++) values[r] = this.random();
    return values;
  }

  /** `blind` in place on a packed vector (no round trip through bigints). */
  blindVec(v: FieldVec, from: number): void {
    for (let r = from; r < this.n; r++) v.set(r, this.random());
  }

  /** Advice column values for the stage that commits the column (takes ownership of `v`). */
  setAdvice(column: number, v: FieldVec): void {
    this.pending.set(column, v);
  }

  /**
   * Commit every advice column of `stage` (argument.ts `adviceStage`), in
   * column order: commitments from the values (Lagrange) where the params can,
   * else from the coefficients; both forms are parked.
   */
  commitStage(stage: number): void {
    const { arg, params } = this;
    const cols: number[] = [];
    const values: FieldVec[] = [];
    for (let col = 0; col < arg.numAdvice; col++) {
      if (adviceStage(arg, col) !== stage) continue;
      const v = this.pending.get(col);
      if (!v) throw new ProverError(`prove: advice column ${col} (stage ${stage}) has no values`);
      this.pending.delete(col);
      cols.push(col);
      values.push(v);
    }
    const lagrange = Boolean(params.commitLagrangeMany ?? params.commitLagrange);
    const points = lagrange ? commitColumns(values, [], params) : [];
    const parked = parkWithCoefficients(values, params);
    cols.forEach((col, i) => {
      const v = parked.values[i];
      const c = parked.coeffs[i];
      if (!v || !c) throw new ProverError(`prove: advice column ${col} was not parked`);
      this.adviceValues[col] = v;
      this.adviceCoeffs[col] = c;
      if (!lagrange) {
        const loaded = c.load();
        points.push(params.commit(loaded));
        loaded.free();
      }
    });
    for (const point of points) this.transcript.writePoint(point);
  }

  /** Drop the advice values on H once the last stage is committed (only coefficients are needed after). */
  releaseAdviceValues(): void {
    this.adviceValues.fill(undefined);
  }

  /** A column's values on H: `owned` when the caller must free `vec`. */
  loadValues(kind: ColumnKind, column: number): { vec: FieldVec; owned: boolean } {
    if (kind === 'instance') {
      const v = this.instanceValues[column];
      if (!v) throw new ProverError(`prove: no instance column ${column}`);
      return { vec: v, owned: false };
    }
    const s = kind === 'advice' ? this.adviceValues[column] : this.pk.fixedValues[column];
    if (!s) throw new ProverError(`prove: ${kind} column ${column} is not available yet`);
    return { vec: s.load(), owned: true };
  }

  /** A column's values on H as shared bytes a worker can read (advice and fixed: no copy; instance: a shared copy). */
  valueBytes(kind: ColumnKind, column: number): Uint8Array {
    if (kind === 'instance') return StoredColumn.from(this.loadValues('instance', column).vec).bytes;
    const s = kind === 'advice' ? this.adviceValues[column] : this.pk.fixedValues[column];
    if (!s) throw new ProverError(`prove: ${kind} column ${column} is not available yet`);
    return s.bytes;
  }

  /**
   * A committed column's coefficients, parked (instance columns past the
   * circuit's are the virtual l_0, l_last, l_active, X of the key).
   */
  storedCoeffs(kind: ColumnKind, column: number): StoredColumn {
    let s: StoredColumn | undefined;
    if (kind === 'advice') s = this.adviceCoeffs[column];
    else if (kind === 'fixed') s = this.pk.fixedCoeffs[column];
    else if (column < this.arg.numInstance) {
      const c = this.instanceCoeffs[column];
      s = c && StoredColumn.from(c);
    } else s = this.pk.virtualCoeffs[column - this.arg.numInstance];
    if (!s) throw new ProverError(`prove: no coefficients for ${kind} column ${column}`);
    return s;
  }

  /** Evaluation of expressions over Lagrange values; it caches the columns it loads until closed. */
  lagrangeEvaluator(challenges: readonly bigint[]): LagrangeEvaluator {
    const cache = new Map<string, FieldVec>();
    const ev = new VectorEvaluator({
      F: this.F,
      size: this.n,
      challenge: (i) => {
        const c = challenges[i];
        if (c === undefined) throw new ProverError(`prove: no challenge ${i} yet`);
        return c;
      },
      query: (kind, column, rotation) => {
        const key = `${kind}:${column}:${rotation}`;
        let v = cache.get(key);
        if (!v) {
          const base = this.loadValues(kind, column);
          v = rotation === 0 && base.owned ? base.vec : rotate(base.vec, rotation);
          if (v !== base.vec && base.owned) base.vec.free();
          cache.set(key, v);
        }
        return v;
      },
    });
    return {
      ev,
      close() {
        ev.free();
        for (const v of cache.values()) v.free();
        cache.clear();
      },
    };
  }

  /** Σ θ^(m−1−i)·e_i over Lagrange values: the lookup's compression of several expressions into one. */
  compress(ev: VectorEvaluator, exprs: readonly ExprNode[], theta: bigint): FieldVec {
    const [first, ...rest] = exprs;
    if (!first) throw new ProverError('prove: a lookup with no expressions');
    const acc = ev.evalVec(first);
    for (const e of rest) {
      this.F.scale(acc, acc, theta);
      const t = ev.evalVec(e);
      this.F.add(acc, acc, t);
      t.free();
    }
    return acc;
  }

  /** Free everything still resident (and values not committed, after a failure). */
  free(): void {
    for (const v of this.resident) v.free();
    this.resident.length = 0;
    for (const v of this.pending.values()) v.free();
    this.pending.clear();
  }
}
