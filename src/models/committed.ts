/**
 * Weights as commitments, model level (weights visibility `committed`):
 *
 *   setup   commit every committed matrix row by row (pcs/matrix-commit.ts);
 *           the commitments, in `committedWeightNames` order, are the model's
 *           weight fingerprint; the verifier keeps them (or checks them
 *           against a published fingerprint), never takes them from a proof;
 *   prove   the circuit proof (the circuit publishes v = Σ γ^i·(B·r)_i in
 *           its late instance column, gadgets/matmul-committed.ts) and one
 *           KZG opening of P_γ = Σ γ^i·P_i at ρ, with ρ and γ the circuit
 *           proof's own challenges (as the prover drew them);
 *   verify  the circuit proof, then v = the opening's value, then the
 *           opening against C_γ = Σ γ^i·C_i from the verifier's commitments.
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
 * `ModelWeightCommitment`, covered by the fingerprint), never the proof's:
 * an opening of the other kind is rejected. What a proof does reveal is
 * v = Σ γ^i·(B·r)_i, one linear combination of the weights at the proof's
 * own ρ and γ, published by the circuit.
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
  type FoldedOpening,
  matrixFingerprint,
  type MatrixCommitment,
  openFoldedRows,
  randomBlinds,
  verifyFoldedOpening,
  type WeightMatrix,
} from '../pcs/matrix-commit.js';
import type { ProvingKey } from '../plonkish/backend/keygen.js';
import { proveDetailed, type ProveOptions } from '../plonkish/backend/prover.js';
import { decodePoint, encodePoint, POINT_BYTES } from '../plonkish/backend/transcript.js';
import { type DetailedVerifyResult, verifyDetailed, type VerifierParams, type VerifyOptions, type VerifyResult } from '../plonkish/backend/verifier.js';
import type { VerifyingKey } from '../plonkish/backend/vk.js';
import type { CompiledCircuit } from '../plonkish/frontend/index.js';
import { committedWeightNames, type ModelCircuit, type ModelCircuitParams } from './compile.js';
import { dim, GraphError } from './graph.js';

/** The names the committed chip gives its challenges and its published column (gadgets/context.ts, matmul-committed.ts). */
const RHO = 'freivalds.rho';
const GAMMA = 'weights.gamma';
const FOLD = 'weights.v';

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

/** A model proof with committed weights: the circuit proof and the folded opening. */
export interface CommittedProof {
  readonly proof: Uint8Array;
  readonly opening: FoldedOpening;
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

/** Where ρ, γ and v live in a compiled circuit with committed weights. */
function slots(c: CompiledCircuit): { rho: number; gamma: number; fold: number } {
  return { rho: indexOf(c.challenges, RHO, 'challenge'), gamma: indexOf(c.challenges, GAMMA, 'challenge'), fold: indexOf(c.instance, FOLD, 'instance column') };
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
  const r = proveDetailed(pk, circuit, instances, params, { ...proveOptions, bind: weights.fingerprint });
  const rho = r.challenges[s.rho];
  const gamma = r.challenges[s.gamma];
  const v = r.instances[s.fold]?.[0];
  if (rho === undefined || gamma === undefined || v === undefined) throw new GraphError('proveCommitted: the circuit drew no ρ, γ or published no fold v');
  const opening = openFoldedRows(params, matrices, gamma, rho, secrets ? { blinds: secrets.blinds, ...(options.random ? { random: options.random } : {}) } : {});
  // the circuit's v and the opening's value are both Σ γ^i·(B·r)_i of the same weights: a mismatch is a bug here, not a cheat
  if (opening.value !== v) throw new GraphError('proveCommitted: the circuit’s fold v differs from the opening’s value (the circuit and committedMatrices disagree on the weights)');
  return { proof: r.proof, opening };
}

/**
 * Verify: the circuit proof, the opening's value against the published v,
 * and the opening against the verifier's own commitments (checked against
 * their fingerprint and the circuit's committed shapes). Never throws.
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
    const s = slots(vk.circuit);
    const v = r.instances?.[s.fold]?.[0];
    const rho = r.challenges?.[s.rho];
    const gamma = r.challenges?.[s.gamma];
    if (v === undefined || rho === undefined || gamma === undefined) return { ok: false, reason: 'weights: the circuit published no fold' };
    // the verifier's own record says which check applies, never the proof
    if (proof.opening.kind !== (hiding ? 'hiding' : 'binding')) return { ok: false, reason: `weights: the commitments are ${kindText(hiding)}: expected a ${hiding ? 'hiding' : 'binding'} opening, got a ${proof.opening.kind} one` };
    if (proof.opening.value !== v) return { ok: false, reason: 'weights: the opening’s value differs from the fold the circuit published' };
    if (!verifyFoldedOpening(weights.matrices, gamma, rho, proof.opening, vp, { hiding })) {
      return { ok: false, reason: 'weights: the folded opening does not match the committed weights' };
    }
    // the advice commitments let a caller link this proof to another (models/chain.ts)
    return { ok: true, ...(r.adviceCommitments ? { adviceCommitments: r.adviceCommitments } : {}) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** How a verifier names the kind of its commitments. */
export const kindText = (hiding: boolean): string => (hiding ? 'hiding' : 'binding only');

/** Bytes of an encoded opening: binding 64 (value, W), hiding 192 (value, π, Z). */
export const BINDING_OPENING_BYTES = 32 + POINT_BYTES;
export const HIDING_OPENING_BYTES = 32 + POINT_BYTES + 128;

const writeLe = (out: Uint8Array, off: number, x: bigint) => {
  for (let i = 0; i < 32; i++, x >>= 8n) out[off + i] = Number(x & 0xffn);
};
const readLe = (b: Uint8Array, off: number) => {
  let x = 0n;
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(b[off + i]!);
  return x;
};

/**
 * The opening as bytes: value (32, little-endian), then the compressed
 * witness point (32); a hiding opening then Z as 4 × 32 bytes little-endian
 * (x.c0, x.c1, y.c0, y.c1; all zero for the point at infinity). The length
 * tells the kinds apart, but a verifier checks the kind its key expects.
 */
export function encodeFoldedOpening(o: FoldedOpening): Uint8Array {
  const out = new Uint8Array(o.kind === 'hiding' ? HIDING_OPENING_BYTES : BINDING_OPENING_BYTES);
  writeLe(out, 0, o.value);
  out.set(encodePoint(o.proof), 32);
  if (o.kind === 'hiding' && o.z !== null) [...o.z.x, ...o.z.y].forEach((c, i) => writeLe(out, BINDING_OPENING_BYTES + 32 * i, c));
  return out;
}

function decodeG2(bytes: Uint8Array): G2Affine {
  const c = [0, 1, 2, 3].map((i) => readLe(bytes, 32 * i));
  if (c.every((x) => x === 0n)) return null;
  if (c.some((x) => x >= Fq.p)) throw new GraphError('folded opening: Z has a coordinate that is not below the field modulus');
  const z: G2Affine = { x: [c[0]!, c[1]!], y: [c[2]!, c[3]!] };
  try {
    g2ToNoble(z); // on the twist and in the prime-order subgroup
  } catch (e) {
    throw new GraphError(`folded opening: Z is not a G2 point of the prime-order subgroup (${(e as Error).message})`);
  }
  return z;
}

/** Inverse of `encodeFoldedOpening` (typed errors on bad bytes: a wrong length, a non-canonical value, a point off the curve). */
export function decodeFoldedOpening(bytes: Uint8Array): FoldedOpening {
  if (bytes.length !== BINDING_OPENING_BYTES && bytes.length !== HIDING_OPENING_BYTES) {
    throw new GraphError(`folded opening: expected ${BINDING_OPENING_BYTES} bytes (binding) or ${HIDING_OPENING_BYTES} (hiding), got ${bytes.length}`);
  }
  const value = readLe(bytes, 0);
  if (value >= Fr.p) throw new GraphError('folded opening: the value is not a canonical field element');
  const proof: AffinePoint = decodePoint(bytes.subarray(32, BINDING_OPENING_BYTES));
  if (bytes.length === BINDING_OPENING_BYTES) return { kind: 'binding', value, proof };
  return { kind: 'hiding', value, proof, z: decodeG2(bytes.subarray(BINDING_OPENING_BYTES)) };
}
