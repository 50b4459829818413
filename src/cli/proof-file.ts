/**
 * The proof file (`proof.json`) that `zktensor prove` writes:
 *
 *   { format: "zktensor-proof", version: 4,
 *     fingerprint,                  the verifying key's digest (hex) it was made for
 *     instances: [[decimal]],       the public values (input, output, … as settings.json lays out)
 *     proof: base64,
 *     weightOpening?: hex,          weights=committed: the weight opening (352 bytes: the hidden fold
 *                                   V, then π and Z of the weights' and of the fold column's masked
 *                                   openings; models/committed.ts)
 *     weightFingerprint?: hex,      weights=committed: the prover's weight fingerprint (ignored by verify)
 *     public?: { … } }              a readable copy of the public values (ignored by verify)
 *
 * A model proved as linked segments (settings.json has a "split") has, in
 * place of `proof` and `weightOpening`,
 *
 *     segments: [{ proof: base64, weightOpening: hex }],   one per segment, in order
 *
 * with `instances` one column: the statement's public values (the first
 * segment's inputs, the last one's outputs), cut per segment by the
 * settings, and `fingerprint` the chain's (settings.json's).
 *
 * The verifier reads `instances`, `proof` and `weightOpening` (or `segments`), and checks `fingerprint`
 * against its vk when present; everything else — and anything an older
 * format carried (model, visibility, quantization, SRS path) — is ignored:
 * what is verified comes from vk.bin and settings.json alone (the weight
 * commitments too: never from the proof file).
 */
import { UsageError } from './errors.js';

export const PROOF_FORMAT = 'zktensor-proof';
export const PROOF_FILE_VERSION = 4;

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

/** A split model's proof file (see the module comment). */
export interface ChainProofFile extends Omit<ProofFile, 'proof' | 'weightOpening'> {
  readonly segments: readonly { readonly proof: string; readonly weightOpening: string }[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parse a proof file: the fields verify reads, checked (typed errors name the field). */
export function parseProofFile(text: string): { fingerprint?: string; instances: bigint[][]; proof: Uint8Array; weightOpening?: string } {
  const { o, need, head } = parseHead(text);
  const proof = o['proof'];
  if (proof === undefined && Array.isArray(o['segments'])) {
    throw new UsageError(`proof file: it holds ${o['segments'].length} segment proofs (a model proved as linked segments), but the settings describe a single circuit: verify it with the vk.bin and settings.json of its split setup`);
  }
  need(typeof proof === 'string' && BASE64.test(proof), '"proof" (base64)');
  // its content is checked by verify (a bad opening is a rejected proof, exit 1)
  const opening = o['weightOpening'];
  need(opening === undefined || typeof opening === 'string', '"weightOpening" (hex) when present');
  return {
    ...head,
    ...(typeof opening === 'string' ? { weightOpening: opening } : {}),
    proof: new Uint8Array(Buffer.from(proof as string, 'base64')),
  };
}

/**
 * Parse a split model's proof file: `segments` must be a list of {proof
 * (base64), weightOpening (a string; verify checks it)}. How many there are
 * is checked by verify against settings.json (too few or too many: rejected).
 */
export function parseChainProofFile(text: string): { fingerprint?: string; instances: bigint[][]; segments: { proof: Uint8Array; weightOpening?: string }[] } {
  const { o, need, head } = parseHead(text);
  const segs = o['segments'];
  if (segs === undefined && typeof o['proof'] === 'string') {
    throw new UsageError('proof file: it holds a single circuit\'s proof, but the settings describe a model proved as linked segments: verify it with the vk.bin and settings.json of its own setup');
  }
  need(Array.isArray(segs), '"segments" (one {proof, weightOpening} per segment)');
  const segments = (segs as unknown[]).map((s, j) => {
    need(!!s && typeof s === 'object' && !Array.isArray(s), `"segments[${j}]" an object {proof, weightOpening}`);
    const x = s as Record<string, unknown>;
    need(typeof x['proof'] === 'string' && BASE64.test(x['proof']), `"segments[${j}].proof" (base64)`);
    need(x['weightOpening'] === undefined || typeof x['weightOpening'] === 'string', `"segments[${j}].weightOpening" (hex) when present`);
    return { proof: new Uint8Array(Buffer.from(x['proof'] as string, 'base64')), ...(typeof x['weightOpening'] === 'string' ? { weightOpening: x['weightOpening'] } : {}) };
  });
  return { ...head, segments };
}

/** The fields every proof file has: format, version, instances and the optional fingerprint. */
function parseHead(text: string): { o: Record<string, unknown>; need: (cond: boolean, what: string) => void; head: { fingerprint?: string; instances: bigint[][] } } {
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
  need(o['version'] === PROOF_FILE_VERSION, `version ${PROOF_FILE_VERSION}, got ${JSON.stringify(o['version'])} (version 3 published the weight fold and older versions named their own statement; make a new one with setup and prove)`);
  const inst = o['instances'];
  need(Array.isArray(inst) && inst.every((c) => Array.isArray(c) && c.every((v) => typeof v === 'string' && /^\d{1,80}$/.test(v))), '"instances" (arrays of decimal strings)');
  const fp = o['fingerprint'];
  need(fp === undefined || (typeof fp === 'string' && /^[0-9a-f]{64}$/.test(fp)), '"fingerprint" (64 hex digits) when present');
  return { o, need, head: { ...(typeof fp === 'string' ? { fingerprint: fp } : {}), instances: (inst as string[][]).map((c) => c.map((v) => BigInt(v))) } };
}
