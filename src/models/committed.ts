/**
 * Weights as commitments, model level (weights visibility `committed`):
 *
 *   setup   commit every committed matrix row by row (pcs/matrix-commit.ts);
 *           the commitments, in `committedWeightNames` order, are the model's
 *           weight fingerprint; the verifier keeps them (or checks them
 *           against a published fingerprint), never takes them from a proof;
 *   prove   the circuit proof (the circuit holds v = Σ γ^i·(B·r)_i at row 0
 *           of its fold column `weights.acc`, gadgets/matmul-committed.ts,
 *           and never publishes it), then V = v·G + t·H with a fresh t and
 *           two masked openings (pcs/matrix-commit.ts `openMasked`) at the
 *           circuit proof's own ρ and γ: C_γ − V opens to 0 at ρ
 *           (P_γ = Σ γ^i·P_i), and the fold column's commitment, taken from
 *           the circuit proof, opens to the same hidden value at ω^0 = 1;
 *   verify  the circuit proof, then both openings against V, with
 *           C_γ = Σ γ^i·C_i from the verifier's own commitments and the
 *           fold column's commitment from the verified circuit proof.
 *
 * The fingerprint is part of the statement, so both sides bind it into the
 * circuit proof's transcript (`ProveOptions.bind` / `VerifyOptions.bind`):
 * ρ and γ then depend on the commitments they are checked against, and a
 * proof made for one set of weight commitments fails under another.
 *
 * Hiding or binding (`commitModelWeights`'s `hiding`, default hiding): hiding
 * commitments C_k = [P_k(τ)]₁ + r_k·H (pcs/matrix-commit.ts) keep a private
 * model private from whoever holds the commitments; the r_k are the
 * prover's secrets (`ModelWeightSecrets`), returned apart from the public
 * commitment and passed to `proveCommitted`, never to a verifier. Which kind
 * the commitments are is the verifier's own record (`hiding` in
 * `ModelWeightCommitment`, covered by the fingerprint), never the proof's.
 * A proof reveals no value of the weights: v stays hidden in V (uniform,
 * t·H), the openings' π are masked, and the circuit's columns are blinded.
 * (Proofs before this design published v, one random linear combination
 * of the weights; many proofs would have given many.)
 *
 * Why it is sound: the module header of gadgets/matmul-committed.ts
 * (Schwartz–Zippel over ρ for Freivalds, over γ for the fold; KZG binding)
 * and, for hiding commitments, pcs/matrix-commit.ts.
 */
import { Fq, Fr } from '../field/index.js';
import type { AffinePoint } from '../curve/types.js';
import { g2ToNoble, type G2Affine } from '../curve/curve.js';
import type { KzgParams } from '../pcs/kzg.js';
import {
  commitMatrixRows,
  hiddenValue,
  type MaskedOpening,
  matrixFingerprint,
  type MatrixCommitment,
  openFoldedRowsMasked,
  openMasked,
  randomBlinds,
  randomScalar,
  verifyFoldedMasked,
  verifyMasked,
  type WeightMatrix,
} from '../pcs/matrix-commit.js';
import type { ProvingKey } from '../plonkish/backend/keygen.js';
import { proveDetailed, type ProveOptions } from '../plonkish/backend/prover.js';
import { decodePoint, encodePoint, POINT_BYTES } from '../plonkish/backend/transcript.js';
import { type DetailedVerifyResult, verifyDetailed, type VerifierParams, type VerifyOptions, type VerifyResult } from '../plonkish/backend/verifier.js';
import type { VerifyingKey } from '../plonkish/backend/vk.js';
import type { CompiledCircuit } from '../plonkish/frontend/index.js';
import { committedWeightNames, type ModelCircuit, type ModelCircuitParams } from './compile.js';
import { FOLD_COLUMN } from '../gadgets/matmul-committed.js';
import { dim, GraphError } from './graph.js';

/** The names the committed chip gives its challenges (gadgets/context.ts, matmul-committed.ts; the fold column is `FOLD_COLUMN`). */
const RHO = 'freivalds.rho';
const GAMMA = 'weights.gamma';

/** The model's committed matrices and their fingerprint (what a verifier holds). */
export interface ModelWeightCommitment {
  readonly names: readonly string[];
  readonly matrices: readonly MatrixCommitment[];
  /** Whether the row commitments are hiding (C_k = [P_k(τ)]₁ + r_k·H) or binding only (C_k = [P_k(τ)]₁). */
  readonly hiding: boolean;
  /** Blake2b-256 over the kind, shapes and points (`matrixFingerprint`). */
  readonly fingerprint: Uint8Array;
}

/**
 * The prover's secrets of hiding commitments: the blinding scalars r_k, per
 * matrix (fingerprint order) per row. Never give them to a verifier: with
 * them a guess of a row can be tested against its commitment.
 */
export interface ModelWeightSecrets {
  readonly blinds: readonly (readonly bigint[])[];
}

export interface CommitModelWeightsOptions {
  /** Hiding commitments (default) or binding-only ones (a public model's fingerprint). */
  readonly hiding?: boolean;
  /** The source of the blinding scalars (default: crypto randomness); tests pass a seeded one. */
  readonly random?: () => bigint;
}

/** `commitModelWeights`' result: the public commitment and, for hiding commitments, the prover's secrets. */
export interface CommittedWeights {
  readonly commitment: ModelWeightCommitment;
  /** Present when the commitments are hiding. */
  readonly secrets?: ModelWeightSecrets;
}

/** `proveCommitted`'s options: the prover's, plus the secrets of hiding commitments. */
export interface CommittedProveOptions extends Omit<ProveOptions, 'bind'> {
  /** Required when the commitments are hiding (`commitModelWeights`' `secrets`); absent for binding ones. */
  readonly secrets?: ModelWeightSecrets;
}

/**
 * The weight opening of one proof: the fold v hidden as V = v·G + t·H, the
 * folded weight commitment C_γ opened to it at ρ, and the circuit's fold
 * column opened to it at row 0.
 */
export interface WeightOpening {
  readonly value: AffinePoint;
  readonly weights: MaskedOpening;
  readonly fold: MaskedOpening;
}

/** A model proof with committed weights: the circuit proof and the weight opening. */
export interface CommittedProof {
  readonly proof: Uint8Array;
  readonly opening: WeightOpening;
}

/** The committed matrices' quantized values (as the circuit's prover holds them), in fingerprint order. */
export function committedMatrices(p: ModelCircuitParams): WeightMatrix[] {
  return committedWeightNames(p).map((name) => {
    const shape = p.info.get(name)?.shape ?? [];
    // the quantized values as they are (signed, BigInt64Array): the pcs layer writes them without bigint arithmetic
    return { rows: dim(shape, 0), cols: dim(shape, 1), values: p.weights.get(name) };
  });
}

/**
 * Setup: commit every committed matrix (once per model and SRS), hiding
 * unless `options.hiding` is false. The commitment is public (the
 * verifier's); the secrets go to the prover only.
 */
export function commitModelWeights(params: KzgParams, p: ModelCircuitParams, options: CommitModelWeightsOptions = {}): CommittedWeights {
  const names = committedWeightNames(p);
  if (names.length === 0) throw new GraphError(`commitModelWeights: model ${p.graph.name} has no committed weights (compile with weights visibility 'committed')`);
  const hiding = options.hiding ?? true;
  const weights = committedMatrices(p);
  const blinds = hiding ? weights.map((m) => randomBlinds(m.rows, options.random)) : undefined;
  const matrices = weights.map((m, i) => commitMatrixRows(params, m, blinds?.[i]));
  const commitment = { names, matrices, hiding, fingerprint: matrixFingerprint(matrices, { hiding }) };
  return blinds ? { commitment, secrets: { blinds } } : { commitment };
}

function indexOf(list: readonly { readonly index: number; readonly name?: string }[], name: string, what: string): number {
  const hit = list.find((c) => c.name === name);
  if (!hit) throw new GraphError(`committed weights: the circuit has no ${what} "${name}" (compiled without committed weights?)`);
  return hit.index;
}

/** Where ρ, γ and the fold column live in a compiled circuit with committed weights. */
function slots(c: CompiledCircuit): { rho: number; gamma: number; fold: number } {
  return { rho: indexOf(c.challenges, RHO, 'challenge'), gamma: indexOf(c.challenges, GAMMA, 'challenge'), fold: indexOf(c.advice, FOLD_COLUMN, 'advice column') };
}

/**
 * Prove: the circuit proof bound to the weights' fingerprint (what the
 * verifier will bind: `weights.fingerprint` from `commitModelWeights`, or the
 * one setup recorded), then the opening at the challenges the prover drew —
 * hiding when `options.secrets` are given (then `weights.hiding`, when
 * stated, must be true), binding otherwise.
 * No verification of its own proof: a caller who wants that check runs it.
 */
export function proveCommitted(
  pk: ProvingKey,
  circuit: ModelCircuit,
  instances: readonly (readonly bigint[])[],
  params: KzgParams,
  weights: Pick<ModelWeightCommitment, 'fingerprint'> & { readonly hiding?: boolean },
  options: CommittedProveOptions = {},
): CommittedProof {
  const { secrets, ...proveOptions } = options;
  const matrices = committedMatrices(circuit.params);
  if (weights.hiding === true && !secrets) throw new GraphError('proveCommitted: the weight commitments are hiding: expected the prover’s secrets (options.secrets, from commitModelWeights), got none');
  if (weights.hiding === false && secrets) throw new GraphError('proveCommitted: the weight commitments are binding only: expected no secrets, got some');
  if (secrets) {
    const rows = matrices.map((m) => m.rows);
    const got = secrets.blinds.map((b) => b.length);
    if (rows.join() !== got.join()) throw new GraphError(`proveCommitted: expected blinding scalars for ${rows.length} matrices of [${rows.join(', ')}] rows, got ${got.length} of [${got.join(', ')}] (secrets of another model?)`);
  }
  const s = slots(pk.vk.circuit);
  const r = proveDetailed(pk, circuit, instances, params, { ...proveOptions, bind: weights.fingerprint, keepAdvice: [s.fold] });
  const rho = r.challenges[s.rho];
  const gamma = r.challenges[s.gamma];
  const foldCoeffs = r.advice.get(s.fold);
  if (rho === undefined || gamma === undefined || !foldCoeffs) throw new GraphError('proveCommitted: the circuit drew no ρ or γ, or kept no fold column');
  const random = options.random ?? randomScalar;
  const t = Fr.create(random());
  const folded = openFoldedRowsMasked(params, matrices, gamma, rho, t, { ...(secrets ? { blinds: secrets.blinds } : {}), random });
  const column = params.ntt.F.fromBigints(foldCoeffs);
  try {
    const fold = openMasked(params, column, 1n, { commitmentBlind: 0n, valueBlind: t, random });
    // the circuit's v and P_γ(ρ) are both Σ γ^i·(B·r)_i of the same weights: a mismatch is a bug here, not a cheat
    if (fold.value !== folded.value) throw new GraphError('proveCommitted: the circuit’s fold v differs from P_γ(ρ) (the circuit and committedMatrices disagree on the weights)');
    const value = hiddenValue(params.srs.g1[0]!, fold.value, t);
    return { proof: r.proof, opening: { value, weights: folded.opening, fold: fold.opening } };
  } finally {
    column.free();
  }
}

/**
 * The weight check after a verified circuit proof (`verifyDetailed`'s
 * result): C_γ from the verifier's own commitments opens at ρ to the value
 * hidden in V, and so does the proof's fold column at row 0. Returns a
 * reason on failure. Never throws.
 */
export function checkWeightOpening(
  circuit: CompiledCircuit,
  verified: Pick<DetailedVerifyResult, 'challenges' | 'adviceCommitments'>,
  opening: WeightOpening,
  matrices: readonly MatrixCommitment[],
  vp: VerifierParams,
): string | undefined {
  try {
    const at = (list: readonly { readonly index: number; readonly name?: string }[], name: string) => list.find((x) => x.name === name)?.index;
    const rhoAt = at(circuit.challenges, RHO);
    const gammaAt = at(circuit.challenges, GAMMA);
    const foldAt = at(circuit.advice, FOLD_COLUMN);
    if (rhoAt === undefined || gammaAt === undefined || foldAt === undefined) return 'weights: the circuit has no committed-weights fold (ρ, γ, fold column)';
    const rho = verified.challenges?.[rhoAt];
    const gamma = verified.challenges?.[gammaAt];
    const column = verified.adviceCommitments?.[foldAt];
    if (rho === undefined || gamma === undefined || column === undefined) return 'weights: the circuit proof gave no ρ, γ or fold column commitment';
    if (!verifyFoldedMasked(matrices, gamma, rho, opening.value, opening.weights, vp)) return 'weights: the folded opening does not match the committed weights (a prover with other weights?)';
    if (!verifyMasked(column, 1n, opening.value, opening.fold, vp)) return 'weights: the circuit’s fold does not open to the value the weights opened to';
    return undefined;
  } catch (e) {
    return `weights: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Verify: the verifier's own commitments against their fingerprint and the
 * circuit's committed shapes, the circuit proof bound to that fingerprint,
 * then the weight opening (`checkWeightOpening`). Never throws.
 */
export function verifyCommitted(
  vk: VerifyingKey,
  proof: CommittedProof,
  instances: readonly (readonly bigint[])[],
  vp: VerifierParams,
  weights: ModelWeightCommitment,
  p: ModelCircuitParams,
  options: Omit<VerifyOptions, 'bind'> = {},
): VerifyResult & Pick<DetailedVerifyResult, 'adviceCommitments'> {
  try {
    const names = committedWeightNames(p);
    if (names.join('\n') !== weights.names.join('\n')) {
      return { ok: false, reason: `weights: expected commitments to ${names.join(', ')}, got ${weights.names.join(', ')}` };
    }
    for (const [i, m] of weights.matrices.entries()) {
      const shape = p.info.get(names[i]!)?.shape ?? [];
      if (m.rows !== shape[0] || m.cols !== shape[1] || m.commitments.length !== m.rows) {
        return { ok: false, reason: `weights: commitment to ${names[i]} is ${m.rows} × ${m.cols} (${m.commitments.length} rows), expected [${shape.join(', ')}]` };
      }
    }
    const hiding = weights.hiding === true;
    const fp = matrixFingerprint(weights.matrices, { hiding });
    if (fp.length !== weights.fingerprint.length || fp.some((b, i) => b !== weights.fingerprint[i])) {
      return { ok: false, reason: 'weights: the commitments do not match the fingerprint' };
    }
    // the circuit proof is bound to the fingerprint of the verifier's own commitments (checked above), never the proof's
    const r = verifyDetailed(vk, proof.proof, instances, vp, { ...options, bind: fp });
    if (!r.ok) return { ok: false, reason: r.reason ?? 'circuit proof rejected' };
    const bad = checkWeightOpening(vk.circuit, r, proof.opening, weights.matrices, vp);
    if (bad) return { ok: false, reason: bad };
    // the advice commitments let a caller link this proof to another (models/chain.ts)
    return { ok: true, ...(r.adviceCommitments ? { adviceCommitments: r.adviceCommitments } : {}) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** How a verifier names the kind of its commitments. */
export const kindText = (hiding: boolean): string => (hiding ? 'hiding' : 'binding only');

/** Bytes of an encoded weight opening: V (32), then π (32) and Z (128) of the weights' opening, then of the fold's: 352. */
export const WEIGHT_OPENING_BYTES = POINT_BYTES + 2 * (POINT_BYTES + 128);

const writeLe = (out: Uint8Array, off: number, x: bigint) => {
  for (let i = 0; i < 32; i++, x >>= 8n) out[off + i] = Number(x & 0xffn);
};
const readLe = (b: Uint8Array, off: number) => {
  let x = 0n;
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(b[off + i]!);
  return x;
};

function writeMasked(out: Uint8Array, off: number, o: MaskedOpening): void {
  out.set(encodePoint(o.proof), off);
  if (o.z !== null) [...o.z.x, ...o.z.y].forEach((c, i) => writeLe(out, off + POINT_BYTES + 32 * i, c));
}

/**
 * The opening as bytes: V compressed (32), then per masked opening (the
 * weights', then the fold column's) π compressed (32) and Z as 4 × 32 bytes
 * little-endian (x.c0, x.c1, y.c0, y.c1; all zero for the point at infinity).
 */
export function encodeWeightOpening(o: WeightOpening): Uint8Array {
  const out = new Uint8Array(WEIGHT_OPENING_BYTES);
  out.set(encodePoint(o.value), 0);
  writeMasked(out, POINT_BYTES, o.weights);
  writeMasked(out, 2 * POINT_BYTES + 128, o.fold);
  return out;
}

function decodeG2(bytes: Uint8Array): G2Affine {
  const c = [0, 1, 2, 3].map((i) => readLe(bytes, 32 * i));
  if (c.every((x) => x === 0n)) return null;
  if (c.some((x) => x >= Fq.p)) throw new GraphError('weight opening: Z has a coordinate that is not below the field modulus');
  const z: G2Affine = { x: [c[0]!, c[1]!], y: [c[2]!, c[3]!] };
  try {
    g2ToNoble(z); // on the twist and in the prime-order subgroup
  } catch (e) {
    throw new GraphError(`weight opening: Z is not a G2 point of the prime-order subgroup (${(e as Error).message})`);
  }
  return z;
}

function readMasked(bytes: Uint8Array, off: number): MaskedOpening {
  return { proof: decodePoint(bytes.subarray(off, off + POINT_BYTES)), z: decodeG2(bytes.subarray(off + POINT_BYTES, off + POINT_BYTES + 128)) };
}

/** Inverse of `encodeWeightOpening` (typed errors on bad bytes: a wrong length, a point off the curve or outside G2's subgroup). */
export function decodeWeightOpening(bytes: Uint8Array): WeightOpening {
  if (bytes.length !== WEIGHT_OPENING_BYTES) throw new GraphError(`weight opening: expected ${WEIGHT_OPENING_BYTES} bytes (V, then π and Z twice), got ${bytes.length}`);
  return { value: decodePoint(bytes.subarray(0, POINT_BYTES)), weights: readMasked(bytes, POINT_BYTES), fold: readMasked(bytes, 2 * POINT_BYTES + 128) };
}
