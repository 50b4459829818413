/**
 * The verifier: replays the transcript, evaluates every constraint of the
 * argument at x from the claimed evaluations (instance columns and l_0,
 * l_last, l_active, X it computes itself), checks
 *     Σ y^{m−1−i}·C_i(x) = h(x)·(x^n − 1),  h(x) = Σ_j x^{j(n−1)}·t_j(x)
 * (the quotient in blinded pieces t_j of n − 1 coefficients, prover.ts),
 * and checks all openings with one SHPLONK pairing equation.
 *
 * It never throws on bytes: any malformed proof, wrong instance or failed
 * check returns `{ ok: false, reason }`.
 */
import { Fr } from '../../field/index.js';
import { shplonkVerify, type GroupOps, type VerifierOpening } from '../../pcs/shplonk.js';
import type { G2Affine } from '../../pcs/srs.js';
import type { AffinePoint } from '../../curve/types.js';
import { evaluateNode, fieldEvaluator } from '../frontend/index.js';
import { adviceStage, buildArgument } from './argument.js';
import { absorbInstances, checkInstances, PROOF_MAGIC, PROOF_VERSION } from './proof.js';
import { TranscriptReader, type TranscriptHash } from './transcript.js';
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

export interface VerifyOptions {
  readonly hash?: TranscriptHash;
}

export function verify(
  vk: VerifyingKey,
  proof: Uint8Array,
  instances: readonly (readonly bigint[])[],
  params: VerifierParams,
  options: VerifyOptions = {},
): VerifyResult {
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
): VerifyResult {
  if (!(proof instanceof Uint8Array) || proof.length < 8) return { ok: false, reason: 'proof: expected at least 8 bytes' };
  if (PROOF_MAGIC.some((b, i) => proof[i] !== b)) return { ok: false, reason: 'proof: expected the "ZKTP" magic' };
  const version = new DataView(proof.buffer, proof.byteOffset, 8).getUint32(4, true);
  if (version !== PROOF_VERSION) return { ok: false, reason: `proof: expected version ${PROOF_VERSION}, got ${version}` };
  const arg = buildArgument(vk.circuit, vk.k);
  checkInstances(arg, instances);
  const { n, k, usableRows: u } = arg;
  const t = new TranscriptReader(proof.subarray(8), options.hash ?? 'blake2b');
  t.commonScalar(vk.digest);
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
    for (const c of arg.circuit.challenges) if (c.phase === phase) challenges[c.index] = t.challenge();
  }
  const theta = t.challenge();
  readStage(arg.circuit.numPhases);
  const beta = t.challenge();
  const gamma = t.challenge();
  readStage(arg.circuit.numPhases + 1);
  const y = t.challenge();
  const chunks = arg.degree - 1;
  const hCommitments = Array.from({ length: chunks }, (_, i) => t.readPoint(`vanishing chunk ${i}`));
  const x = t.challenge();

  const omega = Fr.rootOfUnityOfOrder(k);
  const pointAt = (r: number) => Fr.mul(x, Fr.pow(omega, BigInt(((r % n) + n) % n)));
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
  const hEvals = hCommitments.map((commitment, i) => {
    const value = t.readScalar(`vanishing chunk ${i} at x`);
    openings.push({ id: `vanishing ${i}`, commitment, point: x, value });
    return value;
  });

  // Lagrange basis at z: L_i(z) = ω^i·(z^n − 1) / (n·(z − ω^i))
  const nInv = Fr.inv(BigInt(n));
  const lagrange = (i: number, z: bigint) => {
    const wi = Fr.pow(omega, BigInt(i));
    return Fr.mul(Fr.mul(wi, Fr.sub(Fr.pow(z, BigInt(n)), 1n)), Fr.mul(nInv, Fr.inv(Fr.sub(z, wi))));
  };
  // Σ values_i·L_i(z) with ω^i built incrementally and one batch inversion
  const interpolateAt = (values: readonly bigint[], z: bigint): bigint => {
    if (values.length === 0) return 0n;
    const wi: bigint[] = [];
    let w = 1n;
    for (let i = 0; i < values.length; i++, w = Fr.mul(w, omega)) wi.push(w);
    const inv = Fr.batchInv(wi.map((x) => Fr.sub(z, x)));
    const common = Fr.mul(Fr.sub(Fr.pow(z, BigInt(n)), 1n), nInv);
    let acc = 0n;
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== 0n) acc = Fr.add(acc, Fr.mul(values[i]!, Fr.mul(wi[i]!, inv[i]!)));
    }
    return Fr.mul(acc, common);
  };
  const instanceMemo = new Map<string, bigint>();
  const instanceAt = (column: number, rotation: number): bigint => {
    const key = `${column}:${rotation}`;
    const hit = instanceMemo.get(key);
    if (hit !== undefined) return hit;
    const z = pointAt(rotation);
    const v = arg.virtual;
    let value: bigint;
    if (column < arg.numInstance) value = interpolateAt(instances[column]!, z);
    else if (column === v.l0) value = lagrange(0, z);
    else if (column === v.lLast) value = lagrange(u, z);
    else if (column === v.lActive) {
      let blindSum = 0n;
      for (let i = u + 1; i < n; i++) blindSum = Fr.add(blindSum, lagrange(i, z));
      value = Fr.sub(Fr.sub(1n, lagrange(u, z)), blindSum);
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
  const xn = Fr.pow(x, BigInt(n));
  // h = Σ_i X^((n−1)·i)·t_i: pieces of n − 1 coefficients (prover.ts, quotient.ts)
  const xm = Fr.pow(x, BigInt(n - 1));
  let hx = 0n;
  for (let i = chunks - 1; i >= 0; i--) hx = Fr.add(Fr.mul(hx, xm), hEvals[i]!);
  if (lhs !== Fr.mul(hx, Fr.sub(xn, 1n))) return { ok: false, reason: 'vanishing argument: the constraints do not vanish on the domain' };

  if (!shplonkVerify(openings, params.group, params.g1, params.g2, params.sG2, t)) {
    return { ok: false, reason: 'multi-opening: the pairing check failed' };
  }
  t.assertEnd();
  return { ok: true };
}
