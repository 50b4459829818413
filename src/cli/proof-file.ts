/**
 * The proof file (`proof.json`): what `zktensor prove` writes and `verify`
 * reads. The statement is the model (preset, sequence length, visibility;
 * its quantization is recomputed from the preset), the SRS and the public
 * instance values; the verifier recomputes the verifying key from the model,
 * so a file cannot bring its own circuit. The VK is included for
 * `verify --trust-vk` (faster, trusts the file) and for inspection.
 *
 *   { format: "zktensor-proof", version: 1, model, tokens, visibility, quant, k,
 *     srs: { kind: "unsafe-dev", seed } | { kind: "file", id },
 *     input?: { tokens }, output?: { next, logits },
 *     instances: [[decimal]], vk: base64, proof: base64 }
 */
import type { QuantParams, VisibilitySpec } from '../models/index.js';

export const PROOF_FORMAT = 'zktensor-proof';
export const PROOF_FILE_VERSION = 1;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ProofFile {
  readonly format: typeof PROOF_FORMAT;
  readonly version: number;
  readonly model: string;
  readonly tokens: number;
  readonly visibility: VisibilitySpec;
  readonly quant: QuantParams;
  readonly k: number;
  readonly srs: { readonly kind: 'unsafe-dev'; readonly seed: string } | { readonly kind: 'file'; readonly path: string };
  readonly input?: { readonly tokens: readonly number[] };
  readonly output?: { readonly next: { readonly id: number; readonly text: string }; readonly logits: readonly number[] };
  readonly instances: readonly (readonly string[])[];
  readonly vk: string;
  readonly proof: string;
}

export const toBase64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
export function fromBase64(s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new UsageError(`proof file: ${what} is not base64`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Parse and check the shape of a proof file (typed errors name the field). */
export function parseProofFile(text: string): ProofFile {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`proof file: invalid JSON (${(e as Error).message})`);
  }
  const o = j as Record<string, unknown>;
  const need = (cond: boolean, what: string) => {
    if (!cond) throw new UsageError(`proof file: ${what}`);
  };
  need(typeof o === 'object' && o !== null, 'expected a JSON object');
  need(o['format'] === PROOF_FORMAT, `expected format "${PROOF_FORMAT}", got ${JSON.stringify(o['format'])}`);
  need(o['version'] === PROOF_FILE_VERSION, `expected version ${PROOF_FILE_VERSION}, got ${JSON.stringify(o['version'])}`);
  need(typeof o['model'] === 'string', 'expected "model" (a string)');
  need(Number.isInteger(o['tokens']) && (o['tokens'] as number) > 0, 'expected "tokens" (a positive integer)');
  need(Number.isInteger(o['k']) && (o['k'] as number) > 0 && (o['k'] as number) <= 28, 'expected "k" (an integer in 1…28)');
  const vis = o['visibility'] as Record<string, unknown> | undefined;
  need(!!vis && ['input', 'weights', 'output'].every((r) => ['public', 'private', 'fixed'].includes(vis[r] as string)), 'expected "visibility" {input, weights, output}');
  const srs = o['srs'] as Record<string, unknown> | undefined;
  need(!!srs && ((srs['kind'] === 'unsafe-dev' && typeof srs['seed'] === 'string') || (srs['kind'] === 'file' && typeof srs['path'] === 'string')), 'expected "srs"');
  const inst = o['instances'];
  need(Array.isArray(inst) && inst.every((c) => Array.isArray(c) && c.every((v) => typeof v === 'string' && /^\d+$/.test(v))), 'expected "instances" (arrays of decimal strings)');
  need(typeof o['vk'] === 'string' && typeof o['proof'] === 'string', 'expected "vk" and "proof" (base64)');
  return o as unknown as ProofFile;
}
