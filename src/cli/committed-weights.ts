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
 *   prove   writes the folded opening (hex: 64 bytes binding, 192 hiding)
 *           into the proof file;
 *   verify  checks the circuit proof, then the opening against vk.bin's
 *           commitments: the verifier needs neither the model nor its
 *           weights, and never takes a commitment — or the kind of check —
 *           from the proof file: vk.bin says whether the commitments are
 *           hiding, and an opening of the other kind is rejected.
 *
 * The verifier side is models/committed.ts's `verifyCommitted` without the
 * model: the names and shapes come from vk.bin (bound to settings.json by
 * digest, and settings.json holds their fingerprint), and ρ, γ and the
 * published fold v are found by the names the committed chip gives them in
 * the verifying key's circuit. The circuit proof's transcript binds the
 * weight fingerprint (prove: settings.json's; verify: recomputed from
 * vk.bin's commitments). `verifyWithWeights` returns a reason
 * instead of throwing, whatever the proof file's bytes, and on success the
 * proof's advice commitments (a split model's links compare them).
 */
import { commitModelWeights, decodeFoldedOpening, encodeFoldedOpening, kindText } from '../models/committed.js';
import type { ModelCircuitParams } from '../models/index.js';
import type { KzgParams } from '../pcs/index.js';
import { type FoldedOpening, matrixFingerprint, verifyFoldedOpening } from '../pcs/matrix-commit.js';
import { type DetailedVerifyResult, verifyDetailed, type VerifierParams, type VerifyingKey, type VerifyResult } from '../plonkish/backend/index.js';
import { hex } from './hash.js';
import type { NamedCommitment } from './key-files.js';

/** The names the committed chip gives ρ, γ and its published column (gadgets/context.ts, gadgets/matmul-committed.ts). */
const RHO = 'freivalds.rho';
const GAMMA = 'weights.gamma';
const FOLD = 'weights.v';

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

/** The proof file's `weightOpening`: the folded opening as hex (64 bytes binding, 192 hiding). */
export const openingHex = (o: FoldedOpening): string => hex(encodeFoldedOpening(o));

function parseOpening(text: string | undefined): FoldedOpening | string {
  if (text === undefined) return 'the proof file has no "weightOpening" (the folded opening of the committed weights)';
  if (!/^([0-9a-f]{2})*$/.test(text)) return '"weightOpening" is not hex';
  try {
    return decodeFoldedOpening(new Uint8Array(Buffer.from(text, 'hex')));
  } catch (e) {
    return `"weightOpening": ${(e as Error).message}`;
  }
}

/**
 * The folded opening must be of the kind vk.bin records (`hiding`), then
 * the circuit proof must verify, the opening's value must be the fold v the
 * circuit published, and it must open C_γ = Σ γ^i·C_i at ρ against
 * `weights` (the verifier's own, from vk.bin). Never throws.
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
    // vk.bin says which check applies (setup fixed it), never the proof file
    if (o.kind !== (hiding ? 'hiding' : 'binding')) {
      return { ok: false, reason: `weights: vk.bin's commitments are ${kindText(hiding)}: expected a ${hiding ? 'hiding' : 'binding'} opening, got a ${o.kind} one (the kind is fixed by setup, not by the proof file)` };
    }
    const at = (list: readonly { readonly index: number; readonly name?: string }[], name: string) => list.find((x) => x.name === name)?.index;
    const rhoAt = at(vk.circuit.challenges, RHO);
    const gammaAt = at(vk.circuit.challenges, GAMMA);
    const foldAt = at(vk.circuit.instance, FOLD);
    if (rhoAt === undefined || gammaAt === undefined || foldAt === undefined) return { ok: false, reason: 'vk.bin: the circuit has no committed-weights fold (ρ, γ, v)' };
    // bound to the fingerprint of vk.bin's commitments (the verifier's own), as the prover bound settings.json's copy of it
    const r = verifyDetailed(vk, proof, instances, vp, { bind: matrixFingerprint(weights, { hiding }) });
    // say what is bound: a proof made for other weights fails here, not at the opening
    if (!r.ok) return { ok: false, reason: `${r.reason ?? 'the circuit proof does not verify'} (the circuit proof is bound to vk.bin's weight fingerprint: a proof for other weights fails here)` };
    const v = r.instances?.[foldAt]?.[0];
    const rho = r.challenges?.[rhoAt];
    const gamma = r.challenges?.[gammaAt];
    if (v === undefined || rho === undefined || gamma === undefined) return { ok: false, reason: 'weights: the circuit published no fold' };
    if (o.value !== v) return { ok: false, reason: 'weights: the opening’s value differs from the fold the circuit published' };
    if (!verifyFoldedOpening(weights, gamma, rho, o, vp, { hiding })) return { ok: false, reason: 'weights: the folded opening does not match the committed weights in vk.bin (a prover with other weights?)' };
    // the advice commitments let the caller link this proof to the next segment's (split models)
    return { ok: true, ...(r.adviceCommitments ? { adviceCommitments: r.adviceCommitments } : {}) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
