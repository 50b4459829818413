/**
 * The prover, round by round (names as in the protocol):
 *  0. absorb the VK digest and the instances;
 *  1. advice rounds: for each phase, synthesize, blind, commit, draw its challenges;
 *  2. lookup multiplicities m (after θ);
 *  3. lookup helpers h_g and accumulators φ, permutation products z_j (after β, γ);
 *  4. vanishing: h = Σ y^i·C_i / Z_H on the extended coset, committed in chunks (after y);
 *  5. evaluations of every opened column at x·ω^r and of the h chunks at x;
 *  6. SHPLONK multi-opening.
 * Zero knowledge comes from random values in every committed column's rows
 * ≥ usableRows (the blinding rows), enough for the openings made.
 */
import { Fr, type FieldVec } from '../../field/index.js';
import { shplonkProve, type ProverOpening } from '../../poly/shplonk.js';
import { configure, synthesizeWitness, type Circuit } from '../frontend/index.js';
import { adviceStage, DELTA } from './argument.js';
import { ColumnPolys, extend, extendedLog, rotate, type ProverParams } from './columns.js';
import { VectorEvaluator } from './evaluate.js';
import type { ProvingKey } from './keygen.js';
import { absorbInstances, checkInstances, PROOF_MAGIC, PROOF_VERSION } from './proof.js';
import { TranscriptWriter, type TranscriptHash } from './transcript.js';

export class ProverError extends Error {
  override readonly name = 'ProverError';
}

export interface ProveOptions {
  readonly hash?: TranscriptHash;
  /** Source of blinding randomness (default: crypto.getRandomValues). */
  readonly random?: () => bigint;
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
  checkInstances(arg, instances);
  const configured = configure(circuit);
  const transcript = new TranscriptWriter(options.hash ?? 'blake2b');
  transcript.commonScalar(vk.digest);
  absorbInstances(transcript, instances);

  const blind = (values: bigint[], from: number) => {
    for (let r = from; r < n; r++) values[r] = random();
    return values;
  };
  const temps: FieldVec[] = [];
  const own = (v: FieldVec) => (temps.push(v), v);
  const instanceValues = instances.map((col) => own(F.fromBigints([...col, ...new Array<bigint>(n - col.length).fill(0n)])));
  const instanceExt = instanceValues.map((v) => {
    const c = v.clone();
    params.ntt.inverse(c);
    const e = own(extend(c, arg, params));
    c.free();
    return e;
  });

  const adviceValues: (FieldVec | undefined)[] = new Array(arg.numAdvice);
  const advice = new Map<number, { coeffs: FieldVec; ext: FieldVec }>();
  const commitStage = (stage: number) => {
    const polys = ColumnPolys.empty();
    for (let col = 0; col < arg.numAdvice; col++) {
      if (adviceStage(arg, col) !== stage) continue;
      const point = polys.push(adviceValues[col]!, arg, params, true);
      advice.set(col, { coeffs: polys.coeffs[polys.coeffs.length - 1]!, ext: polys.extended[polys.extended.length - 1]! });
      transcript.writePoint(point);
    }
    temps.push(...polys.coeffs, ...polys.extended);
  };

  // 1. advice rounds
  const challenges: (bigint | undefined)[] = arg.circuit.challenges.map(() => undefined);
  for (let phase = 0; phase < arg.circuit.numPhases; phase++) {
    const a = synthesizeWitness(circuit, { k, instances, phases: [phase as 0 | 1 | 2], challenges, configured: configured as never });
    for (const col of arg.circuit.advice) {
      if (col.phase !== phase) continue;
      const values = a.advice[col.index];
      if (!values) throw new ProverError(`prove: advice column ${col.index} (phase ${phase}) was not assigned`);
      adviceValues[col.index] = own(F.fromBigints(blind([...values], u)));
    }
    commitStage(phase);
    for (const c of arg.circuit.challenges) if (c.phase === phase) challenges[c.index] = transcript.challenge();
  }

  // Lagrange-side evaluation of lookup expressions (n points, rotation = shift by r rows)
  const lagrangeCtx = (allChallenges: bigint[]) => {
    const cache = new Map<string, FieldVec>();
    return new VectorEvaluator({
      F,
      size: n,
      challenge: (i) => allChallenges[i]!,
      query(kind, column, rotation) {
        const key = `${kind}:${column}:${rotation}`;
        let v = cache.get(key);
        if (!v) {
          const base = kind === 'advice' ? adviceValues[column] : kind === 'fixed' ? pk.fixedValues[column] : instanceValues[column];
          if (!base) throw new ProverError(`prove: ${kind} column ${column} is not available yet`);
          v = own(rotate(base, rotation));
          cache.set(key, v);
        }
        return v;
      },
    });
  };

  // 2. multiplicities
  const theta = transcript.challenge();
  let all = [...(challenges as bigint[]), theta, 0n, 0n];
  let ev = lagrangeCtx(all);
  const compress = (exprs: readonly import('../frontend/index.js').ExprNode[]) => {
    let acc = ev.evalVec(exprs[0]!);
    for (const e of exprs.slice(1)) {
      F.scale(acc, acc, theta);
      const t = ev.evalVec(e);
      F.add(acc, acc, t);
      t.free();
    }
    return acc;
  };
  const tableVecs: FieldVec[] = [];
  const inputVecs = new Map<number, FieldVec>();
  for (const l of arg.lookups) {
    const table = arg.circuit.lookupTables[l.table]!;
    const t = own(compress(table.expressions));
    tableVecs.push(t);
    const rowOf = new Map<bigint, number>();
    const tv = t.toBigints();
    for (let r = 0; r < u; r++) if (!rowOf.has(tv[r]!)) rowOf.set(tv[r]!, r);
    const m = new Array<bigint>(n).fill(0n);
    for (const li of table.lookups) {
      const f = own(compress(arg.circuit.lookups[li]!.inputs));
      inputVecs.set(li, f);
      const fv = f.toBigints();
      for (let r = 0; r < u; r++) {
        const at = rowOf.get(fv[r]!);
        if (at === undefined) throw new ProverError(`prove: lookup "${arg.circuit.lookups[li]!.name}": the input at row ${r} is not in its table`);
        m[at]! += 1n;
      }
    }
    adviceValues[l.m] = own(F.fromBigints(blind(m, u)));
  }
  ev.free();
  commitStage(arg.circuit.numPhases);

  // 3. lookup helpers and accumulators, permutation products
  const beta = transcript.challenge();
  const gamma = transcript.challenge();
  all = [...(challenges as bigint[]), theta, beta, gamma];
  const ones = own(F.alloc(n));
  F.powers(ones, 1n, 1n);
  const plusBetaInv = (v: FieldVec) => {
    const o = v.clone();
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
      const hv = h.toBigints();
      h.free();
      adviceValues[g.helper] = own(F.fromBigints(blind(hv, u)));
    }
    const tInv = plusBetaInv(tableVecs[ti]!);
    F.mul(tInv, tInv, adviceValues[l.m]!);
    F.sub(diff, diff, tInv);
    tInv.free();
    const d = diff.toBigints();
    diff.free();
    const phi = new Array<bigint>(n).fill(0n);
    for (let r = 0; r < u; r++) phi[r + 1] = Fr.add(phi[r]!, d[r]!);
    if (phi[u] !== 0n) throw new ProverError(`prove: lookup table ${ti}: the logUp sums do not balance (a witness error)`);
    adviceValues[l.phi] = own(F.fromBigints(blind(phi, u + 1)));
  });

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
      const v = col.kind === 'advice' ? adviceValues[col.index]! : col.kind === 'fixed' ? pk.fixedValues[col.index]! : instanceValues[col.index]!;
      // v + β·δ^i·ω^r + γ
      F.powers(term, Fr.mul(beta, Fr.pow(DELTA, BigInt(i))), omega);
      F.add(term, term, v);
      F.axpy(term, gamma, ones);
      F.mul(num, num, term);
      // v + β·σ_i + γ
      term.copyFrom(v);
      F.axpy(term, beta, pk.fixedValues[permutation.sigma[i]!]!);
      F.axpy(term, gamma, ones);
      F.mul(den, den, term);
    }
    F.batchInv(den, den);
    F.mul(num, num, den);
    const ratio = num.toBigints();
    for (const v of [num, den, term]) v.free();
    const z = new Array<bigint>(n).fill(0n);
    z[0] = carry;
    for (let r = 0; r < u; r++) z[r + 1] = Fr.mul(z[r]!, ratio[r]!);
    carry = z[u]!;
    adviceValues[zCol] = own(F.fromBigints(blind(z, u + 1)));
  });
  if (permutation.z.length && carry !== 1n) throw new ProverError('prove: the copy constraints do not hold (permutation product ≠ 1)');
  commitStage(arg.circuit.numPhases + 1);

  // 4. vanishing argument
  const y = transcript.challenge();
  const e = extendedLog(arg);
  const N = n << e;
  const extCache = new Map<string, FieldVec>();
  const qev = new VectorEvaluator({
    F,
    size: N,
    challenge: (i) => all[i]!,
    query(kind, column, rotation) {
      const base =
        kind === 'advice'
          ? advice.get(column)?.ext
          : kind === 'fixed'
            ? pk.fixed.extended[column]
            : column < arg.numInstance
              ? instanceExt[column]
              : pk.virtual.extended[column - arg.numInstance];
      if (!base) throw new ProverError(`prove: no extended values for ${kind} column ${column}`);
      if (rotation === 0) return base;
      const key = `${kind}:${column}:${rotation}`;
      let v = extCache.get(key);
      if (!v) extCache.set(key, (v = own(rotate(base, rotation << e))));
      return v;
    },
  });
  const acc = F.alloc(N);
  for (const c of arg.constraints) {
    F.scale(acc, acc, y);
    const v = qev.eval(c.expression);
    if ('scalar' in v) F.axpy(acc, v.scalar, qev.onesVec());
    else F.add(acc, acc, v.vec);
    qev.release(v);
  }
  qev.free();
  // divide by Z_H(X) = X^n − 1 on g·H_ext: g^n·ζ^i − 1 with ζ = ω_ext^n
  const zInv = F.alloc(N);
  F.powers(zInv, Fr.pow(Fr.generator, BigInt(n)), Fr.pow(Fr.rootOfUnityOfOrder(k + e), BigInt(n)));
  const one = F.alloc(N);
  F.powers(one, 1n, 1n);
  F.axpy(zInv, Fr.neg(1n), one);
  one.free();
  F.batchInv(zInv, zInv);
  F.mul(acc, acc, zInv);
  zInv.free();
  params.ntt.cosetInverse(acc, Fr.generator);
  const chunks = arg.degree - 1;
  const hChunks: FieldVec[] = [];
  for (let i = 0; i < chunks; i++) {
    const c = own(acc.slice(i * n, n).clone());
    hChunks.push(c);
    transcript.writePoint(params.commit(c));
  }
  acc.free();

  // 5. evaluations
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
  for (let col = 0; col < arg.numAdvice; col++) open(`advice ${col}`, advice.get(col)!.coeffs, arg.adviceRotations[col]!);
  for (let col = 0; col < arg.numFixed; col++) open(`fixed ${col}`, pk.fixed.coeffs[col]!, arg.fixedRotations[col]!);
  hChunks.forEach((c, i) => open(`vanishing ${i}`, c, [0]));

  // 6. multi-opening
  shplonkProve(openings, params.ntt, (c) => params.commit(c), transcript);
  const body = transcript.finish();
  for (const t of temps) t.free();
  const out = new Uint8Array(8 + body.length);
  out.set(PROOF_MAGIC, 0);
  new DataView(out.buffer).setUint32(4, PROOF_VERSION, true);
  out.set(body, 8);
  return out;
}
