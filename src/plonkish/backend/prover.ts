/**
 * The prover, round by round (names as in the protocol):
 *  0. absorb the VK digest and the instances;
 *  1. advice rounds: for each phase, synthesize, blind, commit, draw its challenges;
 *  2. lookup multiplicities m (after θ);
 *  3. lookup helpers h_g and accumulators φ, permutation products z_j (after β, γ);
 *  4. vanishing: h = Σ y^i·C_i / Z_H on the extended coset (evaluated one part g·ζ^j·H at
 *     a time, columns.ts and quotient.ts; parts go to worker threads when the params
 *     have a pool), committed in d − 1 blinded pieces of n − 1 coefficients (after y);
 *  5. evaluations of every opened column at x·ω^r and of the h pieces at x;
 *  6. SHPLONK multi-opening.
 * Zero knowledge comes from random values in every committed column's rows
 * ≥ usableRows (the blinding rows), enough for the openings made, and from
 * the random b_i that mask the quotient's pieces (PLONK's split).
 */
import { ELEMENT_BYTES, Fr, type FieldVec, ZkTensorError } from '../../field/index.js';
import { shplonkProve, type ProverOpening } from '../../pcs/shplonk.js';
import { configure, synthesizeWitness, type Circuit } from '../frontend/index.js';
import { adviceStage, DELTA } from './argument.js';
import type { PoolTask } from '../../curve/msm-pool.js';
import { commitColumns, extendedLog, interpolate, parkWithCoefficients, rotate, sharedBytes, StoredColumn, type ProverParams } from './columns.js';
import { VectorEvaluator } from './evaluate.js';
import { evaluateQuotientPart, QUOTIENT_TASK_MODULE, queriedColumns, splitQuotient, type QuotientPart, type QuotientPartTask } from './quotient.js';
import type { ProvingKey } from './keygen.js';
import { absorbInstances, checkInstances, PROOF_MAGIC, PROOF_VERSION } from './proof.js';
import { TranscriptWriter, type TranscriptHash } from './transcript.js';

export class ProverError extends ZkTensorError {
  override readonly name = 'ProverError';
}

/** Bytes of column values a quotient part may keep resident in wasm memory (per thread). */
const PART_CACHE_BYTES = 2 ** 31;

export interface ProveOptions {
  readonly hash?: TranscriptHash;
  /** Source of blinding randomness (default: crypto.getRandomValues). */
  readonly random?: () => bigint;
  /** Called as each step starts (progress reports): step name, steps done, steps in all. */
  readonly onStep?: (step: string, done: number, total: number) => void;
}

function cryptoRandom(): bigint {
  const b = new Uint32Array(16);
  globalThis.crypto.getRandomValues(b);
  let x = 0n;
  for (const w of b) x = (x << 32n) | BigInt(w);
  return x % Fr.p;
}

export function prove<Config, Params>(
  pk: ProvingKey,
  circuit: Circuit<Config, Params>,
  instances: readonly (readonly bigint[])[],
  params: ProverParams,
  options: ProveOptions = {},
): Uint8Array {
  const { arg, vk } = pk;
  const { n, usableRows: u, k } = arg;
  const F = params.ntt.F;
  const random = options.random ?? cryptoRandom;
  const totalSteps = arg.circuit.numPhases + 4 + (1 << extendedLog(arg));
  let stepsDone = 0;
  const step = (name: string) => options.onStep?.(name, stepsDone++, totalSteps);
  checkInstances(arg, instances);
  const configured = configure(circuit);
  const transcript = new TranscriptWriter(options.hash ?? 'blake2b');
  transcript.commonScalar(vk.digest);
  absorbInstances(transcript, instances);

  const blind = (values: bigint[], from: number) => {
    for (let r = from; r < n; r++) values[r] = random();
    return values;
  };
  const blindVec = (v: FieldVec, from: number) => {
    for (let r = from; r < n; r++) v.set(r, random());
  };
  // instance columns stay resident (few); everything else is parked as StoredColumn
  const resident: FieldVec[] = [];
  const instanceValues = instances.map((col) => {
    const v = F.fromBigints([...col, ...new Array<bigint>(n - col.length).fill(0n)]);
    resident.push(v);
    return v;
  });
  const instanceCoeffs = instanceValues.map((v) => {
    const c = interpolate(v, params);
    resident.push(c);
    return c;
  });

  const adviceValues: (StoredColumn | undefined)[] = new Array(arg.numAdvice);
  const adviceCoeffs: (StoredColumn | undefined)[] = new Array(arg.numAdvice);
  const pending = new Map<number, FieldVec>();
  const setAdvice = (col: number, values: bigint[]) => pending.set(col, F.fromBigints(values));
  const commitStage = (stage: number) => {
    const cols: number[] = [];
    const values: FieldVec[] = [];
    for (let col = 0; col < arg.numAdvice; col++) {
      if (adviceStage(arg, col) !== stage) continue;
      const v = pending.get(col);
      if (!v) throw new ProverError(`prove: advice column ${col} (stage ${stage}) has no values`);
      pending.delete(col);
      cols.push(col);
      values.push(v);
    }
    // commitments from the values (Lagrange); params without a Lagrange basis commit coefficients below
    const lagrange = Boolean(params.commitLagrangeMany ?? params.commitLagrange);
    const points = lagrange ? commitColumns(values, [], params) : [];
    const parked = parkWithCoefficients(values, params);
    cols.forEach((col, i) => {
      adviceValues[col] = parked.values[i]!;
      adviceCoeffs[col] = parked.coeffs[i]!;
      if (!lagrange) {
        const c = parked.coeffs[i]!.load();
        points.push(params.commit(c));
        c.free();
      }
    });
    points.forEach((point) => transcript.writePoint(point));
  };
  const loadValues = (kind: 'advice' | 'fixed' | 'instance', column: number): { vec: FieldVec; owned: boolean } => {
    if (kind === 'instance') return { vec: instanceValues[column]!, owned: false };
    const s = kind === 'advice' ? adviceValues[column] : pk.fixedValues[column];
    if (!s) throw new ProverError(`prove: ${kind} column ${column} is not available yet`);
    return { vec: s.load(), owned: true };
  };

  // 1. advice rounds
  const challenges: (bigint | undefined)[] = arg.circuit.challenges.map(() => undefined);
  for (let phase = 0; phase < arg.circuit.numPhases; phase++) {
    step(`advice phase ${phase}`);
    const a = synthesizeWitness(circuit, { k, instances, phases: [phase as 0 | 1 | 2], challenges, configured: configured as never });
    for (const col of arg.circuit.advice) {
      if (col.phase !== phase) continue;
      const values = a.advice[col.index];
      if (!values) throw new ProverError(`prove: advice column ${col.index} (phase ${phase}) was not assigned`);
      setAdvice(col.index, blind([...values], u));
    }
    commitStage(phase);
    for (const c of arg.circuit.challenges) if (c.phase === phase) challenges[c.index] = transcript.challenge();
  }

  // Lagrange-side evaluation of lookup expressions (n points, rotation = shift by r rows);
  // each evaluator caches the columns it loads until it is closed
  const lagrangeCtx = (allChallenges: bigint[]) => {
    const cache = new Map<string, FieldVec>();
    const ev = new VectorEvaluator({
      F,
      size: n,
      challenge: (i) => allChallenges[i]!,
      query(kind, column, rotation) {
        const key = `${kind}:${column}:${rotation}`;
        let v = cache.get(key);
        if (!v) {
          const base = loadValues(kind, column);
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
  };

  // 2. multiplicities
  step('lookup multiplicities');
  const theta = transcript.challenge();
  let all = [...(challenges as bigint[]), theta, 0n, 0n];
  const compress = (ev: VectorEvaluator, exprs: readonly import('../frontend/index.js').ExprNode[]) => {
    let acc = ev.evalVec(exprs[0]!);
    for (const e of exprs.slice(1)) {
      F.scale(acc, acc, theta);
      const t = ev.evalVec(e);
      F.add(acc, acc, t);
      t.free();
    }
    return acc;
  };
  const tableVecs: StoredColumn[] = [];
  const inputVecs = new Map<number, StoredColumn>();
  for (const l of arg.lookups) {
    const table = arg.circuit.lookupTables[l.table]!;
    const ctx = lagrangeCtx(all);
    const t = compress(ctx.ev, table.expressions);
    const rowOf = new Map<bigint, number>();
    const tv = t.toBigints();
    tableVecs.push(StoredColumn.take(t));
    for (let r = 0; r < u; r++) if (!rowOf.has(tv[r]!)) rowOf.set(tv[r]!, r);
    const m = new Array<bigint>(n).fill(0n);
    for (const li of table.lookups) {
      const f = compress(ctx.ev, arg.circuit.lookups[li]!.inputs);
      const fv = f.toBigints();
      inputVecs.set(li, StoredColumn.take(f));
      for (let r = 0; r < u; r++) {
        const at = rowOf.get(fv[r]!);
        if (at === undefined) throw new ProverError(`prove: lookup "${arg.circuit.lookups[li]!.name}": the input at row ${r} is not in its table`);
        m[at]! += 1n;
      }
    }
    ctx.close();
    setAdvice(l.m, blind(m, u));
  }
  commitStage(arg.circuit.numPhases);

  // 3. lookup helpers and accumulators, permutation products
  step('lookup and permutation accumulators');
  const beta = transcript.challenge();
  const gamma = transcript.challenge();
  all = [...(challenges as bigint[]), theta, beta, gamma];
  const ones = F.alloc(n);
  resident.push(ones);
  F.powers(ones, 1n, 1n);
  if (beta === 0n) throw new ProverError('prove: β = 0 (probability 2^-254): retry');
  const betaInv = Fr.inv(beta);
  const plusBetaInv = (s: StoredColumn) => {
    const o = s.load();
    F.axpy(o, beta, ones);
    F.batchInv(o, o);
    return o;
  };
  arg.lookups.forEach((l, ti) => {
    const diff = F.alloc(n);
    for (const g of l.groups) {
      const h = F.alloc(n);
      for (const li of g.inputs) {
        const inv = plusBetaInv(inputVecs.get(li)!);
        F.add(h, h, inv);
        inv.free();
      }
      F.add(diff, diff, h);
      // committed offset by |g|/β (argument.ts): zero where the lookup is off
      F.axpy(h, Fr.neg(Fr.mul(BigInt(g.inputs.length), betaInv)), ones);
      // blinding rows written in place (no round trip through bigints)
      blindVec(h, u);
      pending.set(g.helper, h);
    }
    const tInv = plusBetaInv(tableVecs[ti]!);
    const mv = loadValues('advice', l.m).vec;
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
    blindVec(phi, u + 1);
    pending.set(l.phi, phi);
  });
  inputVecs.clear();
  tableVecs.length = 0;

  const { permutation } = arg;
  const omega = Fr.rootOfUnityOfOrder(k);
  let carry = 1n;
  permutation.z.forEach((zCol, j) => {
    const num = F.alloc(n);
    const den = F.alloc(n);
    num.copyFrom(ones);
    den.copyFrom(ones);
    const term = F.alloc(n);
    for (let i = j * permutation.chunkSize; i < Math.min(permutation.columns.length, (j + 1) * permutation.chunkSize); i++) {
      const col = permutation.columns[i]!;
      const vv = loadValues(col.kind, col.index);
      const v = vv.vec;
      // v + β·δ^i·ω^r + γ
      F.powers(term, Fr.mul(beta, Fr.pow(DELTA, BigInt(i))), omega);
      F.add(term, term, v);
      F.axpy(term, gamma, ones);
      F.mul(num, num, term);
      // v + β·σ_i + γ
      const sigma = loadValues('fixed', permutation.sigma[i]!).vec;
      term.copyFrom(v);
      F.axpy(term, beta, sigma);
      sigma.free();
      if (vv.owned) v.free();
      F.axpy(term, gamma, ones);
      F.mul(den, den, term);
    }
    F.batchInv(den, den);
    F.mul(num, num, den);
    // z_{r+1} = z_r · ratio_r from the previous chunk's last value (rows past u are blinded below)
    const z = F.allocUninit(n);
    F.prefixProduct(z, carry, num);
    for (const v of [num, den, term]) v.free();
    carry = z.get(u);
    blindVec(z, u + 1);
    pending.set(zCol, z);
  });
  if (permutation.z.length && carry !== 1n) throw new ProverError('prove: the copy constraints do not hold (permutation product ≠ 1)');
  commitStage(arg.circuit.numPhases + 1);
  adviceValues.fill(undefined);

  // 4. vanishing argument, one part g·ζ^j·H of the extended coset at a time
  const y = transcript.challenge();
  const e = extendedLog(arg);
  const E = 1 << e;
  const N = n << e;
  const coeffsOf = (kind: 'advice' | 'fixed' | 'instance', column: number): FieldVec => {
    if (kind === 'instance') {
      if (column < arg.numInstance) return instanceCoeffs[column]!.clone();
      const v = pk.virtualCoeffs[column - arg.numInstance];
      if (!v) throw new ProverError(`prove: no virtual column ${column}`);
      return v.load();
    }
    const s = kind === 'advice' ? adviceCoeffs[column] : pk.fixedCoeffs[column];
    if (!s) throw new ProverError(`prove: no coefficients for ${kind} column ${column}`);
    return s.load();
  };
  const constraints = arg.constraints.map((c) => c.expression);
  const partOf = (part: number): QuotientPart => ({ k, degree: arg.degree, part, y, challenges: all, constraints, cacheBytes: PART_CACHE_BYTES });
  const parts = Array.from({ length: E }, () => sharedBytes(n * ELEMENT_BYTES));
  const runLocal = (part: number) => {
    const acc = evaluateQuotientPart(partOf(part), F, params.ntt, coeffsOf);
    parts[part]!.set(acc.raw());
    acc.free();
  };
  const partStep = (part: number) => step(`quotient part ${part + 1}/${E}`);
  if (params.pool && typeof SharedArrayBuffer !== 'undefined') {
    // workers read the coefficients from shared memory: instance columns are parked for them
    const columns: Record<string, Uint8Array> = {};
    for (const { kind, column } of queriedColumns(constraints)) {
      const key = `${kind}:${column}`;
      if (kind === 'instance' && column < arg.numInstance) columns[key] = StoredColumn.from(instanceCoeffs[column]!).bytes;
      else {
        const s = kind === 'advice' ? adviceCoeffs[column] : kind === 'fixed' ? pk.fixedCoeffs[column] : pk.virtualCoeffs[column - arg.numInstance];
        if (!s) throw new ProverError(`prove: no coefficients for ${kind} column ${column}`);
        columns[key] = s.bytes;
      }
    }
    const remote = (part: number): PoolTask => ({ module: QUOTIENT_TASK_MODULE, fn: 'quotientPartTask', payload: { ...partOf(part), columns, out: parts[part]! } satisfies QuotientPartTask });
    params.pool.runTasks(E, remote, runLocal, partStep);
  } else {
    for (let part = 0; part < E; part++) {
      partStep(part);
      runLocal(part);
    }
  }
  // scatter part j's values to points j + E·i of the extended coset
  const accFull = F.alloc(N);
  const mem = new Uint8Array(F.runtime.buffer);
  parts.forEach((bytes, part) => {
    for (let i = 0; i < n; i++) mem.set(bytes.subarray(i * ELEMENT_BYTES, (i + 1) * ELEMENT_BYTES), accFull.at(part + E * i));
  });
  params.ntt.cosetInverse(accFull, Fr.generator);
  // pieces of n − 1 coefficients, blinded (quotient.ts): each committed piece looks random
  const hChunks = splitQuotient(accFull, n, arg.degree - 1, random);
  accFull.free();
  if (!hChunks) throw new ProverError('prove: the constraints do not vanish on the domain (a witness error: the MockProver names the failing constraint)');
  for (const c of hChunks) {
    resident.push(c);
    transcript.writePoint(params.commit(c));
  }

  // 5. evaluations
  step('evaluations');
  const x = transcript.challenge();
  const openings: ProverOpening[] = [];
  const open = (id: string, poly: FieldVec, rotations: readonly number[]) => {
    for (const r of rotations) {
      const point = Fr.mul(x, Fr.pow(omega, BigInt(((r % n) + n) % n)));
      const value = params.ntt.evaluate(poly, point);
      transcript.writeScalar(value);
      openings.push({ id, poly, point, value });
    }
  };
  const loaded = (s: StoredColumn) => {
    const v = s.load();
    resident.push(v);
    return v;
  };
  for (let col = 0; col < arg.numAdvice; col++) open(`advice ${col}`, loaded(adviceCoeffs[col]!), arg.adviceRotations[col]!);
  for (let col = 0; col < arg.numFixed; col++) {
    const rotations = arg.fixedRotations[col]!;
    if (rotations.length) open(`fixed ${col}`, loaded(pk.fixedCoeffs[col]!), rotations);
  }
  hChunks.forEach((c, i) => open(`vanishing ${i}`, c, [0]));

  // 6. multi-opening
  step('multi-opening');
  shplonkProve(openings, params.ntt, (c) => params.commit(c), transcript);
  const body = transcript.finish();
  options.onStep?.('done', totalSteps, totalSteps);
  for (const t of resident) t.free();
  const out = new Uint8Array(8 + body.length);
  out.set(PROOF_MAGIC, 0);
  new DataView(out.buffer).setUint32(4, PROOF_VERSION, true);
  out.set(body, 8);
  return out;
}
