/**
 * The proof file (`proof.json`) that `zktensor prove` writes:
 *
 *   { format: "zktensor-proof", version: 3,
 *     fingerprint,                  the verifying key's digest (hex) it was made for
 *     instances: [[decimal]],       the public values (input, output, … as settings.json lays out)
 *     proof: base64,
 *     weightOpening?: hex,          weights=committed: the folded opening (64 bytes binding, 192 hiding:
 *                                   value, π, Z; the verifier expects the kind its vk.bin records)
 *     weightFingerprint?: hex,      weights=committed: the prover's weight fingerprint (ignored by verify)
 *     public?: { … } }              a readable copy of the public values (ignored by verify)
 *
 * The verifier reads `instances`, `proof` and `weightOpening`, and checks `fingerprint`
 * against its vk when present; everything else — and anything an older
 * format carried (model, visibility, quantization, SRS path) — is ignored:
 * what is verified comes from vk.bin and settings.json alone (the weight
 * commitments too: never from the proof file).
 */
import { UsageError } from './errors.js';

export const PROOF_FORMAT = 'zktensor-proof';
export const PROOF_FILE_VERSION = 3;

export interface ProofFile {
  readonly format: typeof PROOF_FORMAT;
  readonly version: number;
  readonly fingerprint?: string;
  readonly instances: readonly (readonly string[])[];
  readonly proof: string;
  readonly weightOpening?: string;
  readonly weightFingerprint?: string;
  readonly public?: Readonly<Record<string, unknown>>;
}

export const toBase64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** Parse a proof file: the fields verify reads, checked (typed errors name the field). */
export function parseProofFile(text: string): { fingerprint?: string; instances: bigint[][]; proof: Uint8Array; weightOpening?: string } {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`proof file: invalid JSON (${(e as Error).message})`);
  }
  const need = (cond: boolean, what: string) => {
    if (!cond) throw new UsageError(`proof file: expected ${what}`);
  };
  need(!!j && typeof j === 'object' && !Array.isArray(j), 'a JSON object');
  const o = j as Record<string, unknown>;
  need(o['format'] === PROOF_FORMAT, `format "${PROOF_FORMAT}", got ${JSON.stringify(o['format'])}`);
  need(o['version'] === PROOF_FILE_VERSION, `version ${PROOF_FILE_VERSION}, got ${JSON.stringify(o['version'])} (proofs of older versions named their own statement; make a new one with setup and prove)`);
  const inst = o['instances'];
  need(Array.isArray(inst) && inst.every((c) => Array.isArray(c) && c.every((v) => typeof v === 'string' && /^\d{1,80}$/.test(v))), '"instances" (arrays of decimal strings)');
  const proof = o['proof'];
  need(typeof proof === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(proof), '"proof" (base64)');
  const fp = o['fingerprint'];
  need(fp === undefined || (typeof fp === 'string' && /^[0-9a-f]{64}$/.test(fp)), '"fingerprint" (64 hex digits) when present');
  // its content is checked by verify (a bad opening is a rejected proof, exit 1)
  const opening = o['weightOpening'];
  need(opening === undefined || typeof opening === 'string', '"weightOpening" (hex) when present');
  return {
    ...(typeof fp === 'string' ? { fingerprint: fp } : {}),
    ...(typeof opening === 'string' ? { weightOpening: opening } : {}),
    instances: (inst as string[][]).map((c) => c.map((v) => BigInt(v))),
    proof: new Uint8Array(Buffer.from(proof as string, 'base64')),
  };
}
