/**
 * weights=committed in the CLI (models/committed.ts underneath):
 *
 *   setup   commits the weight matrices once, hiding by default (C_k =
 *           [P_k(τ)]₁ + r_k·H, pcs/matrix-commit.ts) or binding only
 *           (`--weight-commitments binding`); the row commitments and their
 *           kind go into vk.bin, their fingerprint (which covers the kind)
 *           into settings.json, and the blinding scalars r_k into pk.bin —
 *           the prover's secret: with them anyone holding vk.bin could test
 *           guesses of the weights (key-files.ts);
 *   prove   writes the weight opening (hex, 352 bytes: the hidden fold
 *           V = v·G + t·H and two masked openings, models/committed.ts)
 *           into the proof file; the fold v itself is never written;
 *   verify  checks the circuit proof, then the openings against vk.bin's
 *           commitments and the proof's fold column: the verifier needs
 *           neither the model nor its weights, and never takes a commitment
 *           — or its kind — from the proof file (vk.bin records the kind,
 *           and the fingerprint the proof is bound to covers it).
 *
 * The verifier side is models/committed.ts's `verifyCommitted` without the
 * model: the names and shapes come from vk.bin (bound to settings.json by
 * digest, and settings.json holds their fingerprint), and ρ, γ and the
 * fold column are found by the names the committed chip gives them in the
 * verifying key's circuit (`checkWeightOpening`, shared with the library). The circuit proof's transcript binds the
 * weight fingerprint (prove: settings.json's; verify: recomputed from
 * vk.bin's commitments). `verifyWithWeights` returns a reason
 * instead of throwing, whatever the proof file's bytes, and on success the
 * proof's advice commitments (a split model's links compare them).
 */
import { checkWeightOpening, commitModelWeights, decodeWeightOpening, encodeWeightOpening, kindText, type WeightOpening } from '../models/committed.js';
import type { ModelCircuitParams } from '../models/index.js';
import type { KzgParams } from '../pcs/index.js';
import { matrixFingerprint } from '../pcs/matrix-commit.js';
import { type DetailedVerifyResult, verifyDetailed, type VerifierParams, type VerifyingKey, type VerifyResult } from '../plonkish/backend/index.js';
import { hex } from './hash.js';
import type { NamedCommitment } from './key-files.js';

/** What setup keeps of the committed weights: vk.bin's part (named commitments, their kind), pk.bin's (the blinds) and the fingerprint (hex). */
export interface SetupWeights {
  readonly weights: NamedCommitment[];
  readonly hiding: boolean;
  /** The blinding scalars r_k per matrix (hiding; empty when binding): for pk.bin only. */
  readonly blinds: readonly (readonly bigint[])[];
  readonly fingerprint: string;
}

/** Setup: the row commitments of every committed matrix, named, hiding or binding only, and their fingerprint (hex). */
export function commitWeights(kzg: KzgParams, params: ModelCircuitParams, options: { readonly hiding: boolean }): SetupWeights {
  const { commitment: c, secrets } = commitModelWeights(kzg, params, { hiding: options.hiding });
  return { weights: c.matrices.map((m, i) => ({ ...m, name: c.names[i]! })), hiding: c.hiding, blinds: secrets?.blinds ?? [], fingerprint: hex(c.fingerprint) };
}

/** The fingerprint (hex) of commitments read from vk.bin, of the kind vk.bin records. */
export const weightFingerprint = (weights: readonly NamedCommitment[], hiding: boolean): string => hex(matrixFingerprint(weights, { hiding }));

/** How verify and setup describe the commitments: "committed (hiding)" or "committed (binding only)". */
export const weightsText = (hiding: boolean): string => `committed (${kindText(hiding)})`;

/** The proof file's `weightOpening`: the weight opening as hex (352 bytes). */
export const openingHex = (o: WeightOpening): string => hex(encodeWeightOpening(o));

function parseOpening(text: string | undefined): WeightOpening | string {
  if (text === undefined) return 'the proof file has no "weightOpening" (the opening of the committed weights)';
  if (!/^([0-9a-f]{2})*$/.test(text)) return '"weightOpening" is not hex';
  try {
    return decodeWeightOpening(new Uint8Array(Buffer.from(text, 'hex')));
  } catch (e) {
    return `"weightOpening": ${(e as Error).message}`;
  }
}

/**
 * The circuit proof must verify bound to the fingerprint of `weights` (the
 * verifier's own, from vk.bin, of the kind vk.bin records), then C_γ and the
 * proof's fold column must open to the one hidden value
 * (`checkWeightOpening`). Never throws.
 */
export function verifyWithWeights(
  vk: VerifyingKey,
  proof: Uint8Array,
  opening: string | undefined,
  instances: readonly (readonly bigint[])[],
  vp: VerifierParams,
  weights: readonly NamedCommitment[],
  hiding: boolean,
): VerifyResult & Pick<DetailedVerifyResult, 'adviceCommitments'> {
  try {
    const o = parseOpening(opening);
    if (typeof o === 'string') return { ok: false, reason: o };
    // bound to the fingerprint of vk.bin's commitments (the verifier's own), as the prover bound settings.json's copy of it
    const r = verifyDetailed(vk, proof, instances, vp, { bind: matrixFingerprint(weights, { hiding }) });
    // say what is bound: a proof made for other weights fails here, not at the opening
    if (!r.ok) return { ok: false, reason: `${r.reason ?? 'the circuit proof does not verify'} (the circuit proof is bound to vk.bin's weight fingerprint: a proof for other weights fails here)` };
    const bad = checkWeightOpening(vk.circuit, r, o, weights, vp);
    if (bad) return { ok: false, reason: `${bad} (vk.bin's commitments)` };
    // the advice commitments let the caller link this proof to the next segment's (split models)
    return { ok: true, ...(r.adviceCommitments ? { adviceCommitments: r.adviceCommitments } : {}) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
