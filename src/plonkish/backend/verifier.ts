/**
 * The verifier: replays the transcript, evaluates every constraint of the
 * argument (gates, lookup.ts, permutation.ts) at x from the claimed
 * evaluations (instance columns and l_0, l_last, l_active, X it computes
 * itself from the domain's Lagrange basis), checks the vanishing argument
 * (vanishing.ts) and all openings with one SHPLONK pairing equation.
 *
 * It never throws on bytes: any malformed proof, wrong instance or failed
 * check returns `{ ok: false, reason }`.
 */
import { Fr } from '../../field/index.js';
import { shplonkVerify, type GroupOps, type VerifierOpening } from '../../pcs/shplonk.js';
import type { G2Affine } from '../../pcs/srs.js';
import type { AffinePoint } from '../../curve/types.js';
import { Domain } from '../../poly/domain.js';
import { evaluateNode, fieldEvaluator } from '../frontend/index.js';
import { adviceStage, buildArgument } from './argument.js';
import { absorbBinding, absorbInstances, checkInstances, PROOF_MAGIC, PROOF_VERSION } from './proof.js';
import { checkLateEmpty, readLateInstances } from './late-instances.js';
import { TranscriptReader, type TranscriptHash } from './transcript.js';
import { vanishingReadCommitments, vanishingReadEvaluations, vanishingVerify } from './vanishing.js';
import type { VerifyingKey } from './vk.js';

export interface VerifierParams {
  readonly g1: AffinePoint;
  readonly g2: G2Affine;
  readonly sG2: G2Affine;
  readonly group: GroupOps;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly reason?: string;
}

/** `verifyDetailed`'s result: what a caller checks outside the circuit. */
export interface DetailedVerifyResult extends VerifyResult {
  /**
   * When ok: every instance column's values as verified, the late ones
   * (phase > 0) as read from the proof (late-instances.ts).
   */
  readonly instances?: readonly (readonly bigint[])[];
  /** When ok: the circuit's challenges by index (e.g. ρ and γ for a folded weight opening). */
  readonly challenges?: readonly bigint[];
  /**
   * When ok: the advice columns' commitments by column index, as the proof
   * sent them (models/chain.ts compares a linked column's commitment across
   * two proofs; which column to compare comes from the verifying key).
   */
  readonly adviceCommitments?: readonly AffinePoint[];
}

export interface VerifyOptions {
  readonly hash?: TranscriptHash;
  /** The statement binding the proof was made with (`ProveOptions.bind`), from the verifier's own data; absent: none. */
  readonly bind?: Uint8Array;
}

export function verify(
  vk: VerifyingKey,
  proof: Uint8Array,
  instances: readonly (readonly bigint[])[],
  params: VerifierParams,
  options: VerifyOptions = {},
): VerifyResult {
  const { ok, reason } = verifyDetailed(vk, proof, instances, params, options);
  return reason === undefined ? { ok } : { ok, reason };
}

/** `verify`, also returning the late instance values and the challenges (never throws). */
export function verifyDetailed(
  vk: VerifyingKey,
  proof: Uint8Array,
  instances: readonly (readonly bigint[])[],
  params: VerifierParams,
  options: VerifyOptions = {},
): DetailedVerifyResult {
  try {
    return verifyOrThrow(vk, proof, instances, params, options);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

function verifyOrThrow(
  vk: VerifyingKey,
  proof: Uint8Array,
  instances: readonly (readonly bigint[])[],
  params: VerifierParams,
  options: VerifyOptions,
): DetailedVerifyResult {
  if (!(proof instanceof Uint8Array) || proof.length < 8) return { ok: false, reason: 'proof: expected at least 8 bytes' };
  if (PROOF_MAGIC.some((b, i) => proof[i] !== b)) return { ok: false, reason: 'proof: expected the "ZKTP" magic' };
  const version = new DataView(proof.buffer, proof.byteOffset, 8).getUint32(4, true);
  if (version !== PROOF_VERSION) return { ok: false, reason: `proof: expected version ${PROOF_VERSION}, got ${version}` };
  const arg = buildArgument(vk.circuit, vk.k);
  checkInstances(arg, instances);
  checkLateEmpty(arg.circuit, instances);
  const published = instances.map((col) => [...col]);
  const { n, k, usableRows: u } = arg;
  const t = new TranscriptReader(proof.subarray(8), options.hash ?? 'blake2b');
  t.commonScalar(vk.digest);
  absorbBinding(t, options.bind);
  absorbInstances(t, instances);

  const adviceCommitments: AffinePoint[] = new Array(arg.numAdvice);
  const readStage = (stage: number) => {
    for (let col = 0; col < arg.numAdvice; col++) {
      if (adviceStage(arg, col) === stage) adviceCommitments[col] = t.readPoint(`advice ${col} commitment`);
    }
  };
  const challenges: bigint[] = arg.circuit.challenges.map(() => 0n);
  for (let phase = 0; phase < arg.circuit.numPhases; phase++) {
    readStage(phase);
    for (const late of readLateInstances(t, arg.circuit, phase)) published[late.index] = [...late.values];
    for (const c of arg.circuit.challenges) if (c.phase === phase) challenges[c.index] = t.challenge();
  }
  const theta = t.challenge();
  readStage(arg.circuit.numPhases);
  const beta = t.challenge();
  const gamma = t.challenge();
  readStage(arg.circuit.numPhases + 1);
  const y = t.challenge();
  const hCommitments = vanishingReadCommitments(arg, t);
  const x = t.challenge();

  const domain = new Domain(k);
  const pointAt = (r: number) => domain.rotate(x, r);
  const openings: VerifierOpening[] = [];
  const adviceEvals = new Map<string, bigint>();
  const fixedEvals = new Map<string, bigint>();
  for (let col = 0; col < arg.numAdvice; col++) {
    for (const r of arg.adviceRotations[col]!) {
      const value = t.readScalar(`advice ${col} at rotation ${r}`);
      adviceEvals.set(`${col}:${r}`, value);
      openings.push({ id: `advice ${col}`, commitment: adviceCommitments[col]!, point: pointAt(r), value });
    }
  }
  if (vk.fixedCommitments.length !== arg.numFixed) {
    return { ok: false, reason: `verifying key: expected ${arg.numFixed} fixed commitments, got ${vk.fixedCommitments.length}` };
  }
  for (let col = 0; col < arg.numFixed; col++) {
    for (const r of arg.fixedRotations[col]!) {
      const value = t.readScalar(`fixed ${col} at rotation ${r}`);
      fixedEvals.set(`${col}:${r}`, value);
      openings.push({ id: `fixed ${col}`, commitment: vk.fixedCommitments[col]!, point: pointAt(r), value });
    }
  }
  const vanishing = vanishingReadEvaluations(hCommitments, x, t);
  openings.push(...vanishing.openings);

  // instance columns and l_0, l_last, l_active, X at x·ω^r, from the domain's Lagrange basis
  const instanceMemo = new Map<string, bigint>();
  const instanceAt = (column: number, rotation: number): bigint => {
    const key = `${column}:${rotation}`;
    const hit = instanceMemo.get(key);
    if (hit !== undefined) return hit;
    const z = domain.rotate(x, rotation);
    const v = arg.virtual;
    let value: bigint;
    if (column < arg.numInstance) value = domain.barycentricPrefix(published[column]!, z);
    else if (column === v.l0) value = domain.lagrangeAt(0, z);
    else if (column === v.lLast) value = domain.lagrangeAt(u, z);
    else if (column === v.lActive) {
      // 1 − L_u − Σ of the blinding rows' L_i
      const rows = Array.from({ length: n - u }, (_, i) => u + i);
      value = domain.lagrangeEvals(z, rows).reduce((acc, l) => Fr.sub(acc, l), 1n);
    } else if (column === v.x) value = z;
    else throw new RangeError(`verify: unknown instance column ${column}`);
    instanceMemo.set(key, value);
    return value;
  };
  const allChallenges = [...challenges, theta, beta, gamma];
  const leaves = fieldEvaluator({
    advice: (q) => adviceEvals.get(`${q.column}:${q.rotation}`)!,
    fixed: (q) => fixedEvals.get(`${q.column}:${q.rotation}`)!,
    instance: (q) => instanceAt(q.column, q.rotation),
    challenge: (c) => allChallenges[c.challenge]!,
  });
  let lhs = 0n;
  for (const c of arg.constraints) lhs = Fr.add(Fr.mul(lhs, y), evaluateNode(c.expression, leaves));
  if (!vanishingVerify(domain, lhs, vanishing.values, x)) return { ok: false, reason: 'vanishing argument: the constraints do not vanish on the domain' };

  if (!shplonkVerify(openings, params.group, params.g1, params.g2, params.sG2, t)) {
    return { ok: false, reason: 'multi-opening: the pairing check failed' };
  }
  t.assertEnd();
  return { ok: true, instances: published, challenges, adviceCommitments };
}
