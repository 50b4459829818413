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
 * Why it is sound: the module header of gadgets/matmul-committed.ts
 * (Schwartz–Zippel over ρ for Freivalds, over γ for the fold; KZG binding).
 */
import { Fr } from '../field/index.js';
import type { AffinePoint } from '../curve/types.js';
import type { KzgParams } from '../pcs/kzg.js';
import {
  commitMatrixRows,
  type FoldedOpening,
  matrixFingerprint,
  type MatrixCommitment,
  openFoldedRows,
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
  /** Blake2b-256 over the shapes and points (`matrixFingerprint`). */
  readonly fingerprint: Uint8Array;
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
    return { rows: dim(shape, 0), cols: dim(shape, 1), values: Array.from(p.weights.get(name), (x) => Fr.create(x)) };
  });
}

/** Setup: commit every committed matrix (once per model and SRS). */
export function commitModelWeights(params: KzgParams, p: ModelCircuitParams): ModelWeightCommitment {
  const names = committedWeightNames(p);
  if (names.length === 0) throw new GraphError(`commitModelWeights: model ${p.graph.name} has no committed weights (compile with weights visibility 'committed')`);
  const matrices = committedMatrices(p).map((m) => commitMatrixRows(params, m));
  return { names, matrices, fingerprint: matrixFingerprint(matrices) };
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
 * one setup recorded), then the opening at the challenges the prover drew.
 * No verification of its own proof: a caller who wants that check runs it.
 */
export function proveCommitted(
  pk: ProvingKey,
  circuit: ModelCircuit,
  instances: readonly (readonly bigint[])[],
  params: KzgParams,
  weights: Pick<ModelWeightCommitment, 'fingerprint'>,
  options: Omit<ProveOptions, 'bind'> = {},
): CommittedProof {
  const s = slots(pk.vk.circuit);
  const r = proveDetailed(pk, circuit, instances, params, { ...options, bind: weights.fingerprint });
  const rho = r.challenges[s.rho];
  const gamma = r.challenges[s.gamma];
  const v = r.instances[s.fold]?.[0];
  if (rho === undefined || gamma === undefined || v === undefined) throw new GraphError('proveCommitted: the circuit drew no ρ, γ or published no fold v');
  const opening = openFoldedRows(params, committedMatrices(circuit.params), gamma, rho);
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
    const fp = matrixFingerprint(weights.matrices);
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
    if (proof.opening.value !== v) return { ok: false, reason: 'weights: the opening’s value differs from the fold the circuit published' };
    if (!verifyFoldedOpening(weights.matrices, gamma, rho, proof.opening, vp)) {
      return { ok: false, reason: 'weights: the folded opening does not match the committed weights' };
    }
    // the advice commitments let a caller link this proof to another (models/chain.ts)
    return { ok: true, ...(r.adviceCommitments ? { adviceCommitments: r.adviceCommitments } : {}) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** The opening as 64 bytes: value (32, little-endian) then the compressed witness point. */
export function encodeFoldedOpening(o: FoldedOpening): Uint8Array {
  const out = new Uint8Array(32 + POINT_BYTES);
  for (let i = 0; i < 32; i++) out[i] = Number((o.value >> BigInt(8 * i)) & 0xffn);
  out.set(encodePoint(o.proof), 32);
  return out;
}

/** Inverse of `encodeFoldedOpening` (typed errors on bad bytes: a non-canonical value or a point off the curve). */
export function decodeFoldedOpening(bytes: Uint8Array): FoldedOpening {
  if (bytes.length !== 32 + POINT_BYTES) throw new GraphError(`folded opening: expected ${32 + POINT_BYTES} bytes, got ${bytes.length}`);
  let value = 0n;
  for (let i = 31; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (value >= Fr.p) throw new GraphError('folded opening: the value is not a canonical field element');
  const proof: AffinePoint = decodePoint(bytes.subarray(32));
  return { value, proof };
}
